import type { RequestOptions, RequestSender } from "../request.js";
import type { ShopInfo } from "../types.js";

/** `/api/plugin/shops/me` */
export class ShopResource {
  readonly #sender: RequestSender;

  /** @internal Created by `NeuroonClient`. */
  constructor(sender: RequestSender) {
    this.#sender = sender;
  }

  /** The shop the key belongs to, with plan quotas; a cheap way to check credentials. */
  async me(options: RequestOptions = {}): Promise<ShopInfo> {
    return this.#sender.send<ShopInfo>(
      { method: "GET", path: "/api/plugin/shops/me", bucket: "shopInfo" },
      options,
    );
  }
}
