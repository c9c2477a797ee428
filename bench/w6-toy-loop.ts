/**
 * W6: the post's polling loop against handloop, N = 100, 1,000 and 10,000 sleepers, each sleeping
 * a random duration in [0, 1) s (seeded, the same for both, not rounded, so N sleepers have N
 * distinct deadlines), on VIRTUAL time so that only the loops' own work is measured.
 *
 * - toy loop: `ToyLoop` and `toySleep` from demos/toy-loop.ts, unchanged. That module picks its
 *   clock when it loads, from a `--virtual` argument: this script adds one to process.argv before
 *   importing it. Every pass resumes every remaining task, and a pass happens each time the
 *   earliest wait ends, and another once a task has given its last value: about N^2 resumptions.
 * - handloop: an EventLoop on a VirtualClock, `createTask(sleep(d))` for each (the post's `sleep`
 *   generator, as the toy loop gets `toySleep(d)`), then `runForever()`. Each task is wrapped in an
 *   iterator that counts `next()` calls, so both sides count resumptions the same way.
 *
 * Measured: CPU time per run (process.cpuUsage; small N repeated to get measurable times) and
 * resumptions. Printed: how each grows per 10x of N (N log N grows about 13x from 1,000 to 10,000;
 * N^2 grows 100x), and the ratio at N = 10,000.
 * Targets: handloop grows as N log N; at N = 10,000 handloop <= 1/50 of the toy loop's CPU time.
 *
 *   npx tsx bench/w6-toy-loop.ts
 */

import { EventLoop, sleep, VirtualClock } from "../src/index.js";
import { cpuNow, durations, median, progress, since, target } from "./harness.js";

if (!process.argv.includes("--virtual")) process.argv.push("--virtual");
const { ToyLoop, toySleep } = await import("../demos/toy-loop.js");

const SIZES = [100, 1_000, 10_000];

/** Counts every `next()` of the iterator it wraps: one resumption each. */
class Counted<T, R> implements Iterator<T, R, undefined> {
  constructor(
    readonly inner: Iterator<T, R, undefined>,
    readonly counter: { resumptions: number },
  ) {}
  next(): IteratorResult<T, R> {
    this.counter.resumptions++;
    return this.inner.next();
  }
}

function handloopRun(seconds: readonly number[]): number {
  const counter = { resumptions: 0 };
  const loop = new EventLoop({ clock: new VirtualClock() });
  for (const d of seconds) loop.createTask(new Counted(sleep(d), counter));
  loop.runForever();
  loop.close();
  return counter.resumptions;
}

function toyRun(seconds: readonly number[]): number {
  const loop = new ToyLoop();
  loop.runUntilComplete(seconds.map((d) => toySleep(d)));
  return loop.resumptions;
}

interface Point {
  n: number;
  cpu: number[]; // ms per run
  wall: number[];
  resumptions: number;
}

/**
 * Runs `work` `runs` times (after a warm-up unless `warm` is false), each time `reps` times in a
 * row; gives the times per rep.
 */
function measure(n: number, work: (seconds: readonly number[]) => number, runs: number, reps: number, warm = true): Point {
  const seconds = durations(n, 1, n, false);
  let resumptions = warm ? work(seconds) : 0;
  const cpu: number[] = [];
  const wall: number[] = [];
  for (let r = 0; r < runs; r++) {
    const c0 = cpuNow();
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) resumptions = work(seconds);
    wall.push((performance.now() - t0) / reps);
    cpu.push((cpuNow() - c0) / reps);
  }
  return { n, cpu, wall, resumptions };
}

const plan: Record<number, { runs: number; handloopReps: number; toyReps: number }> = {
  100: { runs: 5, handloopReps: 200, toyReps: 50 },
  1_000: { runs: 5, handloopReps: 20, toyReps: 2 },
  10_000: { runs: 9, handloopReps: 5, toyReps: 1 },
};
// The toy loop at N = 10,000 takes seconds: one run, no warm-up (N = 1,000 warmed it up).
const systems = {
  "toy loop (polling)": (n: number) =>
    n >= 10_000 ? measure(n, toyRun, 1, 1, false) : measure(n, toyRun, plan[n]!.runs, plan[n]!.toyReps),
  "handloop (timer heap)": (n: number) => measure(n, handloopRun, plan[n]!.runs, plan[n]!.handloopReps),
};

console.log("\nW6: the post's polling loop against handloop, sleepers in [0, 1) s of virtual time");
const results: Record<string, Point[]> = {};
for (const [name, run] of Object.entries(systems)) {
  results[name] = SIZES.map((n) => {
    const began = performance.now();
    const point = run(n);
    progress(`${name}, N = ${n.toLocaleString("en")}: ${since(began)}`);
    return point;
  });
  console.log(`  ${name}`);
  let previous: Point | undefined;
  for (const p of results[name]!) {
    const cpu = median(p.cpu);
    const growth = previous ? `  x${(cpu / median(previous.cpu)).toFixed(1)} CPU, x${(p.resumptions / previous.resumptions).toFixed(1)} resumptions per 10x N` : "";
    console.log(
      `    N = ${p.n.toLocaleString("en").padStart(6)}: CPU ${cpu.toFixed(2).padStart(9)} ms (${Math.min(...p.cpu).toFixed(2)}-${Math.max(...p.cpu).toFixed(2)}), ` +
        `${p.resumptions.toLocaleString("en").padStart(11)} resumptions, ${((cpu * 1e6) / p.resumptions).toFixed(0).padStart(4)} ns each${growth}`,
    );
    previous = p;
  }
}
const toy = results["toy loop (polling)"]!;
const hand = results["handloop (timer heap)"]!;
const at = (points: Point[], n: number) => median(points.find((p) => p.n === n)!.cpu);
console.log(`  N log N would grow x${((10_000 * Math.log(10_000)) / (1_000 * Math.log(1_000))).toFixed(1)} from 1,000 to 10,000; N^2 x100.`);
console.log(`  at N = 10,000: handloop takes ${(at(hand, 10_000) / at(toy, 10_000)).toFixed(4)}x the toy loop's CPU time (1/${(at(toy, 10_000) / at(hand, 10_000)).toFixed(0)})`);
target("handloop CPU growth from N = 1,000 to 10,000 (N log N: 13.3)", at(hand, 10_000) / at(hand, 1_000), 20);
target("handloop / toy loop CPU at N = 10,000", at(hand, 10_000) / at(toy, 10_000), 1 / 50);
