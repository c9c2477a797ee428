/**
 * W3: spawn 100,000 tasks that return at once, then gather them.
 *
 * - handloop: inside `run`, call a coroutine 100,000 times (each call is a Task, started at once),
 *   then `yield* gather(...tasks)`.
 * - native: 100,000 calls of an `async` function, then `await Promise.all(promises)`.
 * - Effection 4: `yield* spawn(...)` per task, then `yield*` each task (what its `all` does). It
 *   costs about 70 us and 7.5 KB a task (100,000 took 10 s and 1.6 GiB here), so it runs 10,000
 *   tasks and its time is shown multiplied by 10 (it grows linearly: 5k, 10k, 20k, 40k tasks took
 *   0.39, 0.66, 1.4, 2.9 s).
 * - Python asyncio: 100,000 `asyncio.create_task`, then `await asyncio.gather(*tasks)`.
 *
 * Memory, each system in a fresh process (`node --expose-gc`): bytes per task is the heap in use
 * after the 100,000 tasks exist (still referenced, before gathering; handloop's and native's have
 * already run, since both start a call at once) minus the heap before, after a full GC each time,
 * divided by N. The array holding them counts too (8 bytes a slot, the same for every system).
 * Peak RSS is the child's whole peak; an idle child (same imports, no tasks) gives the baseline.
 * Python: tracemalloc's traced bytes, and getrusage's peak.
 * Targets: handloop <= native Promise.all time; <= 300 bytes per task.
 *
 *   npx tsx bench/w3-spawn-gather.ts
 */

import { fileURLToPath } from "node:url";
import { run as effectionRun, spawn, type Operation, type Task as EffectionTask } from "effection";
import { coroutine, gather, run, VirtualClock, type Task } from "../src/index.js";
import {
  memoryChild,
  memoryOf,
  memorySystem,
  only,
  python,
  pythonVersion,
  ratio,
  report,
  target,
  time,
  type Measure,
  type Memory,
  type Sample,
} from "./harness.js";

const N = 100_000;
const RUNS = 15; // GC makes single runs move by 30%: more of them steady the median
const EFFECTION_N = 10_000;

const child = coroutine(function* (i: number) {
  return i;
});

async function nativeChild(i: number): Promise<number> {
  return i;
}

function* effectionChild(i: number): Operation<number> {
  return i;
}

function handloopGather(measure?: Measure): number[] {
  return run(
    function* () {
      measure?.("before");
      const tasks: Task<number>[] = [];
      for (let i = 0; i < N; i++) tasks.push(child(i));
      measure?.("after");
      return check(yield* gather(...tasks));
    },
    { clock: new VirtualClock() },
  );
}

async function nativeGather(measure?: Measure): Promise<number[]> {
  measure?.("before");
  const promises: Promise<number>[] = [];
  for (let i = 0; i < N; i++) promises.push(nativeChild(i));
  measure?.("after");
  return check(await Promise.all(promises));
}

function effectionGather(measure?: Measure): PromiseLike<number[]> {
  return effectionRun(function* () {
    measure?.("before");
    const tasks: EffectionTask<number>[] = [];
    for (let i = 0; i < EFFECTION_N; i++) tasks.push(yield* spawn(() => effectionChild(i)));
    measure?.("after");
    const results: number[] = [];
    for (const task of tasks) results.push(yield* task);
    return check(results, EFFECTION_N);
  });
}

function check(results: readonly number[], n = N): number[] {
  if (results.length !== n || results[n - 1] !== n - 1) throw new Error("W3: wrong results");
  return results as number[];
}

const systems = {
  handloop: handloopGather,
  native: nativeGather,
  effection: effectionGather,
  none: () => undefined,
} satisfies Record<string, (measure?: Measure) => unknown>;
type System = keyof typeof systems;

if (memorySystem !== undefined) {
  // Child mode (see memoryOf): one system, one run, then print what it used.
  const system = memorySystem as System;
  await memoryChild(systems[system], system === "none" ? 0 : system === "effection" ? EFFECTION_N : N);
}

const self = fileURLToPath(import.meta.url);
const idle = memoryOf(self, "none", only ?? "none");
function note(memory: Memory): string {
  const rss = memory.peakRssMiB;
  return `${memory.bytesPerTask.toFixed(0)} bytes/task, peak RSS ${rss.toFixed(0)} MiB (+${(rss - idle.peakRssMiB).toFixed(0)} over an idle process)`;
}

/** A sample of a smaller run, its times multiplied by `factor` to compare with N tasks. */
function scaled(sample: Sample, factor: number, note: string): Sample {
  return { name: sample.name, runs: sample.runs.map((t) => t * factor), cpu: (sample.cpu ?? []).map((t) => t * factor), note };
}

const HANDLOOP = "handloop: coroutine calls + gather";
const NATIVE = "native: async calls + Promise.all";
const EFFECTION = `effection: spawn + yield* each (${EFFECTION_N / 1000}k tasks, x${N / EFFECTION_N})`;
const memory = {
  handloop: memoryOf(self, "handloop", HANDLOOP),
  native: memoryOf(self, "native", NATIVE),
  effection: memoryOf(self, "effection", EFFECTION),
};
const samples: Sample[] = [
  { ...(await time(HANDLOOP, RUNS, () => handloopGather())), note: note(memory.handloop) },
  { ...(await time(NATIVE, RUNS, () => nativeGather())), note: note(memory.native) },
  scaled(await time(EFFECTION, 3, () => effectionGather()), N / EFFECTION_N, `${note(memory.effection)} (peak at ${EFFECTION_N.toLocaleString("en")} tasks)`),
];
const py = python<{ runs: number[]; cpu: number[] }>("w3_gather.py", [String(N), "3"]);
const pyMemory = py ? python<Memory>("w3_gather.py", [String(N), "memory"]) : null;
if (py) {
  samples.push({
    name: `${pythonVersion()} create_task + gather`,
    runs: py.runs,
    cpu: py.cpu,
    ...(pyMemory ? { note: `${pyMemory.bytesPerTask.toFixed(0)} bytes/task (tracemalloc), peak RSS ${pyMemory.peakRssMiB.toFixed(0)} MiB` } : {}),
  });
}

report(`W3: spawn ${N.toLocaleString("en")} tasks that return at once, then gather (idle Node process: peak RSS ${idle.peakRssMiB.toFixed(0)} MiB)`, samples, HANDLOOP);
target("handloop / native Promise.all", ratio(samples, HANDLOOP, NATIVE), 1);
target("handloop bytes per task", memory.handloop.bytesPerTask, 300, "bytes");
