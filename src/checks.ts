/**
 * checks.ts: argument checks shared by the public entry points.
 *
 * Each check throws the error type a user expects (TypeError for the wrong kind of value,
 * RangeError for the right kind out of range) with a message naming the parameter, the call, the
 * value, and the task that made the call when there is one.
 */

import { describe } from "./describe.js";
import { runningTask } from "./running.js";

/** @internal " (in task "x")" when a task is running, else "". */
export function inTask(): string {
  const task = runningTask();
  return task === null ? "" : ` (in task "${task.name}")`;
}

/** @internal Returns `value` when it is a finite number >= 0; throws otherwise. */
export function checkSeconds(value: unknown, param: string, call: string): number {
  if (typeof value === "number" && value >= 0 && value !== Number.POSITIVE_INFINITY) return value;
  const message = `Expected \`${param}\` of ${call} to be a finite number >= 0, got ${describe(value)}${inTask()}.`;
  throw typeof value === "number" ? new RangeError(message) : new TypeError(message);
}

/** @internal Returns `value` when it is a function; throws a TypeError otherwise. */
export function checkFunction<F>(value: F, param: string, call: string): F {
  if (typeof value === "function") return value;
  throw new TypeError(`Expected \`${param}\` of ${call} to be a function, got ${describe(value)}${inTask()}.`);
}
