/**
 * running.ts: which loop is running on this thread, and which task it is stepping.
 *
 * One record, written only by the loop (loop.ts) and the stepper (task.ts), read by everyone who
 * needs "the current loop" without importing the loop module (which would make import cycles).
 *
 * The task being stepped is not written here on every step: the loop steps a task where it stands
 * at the head of its ready queue, so the loop can say which one it is (`_stepping()`). Storing a
 * newly made task into this long-lived record on every step cost a write barrier each time
 * (13% of a ping-pong). Only a task started inside another's step (its first step runs at once)
 * is recorded, in `started`, for that first step.
 * Invariant: `started !== null` implies `loop !== null` and `started` belongs to `loop`.
 * `site` is a register, not state: compiled code writes it right before each `yield` that stands
 * for an `await`, and the stepper reads it right after, in the same synchronous step.
 */

import type { EventLoop } from "./loop.js";
import type { Task } from "./task.js";

/** @internal */
export const running: {
  loop: EventLoop | null;
  /** A task taking its first step inside another's step (see above), else null. */
  started: Task<unknown> | null;
  /** Where the last compiled `await` was, in source terms ("file.ts:12:5"); see compile/runtime.ts. */
  site: string;
} = { loop: null, started: null, site: "" };

/** @internal The task being stepped right now, or null between steps and outside any loop. */
export function runningTask(): Task<unknown> | null {
  if (running.started !== null) return running.started;
  const loop = running.loop;
  return loop === null ? null : loop._stepping();
}
