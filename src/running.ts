/**
 * running.ts: which loop is running on this thread, and which task it is stepping.
 *
 * One record, written only by the loop (loop.ts) and the stepper (task.ts), read by everyone who
 * needs "the current loop" without importing the loop module (which would make import cycles).
 * Invariant: `task !== null` implies `loop !== null` and `task` belongs to `loop`.
 * `site` is a register, not state: compiled code writes it right before each `yield` that stands
 * for an `await`, and the stepper reads it right after, in the same synchronous step.
 */

import type { EventLoop } from "./loop.js";
import type { Task } from "./task.js";

/** @internal */
export const running: {
  loop: EventLoop | null;
  task: Task<unknown> | null;
  /** Where the last compiled `await` was, in source terms ("file.ts:12:5"); see compile/runtime.ts. */
  site: string;
} = { loop: null, task: null, site: "" };

/** @internal The task being stepped right now, or null between steps and outside any loop. */
export function runningTask(): Task<unknown> | null {
  return running.task;
}
