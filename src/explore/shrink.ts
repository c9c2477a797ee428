/**
 * explore/shrink.ts: makes a failing schedule as close to FIFO as it can while it fails the same way.
 *
 * Three passes, each keeping a change only if the run still fails with the same signature (same
 * error class and message, or the same deadlock shape; run.ts's `signature`):
 * 1. drop the deviations of picks and timer ties one at a time;
 * 2. lower each remaining pick toward FIFO (a choice of 3 becomes 1 or 2: a task nearer the head),
 *    then drop again (what lowering made needless);
 * 3. drop the jitters and draws, then lower the rest toward 0.
 * Candidates are followed leniently (follow.ts): dropping one deviation changes what the later
 * ones meet, and a deviation whose task is not ready there is taken by position instead. What a
 * candidate run actually deviated in is what the next pass starts from, so the result is a schedule
 * that was run, not one that was only written down.
 *
 * Discussion: one at a time, as the issue asks and as QuickCheck-style shrinkers do for lists;
 * failures that FIFO misses are usually one or two deviations deep, and a run costs microseconds,
 * so delta debugging's halving would buy little. A budget bounds the runs all the same.
 */

import { FollowOracle } from "./follow.js";
import { runOnce, signature, type Program } from "./run.js";
import type { RunLimits } from "./scheduler.js";
import type { Deviation } from "./token.js";

// Runs shrinking may take at most.
const BUDGET = 5000;

/** @internal The deviations of a schedule that fails like `target`, as few and as low as found. */
export function shrink(program: Program<unknown>, found: readonly Deviation[], target: string, limits: RunLimits): Deviation[] {
  let budget = BUDGET;
  const fails = (candidate: readonly Deviation[]): Deviation[] | null => {
    if (budget-- <= 0) return null;
    const out = runOnce(program, new FollowOracle(candidate, false), limits, false);
    return out.failed && signature(out.error) === target ? out.scheduler.deviations : null;
  };
  const isSchedule = (d: Deviation): boolean => d.kind === "p" || d.kind === "t";
  let current: Deviation[] = [...found];
  // Passes until one drops nothing: dropping a later deviation can make an earlier one droppable.
  const drop = (which: (d: Deviation) => boolean): void => {
    for (let changed = true; changed; ) {
      changed = false;
      for (let k = 0; k < current.length; ) {
        if (!which(current[k]!)) {
          k++;
          continue;
        }
        const next = fails(current.filter((_, i) => i !== k));
        if (next !== null && next.length < current.length) (current = next), (changed = true);
        else k++;
      }
    }
  };
  const lower = (which: (d: Deviation) => boolean): void => {
    for (let k = 0; k < current.length; k++) {
      const d = current[k]!;
      if (!which(d) || d.choice <= 1) continue;
      for (let c = 1; c < d.choice; c++) {
        const next = fails(current.map((e, i) => (i === k ? { index: d.index, kind: d.kind, choice: c } : e)));
        if (next !== null && next.length <= current.length) {
          current = next;
          break;
        }
      }
    }
  };
  drop(isSchedule);
  lower(isSchedule);
  // Lowering can make another deviation needless (a pick lowered to the task that a later
  // deviation ran makes that one FIFO's): drop again.
  drop(isSchedule);
  drop((d) => !isSchedule(d));
  lower((d) => !isSchedule(d));
  return current;
}
