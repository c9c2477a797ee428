// The benchmarks are not run by the tests (they take minutes and measure speed, which no test
// asserts); these check that their machinery works: the floors compute what the workloads compute,
// and a workload timed in child processes (timeAlone, memoryOf) still reports each system.
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { bareQueuePingPong, bareSleepers } from "../bench/floors.js";

const root = fileURLToPath(new URL("..", import.meta.url));
function bench(file: string, ...args: string[]): string {
  return execFileSync(process.execPath, ["--import", "tsx", `bench/${file}`, ...args], { cwd: root, encoding: "utf8" });
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

  it("W4 reports the bytes a sleeping task costs, measured in a fresh process", { timeout: 60_000 }, () => {
    const out = bench("w4-virtual-sleepers.ts", "--only", "handloop", "--runs", "1");
    expect(out).toMatch(/handloop: asleep on a VirtualClock +median +[\d.]+ ms/);
    expect(out).toMatch(/\d+ bytes per sleeping task, peak RSS \d+ MiB/);
  });
});
