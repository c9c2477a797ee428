/**
 * W4: 100,000 tasks each sleep a random duration in [0, 10) s of virtual time (seeded, whole
 * milliseconds, the same durations for every system), then all are gathered.
 *
 * - handloop: coroutines `yield* asleep(d)`, gathered, on a VirtualClock.
 * - @sinonjs/fake-timers: native `async` functions awaiting `new Promise(r => clock.setTimeout(r,
 *   ms))` on a clock from `createClock()` (no globals patched), run with `clock.runAllAsync()`
 *   (the way to drive timers that async code awaits: it lets promise callbacks run after each
 *   timer). Also `clock.runAll()`, synchronous: every timer fires first and the awaiting
 *   functions resume afterwards, which is faster and gives the same result only because nothing
 *   here schedules a timer after waking.
 *
 * - floors (floors.ts): the same sleepers on a bare scheduler with a binary heap and nothing else,
 *   through `yield*` and through a plain `yield`: what no generator runtime can beat.
 *
 * Target: handloop <= 0.1x fake timers (runAllAsync).
 *
 *   npx tsx bench/w4-virtual-sleepers.ts
 */

import FakeTimers from "@sinonjs/fake-timers";
import { asleep, coroutine, gather, run, VirtualClock, type Task } from "../src/index.js";
import { bareSleepers } from "./floors.js";
import { durations, ratio, report, target, time } from "./harness.js";

const N = 100_000;
const RUNS = 5;
const seconds = durations(N, 10);
const last = Math.max(...seconds);

const sleeper = coroutine(function* (d: number) {
  yield* asleep(d);
  return d;
});

function handloopSleepers(): void {
  const clock = new VirtualClock();
  run(function* () {
    const tasks: Task<number>[] = [];
    for (const d of seconds) tasks.push(sleeper(d));
    yield* gather(...tasks);
  }, { clock });
  if (clock.now() !== last) throw new Error(`W4: handloop ended at ${clock.now()} s, expected ${last} s`);
}

async function fakeTimersSleepers(mode: "runAllAsync" | "runAll"): Promise<void> {
  const clock = FakeTimers.createClock(0, N + 1000);
  const sleep = (ms: number) => new Promise<void>((resolve) => clock.setTimeout(() => resolve(), ms));
  const sleeperNative = async (d: number) => {
    await sleep(Math.round(d * 1000));
    return d;
  };
  const all = Promise.all(seconds.map(sleeperNative));
  if (mode === "runAllAsync") await clock.runAllAsync();
  else clock.runAll();
  await all;
  if (clock.now !== Math.round(last * 1000)) throw new Error(`W4: fake timers ended at ${clock.now} ms`);
}

function checkFloor(end: number): void {
  if (end !== last) throw new Error(`W4: the floor ended at ${end} s, expected ${last} s`);
}

const HANDLOOP = "handloop: asleep on a VirtualClock";
const FAKE = "fake-timers: setTimeout + runAllAsync()";
const samples = [
  await time(HANDLOOP, RUNS, handloopSleepers),
  await time(FAKE, 3, () => fakeTimersSleepers("runAllAsync")),
  await time("fake-timers: setTimeout + runAll() (sync)", RUNS, () => fakeTimersSleepers("runAll")),
  // The floors (floors.ts): a bare scheduler and binary heap doing only this, in both forms.
  await time("floor: bare scheduler + heap, yield*", RUNS, () => checkFloor(bareSleepers(seconds, "yield*"))),
  await time("floor: bare scheduler + heap, plain yield", RUNS, () => checkFloor(bareSleepers(seconds, "yield"))),
];
report(`W4: ${N.toLocaleString("en")} tasks sleep random durations in [0, 10) s of virtual time`, samples, HANDLOOP);
target("handloop / fake-timers runAllAsync", ratio(samples, HANDLOOP, FAKE), 0.1);
