/**
 * explore.ts: `handloop/explore`, the entry that finds the schedule that breaks a program.
 *
 * Every await returns to handloop's ready queue, so the order tasks run in is the loop's to
 * choose. `explore()` runs a program under many orders (strategies random, pct, dfs, or a
 * portfolio of them), synchronously and in virtual time, stops at the first that fails, shrinks it
 * toward FIFO, and prints a token that `replay()` runs again. The loop gives up one thing only: the
 * choice of the next ready task (loop.ts's `#pickNext`), plus, when asked, the order of timers
 * due at one instant and their jitter; `choose()` / `chance()` are the program's own choices.
 * Kept off the main entry: a program's production code never needs it.
 */

export { chance, choose } from "./explore/draws.js";
export { LivelockError, ReplayError } from "./explore/errors.js";
export { check, explore, replay, type CheckResult, type ExploreOptions } from "./explore/explore.js";
export { ScheduleFailure, type FailureStep } from "./explore/failure.js";
export type { Program } from "./explore/run.js";
export type { StrategyName } from "./explore/strategies.js";
