// The benchmarks are not run by the tests (they take minutes and measure speed, which no test
// asserts); these check that their machinery works: the floors compute what the workloads compute,
// a workload timed in child processes (timeAlone, memoryOf) still reports each system, targets are
// judged and read as they should, and `npm run bench` shows progress and ends with its summary.
import { execFileSync, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { bareQueuePingPong, bareSleepers } from "../bench/floors.js";
import { cost, judge, noiseOfDifference } from "../bench/harness.js";

const root = fileURLToPath(new URL("..", import.meta.url));
function bench(file: string, ...args: string[]): string {
  // stderr (progress lines) is kept off the test run's output.
  return execFileSync(process.execPath, ["--import", "tsx", `bench/${file}`, ...args], { cwd: root, encoding: "utf8", stdio: "pipe" });
}

describe("benchmarks", () => {
  it("floors hand the token back and forth the whole way, in both forms", () => {
    expect(bareQueuePingPong(1000, "yield*")).toBe(1000);
    expect(bareQueuePingPong(1000, "yield")).toBe(1000);
  });

  it("floors wake every sleeper and end at the last deadline, in both forms", () => {
    const seconds = [3, 0.5, 7.25, 0, 7.25, 1];
    expect(bareSleepers(seconds, "yield*")).toBe(7.25);
    expect(bareSleepers(seconds, "yield")).toBe(7.25);
  });

  it("W2 reports both handloop forms, each timed in a process of its own", { timeout: 60_000 }, () => {
    const out = bench("w2-queue-ping-pong.ts", "--only", "handloop", "--runs", "1");
    expect(out).toMatch(/handloop: Queue putNowait \+ yield\* get\(\) +median +[\d.]+ ms/);
    expect(out).toMatch(/handloop: compiled async, await q\.get\(\) +median +[\d.]+ ms/);
  });

  it("judges a target by the median, and shows a difference below its noise as noise, never as a negative cost", () => {
    expect(judge("a / b", 1.123, 1.3)).toMatchObject({ shown: "1.12x", bound: "<= 1.3x", verdict: "met" });
    expect(judge("a / b", 0.75, 0.7)).toMatchObject({ shown: "0.75x", verdict: "MISSED" });
    expect(judge("a / b", NaN, 0.7)).toMatchObject({ shown: "-", verdict: "not measured" });
    expect(judge("a / b", 1 / 690, 1 / 50)).toMatchObject({ shown: "0.0014x", bound: "<= 0.02x", verdict: "met" });
    expect(judge("extra CPU", -5, 10, "ms", 12)).toMatchObject({ shown: "within noise (-5.00 ms, noise ±12 ms)", bound: "<= 10 ms", verdict: "met" });
    expect(judge("extra CPU", 4, 10, "ms", 12)).toMatchObject({ shown: "within noise (4.00 ms, noise ±12 ms)", verdict: "met" });
    expect(judge("extra CPU", 25, 10, "ms", 12)).toMatchObject({ shown: "25.00 ms", verdict: "MISSED" });
    expect(cost(-5, 12)).toBe("nothing measurable (-5 ms, within noise: ±12 ms)");
    expect(cost(30, 12)).toBe("30 ms");
  });

  it("estimates the noise of a difference of medians from the runs' spread, not from one slow run", () => {
    expect(noiseOfDifference([500, 500, 500], [520, 520, 520])).toBe(0);
    const steady = [500, 505, 510, 495, 490];
    expect(noiseOfDifference(steady, steady)).toBeCloseTo(2 * Math.SQRT2 * ((1.2533 * 1.4826 * 5) / Math.sqrt(5)), 9);
    expect(noiseOfDifference([...steady.slice(0, 4), 900], steady)).toBe(noiseOfDifference(steady, steady));
  });

  it("npm run bench shows each workload (n of N) and each system as it finishes, then one summary of every target", { timeout: 60_000 }, () => {
    const { stdout, stderr, status } = spawnSync(process.execPath, ["--import", "tsx", "bench/run.ts", "w9", "w8", "--runs", "1"], {
      cwd: root,
      encoding: "utf8",
    });
    expect(status).toBe(0);
    const progress = stderr.split("\n").filter((line) => line !== "");
    expect(progress).toEqual([
      "[1/2] W8: bench/w8-compiled-calls.ts",
      expect.stringMatching(/^  · native async\/await: 1 run, [\d.]+ s$/),
      expect.stringMatching(/^  · handloop \(compiled\): 1 run, [\d.]+ s$/),
      expect.stringMatching(/^\[1\/2\] W8 done in [\d.]+ s: 1 target, [01] met, [01] missed$/),
      "[2/2] W9: bench/w9-recursion-depth.ts",
      expect.stringMatching(/^  · native async\/await: \d+ runs? in a process of its own, [\d.]+ s$/),
      expect.stringMatching(/^  · handloop \(compiled\): \d+ runs? in a process of its own, [\d.]+ s$/),
      expect.stringMatching(/^\[2\/2\] W9 done in [\d.]+ s: no target$/),
    ]);
    // The workloads' own figures, then the summary.
    expect(stdout).toMatch(/handloop \(compiled\) +median +[\d.]+ ms/);
    expect(stdout).toMatch(/handloop \(compiled\) +\d+ levels/);
    const summary = stdout.slice(stdout.indexOf("\nSummary")).trim().split("\n");
    expect(summary).toEqual([
      expect.stringMatching(/^Summary of 2 workloads \([\d.]+ s\): 1 targets, [01] met, [01] missed$/),
      expect.stringMatching(/^ +target +measured +limit$/),
      expect.stringMatching(/^  W8  handloop compiled \/ native async\/await  [\d.]+x +<= 2x +(met|MISSED)$/),
      "  W9 has no target: its figures are above.",
    ]);
  });

  it("npm run bench refuses an unknown option with its usage", () => {
    const { stderr, status } = spawnSync(process.execPath, ["--import", "tsx", "bench/run.ts", "--fast"], { cwd: root, encoding: "utf8" });
    expect(stderr).toBe(
      "Unknown option --fast.\nUsage: npm run bench [-- <workload>...] [--only <system prefix>] [--runs <n>]   (workloads: w1 ... w13)\n",
    );
    expect(status).toBe(2);
  });

  it("W4 reports the bytes a sleeping task costs, measured in a fresh process", { timeout: 60_000 }, () => {
    const out = bench("w4-virtual-sleepers.ts", "--only", "handloop", "--runs", "1");
    expect(out).toMatch(/handloop: asleep on a VirtualClock +median +[\d.]+ ms/);
    expect(out).toMatch(/\d+ bytes per sleeping task, peak RSS \d+ MiB/);
  });
});
