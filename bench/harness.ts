/**
 * bench/harness.ts: what every benchmark shares: timing several runs, medians, ratios, a table.
 * Speed is measured here and printed, never asserted.
 */

import { mkdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { compile } from "../src/compile/index.js";

export interface Sample {
  name: string;
  /** Milliseconds of each run. */
  runs: number[];
}

/** Runs `work` `runs` times (after one warm-up run) and returns each run's duration in ms. */
export async function time(name: string, runs: number, work: () => unknown): Promise<Sample> {
  await work();
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await work();
    out.push(performance.now() - start);
  }
  return { name, runs: out };
}

export function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Prints each sample's median and range, and the ratio of `subject` to every other sample. */
export function report(title: string, samples: readonly Sample[], subject: string): void {
  console.log(`\n${title}`);
  const base = samples.find((s) => s.name === subject);
  for (const s of samples) {
    const m = median(s.runs);
    const range = `${Math.min(...s.runs).toFixed(1)}-${Math.max(...s.runs).toFixed(1)}`;
    const ratio = base && s !== base ? `  ${subject} takes ${(median(base.runs) / m).toFixed(2)}x this time` : "";
    console.log(`  ${s.name.padEnd(34)} median ${m.toFixed(1).padStart(8)} ms  (${range})${ratio}`);
  }
}

const generated = fileURLToPath(new URL("./.generated/", import.meta.url));
const runtime = fileURLToPath(new URL("../src/index.ts", import.meta.url));

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
