/**
 * W1: one coroutine awaits a ready value 1,000,000 times. Three handloop forms against the floor
 * (a bare generator stepped by a `while` loop) and three peers.
 *
 * - handloop, hand-written: `yield* done` where `done` is a Task that already finished: awaiting a
 *   finished task resumes at once, without a loop turn (the cheapest typed awaitable of a ready
 *   value in the public API).
 * - handloop, compiled `await undefined`: one loop turn per await, as native's one microtask.
 * - handloop, compiled `await asleep(0)`: one loop turn per await, through the sleep fast path.
 * - native `await undefined`, the same source as the compiled one.
 * - Effection 4: `yield*` of one `action` that resolves synchronously (what awaiting a finished
 *   Effection task does: `withResolvers` settles at once). Effection 4 exports no `constant`;
 *   `yield* call(() => 1)` never reaches the reducer (its iterator is done at once) yet measured
 *   slower (about 350 ns against 250 ns: it allocates an operation, an iterator and closures per
 *   call), so the action is the cheapest ready operation found.
 * - co 4: `yield Promise.resolve()` (co only accepts yieldables: promises, thunks, generators).
 *
 * Targets: yield* <= 1.3x the raw generator; compiled await undefined and await asleep(0) <= native
 * await undefined.
 *
 *   npx tsx bench/w1-ready-awaits.ts
 */

import co from "co";
import { action, run as effectionRun } from "effection";
import { asleep, coroutine, run, VirtualClock } from "../src/index.js";
import { nativeAndCompiled, ratio, report, target, time } from "./harness.js";

const N = 1_000_000;
const RUNS = 5;

const source = `
  export async function awaitUndefined(n) {
    for (let i = 0; i < n; i++) await undefined;
    return n;
  }
  export async function awaitSleep0(n, asleep) {
    for (let i = 0; i < n; i++) await asleep(0);
    return n;
  }
`;
type Workload = {
  awaitUndefined(n: number): PromiseLike<number>;
  awaitSleep0(n: number, sleep: typeof asleep): PromiseLike<number>;
};
const { native, compiled } = await nativeAndCompiled<Workload>("w1", source);

function* bare(n: number): Generator<undefined, number, unknown> {
  for (let i = 0; i < n; i++) yield;
  return n;
}

const finished = coroutine(function* () {
  return 1;
});

function handloopYieldStar(n: number): number {
  return run(
    function* () {
      const done = finished(); // created in a running loop: runs at once, and is already done
      if (!done.done()) throw new Error("W1: the ready task should have finished before the loop");
      let total = 0;
      for (let i = 0; i < n; i++) total += yield* done;
      return total;
    },
    { clock: new VirtualClock() },
  );
}

const readyAction = action<number>((resolve) => {
  resolve(1);
  return () => {};
});

const RAW = "raw generator + while (floor)";
const YIELD_STAR = "handloop: yield* finished task";
const AWAIT_UNDEFINED = "handloop: compiled await undefined";
const AWAIT_SLEEP0 = "handloop: compiled await asleep(0)";
const NATIVE = "native await undefined";

const samples = [
  await time(RAW, RUNS, () => {
    const it = bare(N);
    while (!it.next().done);
  }),
  await time(YIELD_STAR, RUNS, () => handloopYieldStar(N)),
  await time(AWAIT_UNDEFINED, RUNS, () => run(() => compiled.awaitUndefined(N), { clock: new VirtualClock() })),
  await time(AWAIT_SLEEP0, RUNS, () => run(() => compiled.awaitSleep0(N, asleep), { clock: new VirtualClock() })),
  await time(NATIVE, RUNS, () => native.awaitUndefined(N)),
  await time("effection: yield* action(resolve at once)", 3, () =>
    effectionRun(function* () {
      let total = 0;
      for (let i = 0; i < N; i++) total += yield* readyAction;
      return total;
    }),
  ),
  await time("co: yield Promise.resolve()", 3, () =>
    co(function* () {
      for (let i = 0; i < N; i++) yield Promise.resolve();
    }),
  ),
];

report(`W1: one coroutine awaits a ready value ${N.toLocaleString("en")} times`, samples, [YIELD_STAR, AWAIT_UNDEFINED, AWAIT_SLEEP0]);
target("yield* finished task / raw generator", ratio(samples, YIELD_STAR, RAW), 1.3);
target("compiled await undefined / native await undefined", ratio(samples, AWAIT_UNDEFINED, NATIVE), 1);
target("compiled await asleep(0) / native await undefined", ratio(samples, AWAIT_SLEEP0, NATIVE), 1);
