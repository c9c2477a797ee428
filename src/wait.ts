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
 * A primitive that resumes with `task._resume(op, value, true)` also hears `_commit(task, value)`
 * when the task does run with it: until then the hand-off can still be undone. A Queue needs this
 * (a put takes effect, and a slot frees, only when the task that was handed it runs), as asyncio's
 * `put` only adds its item once the putter runs again.
 * Invariant: each resume with `commit` ends in exactly one `_commit` or one `_cancel(.., true, ..)`.
 *
 * Outside the stepper a WaitOp is an ordinary awaitable: `[__await__]` and `[Symbol.iterator]`
 * yield the op itself, and `then` runs it as a task on the running loop, so `await q.get()` in
 * compiled code and `yield* q.get()` in a coroutine are both typed `T`.
 */

import { __await__, markRequest, thenOnLoop, WAIT_REQUEST, YieldOnce, type Awaitable } from "./awaitable.js";
import type { Task } from "./task.js";

/** @internal Returned by `_begin` when the task was queued and must park. */
export const PARK: unique symbol = Symbol("park");

/**
 * A wait on a synchronisation primitive, as `queue.get()`, `lock.acquire()` or `event.wait()`
 * return: await it (`await op`, `yield* op`, or `yield op`) to wait, typed `T`. Each primitive
 * keeps one per kind of wait and hands out the same object every time, so waiting allocates
 * nothing; the stepper recognises it and parks the task in the primitive's own FIFO.
 */
export abstract class WaitOp<T> implements Awaitable<T>, PromiseLike<T> {
  /** @internal The result now, or PARK once `task` is queued to be resumed later. May throw. */
  abstract _begin(task: Task<unknown>): T | typeof PARK;
  /** @internal `task` was cancelled while queued, or after being handed `value` (delivered). */
  abstract _cancel(task: Task<unknown>, delivered: boolean, value: unknown): void;
  /** @internal `task`, resumed with `value` and `commit`, now runs with it: the hand-off is taken. */
  _commit(_task: Task<unknown>, _value: unknown): void {}
  /** @internal What a parked task waits on, for DeadlockError: "an item from a Queue". */
  abstract _describe(): string;

  [__await__](): Iterator<WaitOp<T>, T, unknown> {
    return new YieldOnce<WaitOp<T>, T>(this);
  }

  /** `yield* op` in a coroutine: `return (yield op)`, typed `T`, without a generator. */
  [Symbol.iterator](): Iterator<WaitOp<T>, T, unknown> {
    return new YieldOnce<WaitOp<T>, T>(this);
  }

  /** Runs this wait as a task on the running loop; for code that treats it as a thenable. */
  then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): PromiseLike<R1 | R2> {
    return thenOnLoop(this, this._describe(), onfulfilled, onrejected);
  }
}
markRequest(WaitOp.prototype, WAIT_REQUEST);

/**
 * @internal A FIFO of parked tasks: a ring buffer, so a queue that empties and fills on every
 * hand-off (a ping-pong) allocates nothing. Removing a cancelled waiter is a search and a shift of
 * the ones behind it, fine for the handfuls of waiters a primitive has.
 */
export class WaiterQueue {
  #items: (Task<unknown> | undefined)[] = new Array<Task<unknown> | undefined>(4).fill(undefined);
  #head = 0;
  #length = 0;

  get length(): number {
    return this.#length;
  }

  push(task: Task<unknown>): void {
    let items = this.#items;
    if (this.#length === items.length) items = this.#grow();
    items[(this.#head + this.#length) & (items.length - 1)] = task;
    this.#length++;
  }

  shift(): Task<unknown> | undefined {
    if (this.#length === 0) return undefined;
    const items = this.#items;
    const task = items[this.#head];
    items[this.#head] = undefined;
    this.#head = (this.#head + 1) & (items.length - 1);
    this.#length--;
    return task;
  }

  /** Removes `task` if it is queued, keeping the others in order; returns whether it was. */
  remove(task: Task<unknown>): boolean {
    const items = this.#items;
    const mask = items.length - 1;
    for (let i = 0; i < this.#length; i++) {
      if (items[(this.#head + i) & mask] !== task) continue;
      for (let j = i; j < this.#length - 1; j++) items[(this.#head + j) & mask] = items[(this.#head + j + 1) & mask];
      items[(this.#head + this.#length - 1) & mask] = undefined;
      this.#length--;
      return true;
    }
    return false;
  }

  /** Takes every queued task out, in order. */
  drain(): Task<unknown>[] {
    const all: Task<unknown>[] = [];
    for (let task = this.shift(); task !== undefined; task = this.shift()) all.push(task);
    return all;
  }

  #grow(): (Task<unknown> | undefined)[] {
    const old = this.#items;
    const items = new Array<Task<unknown> | undefined>(old.length * 2).fill(undefined);
    for (let i = 0; i < this.#length; i++) items[i] = old[(this.#head + i) & (old.length - 1)];
    this.#items = items;
    this.#head = 0;
    return items;
  }
}

/**
 * An operation of a primitive that takes more than one wait (`Condition.wait()`, a Queue's
 * `for await` step): awaited (`await op`, `yield* op`), it runs *in the awaiting task*, not in a
 * task of its own. That matters for cancellation: a cancel of the awaiting task lands inside the
 * operation, where what it was handed (a notification, an item) is passed on. Were it a task of
 * its own, the operation could finish, having taken the item, and the awaiting task be cancelled
 * before it resumed: the item would be gone with nobody holding it. Each await runs it afresh.
 * It is also a thenable (`then` runs it as a task of the running loop), typed as a Promise so it
 * can be an async iterator's `next()` result.
 */
export class Operation<T> implements Awaitable<T>, Promise<T> {
  readonly #start: () => Iterator<unknown, T, unknown>;
  readonly #what: string;

  /** @internal `start` makes the iterator each await runs; `what` names it in errors. */
  constructor(start: () => Iterator<unknown, T, unknown>, what: string) {
    this.#start = start;
    this.#what = what;
  }

  [__await__](): Iterator<unknown, T, unknown> {
    return this.#start();
  }

  /** `yield* op` in a coroutine, typed `T`. */
  [Symbol.iterator](): Iterator<unknown, T, unknown> {
    return this.#start();
  }

  /** Runs this operation as a task on the running loop; for code that treats it as a thenable. */
  then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return thenOnLoop(this, this.#what, onfulfilled, onrejected) as Promise<R1 | R2>;
  }

  catch<R = never>(onrejected?: ((reason: unknown) => R | PromiseLike<R>) | null): Promise<T | R> {
    return this.then(undefined, onrejected);
  }

  finally(onfinally?: (() => void) | null): Promise<T> {
    return (thenOnLoop(this, this.#what, undefined, undefined) as Promise<T>).finally(onfinally);
  }

  get [Symbol.toStringTag](): string {
    return "Operation";
  }
}
