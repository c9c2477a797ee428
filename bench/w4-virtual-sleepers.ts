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
 * Memory, each system in a fresh process (`node --expose-gc`): the heap in use once every sleeper
 * is suspended on its timer, minus the heap before, after a full GC each time, divided by N; and
 * the child's peak RSS against an idle child's.
 *
 * Target: handloop <= 0.1x fake timers (runAllAsync).
 *
 *   npx tsx bench/w4-virtual-sleepers.ts
 */

import { fileURLToPath } from "node:url";
import FakeTimers from "@sinonjs/fake-timers";
import { asleep, coroutine, gather, run, VirtualClock, type Task } from "../src/index.js";
import { bareSleepers } from "./floors.js";
import {
  durations,
  memoryChild,
  memoryOf,
  memorySystem,
  only,
  ratio,
  report,
  target,
  time,
  type Measure,
  type Memory,
} from "./harness.js";

const N = 100_000;
const RUNS = 5;
const seconds = durations(N, 10);
const last = Math.max(...seconds);

const sleeper = coroutine(function* (d: number) {
  yield* asleep(d);
  return d;
});

function handloopSleepers(measure?: Measure): void {
  const clock = new VirtualClock();
  run(function* () {
    measure?.("before");
    const tasks: Task<number>[] = [];
    for (const d of seconds) tasks.push(sleeper(d));
    measure?.("after"); // every sleeper parked on its timer
    yield* gather(...tasks);
  }, { clock });
  if (clock.now() !== last) throw new Error(`W4: handloop ended at ${clock.now()} s, expected ${last} s`);
}

async function fakeTimersSleepers(mode: "runAllAsync" | "runAll", measure?: Measure): Promise<void> {
  const clock = FakeTimers.createClock(0, N + 1000);
  const sleep = (ms: number) => new Promise<void>((resolve) => clock.setTimeout(() => resolve(), ms));
  const sleeperNative = async (d: number) => {
    await sleep(Math.round(d * 1000));
    return d;
  };
  measure?.("before");
  const sleeping = seconds.map(sleeperNative);
  measure?.("after"); // every sleeper suspended on its timer
  const all = Promise.all(sleeping);
  if (mode === "runAllAsync") await clock.runAllAsync();
  else clock.runAll();
  await all;
  if (clock.now !== Math.round(last * 1000)) throw new Error(`W4: fake timers ended at ${clock.now} ms`);
}

function checkFloor(end: number): void {
  if (end !== last) throw new Error(`W4: the floor ended at ${end} s, expected ${last} s`);
}

const systems = {
  handloop: handloopSleepers,
  fake: (measure: Measure) => fakeTimersSleepers("runAll", measure),
  none: () => undefined,
};
if (memorySystem !== undefined) await memoryChild(systems[memorySystem as keyof typeof systems], memorySystem === "none" ? 0 : N);

const HANDLOOP = "handloop: asleep on a VirtualClock";
const FAKE = "fake-timers: setTimeout + runAllAsync()";
// Memory, each in a fresh process (harness.ts, memoryOf): heap per sleeping task, peak RSS.
const self = fileURLToPath(import.meta.url);
const idle = memoryOf(self, "none", only ?? "none");
const note = (m: Memory) =>
  `${m.bytesPerTask.toFixed(0)} bytes per sleeping task, peak RSS ${m.peakRssMiB.toFixed(0)} MiB (+${(m.peakRssMiB - idle.peakRssMiB).toFixed(0)} over an idle process)`;
const samples = [
  { ...(await time(HANDLOOP, RUNS, () => handloopSleepers())), note: note(memoryOf(self, "handloop", HANDLOOP)) },
  { ...(await time(FAKE, 3, () => fakeTimersSleepers("runAllAsync"))), note: note(memoryOf(self, "fake", FAKE)) },
  await time("fake-timers: setTimeout + runAll() (sync)", RUNS, () => fakeTimersSleepers("runAll")),
  // The floors (floors.ts): a bare scheduler and binary heap doing only this, in both forms.
  await time("floor: bare scheduler + heap, yield*", RUNS, () => checkFloor(bareSleepers(seconds, "yield*"))),
  await time("floor: bare scheduler + heap, plain yield", RUNS, () => checkFloor(bareSleepers(seconds, "yield"))),
];
report(`W4: ${N.toLocaleString("en")} tasks sleep random durations in [0, 10) s of virtual time`, samples, HANDLOOP);
target("handloop / fake-timers runAllAsync", ratio(samples, HANDLOOP, FAKE), 0.1);
