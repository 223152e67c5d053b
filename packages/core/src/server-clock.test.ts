import { describe, expect, test } from "vitest";
import { ServerClock } from "./server-clock.js";

describe("ServerClock", () => {
  const ourNow = Date.parse("2026-11-23T12:00:30.400Z");

  test("unknown until a response carries a Date header", () => {
    const clock = new ServerClock(() => ourNow);
    expect(clock.behindByMs()).toBeUndefined();
    clock.observe(undefined);
    clock.observe("not a date");
    expect(clock.behindByMs()).toBeUndefined();
  });

  test("how far the server's clock is behind ours, header rounding included", () => {
    const clock = new ServerClock(() => ourNow);
    clock.observe("Mon, 23 Nov 2026 11:55:30 GMT");
    expect(clock.behindByMs()).toBe(300_400);
  });

  test("a server ahead of us counts as not behind; the latest response wins", () => {
    const clock = new ServerClock(() => ourNow);
    clock.observe("Mon, 23 Nov 2026 11:55:30 GMT");
    clock.observe("Mon, 23 Nov 2026 12:10:00 GMT");
    expect(clock.behindByMs()).toBe(0);
  });
});
