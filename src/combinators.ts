/**
 * combinators.ts: gather, race, timeout and shield, built on tasks and cancel().
 *
 * Nothing here touches the loop's internals: a combinator is a coroutine that owns child tasks,
 * parks on a future, and is woken by a latch that its children notify when they settle. The rule
 * they share (Trio's): a combinator does not return while work it started is still running.
 */

import { checkSeconds } from "./checks.js";
import { coroutine } from "./coroutine.js";
import { CancelledError, TimeoutError, UsageError } from "./errors.js";
import { currentLoop, type AwaitableLike } from "./loop.js";
import { Task, type Waiter } from "./task.js";

/** Wakes its owner once every child has settled, or as soon as one fails. */
class Latch implements Waiter {
  readonly done = Task._future<void>("gather-latch");
  failure: Task<unknown> | null = null;
  readonly #children: readonly Task<unknown>[];
  #remaining: number;

  constructor(children: readonly Task<unknown>[]) {
    this.#children = children;
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
      detach(this.#children, this);
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
      // Wait for the cleanup without reading the outcome: an error raised during it is nobody's
      // result, so it stays unobserved and the loop's unhandled-error policy reports it.
      if (!child.done()) yield child._whenSettled();
    } catch {
      // This combinator was cancelled again while waiting: keep waiting, it ends after the cleanup.
    }
  }
}

/** A latch stops watching the children it no longer cares about, so their outcomes stay theirs. */
function detach(children: readonly Task<unknown>[], latch: Waiter): void {
  for (const child of children) if (!child.done()) child._removeWaiter(latch);
}

/** Makes each work a task of the running loop; if one cannot be, cancels those already started. */
function* startAll(works: readonly AwaitableLike<unknown>[]): Generator<unknown, readonly Task<unknown>[], unknown> {
  const loop = currentLoop();
  // The common case, gather(...tasks) of this loop's tasks: the children are the works as given
  // (an array of 100,000 tasks is not copied).
  let allOurs = true;
  for (const work of works) {
    if (!(work instanceof Task) || work._loop !== loop) {
      allOurs = false;
      break;
    }
  }
  if (allOurs) return works as readonly Task<unknown>[];
  const children: Task<unknown>[] = [];
  try {
    for (const work of works) children.push(loop.createTask(work));
  } catch (error) {
    yield* cancelAll(children);
    throw error;
  }
  return children;
}

const gathering = coroutine(function* gather(works: readonly AwaitableLike<unknown>[]) {
  const children = yield* startAll(works);
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

// ---- timeout ---------------------------------------------------------------------------------------

function errorOf(task: Task<unknown>): unknown {
  try {
    return task.exception();
  } catch (cancelled) {
    return cancelled;
  }
}

const timing = coroutine(function* timeout<T>(seconds: number, work: AwaitableLike<T>) {
  const loop = currentLoop();
  const inner = loop.createTask(work);
  let expired = false;
  const timer = loop.callLater(seconds, () => {
    expired = inner.cancel(`timeout(${seconds}) expired`);
  });
  const timedOut = () =>
    new TimeoutError(`timeout(${seconds}) expired: task "${inner.name}" did not finish within ${seconds} s.`, seconds);
  try {
    const value = (yield inner) as T;
    if (expired) throw timedOut(); // it caught the cancellation and returned: still too late
    return value;
  } catch (error) {
    // Only our own expiry becomes a TimeoutError: a cancellation of this task from outside (an
    // outer timeout, say) or a real error raised during the cleanup passes through unchanged.
    if (expired && error instanceof CancelledError && inner.cancelled() && error === errorOf(inner)) {
      throw timedOut();
    }
    throw error;
  } finally {
    timer.cancel();
  }
});

/**
 * Runs `work` with a time limit: gives its result, or, once `seconds` pass on the loop's clock,
 * cancels it, waits for its cleanup (awaiting `finally` blocks included), and throws a
 * TimeoutError naming the limit and the task. Work that catches the cancellation and returns still
 * times out. Nested timeouts: only the one whose deadline passed raises TimeoutError; the others see
 * a CancelledError. When the deadline and the work's completion fall on the same instant, whichever
 * was scheduled first wins (work already running when `timeout` was called finishes first).
 *
 * @example
 * ```ts
 * try {
 *   const page = yield* timeout(2, fetchPage(url));
 * } catch (error) {
 *   if (error instanceof TimeoutError) console.log("too slow");
 * }
 * ```
 */
export function timeout<T>(seconds: number, work: AwaitableLike<T>): Task<T> {
  checkSeconds(seconds, "seconds", "timeout()");
  return timing(seconds, work) as Task<T>;
}

// ---- race ------------------------------------------------------------------------------------------

/** Wakes its owner when the first child settles, and remembers which. */
class FirstLatch implements Waiter {
  readonly done = Task._future<void>("race-latch");
  winner: Task<unknown> | null = null;
  readonly #children: readonly Task<unknown>[];

  constructor(children: readonly Task<unknown>[]) {
    this.#children = children;
    for (const child of children) {
      if (child.done()) this._wake(child);
      else child._addWaiter(this);
    }
  }

  _wake(child: Task<unknown>): void {
    if (this.winner !== null) return;
    this.winner = child;
    this.done._resolve(undefined);
    detach(this.#children, this);
  }
}

const racing = coroutine(function* race(works: readonly AwaitableLike<unknown>[]) {
  if (works.length === 0) {
    throw new UsageError("race() needs at least one awaitable: with none, nothing could ever win.");
  }
  const children = yield* startAll(works);
  const latch = new FirstLatch(children);
  try {
    if (latch.winner === null) yield latch.done;
  } catch (error) {
    yield* cancelAll(children); // race itself was cancelled
    throw error;
  }
  const winner = latch.winner!;
  yield* cancelAll(children.filter((child) => child !== winner));
  return winner.result() as never;
});

/**
 * Runs several awaitables concurrently; the first to finish wins, with its value or its error. The
 * others are cancelled, and `race` returns only after their cleanup has finished. Cancelling
 * `race` cancels them all. `race()` with nothing to race is a UsageError.
 *
 * @example
 * ```ts
 * const first = yield* race(asleep(2, "slow"), asleep(1, "fast")); // "fast", after 1 s
 * ```
 */
export function race<const T extends readonly unknown[]>(
  ...works: { readonly [K in keyof T]: AwaitableLike<T[K]> }
): Task<T[number]> {
  return racing(works as readonly AwaitableLike<unknown>[]) as Task<T[number]>;
}

// ---- shield ----------------------------------------------------------------------------------------

const shielding = coroutine(function* shield<T>(work: AwaitableLike<T>) {
  const inner = currentLoop().createTask(work);
  if (inner.done()) return (yield inner) as T;
  const mirror = Task._future<T>("shield");
  inner._addWaiter(mirror);
  try {
    return (yield mirror) as T;
  } finally {
    // Cancelled: the inner work goes on, and its outcome, no longer watched, is its own to report.
    if (!inner.done()) inner._removeWaiter(mirror);
  }
});

/**
 * Protects `work` from cancellation of whoever awaits it, as asyncio's `shield`: cancelling the
 * awaiter throws CancelledError at its await at once, while `work` runs on to its end.
 *
 * @example
 * ```ts
 * const saved = yield* shield(saveToDisk(state)); // a cancel here does not interrupt the save
 * ```
 */
export function shield<T>(work: AwaitableLike<T>): Task<T> {
  return shielding(work) as Task<T>;
}
