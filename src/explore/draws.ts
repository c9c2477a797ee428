/**
 * explore/draws.ts: `choose(n)` and `chance(p)`, the program's own choice points.
 *
 * Under `explore()` they are decisions like any pick of a task: drawn by the strategy, recorded,
 * replayed from a token and shrunk toward 0 / false. Outside it they are FIFO's answer, 0 and
 * false, so code that uses them runs the same everywhere else, deterministically.
 *
 * The run being explored sits in a global slot (Symbol.for), so that two copies of handloop in
 * one process (registry.ts) see the same one.
 */

import type { Scheduler } from "./scheduler.js";

const SLOT = Symbol.for("handloop.explore.run");
const slot = globalThis as { [SLOT]?: Scheduler | null };

/** @internal The run being explored now, or null. */
export function activeRun(): Scheduler | null {
  return slot[SLOT] ?? null;
}

/** @internal Sets (or, with null, clears) the run being explored. */
export function setActiveRun(scheduler: Scheduler | null): void {
  slot[SLOT] = scheduler;
}

/**
 * A whole number in [0, n) that the explorer chooses: each run of `explore()` may draw another,
 * a token replays it, shrinking lowers it toward 0. Outside `explore()` it is 0. Use it for the
 * inputs of a test that interleavings should meet with (which account pays, how many retries).
 *
 * @example
 * ```ts
 * const amount = [10, 50, 90][choose(3)]!; // 10 outside explore()
 * ```
 */
export function choose(n: number): number {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`Expected \`n\` of choose() to be a whole number >= 1, got ${String(n)}.`);
  const run = activeRun();
  return run === null || n === 1 ? 0 : run.draw("d", n, 0.5);
}

/**
 * True with odds `p` under `explore()`'s random strategies (every answer under dfs), as a
 * decision the explorer records, replays and shrinks toward false. Outside `explore()` it is false.
 *
 * @example
 * ```ts
 * if (chance(0.1)) throw new Error("simulated network failure"); // never outside explore()
 * ```
 */
export function chance(p: number): boolean {
  if (typeof p !== "number" || !(p >= 0 && p <= 1)) throw new RangeError(`Expected \`p\` of chance() to be a number in [0, 1], got ${String(p)}.`);
  const run = activeRun();
  return run !== null && p > 0 && run.draw("d", 2, p) === 1;
}
