import { describe, expect, it } from "vitest";
import { Output } from "../src/cli/output.js";
import { formatDuration, Progress } from "../src/cli/progress.js";

function fakeOutput(options: { isTTY: boolean; json?: boolean }) {
  let stderr = "";
  const io = {
    stdout: { write: () => true },
    stderr: { isTTY: options.isTTY, write: (text: string) => (stderr += text) },
    env: {},
    cwd: "/",
  };
  return { output: new Output(io, { json: options.json === true }), stderr: () => stderr };
}

describe("Progress", () => {
  it("redraws one bar in place on a terminal, with rate and ETA, and clears it at the end", () => {
    let nowMs = 0;
    const { output, stderr } = fakeOutput({ isTTY: true });
    const progress = new Progress(output, "Syncing", {
      unit: "products",
      total: 1_000,
      now: () => nowMs,
    });
    nowMs = 2_000;
    progress.update(250);
    expect(stderr()).toBe(
      "\rSyncing [██████░░░░░░░░░░░░░░░░░░]  25% 250/1,000 products 125/s ETA 0:06",
    );
    nowMs = 2_050;
    progress.update(300);
    expect(stderr()).not.toContain("300/1,000");
    nowMs = 4_000;
    progress.update(500);
    expect(stderr()).toContain(
      "\rSyncing [████████████░░░░░░░░░░░░]  50% 500/1,000 products 125/s ETA 0:04",
    );
    progress.finish();
    expect(stderr().endsWith("\r")).toBe(true);
    expect(stderr()).not.toContain("\n");
  });

  it("prints plain lines every few seconds when stderr is not a terminal", () => {
    let nowMs = 0;
    const { output, stderr } = fakeOutput({ isTTY: false });
    const progress = new Progress(output, "Reading", { unit: "bytes", now: () => nowMs });
    nowMs = 1_000;
    progress.update(10);
    expect(stderr()).toBe("");
    nowMs = 6_000;
    progress.update(600);
    expect(stderr()).toBe("Reading: 600 bytes, 100/s\n");
    nowMs = 7_000;
    progress.finish();
    expect(stderr()).toBe("Reading: 600 bytes, 100/s\nReading: 600 bytes, 85.7/s\n");
  });

  it("prints a plain line at least every 5 s while nothing moves, saying it waits for the rate limit", () => {
    let nowMs = 0;
    const ticks: (() => void)[] = [];
    let stopped = false;
    const { output, stderr } = fakeOutput({ isTTY: false });
    const progress = new Progress(output, "Syncing", {
      unit: "changes",
      total: 1_000,
      now: () => nowMs,
      every: (ms, tick) => {
        expect(ms).toBeLessThanOrEqual(1_000);
        ticks.push(tick);
        return () => {
          stopped = true;
        };
      },
    });
    const tickAt = (ms: number) => {
      nowMs = ms;
      for (const tick of ticks) tick();
    };
    progress.update(500);
    tickAt(3_000);
    expect(stderr()).toBe("");
    progress.waitFor(41_000);
    expect(stderr()).toBe(
      "Syncing: 500/1,000 changes (50%), 167/s, ETA 0:03; waiting 41 s for the rate-limit window\n",
    );
    // Nothing moves for 41 s: a line per heartbeat tick once 4 s have passed, so never 5 s silent.
    for (let ms = 4_000; ms <= 48_000; ms += 1_000) tickAt(ms);
    const lines = stderr().trim().split("\n");
    expect(lines).toHaveLength(12);
    expect(lines[1]).toContain("waiting 37 s for the rate-limit window");
    expect(lines.at(-1)).not.toContain("waiting");
    progress.finish();
    expect(stopped).toBe(true);
  });

  it("stays silent with --json when stderr is not a terminal", () => {
    let nowMs = 0;
    const { output, stderr } = fakeOutput({ isTTY: false, json: true });
    const progress = new Progress(output, "Reading", {
      unit: "bytes",
      total: 10,
      now: () => nowMs,
    });
    nowMs = 60_000;
    progress.update(5);
    progress.finish();
    expect(stderr()).toBe("");
  });

  it("formats durations as m:ss or h:mm:ss", () => {
    expect(formatDuration(5)).toBe("0:05");
    expect(formatDuration(65)).toBe("1:05");
    expect(formatDuration(3723)).toBe("1:02:03");
  });
});
