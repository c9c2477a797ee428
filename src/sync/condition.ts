/**
 * sync/condition.ts: Condition (asyncio's): wait for a notification while holding a lock.
 *
 * A notification is handed to one waiter; a waiter that then raises instead of returning from
 * `wait()` (it was cancelled before it ran, or while taking the lock back) passes it on to the
 * next waiter, as asyncio's `Condition.wait` does, so a cancellation never swallows a `notify()`.
 * `wait()` runs in the awaiting task (an Operation, see wait.ts), so that holds for the caller's
 * own cancellation too.
 */

import type { Task } from "../task.js";
import { CancelledError, UsageError } from "../errors.js";
import { Operation, PARK, WaiterQueue, WaitOp } from "../wait.js";
import { Lock } from "./lock.js";

/**
 * A condition variable over a Lock (a new one unless given). With the lock held, `wait()` releases
 * it, waits for `notify()`, and takes the lock again before returning, even when cancelled.
 * `waitFor(predicate)` waits until `predicate()` is true. `notify(n)` wakes the first `n` waiters,
 * `notifyAll()` every one. Waiting or notifying without holding the lock is a UsageError.
 *
 * @example
 * ```ts
 * const cond = new Condition();
 * const consumer = coroutine(function* () {
 *   yield* cond.acquire();
 *   try { yield* cond.waitFor(() => items.length > 0); return items.shift(); } finally { cond.release(); }
 * });
 * ```
 */
export class Condition {
  readonly #lock: Lock;
  readonly #waiters = new WaiterQueue();
  readonly #notified = new Notified(this);

  constructor(lock: Lock = new Lock()) {
    this.#lock = lock;
  }

  /** Whether the underlying lock is held. */
  locked(): boolean {
    return this.#lock.locked();
  }

  /** Takes the underlying lock. */
  acquire(): WaitOp<true> {
    return this.#lock.acquire();
  }

  /** Frees the underlying lock. */
  release(): void {
    this.#lock.release();
  }

  /**
   * Releases the lock, waits for a notification, takes the lock again; gives `true`. Await it in
   * the task that holds the lock: it runs there, when awaited.
   */
  wait(): Operation<true> {
    this.#checkLocked("wait()");
    return new Operation(() => this.#waiting(), "Condition.wait()");
  }

  /** Waits (as `wait()`, repeatedly) until `predicate()` is truthy; gives its last value. */
  waitFor<R>(predicate: () => R): Operation<R> {
    this.#checkLocked("waitFor()");
    return new Operation(() => this.#waitingFor(predicate), "Condition.waitFor()");
  }

  /** Wakes the first `n` waiters (they still need the lock before `wait()` returns). */
  notify(n = 1): void {
    this.#checkLocked("notify()");
    for (let i = 0; i < n; i++) {
      const task = this.#waiters.shift();
      if (task === undefined) return;
      task._resume(this.#notified, undefined);
    }
  }

  /** Wakes every waiter. */
  notifyAll(): void {
    this.notify(Number.POSITIVE_INFINITY);
  }

  /** @internal */
  get _waiters(): WaiterQueue {
    return this.#waiters;
  }

  /** @internal A notification this waiter was handed goes to the next waiter instead. */
  _passOn(): void {
    this.#waiters.shift()?._resume(this.#notified, undefined);
  }

  *#waiting(): Generator<unknown, true, unknown> {
    this.#checkLocked("wait()");
    this.#lock.release();
    let notified = false;
    let cancelled: unknown = null;
    try {
      yield this.#notified;
      notified = true;
    } finally {
      // The lock is taken back whatever happened, as the caller's finally will release it.
      for (;;) {
        try {
          yield this.#lock.acquire();
          break;
        } catch (error) {
          if (!(error instanceof CancelledError)) throw error;
          cancelled = error;
        }
      }
    }
    if (cancelled !== null) {
      // Notified, then cancelled while taking the lock back: this wait raises, so the notification
      // is not spent here.
      if (notified) this._passOn();
      throw cancelled;
    }
    return true;
  }

  *#waitingFor<R>(predicate: () => R): Generator<unknown, R, unknown> {
    for (let result = predicate(); ; result = predicate()) {
      if (result) return result;
      yield* this.#waiting();
    }
  }

  #checkLocked(call: string): void {
    if (!this.#lock.locked()) {
      throw new UsageError(`Cannot call Condition.${call} without holding its lock; acquire() it first.`);
    }
  }
}

class Notified extends WaitOp<undefined> {
  readonly #condition: Condition;
  constructor(condition: Condition) {
    super();
    this.#condition = condition;
  }
  _begin(task: Task<unknown>): typeof PARK {
    this.#condition._waiters.push(task);
    return PARK;
  }
  _cancel(task: Task<unknown>, delivered: boolean): void {
    // A notification that reaches a cancelled waiter is passed to the next one.
    if (delivered) this.#condition._passOn();
    else this.#condition._waiters.remove(task);
  }
  _describe(): string {
    return "a Condition to be notified";
  }
}
