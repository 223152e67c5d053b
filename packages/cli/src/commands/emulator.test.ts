import { EventEmitter } from "node:events";
import type { EmulatorHandle } from "@neuroon/emulator";
import { Command } from "commander";
import { describe, expect, it } from "vitest";
import {
  parseIndexingLatencyOption,
  parseRateLimitsOption,
  registerEmulatorCommand,
} from "./emulator.js";

const KEY = "sk_0123456789abcdef0123456789abcdef";
const OTHER_KEY = "sk_abcdefabcdefabcdefabcdefabcd1234";

function run(args: string[]) {
  let output = "";
  const signals = new EventEmitter();
  let resolveStarted: (handle: EmulatorHandle) => void = () => {};
  const started = new Promise<EmulatorHandle>((resolve) => {
    resolveStarted = resolve;
  });
  const program = new Command("neuroon").exitOverride();
  registerEmulatorCommand(program, {
    stdout: { write: (text: string) => (output += text) },
    signals,
    onStarted: (handle) => resolveStarted(handle),
  });
  const done = program.parseAsync(["emulator", ...args], { from: "user" });
  return { done, started, signals, output: () => output };
}

describe("neuroon emulator", () => {
  it("says in one line how to get past a busy port", async () => {
    const first = run(["--port", "0"]);
    const handle = await first.started;
    const second = run(["--port", String(handle.port)]);
    await expect(second.done).rejects.toThrow(
      `port ${handle.port} on 127.0.0.1 is already in use (another emulator?): stop that process, or run neuroon emulator --port ${handle.port + 1} (--port 0 picks a free one).`,
    );
    first.signals.emit("SIGTERM");
    await first.done;
  });

  it("prints the URL first, masks keys, serves the shops and stops on SIGTERM", async () => {
    const cli = run([
      "--port",
      "0",
      "--shop",
      `shop_ab12cd34:${KEY}:https://shop.example`,
      "--shop",
      `shop_ef56gh78:${OTHER_KEY}:http://localhost:3000`,
      "--rate-limits",
      "0.5",
      "--indexing-latency",
      "0",
    ]);
    const handle = await cli.started;
    const lines = cli.output().split("\n");
    expect(lines[0]).toBe(handle.url);
    expect(lines[0]).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(cli.output()).toContain("shop_ab12cd34  key sk_…cdef  url https://shop.example");
    expect(cli.output()).toContain("shop_ef56gh78  key sk_…1234  url http://localhost:3000");
    expect(cli.output()).not.toContain(KEY);
    expect(cli.output()).toContain("windows scaled by 0.5");
    const res = await fetch(`${handle.url}/api/plugin/shops/me`, {
      headers: { "x-shop-api-key": OTHER_KEY },
    });
    expect(await res.json()).toMatchObject({
      shopId: "shop_ef56gh78",
      url: "http://localhost:3000",
    });
    expect(res.headers.get("x-ratelimit-limit")).toBe("60");
    cli.signals.emit("SIGTERM");
    await cli.done;
    expect(cli.output()).toMatch(/Emulator stopped\.\n$/);
    await expect(fetch(`${handle.url}/actuator/health`)).rejects.toThrow();
  });

  it("defaults to the demo shop and stops on SIGINT", async () => {
    const cli = run(["--port", "0", "--rate-limits", "off", "--indexing-latency", "2-5s"]);
    const handle = await cli.started;
    expect(cli.output()).toContain("shop_demo0001  key sk_…cdef");
    expect(cli.output()).toContain("Rate limits: off; indexing latency: 2000-5000 ms");
    const res = await fetch(`${handle.url}/api/plugin/shops/me`, {
      headers: { "x-shop-api-key": KEY },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-ratelimit-limit")).toBeNull();
    cli.signals.emit("SIGINT");
    await cli.done;
  });

  it("rejects malformed options before starting", async () => {
    for (const args of [
      ["--shop", "shop_x:sk_bad:https://x.example"],
      ["--rate-limits", "fast"],
      ["--indexing-latency", "5-2s"],
      ["--port", "70000"],
    ]) {
      const program = new Command("neuroon").exitOverride().configureOutput({ writeErr: () => {} });
      registerEmulatorCommand(program);
      await expect(program.parseAsync(["emulator", ...args], { from: "user" })).rejects.toThrow();
    }
  });
});

describe("option parsers", () => {
  it.each([
    ["real", "real"],
    ["off", false],
    ["0.01", { scale: 0.01 }],
  ] as const)("parses --rate-limits %s", (text, expected) => {
    expect(parseRateLimitsOption(text)).toEqual(expected);
  });

  it.each([
    ["2-5s", { minMs: 2000, maxMs: 5000 }],
    ["2000-5000ms", { minMs: 2000, maxMs: 5000 }],
    ["500ms-2s", { minMs: 500, maxMs: 2000 }],
    ["3s", { minMs: 3000, maxMs: 3000 }],
    ["250", { minMs: 250, maxMs: 250 }],
    ["0", false],
    ["off", false],
  ] as const)("parses --indexing-latency %s", (text, expected) => {
    expect(parseIndexingLatencyOption(text)).toEqual(expected);
  });

  it.each(["", "fast", "-1", "0"])("rejects --rate-limits %j", (text) => {
    expect(() => parseRateLimitsOption(text)).toThrow(/expected "real", "off"/);
  });

  it.each(["2-", "a-b", "1-2-3", "5-2s"])("rejects --indexing-latency %j", (text) => {
    expect(() => parseIndexingLatencyOption(text)).toThrow(/latency range/);
  });
});
