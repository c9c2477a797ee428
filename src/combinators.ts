/**
 * combinators.ts: ways to wait on several things at once, built on tasks and cancel().
 *
 * Nothing here touches the loop's internals: a combinator is a coroutine that owns child tasks,
 * parks on a future, and is woken by a latch that its children notify when they settle. The rule
 * they share (Trio's): a combinator does not return while work it started is still running.
 */

import type { AwaitableLike } from "./loop.js";
import { currentLoop } from "./loop.js";
import { coroutine } from "./coroutine.js";
import { Task, type Waiter } from "./task.js";

/** Wakes its owner once every child has settled, or as soon as one fails. */
class Latch implements Waiter {
  readonly done = Task._future<void>("gather-latch");
  failure: Task<unknown> | null = null;
  #remaining: number;

  constructor(children: readonly Task<unknown>[]) {
    this.#remaining = children.length;
    if (children.length === 0) this.done._resolve(undefined);
    for (const child of children) {
      if (child.done()) this._wake(child);
      else child._addWaiter(this);
    }
  }

  _wake(child: Task<unknown>): void {
    if (this.done.done()) return;
    if (child._failed) {
      this.failure = child;
      this.done._resolve(undefined);
    } else if (--this.#remaining === 0) {
      this.done._resolve(undefined);
    }
  }
}

/** Cancels every child still running and waits until each has finished its cleanup. */
function* cancelAll(children: readonly Task<unknown>[]): Generator<unknown, void, unknown> {
  for (const child of children) child.cancel();
  for (const child of children) {
    try {
      if (!child.done()) yield child;
    } catch {
      // Their outcomes are not what the caller asked about; waiting for the cleanup is.
    }
  }
}

const gathering = coroutine(function* gather(works: readonly AwaitableLike<unknown>[]) {
  const loop = currentLoop();
  const children: Task<unknown>[] = [];
  try {
    for (const work of works) children.push(loop.createTask(work));
  } catch (error) {
    yield* cancelAll(children);
    throw error;
  }
  const latch = new Latch(children);
  try {
    if (!latch.done.done()) yield latch.done;
  } catch (error) {
    // gather itself was cancelled: its children go with it, and it returns after their cleanup.
    yield* cancelAll(children);
    throw error;
  }
  if (latch.failure !== null) {
    yield* cancelAll(children);
    return latch.failure.result() as never;
  }
  return children.map((child) => child.result());
});

/**
 * Runs several awaitables concurrently and gives their results in input order, as asyncio's
 * `gather`. Tasks are awaited as they are; other awaitables, thenables and generators become new
 * tasks. When a child fails, gather cancels the children still running, waits for their cleanup,
 * then fails with the first error in time; cancelling gather cancels every child the same way.
 * Called outside a loop it starts when a loop adopts it, like a coroutine.
 *
 * @example
 * ```ts
 * const [a, b] = yield* gather(asleep(2, "a"), asleep(1, "b")); // after 2 s: ["a", "b"]
 * ```
 */
export function gather<const T extends readonly unknown[]>(
  ...works: { readonly [K in keyof T]: AwaitableLike<T[K]> }
): Task<{ -readonly [K in keyof T]: T[K] }> {
  return gathering(works as readonly AwaitableLike<unknown>[]) as Task<never>;
}
