import type { MutationOptions, RequestSender } from "../request.js";
import type { TrackConversionRequest, TrackConversionResponse } from "../types.js";

/** `/api/plugin/shops/{shopId}/track/conversion` */
export class ConversionsResource {
  readonly #sender: RequestSender;
  readonly #path: string;

  /** @internal Created by `NeuroonClient`. */
  constructor(sender: RequestSender, shopId: string) {
    this.#sender = sender;
    this.#path = `/api/plugin/shops/${encodeURIComponent(shopId)}/track/conversion`;
  }

  /**
   * Attributes an order to searches. Neuroon dedupes by `orderId`, so sending an order twice
   * is harmless. The response is undocumented; an empty body resolves to `{}`.
   */
  async track(
    request: TrackConversionRequest,
    options: MutationOptions = {},
  ): Promise<TrackConversionResponse> {
    if (typeof request.orderId !== "string" || request.orderId === "") {
      throw new TypeError("track() needs a non-empty orderId: Neuroon dedupes conversions by it.");
    }
    const response = await this.#sender.send<TrackConversionResponse | undefined>(
      { method: "POST", path: this.#path, body: request, bucket: "other" },
      options,
    );
    return response ?? {};
  }
}
