import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { API_KEY, type Harness, parseJson, SHOP_ID, SHOP_URL, startHarness } from "./helpers.js";

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});
beforeEach(() => {
  h.emulator.reset();
});

describe("neuroon verify", () => {
  it("shows the state, verifies the shop's domain and removes the verification", async () => {
    const before = await h.run(["verify", "--status"]);
    expect(before.code).toBe(0);
    expect(before.stdout).toContain(`✗ Shop ${SHOP_ID} (${SHOP_URL}) is not verified.`);
    expect(before.stdout).toMatch(/Verification code: \S+/);

    const verified = await h.run(["verify", SHOP_URL]);
    expect(verified.code).toBe(0);
    expect(verified.stdout).toContain(`✓ Verified ${SHOP_URL} for shop ${SHOP_ID}`);
    expect(parseJson(await h.run(["verify", "--status", "--json"]))).toMatchObject({
      shopId: SHOP_ID,
      verified: true,
    });

    const removed = await h.run(["verify", "--unverify"]);
    expect(removed.code).toBe(0);
    expect(h.emulator.shops[0]?.verified).toBe(false);
  });

  it("exits 1 with the registered URL as the fix when the domain does not match", async () => {
    const result = await h.run(["verify", "https://elsewhere.example"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("Neuroon refused to verify https://elsewhere.example");
    expect(result.stderr).toContain(`registered URL (${SHOP_URL})`);
  });

  it("exits 2 without a domain or with conflicting modes", async () => {
    expect((await h.run(["verify"])).code).toBe(2);
    const both = await h.run(["verify", SHOP_URL, "--status"]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain("not several");
  });
});

describe("neuroon token", () => {
  it("prints only a token Neuroon accepts on stdout", async () => {
    const result = await h.run(["token"]);
    expect(result.code).toBe(0);
    const token = result.stdout.trim();
    expect(result.stdout).toBe(`${token}\n`);
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(h.emulator.verifyWidgetToken(token)).toMatchObject({ ok: true, shopId: SHOP_ID });
    expect(result.stderr).toContain("valid until");
  });

  it("prints JSON with the expiry 24 hours after issue", async () => {
    const json = parseJson<{ token: string; shopId: string; issuedAt: string; expiresAt: string }>(
      await h.run(["token", "--json"]),
    );
    expect(json.shopId).toBe(SHOP_ID);
    expect(Date.parse(json.expiresAt) - Date.parse(json.issuedAt)).toBe(24 * 3600 * 1000);
    expect(h.emulator.verifyWidgetToken(json.token)).toMatchObject({ ok: true });
  });

  it("needs no network but needs a well-formed key (exit 2, key not printed)", async () => {
    const offline = await h.run(["token"], { NEUROON_API_URL: "http://127.0.0.1:1" });
    expect(offline.code).toBe(0);
    const malformed = `${API_KEY}zz`;
    const bad = await h.run(["token"], { NEUROON_API_KEY: malformed });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("The Neuroon Shop API Key is malformed");
    expect(bad.stdout + bad.stderr).not.toContain(malformed);
    const missing = await h.run(["token"], {
      NEUROON_API_KEY: undefined,
      NEUROON_SHOP_ID: undefined,
    });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("No Neuroon shop id is configured");
  });
});
