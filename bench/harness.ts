/**
 * bench/harness.ts: what every benchmark shares: timing several runs, medians, ratios, a table,
 * CPU time, a seeded PRNG, and running the Python (asyncio) peers; progress on stderr as each
 * system finishes, and each target's verdict, also written for bench/run.ts's summary.
 * Speed is measured here and printed, never asserted.
 */

import { spawnSync } from "node:child_process";
import { appendFileSync, mkdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { compile } from "../src/compile/index.js";

export interface Sample {
  name: string;
  /** Milliseconds of each run (wall clock). */
  runs: number[];
  /** CPU milliseconds (user + system, whole process) of each run, when measured. */
  cpu?: number[];
  /** Printed after the row: what else was measured for this system (memory, lateness...). */
  note?: string;
}

export interface TimeOptions {
  /** Untimed runs first (default 1). */
  warmup?: number;
}

/**
 * `--only <prefix>` on a benchmark's command line runs only the systems whose name starts with
 * `prefix` (say `--only handloop`), and `--runs <n>` times each `n` times instead of the script's
 * count, so that a CPU profile shows one system, with enough samples:
 *
 *   node --cpu-prof --cpu-prof-interval 50 --import tsx bench/w2-queue-ping-pong.ts --only handloop --runs 30
 */
function flag(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i === -1 ? undefined : process.argv[i + 1];
}
export const only: string | undefined = flag("--only");
const runsOverride = flag("--runs") === undefined ? undefined : Number(flag("--runs"));

/**
 * One line of progress on stderr, as each system finishes; the figures go to stdout, so that
 * `npm run bench > figures.txt` keeps them apart. Silent in a child of timeAlone or memoryOf,
 * whose parent reports the system when the child is done.
 */
export function progress(message: string): void {
  if (flag("--alone") !== undefined || flag("--memory") !== undefined) return;
  process.stderr.write(`  · ${message}\n`);
}

/** Seconds since `start` (a `performance.now()`), for progress lines. */
export function since(start: number): string {
  return `${((performance.now() - start) / 1000).toFixed(1)} s`;
}

/** Whether the system named `name` runs (see `only`). */
export function selected(name: string): boolean {
  return only === undefined || name.startsWith(only);
}

/** CPU time this process has used so far, user + system, in ms. */
export function cpuNow(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/**
 * Runs `work` `runs` times (after one warm-up run unless told otherwise) and returns each run's
 * wall time and CPU time in ms.
 */
export async function time(name: string, runs: number, work: () => unknown, options: TimeOptions = {}): Promise<Sample> {
  if (!selected(name)) return { name, runs: [] };
  runs = runsOverride ?? runs;
  const began = performance.now();
  for (let i = 0; i < (options.warmup ?? 1); i++) await work();
  const out: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const cpuStart = cpuNow();
    const start = performance.now();
    await work();
    out.push(performance.now() - start);
    cpu.push(cpuNow() - cpuStart);
  }
  progress(`${name}: ${runs} run${runs === 1 ? "" : "s"}, ${since(began)}`);
  return { name, runs: out, cpu };
}

export function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The p-th percentile (0..100, nearest rank) of `xs`. */
export function percentile(xs: readonly number[], p: number): number {
  const sorted = [...xs].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export interface ReportOptions {
  /** Print each sample's CPU time too, and compute ratios on CPU time instead of wall time. */
  cpu?: boolean;
}

function fmt(ms: number): string {
  return ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2);
}

function value(s: Sample, cpu: boolean): number {
  return median(cpu ? (s.cpu ?? s.runs) : s.runs);
}

/**
 * Prints each sample's median and range (and CPU time if asked), and the ratio of `subject` to
 * every other sample. With several subjects (say, three handloop forms), prints a ratio line per
 * subject after the table instead.
 */
export function report(
  title: string,
  samples: readonly Sample[],
  subject: string | readonly string[],
  options: ReportOptions = {},
): void {
  console.log(`\n${title}`);
  samples = samples.filter((s) => s.runs.length > 0); // systems left out by --only
  const subjects = typeof subject === "string" ? [subject] : subject;
  const single = subjects.length === 1 ? samples.find((s) => s.name === subjects[0]) : undefined;
  const what = options.cpu ? "CPU time" : "time";
  for (const s of samples) {
    const m = median(s.runs);
    const range = `${fmt(Math.min(...s.runs))}-${fmt(Math.max(...s.runs))}`;
    let row = `  ${s.name.padEnd(50)} median ${fmt(m).padStart(7)} ms  (${range})`.padEnd(89);
    if (options.cpu && s.cpu) row += `  CPU ${fmt(median(s.cpu)).padStart(7)} ms`;
    if (single && s !== single) {
      row += `  ${single.name} takes ${(value(single, !!options.cpu) / value(s, !!options.cpu)).toFixed(2)}x this ${what}`;
    }
    console.log(row.trimEnd());
    if (s.note) console.log(`  ${"".padEnd(50)} ${s.note}`);
  }
  if (subjects.length > 1) {
    console.log(`  ratios (${what}, median / median):`);
    for (const name of subjects) {
      const base = samples.find((s) => s.name === name);
      if (!base) continue;
      const parts = samples
        .filter((s) => !subjects.includes(s.name))
        .map((s) => `${(value(base, !!options.cpu) / value(s, !!options.cpu)).toFixed(2)}x ${s.name}`);
      console.log(`    ${name}: ${parts.join(", ")}`);
    }
  }
}

/** Ratio of the medians of two samples (a / b), on wall time or CPU time. */
export function ratio(samples: readonly Sample[], a: string, b: string, cpu = false): number {
  const sa = samples.find((s) => s.name === a);
  const sb = samples.find((s) => s.name === b);
  if (!sa || !sb || sa.runs.length === 0 || sb.runs.length === 0) return NaN;
  return value(sa, cpu) / value(sb, cpu);
}

/** A target's outcome, as printed and as bench/run.ts's summary reads it. */
export interface Verdict {
  what: string;
  /** The measured value, in `unit`; NaN when a system it needs was not measured. */
  actual: number;
  limit: number;
  unit: string;
  /** The measured value as a reader should take it: "1.12x", "3.20 ms", "within noise (...)". */
  shown: string;
  /** "<= 1.3x", "<= 10 ms". */
  bound: string;
  verdict: "met" | "MISSED" | "not measured";
}

/**
 * Judges `actual` against `limit` (met when actual <= limit). With `noise` (how far the measured
 * quantity may land from zero by chance, in `unit`, see noiseOfDifference), a value below it, a
 * negative one included, is shown as within noise rather than as a figure: a difference of two
 * noisy medians can come out negative, and that is no negative cost. The verdict is still the
 * median's.
 */
export function judge(what: string, actual: number, limit: number, unit = "x", noise?: number): Verdict {
  const verdict = Number.isNaN(actual) ? "not measured" : actual <= limit ? "met" : "MISSED";
  // Two significant digits for a small ratio (W6's 1/700 would read 0.00x).
  const ratioText = (v: number) => (Math.abs(v) >= 0.1 ? v.toFixed(2) : v.toPrecision(2));
  const figure = (v: number) => (unit === "x" ? `${ratioText(v)}x` : `${v.toFixed(2)} ${unit}`);
  const shown =
    noise !== undefined && actual < noise
      ? `within noise (${figure(actual)}, noise ±${noise.toFixed(0)} ${unit})`
      : Number.isNaN(actual)
        ? "-"
        : figure(actual);
  const bound = unit === "x" ? `<= ${limit}x` : `<= ${limit} ${unit}`;
  return { what, actual, limit, unit, shown, bound, verdict };
}

/**
 * Prints one target line: `what` measured `actual` against `limit` (see judge), and, under
 * bench/run.ts, records it for the summary that ends the run.
 */
export function target(what: string, actual: number, limit: number, unit = "x", noise?: number): void {
  const v = judge(what, actual, limit, unit, noise);
  console.log(`  target: ${what} ${v.bound}: ${v.shown}, ${v.verdict}`);
  const record = process.env[TARGETS_ENV];
  if (record) appendFileSync(record, `${JSON.stringify(v)}\n`);
}

/** The environment variable bench/run.ts names each workload's verdict file in. */
export const TARGETS_ENV = "HANDLOOP_BENCH_TARGETS";

/**
 * A CPU cost in ms as a reader should take it: below `noise` (see noiseOfDifference), a negative
 * difference included, it is no measurable cost.
 */
export function cost(ms: number, noise: number): string {
  return ms < noise ? `nothing measurable (${ms.toFixed(0)} ms, within noise: ±${noise.toFixed(0)} ms)` : `${ms.toFixed(0)} ms`;
}

/**
 * How far the difference of the medians of two sets of runs may land from zero by chance alone:
 * two standard errors of that difference, each side's from its median absolute deviation (so one
 * slow run does not widen it). A difference smaller than this is noise, not a cost.
 */
export function noiseOfDifference(a: readonly number[], b: readonly number[]): number {
  // For normal data, sigma ~ 1.4826 MAD, and the median's standard error ~ 1.2533 sigma / sqrt(n).
  const standardError = (xs: readonly number[]) => {
    const m = median(xs);
    return (1.2533 * 1.4826 * median(xs.map((x) => Math.abs(x - m)))) / Math.sqrt(xs.length);
  };
  return 2 * Math.hypot(standardError(a), standardError(b));
}

/** A seeded PRNG (mulberry32): numbers in [0, 1), the same sequence on every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `n` durations in seconds, in [0, max), from a seeded PRNG: in whole milliseconds (so setTimeout
 * sees exact values) unless `wholeMs` is false.
 */
export function durations(n: number, max: number, seed = 42, wholeMs = true): number[] {
  const random = seededRandom(seed);
  return Array.from({ length: n }, () => (wholeMs ? Math.floor(random() * max * 1000) / 1000 : random() * max));
}

/** Peak resident set size of this process so far, in MiB. */
export function peakRssMiB(): number {
  return process.resourceUsage().maxRSS / 1024;
}

/** The system this process was started to time on its own (see timeAlone), or undefined. */
export const aloneSystem: string | undefined = flag("--alone");

/**
 * Times the system `name` in a fresh Node process (`<script> --alone <name>`), so that no other
 * system run before it leaves type feedback in the code they share: two forms of handloop in one
 * process slow each other's stepper down. The script, started that way, times that one system and
 * hands the sample to `printAlone`. An empty sample when `name` is left out by --only.
 */
export function timeAlone(script: string, name: string): Sample {
  if (!selected(name)) return { name, runs: [] };
  const args = ["--import", "tsx", script, "--alone", name];
  if (runsOverride !== undefined) args.push("--runs", String(runsOverride));
  const began = performance.now();
  const result = spawnSync(process.execPath, args, { encoding: "utf8" });
  if (result.status !== 0) throw new Error(`timing ${name} alone in ${script} failed: ${result.stderr}`);
  const sample = JSON.parse(result.stdout.trim().split("\n").pop()!) as Sample;
  progress(`${name}: ${sample.runs.length} run${sample.runs.length === 1 ? "" : "s"} in a process of its own, ${since(began)}`);
  return sample;
}

/** In a process started by timeAlone: prints the sample for the parent, and exits. */
export function printAlone(sample: Sample): never {
  console.log(JSON.stringify(sample));
  process.exit(0);
}

/** What one system's run used: heap bytes per task (live, after a full GC), and peak RSS. */
export interface Memory {
  bytesPerTask: number;
  peakRssMiB: number;
}

/** Where a workload lets a memory run read the heap: before its tasks exist, and once they all do. */
export type Measure = (point: "before" | "after") => void;

/**
 * Memory of one system, each in a fresh process: runs `script` again as
 * `node --expose-gc --import tsx <script> --memory <system>`, where the script calls
 * `memoryChild` and exits. NaN when `name` is left out by --only.
 */
export function memoryOf(script: string, system: string, name: string = system): Memory {
  if (!selected(name)) return { bytesPerTask: NaN, peakRssMiB: NaN };
  const began = performance.now();
  const result = spawnSync(process.execPath, ["--expose-gc", "--import", "tsx", script, "--memory", system], {
    encoding: "utf8",
  });
  if (result.status !== 0) throw new Error(`memory run of ${system} in ${script} failed: ${result.stderr}`);
  // "none" is the workloads' idle baseline, measured under whatever name --only selects.
  progress(`${system === "none" ? "an idle process" : name}: memory measured in a process of its own, ${since(began)}`);
  return JSON.parse(result.stdout.trim().split("\n").pop()!) as Memory;
}

/** The system this process was started to measure (see memoryOf), or undefined in a normal run. */
export const memorySystem: string | undefined = flag("--memory");

/**
 * In a memory child: runs `work` once, reading the heap after a full GC at its two points, and
 * prints what `memoryOf` reads: (after - before) / `tasks` bytes a task, and the peak RSS.
 */
export async function memoryChild(work: (measure: Measure) => unknown, tasks: number): Promise<never> {
  const heap: Partial<Record<"before" | "after", number>> = {};
  await work((point) => (heap[point] = heapAfterGc()));
  const bytesPerTask = tasks === 0 ? 0 : (heap.after! - heap.before!) / tasks;
  console.log(JSON.stringify({ bytesPerTask, peakRssMiB: peakRssMiB() } satisfies Memory));
  process.exit(0);
}

/** The heap in use after a full GC; only in a process started with --expose-gc. */
function heapAfterGc(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error("memory mode needs node --expose-gc");
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

let pythonFound: boolean | undefined;

/**
 * Runs bench/python/<script> with `args` (and `input` on stdin) and returns the JSON object it
 * prints on its last line, or null (after printing why) when python3 is not on PATH or it failed.
 */
export function python<R>(script: string, args: readonly string[] = [], input?: string): R | null {
  if (!selected("Python")) return null;
  pythonFound ??= spawnSync("python3", ["--version"], { stdio: "ignore" }).status === 0;
  if (!pythonFound) {
    console.log("  Python asyncio: skipped: python3 not found");
    return null;
  }
  const file = fileURLToPath(new URL(`./python/${script}`, import.meta.url));
  const began = performance.now();
  const result = spawnSync("python3", [file, ...args], { input, encoding: "utf8", maxBuffer: 64 << 20 });
  progress(`Python asyncio (${script} ${args.join(" ")}): ${since(began)}`);
  const lines = (result.stdout ?? "").trim().split("\n");
  if (result.status !== 0 || lines.length === 0) {
    console.log(`  Python asyncio: failed (exit ${result.status}): ${(result.stderr ?? "").trim().split("\n").slice(-1)[0]}`);
    return null;
  }
  return JSON.parse(lines[lines.length - 1]!) as R;
}

/** The Python version, for titles ("Python 3.11.7"), or "" without python3. */
export function pythonVersion(): string {
  const result = spawnSync("python3", ["--version"], { encoding: "utf8" });
  return result.status === 0 ? result.stdout.trim() : "";
}

const generated = fileURLToPath(new URL("./.generated/", import.meta.url));
const runtime = fileURLToPath(new URL("../src/runtime.ts", import.meta.url));

/**
 * Loads the same JavaScript source twice: as written (native async) and compiled by handloop,
 * so both sides of a comparison run exactly the same code.
 */
export async function nativeAndCompiled<M>(name: string, source: string): Promise<{ native: M; compiled: M }> {
  mkdirSync(generated, { recursive: true });
  const nativeFile = `${generated}${name}.native.mjs`;
  const compiledFile = `${generated}${name}.compiled.mjs`;
  writeFileSync(nativeFile, source);
  writeFileSync(compiledFile, compile(source, { filename: `${name}.mjs`, runtime }).code);
  return { native: (await import(nativeFile)) as M, compiled: (await import(compiledFile)) as M };
}
