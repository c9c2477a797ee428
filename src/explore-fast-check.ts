/**
 * explore-fast-check.ts: `handloop/explore/fast-check`, `hlSchedule()`: a fast-check arbitrary of
 * schedules, so that a property's inputs and the schedule it runs under are drawn, and shrunk,
 * together.
 *
 * A schedule is a list of choices, one per decision of a run (which ready task runs next, and the
 * program's `choose()` / `chance()`), each clamped to the choices there (a larger one is the last); past its end every
 * decision is FIFO's. fast-check shrinks the list as it shrinks any array: shorter, and each
 * choice toward 0, which is toward FIFO order. fast-check is an optional peer dependency, loaded
 * here (a top-level await), so that a missing one is reported with the command that installs it.
 */

import type { Arbitrary } from "fast-check";
import type { Program } from "./explore/run.js";
import { runChoices } from "./explore/explore.js";
import { FAST_CHECK_PEER, MissingPeerError } from "./peers.js";

async function importFastCheck(): Promise<typeof import("fast-check")> {
  try {
    return await import("fast-check");
  } catch (error) {
    const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
    if (code === "ERR_MODULE_NOT_FOUND" && String(message).includes("'fast-check'")) {
      throw new MissingPeerError("handloop/explore/fast-check", [FAST_CHECK_PEER], "", { cause: error });
    }
    throw error;
  }
}

const fc = await importFastCheck();

/** A schedule drawn by fast-check: run a program under it with `run`. */
export interface HlSchedule {
  /** The choices, one per decision, in order (0 is FIFO's). */
  readonly choices: readonly number[];
  /**
   * Runs `program` once, as `explore()` runs each schedule (a fresh loop, a virtual clock, virtual
   * globals), its decisions following this schedule; gives its result, or throws its
   * ScheduleFailure (with the replay token of the run, which `replay()` takes).
   */
  run<T>(program: Program<T>): T;
  /** The replay token of the last run: what fast-check prints for a counterexample. */
  toString(): string;
}

class Schedule implements HlSchedule {
  readonly choices: readonly number[];
  #token = "";
  constructor(choices: readonly number[]) {
    this.choices = choices;
  }
  run<T>(program: Program<T>): T {
    const { token, result, failure } = runChoices(program, this.choices);
    this.#token = token;
    if (failure !== null) throw failure;
    return result as T;
  }
  toString(): string {
    return this.#token === "" ? `HlSchedule(${this.choices.join(",")})` : `HlSchedule(${this.#token})`;
  }
  [Symbol.for("fast-check/toStringMethod")](): string {
    return this.toString();
  }
}

/** Options of `hlSchedule()`. */
export interface HlScheduleOptions {
  /** The most decisions a schedule chooses (FIFO after them); 64 unless told otherwise. */
  maxDecisions?: number;
  /** The largest choice drawn (clamped to the last choice at each decision); 7 unless told otherwise. */
  maxChoice?: number;
}

/**
 * A fast-check arbitrary of schedules for `handloop/explore`: draw one beside the property's
 * inputs and run the program under it with `schedule.run(program)`; fast-check shrinks the
 * inputs and the schedule together, the schedule toward FIFO order.
 *
 * @example
 * ```ts
 * fc.assert(fc.property(fc.integer({ min: 1, max: 100 }), hlSchedule(), (amount, schedule) => {
 *   schedule.run(() => transfer(amount)); // throws a ScheduleFailure if the run fails
 * }));
 * ```
 */
export function hlSchedule(options: HlScheduleOptions = {}): Arbitrary<HlSchedule> {
  const maxLength = options.maxDecisions ?? 64;
  const max = options.maxChoice ?? 7;
  if (!Number.isInteger(maxLength) || maxLength < 0) {
    throw new RangeError(`Expected \`maxDecisions\` of hlSchedule() to be a whole number >= 0, got ${String(maxLength)}.`);
  }
  if (!Number.isInteger(max) || max < 1) throw new RangeError(`Expected \`maxChoice\` of hlSchedule() to be a whole number >= 1, got ${String(max)}.`);
  return fc.array(fc.nat({ max }), { maxLength }).map((choices) => new Schedule(choices) as HlSchedule);
}
