/**
 * errors.ts: the error types handloop throws on purpose.
 *
 * Owns: CancelledError, UsageError, DeadlockError. Each sets `name` so that stack traces and
 * `String(error)` say which one it is; none carries loop state beyond what its message needs,
 * except DeadlockError's list of the tasks it reports.
 */

import type { LoopPromise } from "./promise.js";
import type { Task } from "./task.js";

/**
 * Thrown into a coroutine at its suspension point when its task is cancelled, and by
 * `result()`, `exception()` or an `await` of a task that ended cancelled.
 *
 * A coroutine may catch it to clean up (its `finally` blocks may even await); if it catches it
 * and returns a value, the task ends normally instead of cancelled.
 *
 * @example
 * ```ts
 * const worker = coroutine(function* () {
 *   try { yield* asleep(60); } catch (e) { if (e instanceof CancelledError) return "stopped"; throw e; }
 * });
 * ```
 */
export class CancelledError extends Error {
  override name = "CancelledError";
}

/**
 * A call that breaks a rule of the API: running a loop inside a running loop, using a closed
 * loop, asking a pending task for its `result()`, releasing what is not held. The message names
 * the call and the rule.
 */
export class UsageError extends Error {
  override name = "UsageError";
}

/**
 * Thrown by a run when no task can ever be resumed again but some are still waiting: nothing is
 * ready, no timer is pending, and every live task waits on a task or thenable that cannot settle
 * (for example a native Promise, whose callbacks need the microtask queue that a synchronous run
 * blocks). `waiting` lists those tasks; the message says what each one waits on.
 *
 * The loop stays usable: the tasks stay parked where they were.
 */
export class DeadlockError extends Error {
  override name = "DeadlockError";
  /** The tasks that were waiting when the loop found it could not progress, oldest first. */
  readonly waiting: readonly Task<unknown>[];

  /** @internal */
  constructor(message: string, waiting: readonly Task<unknown>[]) {
    super(message);
    this.waiting = waiting;
  }
}

/**
 * Thrown by `timeout(seconds, work)` when `work` did not finish in time: the work was cancelled,
 * its cleanup has finished, and this error names the limit and the task that timed out. Our own
 * class (not the DOM's), so `instanceof TimeoutError` is reliable.
 */
export class TimeoutError extends Error {
  override name = "TimeoutError";
  /** The limit that passed, in seconds. */
  readonly seconds: number;

  /** @internal */
  constructor(message: string, seconds: number) {
    super(message);
    this.seconds = seconds;
  }
}

/**
 * A task group failed: `errors` holds every error (other than cancellations) that its body and
 * children raised, in the order they happened. The first one made the group cancel the rest.
 */
export class TaskGroupError extends AggregateError {
  override name = "TaskGroupError";
}

/**
 * A task failed and nothing observed its outcome (nobody awaited it, gathered it, or called
 * `then`, `catch`, `result()` or `exception()`), or a LoopPromise was rejected and nothing
 * handled it (no `await`, `then` or `catch`). With the loop's default `unhandledError: "throw"`
 * policy, the run ends once the ready queue drains and throws this error. `cause` is the first
 * such error, `tasks` every task that failed unobserved, `promises` every LoopPromise rejected
 * unhandled, each in the order they failed.
 */
export class UnhandledTaskError extends Error {
  override name = "UnhandledTaskError";
  /** The tasks that failed with nobody observing them, in order. */
  readonly tasks: readonly Task<unknown>[];
  /** The LoopPromises that were rejected with nobody handling them, in order. */
  readonly promises: readonly LoopPromise<unknown>[];
  /**
   * When the run was `run(main)`: the main task, whose own outcome is kept there (`result()`)
   * even though this error is what the run threw.
   */
  main: Task<unknown> | undefined = undefined;

  /** @internal */
  constructor(message: string, tasks: readonly Task<unknown>[], cause: unknown, promises: readonly LoopPromise<unknown>[] = []) {
    super(message, { cause });
    this.tasks = tasks;
    this.promises = promises;
  }
}

/** `putNowait()` on a Queue that is full. */
export class QueueFullError extends Error {
  override name = "QueueFullError";
}

/** `getNowait()` on a Queue that is empty. */
export class QueueEmptyError extends Error {
  override name = "QueueEmptyError";
}

/** A `put` on a Queue after `shutdown()`, or a `get` on one that is shut down and empty. */
export class QueueShutDownError extends Error {
  override name = "QueueShutDownError";
}
