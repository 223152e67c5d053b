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

  test("the tightest bound of the last 10 s: header rounding shrinks over many responses", () => {
    let now = Date.parse("2026-11-23T12:00:00.900Z");
    const clock = new ServerClock(() => now);
    expect(clock.leastBehindByMs()).toBeUndefined();
    // Neuroon 2 s behind: at 12:00:00.900 it says 11:59:58 (0.9 s of rounding) …
    clock.observe("Mon, 23 Nov 2026 11:59:58 GMT");
    // … and 0.15 s later, just after its second turned, 11:59:59 (0.05 s of rounding).
    now += 150;
    clock.observe("Mon, 23 Nov 2026 11:59:59 GMT");
    now += 700;
    clock.observe("Mon, 23 Nov 2026 11:59:59 GMT");
    expect(clock.behindByMs()).toBe(2_750);
    expect(clock.leastBehindByMs()).toBe(2_050);
    // Observations older than 10 s no longer count.
    now += 10_001;
    expect(clock.leastBehindByMs()).toBeUndefined();
    expect(clock.behindByMs()).toBe(2_750);
  });
});
