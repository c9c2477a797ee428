/**
 * wait.ts: the trap synchronisation primitives use to park a task without allocating.
 *
 * A WaitOp is an awaitable that the stepper recognises (as curio's kernel recognises its traps):
 * when a coroutine yields one, the stepper calls `_begin(task)`, which either gives the result at
 * once or queues the task with the primitive and answers PARK. The primitive later resumes the
 * task with `task._resume(value)` or `task._resumeThrow(error)`. A primitive keeps one WaitOp per
 * kind of wait (a Queue has one for `get()`, an Event one for `wait()`), so waiting allocates
 * nothing: the parked Task is the waiter.
 *
 * Cancellation is the primitive's business too: `_cancel(task, delivered, value)` is called when a
 * parked task is cancelled (`delivered` false: forget it) and when it is cancelled after being
 * resumed but before it ran (`delivered` true: take back what it was handed, an item or a lock,
 * and pass it on). That is what keeps a cancelled waiter from losing an item or leaking a lock.
 *
 * Outside the stepper a WaitOp is an ordinary awaitable: `[__await__]` and `[Symbol.iterator]`
 * yield the op itself, and `then` runs it as a task on the running loop, so `await q.get()` in
 * compiled code and `yield* q.get()` in a coroutine are both typed `T`.
 */

import { __await__, type Awaitable } from "./awaitable.js";
import { UsageError } from "./errors.js";
import { running } from "./running.js";
import type { Task } from "./task.js";

/** @internal Returned by `_begin` when the task was queued and must park. */
export const PARK: unique symbol = Symbol("park");

/** @internal A wait on a synchronisation primitive; see the file header. */
export abstract class WaitOp<T> implements Awaitable<T>, PromiseLike<T> {
  /** @internal The result now, or PARK once `task` is queued to be resumed later. May throw. */
  abstract _begin(task: Task<unknown>): T | typeof PARK;
  /** @internal `task` was cancelled while queued, or after being handed `value` (delivered). */
  abstract _cancel(task: Task<unknown>, delivered: boolean, value: unknown): void;
  /** @internal What a parked task waits on, for DeadlockError: "an item from a Queue". */
  abstract _describe(): string;

  [__await__](): Generator<WaitOp<T>, T, unknown> {
    return this[Symbol.iterator]();
  }

  *[Symbol.iterator](): Generator<WaitOp<T>, T, unknown> {
    return (yield this) as T;
  }

  /** Runs this wait as a task on the running loop; for code that treats it as a thenable. */
  then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): PromiseLike<R1 | R2> {
    const loop = running.loop;
    if (loop === null) {
      throw new UsageError(`${this._describe()} was awaited with no handloop loop running; await it in a coroutine.`);
    }
    return loop.createTask(this).then(onfulfilled, onrejected);
  }
}

/**
 * @internal A FIFO of parked tasks. Removal of a cancelled one is a search, which is fine for the
 * handfuls of waiters a primitive has; the common operations (push, shift) are O(1) amortised.
 */
export class WaiterQueue {
  #items: Task<unknown>[] = [];
  #head = 0;

  get length(): number {
    return this.#items.length - this.#head;
  }

  push(task: Task<unknown>): void {
    this.#items.push(task);
  }

  shift(): Task<unknown> | undefined {
    if (this.#head === this.#items.length) return undefined;
    const task = this.#items[this.#head]!;
    this.#items[this.#head++] = undefined as never;
    if (this.#head === this.#items.length) {
      this.#items.length = 0;
      this.#head = 0;
    } else if (this.#head > 64 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return task;
  }

  /** Removes `task` if it is queued; returns whether it was. */
  remove(task: Task<unknown>): boolean {
    const i = this.#items.indexOf(task, this.#head);
    if (i === -1) return false;
    this.#items.splice(i, 1);
    return true;
  }

  /** Takes every queued task out, in order. */
  drain(): Task<unknown>[] {
    const all = this.#items.slice(this.#head);
    this.#items = [];
    this.#head = 0;
    return all;
  }
}
