// Unmodified libraries from the registry (async-mutex, p-limit, p-retry), compiled through the
// plugin's `include` (vitest.config.ts), run on the loop in virtual time with `globals: "virtual"`:
// their own `new Promise`, `setTimeout` and `performance.now()` follow the loop's clock. The same
// scenarios (test/fixtures/libraries/scenarios.ts) also run natively, with real timers, in a child
// process, and must give the same results within generous timing bounds.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { isCompiled, run, VirtualClock } from "../src/index.js";
import { limitScenario, mutexScenario, retryScenario } from "./fixtures/libraries/scenarios.js";

const SECOND = 1000; // the scenarios count time in units of this many milliseconds

function virtually<T>(scenario: (unit: number) => Promise<T>): T {
  return run(() => scenario(SECOND), { clock: new VirtualClock(), globals: "virtual" });
}

describe("unmodified libraries in exact virtual time", () => {
  it("are compiled through include, and so is the code that uses them", () => {
    expect(isCompiled(mutexScenario)).toBe(true);
  });

  it("async-mutex: a Mutex gives exclusive access, one second each, and withTimeout gives up after exactly its timeout", () => {
    expect(virtually(mutexScenario)).toEqual({
      done: ["a", "b", "c"],
      most: 1,
      entered: [
        ["a", 0],
        ["b", 1000],
        ["c", 2000],
      ],
      total: 3000,
      timeout: { same: true, after: 500 },
    });
  });

  it("p-limit: six one-second jobs at a concurrency of two take exactly three seconds, never more than two at once", () => {
    expect(virtually(limitScenario)).toEqual({
      results: [0, 1, 4, 9, 16, 25],
      most: 2,
      started: [0, 0, 1000, 1000, 2000, 2000],
      total: 3000,
      pending: 0,
    });
  });

  it("p-retry: retries: 3, minTimeout: 1000, factor: 2 retries after exactly 1, 2 and 4 seconds", () => {
    expect(virtually(retryScenario)).toEqual({
      result: "succeeded on attempt 4",
      attempts: [0, 1000, 3000, 7000],
      failures: ["attempt 1 failed", "attempt 2 failed", "attempt 3 failed"],
    });
  });

  it("give the same results natively, with real timers, within generous bounds", () => {
    const unit = 40; // ms: the whole native run takes about half a second
    const tsx = fileURLToPath(new URL("../node_modules/.bin/tsx", import.meta.url));
    const script = fileURLToPath(new URL("./fixtures/libraries/native.ts", import.meta.url));
    const child = spawnSync(tsx, [script, String(unit)], { encoding: "utf8" });
    expect(child.stderr).toBe("");
    const native = JSON.parse(child.stdout) as Record<string, Record<string, unknown>>;
    const virtual = { mutex: virtually(mutexScenario), limit: virtually(limitScenario), retry: virtually(retryScenario) };
    // A real timer fires at its time or later (Node's up to a millisecond early), never much later
    // on an idle machine; the bounds allow a busy one.
    const close = (real: number, ideal: number) => real >= ideal - 2 && real <= ideal + 150;
    const scaled = (ms: number) => (ms / SECOND) * unit;
    const times = (real: number[], ideal: number[]) =>
      expect(real.map((t, i) => (close(t, scaled(ideal[i]!)) ? "ok" : `${t} ms, not ${scaled(ideal[i]!)}`))).toEqual(ideal.map(() => "ok"));

    const mutex = native.mutex as typeof virtual.mutex;
    expect({ ...mutex, entered: mutex.entered.map(([name]) => name), total: 0, timeout: mutex.timeout?.same }).toEqual({
      ...virtual.mutex,
      entered: ["a", "b", "c"],
      total: 0,
      timeout: true,
    });
    times([...mutex.entered.map(([, t]) => t), mutex.total, mutex.timeout!.after], [0, 1000, 2000, 3000, 500]);

    const limit = native.limit as typeof virtual.limit;
    expect({ ...limit, started: [], total: 0 }).toEqual({ ...virtual.limit, started: [], total: 0 });
    times([...limit.started, limit.total], [0, 0, 1000, 1000, 2000, 2000, 3000]);

    const retry = native.retry as typeof virtual.retry;
    expect({ ...retry, attempts: [] }).toEqual({ ...virtual.retry, attempts: [] });
    times(retry.attempts, [0, 1000, 3000, 7000]);
  });
});
