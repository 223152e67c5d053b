import type { MutationOptions, RequestOptions, RequestSender } from "../request.js";
import type { VerificationData, VerifyDomainResponse } from "../types.js";

/** Domain verification: `/api/plugin/shops/{shopId}/verify` and `/verification-data`. */
export class VerificationResource {
  readonly #sender: RequestSender;
  readonly #basePath: string;

  /** @internal Created by `NeuroonClient`. */
  constructor(sender: RequestSender, shopId: string) {
    this.#sender = sender;
    this.#basePath = `/api/plugin/shops/${encodeURIComponent(shopId)}`;
  }

  /**
   * Verifies `domain` (e.g. `https://shop.example`) against the shop's registered URL. Limited to
   * 5 calls per 5 minutes; a 409 (`ConflictError`) means it is already verified.
   */
  async verify(domain: string, options: MutationOptions = {}): Promise<VerifyDomainResponse> {
    if (typeof domain !== "string" || domain.trim() === "") {
      throw new TypeError(`domain must be a non-empty string such as "https://shop.example".`);
    }
    return this.#sender.send<VerifyDomainResponse>(
      {
        method: "POST",
        path: `${this.#basePath}/verify`,
        body: { domain },
        bucket: "verifyAction",
      },
      options,
    );
  }

  /** The current verification state. */
  async data(options: RequestOptions = {}): Promise<VerificationData> {
    return this.#sender.send<VerificationData>(
      { method: "GET", path: `${this.#basePath}/verification-data`, bucket: "verification" },
      options,
    );
  }

  /** Removes the verification (204). */
  async unverify(options: MutationOptions = {}): Promise<void> {
    await this.#sender.send<undefined>(
      { method: "DELETE", path: `${this.#basePath}/verify`, bucket: "unverifyAction" },
      options,
    );
  }
}
