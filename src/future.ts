/**
 * future.ts: Future, asyncio's Future for hand-written code: a Task with no coroutine, settled by
 * hand with `resolve` / `reject`.
 *
 * All of a future's life but settling is a Task's (task.ts): awaiting it (`yield* fut`, compiled
 * `await fut`), `then`, `cancel()`, `done()`, `result()`, `exception()`, the unhandled-error
 * policy. This file adds the two calls that settle it, and their one rule: the first call that
 * resolves, rejects or cancels it wins; the later ones do nothing and say so (`false`).
 */

import { Task } from "./task.js";

/**
 * A value that will be there later, settled by hand: asyncio's `Future`. Make one with
 * `createFuture<T>()`, hand it to the code that will produce the value (a callback, another task),
 * and await it: `yield* fut` in a coroutine (typed `T`), `await fut` in compiled code, or `then`.
 * It is a Task with no coroutine, so everything a Task has it has: `done()`, `result()`,
 * `exception()`, `cancel()`, `cancelled()`, `name`, and the unhandled-error policy (a future
 * rejected with nobody awaiting it is reported as a failed task is).
 *
 * The first of `resolve`, `reject` and `cancel` settles it; later calls do nothing and return
 * `false`, so a callback may resolve a future that a timeout already cancelled. As with asyncio,
 * a task awaiting a future that is cancelled cancels the future too (wrap it in `shield()` when
 * others still need it).
 *
 * @example
 * ```ts
 * const loop = new EventLoop({ clock: new VirtualClock() });
 * const reply = createFuture<string>();
 * loop.callLater(2, () => reply.resolve("pong"));
 * loop.runUntilComplete(coroutine(function* () {
 *   const text = yield* reply; // "pong", typed as string, at 2 s
 *   return text;
 * })());
 * ```
 */
export class Future<T> extends Task<T> {
  private constructor(name: string | undefined) {
    super(null, 0, "Future");
    if (name !== undefined) this.name = name;
  }

  /** @internal What `createFuture()` calls: the one way to make a Future. */
  static _make<T>(name: string | undefined): Future<T> {
    return new Future<T>(name);
  }

  /**
   * Settles the future with `value`, or, given a thenable (a Task, a LoopPromise, any
   * PromiseLike), with its outcome once it settles, as a Promise's `resolve` adopts one. Returns
   * whether this call settled (or locked in) the future: `false` when it was already resolved,
   * rejected or cancelled.
   */
  resolve(value: T | PromiseLike<T>): boolean {
    if (this.done() || this._locked) return false;
    this._lock();
    this._resolve(value);
    return true;
  }

  /**
   * Fails the future with `error` (a CancelledError cancels it). Returns whether this call settled
   * the future: `false` when it was already resolved, rejected or cancelled.
   */
  reject(error: unknown): boolean {
    if (this.done() || this._locked) return false;
    this._lock();
    this._reject(error);
    return true;
  }

  override get [Symbol.toStringTag](): string {
    return "Future";
  }
}

/**
 * A new pending Future, settled by hand with `resolve(value)` or `reject(error)` (asyncio's
 * `loop.create_future()`). `name` names it in errors and `toString()` (`Future-<id>` otherwise).
 *
 * @example
 * ```ts
 * const ready = createFuture<number>({ name: "answer" });
 * setAnswerLater(ready);             // code of yours that calls ready.resolve(42)
 * const answer = yield* ready;       // in a coroutine: 42, typed as number
 * ```
 */
export function createFuture<T>(options?: { name?: string }): Future<T> {
  return Future._make<T>(options?.name);
}
