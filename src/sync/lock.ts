/**
 * sync/lock.ts: Lock and Semaphore (asyncio's), FIFO-fair.
 *
 * Releasing hands the lock (or a permit) straight to the first waiter, so a task that calls
 * `acquire()` later cannot overtake one already waiting. A waiter cancelled after it was handed
 * the lock, before it ran, releases it again at once: a cancelled waiter never leaks the lock.
 */

import { describe } from "../describe.js";
import { UsageError } from "../errors.js";
import type { Task } from "../task.js";
import { PARK, WaiterQueue, WaitOp } from "../wait.js";

/**
 * A mutual-exclusion lock. `acquire()` waits until the lock is free and takes it; `release()`
 * frees it (handing it to the first waiter). Releasing a lock that is not held is a UsageError.
 * Hold it with try/finally so that cancellation releases it too.
 *
 * @example
 * ```ts
 * const lock = new Lock();
 * const critical = coroutine(function* () {
 *   yield* lock.acquire();
 *   try { yield* asleep(1); } finally { lock.release(); }
 * });
 * ```
 */
export class Lock {
  #locked = false;
  readonly #waiters = new WaiterQueue();
  readonly #acquireOp: WaitOp<true> = new Acquire(this, "a Lock to be released");

  /** Whether some task holds the lock. */
  locked(): boolean {
    return this.#locked;
  }

  /** Waits until the lock is free and takes it; gives `true`. */
  acquire(): WaitOp<true> {
    return this.#acquireOp;
  }

  /** Frees the lock, handing it to the first waiter if there is one. */
  release(): void {
    if (!this.#locked) throw new UsageError("Cannot release() a Lock that is not locked; release only what you acquired.");
    this._release();
  }

  /** @internal */
  _tryTake(): boolean {
    if (this.#locked || this.#waiters.length > 0) return false;
    this.#locked = true;
    return true;
  }

  /** @internal */
  _release(): void {
    const next = this.#waiters.shift();
    if (next !== undefined) next._resume(this.#acquireOp, true); // stays locked, now by `next`
    else this.#locked = false;
  }

  /** @internal */
  get _waiters(): WaiterQueue {
    return this.#waiters;
  }
}

/**
 * A counter of permits, `value` at the start. `acquire()` waits until a permit is free and takes
 * it; `release()` gives one back (to the first waiter). Releasing above the starting value is a
 * UsageError: it means some task released a permit it never acquired.
 *
 * @example
 * ```ts
 * const slots = new Semaphore(4); // at most four fetches at a time
 * const fetchLimited = coroutine(function* (url: string) {
 *   yield* slots.acquire();
 *   try { return yield* fetchPage(url); } finally { slots.release(); }
 * });
 * ```
 */
export class Semaphore {
  readonly #initial: number;
  #value: number;
  readonly #waiters = new WaiterQueue();
  readonly #acquireOp: WaitOp<true> = new Acquire(this, "a Semaphore permit");

  constructor(value = 1) {
    if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
      throw new RangeError(`Expected \`value\` of new Semaphore() to be an integer >= 0, got ${describe(value)}.`);
    }
    this.#initial = value;
    this.#value = value;
  }

  /** How many permits are free now. */
  get value(): number {
    return this.#value;
  }

  /** Whether `acquire()` would wait. */
  locked(): boolean {
    return this.#value === 0 || this.#waiters.length > 0;
  }

  /** Waits until a permit is free and takes it; gives `true`. */
  acquire(): WaitOp<true> {
    return this.#acquireOp;
  }

  /** Gives a permit back, to the first waiter if there is one. */
  release(): void {
    if (this.#value >= this.#initial && this.#waiters.length === 0) {
      throw new UsageError(
        `Cannot release() a Semaphore above its starting value ${this.#initial}; release only permits you acquired.`,
      );
    }
    this._release();
  }

  /** @internal */
  _tryTake(): boolean {
    if (this.#value === 0 || this.#waiters.length > 0) return false;
    this.#value--;
    return true;
  }

  /** @internal */
  _release(): void {
    const next = this.#waiters.shift();
    if (next !== undefined) next._resume(this.#acquireOp, true); // the permit goes straight to `next`
    else this.#value++;
  }

  /** @internal */
  get _waiters(): WaiterQueue {
    return this.#waiters;
  }
}

interface Acquirable {
  _tryTake(): boolean;
  _release(): void;
  readonly _waiters: WaiterQueue;
}

class Acquire extends WaitOp<true> {
  readonly #owner: Acquirable;
  readonly #what: string;
  constructor(owner: Acquirable, what: string) {
    super();
    this.#owner = owner;
    this.#what = what;
  }
  _begin(task: Task<unknown>): true | typeof PARK {
    if (this.#owner._tryTake()) return true;
    this.#owner._waiters.push(task);
    return PARK;
  }
  _cancel(task: Task<unknown>, delivered: boolean): void {
    if (delivered) this.#owner._release(); // handed over but never used: pass it on
    else this.#owner._waiters.remove(task);
  }
  _describe(): string {
    return this.#what;
  }
}
