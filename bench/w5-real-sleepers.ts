/**
 * W5: 10,000 tasks each sleep a random duration in [0, 1) s of real time (seeded, whole
 * milliseconds, the same durations for every system). Measured: the process's CPU time over the
 * run (process.cpuUsage, user + system), and each wake-up's lateness: the time it resumed minus
 * its deadline (the time its sleep began plus its duration), p50 / p99 / max.
 *
 * Lateness is shown twice: over all wake-ups, and over those whose deadline came after the last
 * sleeper began sleeping ("after setup"). Creating the 10,000 sleepers takes 10-25 ms, during which
 * no system can wake anyone, so the ~2% of sleepers with the shortest durations are late by the
 * setup time; the second figure is the timer mechanism's own precision.
 *
 * - handloop: coroutines `yield* asleep(d)` on a RealClock (blocks in Atomics.wait between
 *   deadlines).
 * - handloop under `runAsync`: the same coroutines in host mode, where the loop does not block but
 *   arms one Node timer for its earliest deadline at a time, so Node's own work could go on
 *   meanwhile (issue 13).
 * - native: `async` functions awaiting `new Promise(r => setTimeout(r, ms))`.
 * - Effection 4: `yield* sleep(ms)` in operations run by `all` (setTimeout underneath).
 * - Python asyncio: `await asyncio.sleep(d)`, times from `loop.time()`.
 *
 * Each system runs once to warm up, then three times (a run takes about a second); lateness is
 * pooled over the three. handloop runs twice: with the RealClock's default timer slack (0.5 ms) and
 * with 1 ms, the granularity of Node's own timers, to show what the slack trades.
 * Targets: handloop CPU <= 0.6x native setTimeout; handloop lateness p99 <= 1 ms.
 *
 *   npx tsx bench/w5-real-sleepers.ts
 */

import { all, run as effectionRun, sleep as effectionSleep } from "effection";
import { asleep, coroutine, currentLoop, gather, RealClock, run, runAsync, type Task } from "../src/index.js";
import { cpuNow, durations, percentile, progress, python, pythonVersion, ratio, report, selected, since, target, type Sample } from "./harness.js";

const N = 10_000;
const RUNS = 3;
const WARMUPS = 1;
const seconds = durations(N, 1);

/** One wake-up, in ms: when its sleep began, its deadline, when it resumed. */
type Wake = [start: number, deadline: number, woke: number];

interface Result extends Sample {
  lateness: number[];
  latenessAfterSetup: number[];
}

async function measure(name: string, work: (wakes: Wake[]) => unknown): Promise<Result> {
  const result: Result = { name, runs: [], cpu: [], lateness: [], latenessAfterSetup: [] };
  if (!selected(name)) return result; // left out by --only
  const began = performance.now();
  // A first full run warms up each system (JIT, heap growth), as the other workloads do; without
  // it, compiling handloop's own code and native's promise paths lands in the figures.
  for (let i = 0; i < WARMUPS; i++) await work([]);
  for (let i = 0; i < RUNS; i++) {
    const wakes: Wake[] = [];
    const cpu = cpuNow();
    const start = performance.now();
    await work(wakes);
    result.runs.push(performance.now() - start);
    result.cpu!.push(cpuNow() - cpu);
    if (wakes.length !== N) throw new Error(`W5: ${name} woke ${wakes.length} sleepers, expected ${N}`);
    let setupEnd = -Infinity;
    for (const [start] of wakes) setupEnd = Math.max(setupEnd, start);
    for (const [, deadline, woke] of wakes) {
      result.lateness.push(woke - deadline);
      if (deadline >= setupEnd) result.latenessAfterSetup.push(woke - deadline);
    }
  }
  progress(`${name}: ${RUNS} runs after ${WARMUPS} warm-up, ${since(began)}`);
  return result;
}

const sleeper = coroutine(function* (d: number, wakes: Wake[]) {
  const loop = currentLoop();
  const start = loop.time() * 1000; // RealClock: performance.now(), in seconds
  yield* asleep(d);
  wakes.push([start, start + d * 1000, loop.time() * 1000]);
});

/** A RealClock that counts how often the loop blocked: each block is one wake-up of the thread. */
class CountingClock extends RealClock {
  blocks = 0;
  override sleepUntil(deadline: number): void {
    this.blocks++;
    super.sleepUntil(deadline);
  }
}

/** Blocks per run of each handloop system, to show what the timer slack trades. */
const blocks = new Map<number | undefined, number[]>();

function handloopSleepers(wakes: Wake[], slack?: number): void {
  const clock = new CountingClock({ slack });
  run(function* () {
    const tasks: Task<void>[] = [];
    for (const d of seconds) tasks.push(sleeper(d, wakes));
    yield* gather(...tasks);
  }, { clock });
  blocks.set(slack, [...(blocks.get(slack) ?? []), clock.blocks]);
}

function hostSleepers(wakes: Wake[]): Promise<void> {
  return runAsync(function* () {
    const tasks: Task<void>[] = [];
    for (const d of seconds) tasks.push(sleeper(d, wakes));
    yield* gather(...tasks);
  });
}

async function nativeSleepers(wakes: Wake[]): Promise<void> {
  const sleeperNative = async (d: number) => {
    const start = performance.now();
    await new Promise((resolve) => setTimeout(resolve, d * 1000));
    wakes.push([start, start + d * 1000, performance.now()]);
  };
  await Promise.all(seconds.map(sleeperNative));
}

function effectionSleepers(wakes: Wake[]): PromiseLike<unknown> {
  return effectionRun(function* () {
    yield* all(
      seconds.map(function* (d) {
        const start = performance.now();
        yield* effectionSleep(d * 1000);
        wakes.push([start, start + d * 1000, performance.now()]);
      }),
    );
  });
}

function latenessNote(all: readonly number[], afterSetup: readonly number[]): string {
  const f = (xs: readonly number[]) =>
    `p50 ${percentile(xs, 50).toFixed(2)} / p99 ${percentile(xs, 99).toFixed(2)} / max ${Math.max(...xs).toFixed(2)} ms`;
  return `lateness: all ${f(all)}; after setup ${f(afterSetup)} (${afterSetup.length.toLocaleString("en")} of ${all.length.toLocaleString("en")})`;
}

const HANDLOOP = "handloop: asleep on a RealClock";
const HANDLOOP_1MS = "handloop: RealClock, slack 1 ms";
const HOST = "handloop: asleep under runAsync";
const NATIVE = "native: setTimeout";
const samples: Result[] = [
  await measure(HANDLOOP, (wakes) => handloopSleepers(wakes)),
  await measure(HANDLOOP_1MS, (wakes) => handloopSleepers(wakes, 0.001)),
  await measure(HOST, hostSleepers),
  await measure(NATIVE, nativeSleepers),
  await measure("effection: sleep (in all)", effectionSleepers),
];
const py = python<Omit<Result, "name">>("w5_sleep.py", [String(RUNS)], JSON.stringify(seconds));
if (py) samples.push({ name: `${pythonVersion()} asyncio.sleep`, ...py });
for (const s of samples) if (s.lateness.length > 0) s.note = latenessNote(s.lateness, s.latenessAfterSetup);
for (const [name, slack] of [[HANDLOOP, undefined], [HANDLOOP_1MS, 0.001]] as const) {
  const sample = samples.find((s) => s.name === name);
  const counts = blocks.get(slack)?.slice(WARMUPS); // the measured runs
  if (sample?.note !== undefined && counts !== undefined) {
    sample.note += `; the thread blocked ${counts.map((n) => n.toLocaleString("en")).join(", ")} times`;
  }
}

report(`W5: ${N.toLocaleString("en")} tasks sleep random durations in [0, 1) s of real time (ratios on CPU time)`, samples, HANDLOOP, { cpu: true });
target("handloop CPU / native setTimeout CPU", ratio(samples, HANDLOOP, NATIVE, true), 0.6);
target("handloop lateness p99, all wake-ups", percentile(samples[0]!.lateness, 99), 1, "ms");
target("handloop lateness p99, after setup", percentile(samples[0]!.latenessAfterSetup, 99), 1, "ms");
const host = samples.find((s) => s.name === HOST);
if (host !== undefined && host.lateness.length > 0) {
  target("runAsync CPU / native setTimeout CPU", ratio(samples, HOST, NATIVE, true), 1);
  const earliest = Math.min(...host.lateness);
  console.log(`  runAsync: earliest wake-up ${earliest.toFixed(3)} ms after its deadline (${earliest >= -1e-6 ? "never early" : "EARLY"})`);
}
