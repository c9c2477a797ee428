/**
 * combinators.ts: gather, race, timeout and shield, built on tasks and cancel().
 *
 * Nothing here touches the loop's internals: a combinator is a coroutine that owns child tasks,
 * parks on a future, and is woken by a latch that its children notify when they settle. The rules
 * they share (Trio's):
 * - A combinator does not return or throw while work it started is still running (shield aside,
 *   whose point is to let it run on), however many times it is cancelled: each cancel is passed on
 *   to the children still running, as a task passes it to the task it awaits.
 * - No error is lost (see task.ts): a latch listens only while its owner cares. The failure it
 *   picked is claimed until the owner rethrows it; an owner that ends otherwise (cancelled) gives
 *   it up, and the loop reports it. Children it stopped listening to report their own errors.
 */

import { checkSeconds } from "./checks.js";
import { coroutine } from "./coroutine.js";
import { CancelledError, TimeoutError, UsageError } from "./errors.js";
import { currentLoop, type AwaitableLike } from "./loop.js";
import { Task, type Waiter } from "./task.js";

/**
 * Listens to the children for its owner, and wakes it (settles `done`) once it has what it waits
 * for: the one child it picked (`picked`, claimed if it failed), or all of them. It stops
 * listening as soon as it has decided, or when its owner gives up; a child it is not listening to
 * keeps its outcome to itself, so its failure is reported if nobody else receives it.
 */
abstract class Listener implements Waiter {
  readonly done: Task<void>;
  picked: Task<unknown> | null = null;
  readonly #children: readonly Task<unknown>[];

  constructor(children: readonly Task<unknown>[], label: string) {
    this.done = Task._future<void>(label);
    this.#children = children;
  }

  /** Starts listening; children already settled are heard at once, in order, until it decides. */
  protected listen(): void {
    for (const child of this.#children) {
      if (this.done.done()) return; // decided: the rest are not listened to
      if (child.done()) {
        child._claim(); // heard now, as a waiter would have been when it settled
        this._wake(child);
      } else child._addWaiter(this);
    }
  }

  _wake(child: Task<unknown>): void {
    // Decided already, or the owner gave up (its wait on `done` was cancelled): not listening.
    if (this.done.done()) return child._decline();
    this.hear(child);
  }

  /** A child settled while it listens. */
  protected abstract hear(child: Task<unknown>): void;

  /** Decides on `child`: wakes the owner and stops listening to the others. */
  protected pick(child: Task<unknown> | null): void {
    this.picked = child;
    this.done._resolve(undefined);
    this.#detach();
  }

  /** The owner will not deliver the outcome it waited for (it was cancelled): stop listening. */
  abandon(): void {
    if (!this.done.done()) this.done.cancel();
    this.#detach();
    this.picked?._decline();
    this.picked = null;
  }

  #detach(): void {
    for (const child of this.#children) if (!child.done()) child._removeWaiter(this);
  }
}

/** gather's: wakes its owner once every child has settled, or as soon as one fails (picked). */
class Latch extends Listener {
  #remaining: number;

  constructor(children: readonly Task<unknown>[]) {
    super(children, "gather-latch");
    this.#remaining = children.length;
    if (children.length === 0) this.done._resolve(undefined);
    this.listen();
  }

  protected hear(child: Task<unknown>): void {
    if (child._failed) this.pick(child);
    else if (--this.#remaining === 0) this.pick(null);
  }
}

/** race's: wakes its owner when the first child settles, and picks it. */
class FirstLatch extends Listener {
  constructor(children: readonly Task<unknown>[]) {
    super(children, "race-latch");
    this.listen();
  }

  protected hear(child: Task<unknown>): void {
    this.pick(child);
  }
}

/**
 * Cancels every child still running and waits until each has finished its cleanup. Cancelled
 * itself meanwhile, it passes the cancel on to the children still running and keeps waiting.
 */
function* cancelAll(children: readonly Task<unknown>[]): Generator<unknown, void, unknown> {
  for (const child of children) child.cancel();
  for (const child of children) {
    while (!child.done()) {
      try {
        // Wait for the cleanup without reading the outcome: an error raised during it is nobody's
        // result, so it stays unobserved and the loop's unhandled-error policy reports it.
        yield child._whenSettled();
      } catch {
        for (const other of children) other.cancel();
      }
    }
  }
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
    // gather itself was cancelled: its children go with it, and it ends after their cleanup. A
    // failure it had picked and will not throw now is nobody's: the loop reports it.
    latch.abandon();
    yield* cancelAll(children);
    throw error;
  }
  const failure = latch.picked;
  if (failure !== null) {
    yield* cancelAll(children);
    return failure.result() as never;
  }
  return children.map((child) => child.result());
});

/**
 * Runs several awaitables concurrently and gives their results in input order, as asyncio's
 * `gather`. Tasks are awaited as they are; other awaitables, thenables and generators become new
 * tasks. When a child fails, gather cancels the children still running, waits for their cleanup,
 * then fails with the first error in time; cancelling gather cancels every child the same way. It
 * returns or throws only once every child has ended, however many times it is cancelled.
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
  let expired: TimeoutError | null = null;
  const timer = loop.callLater(seconds, () => {
    // Made now, so that the work's AbortSignal (currentSignal()) aborts with the very error this
    // timeout throws.
    const error = new TimeoutError(`timeout(${seconds}) expired: task "${inner.name}" did not finish within ${seconds} s.`, seconds);
    if (inner._cancelWith(`timeout(${seconds}) expired`, error)) expired = error;
  });
  try {
    const value = (yield inner) as T;
    if (expired !== null) throw expired; // it caught the cancellation and returned: still too late
    return value;
  } catch (error) {
    // Only our own expiry becomes a TimeoutError: a cancellation of this task from outside (an
    // outer timeout, say) or a real error raised during the cleanup passes through unchanged.
    if (expired !== null && error instanceof CancelledError && inner.cancelled() && error === errorOf(inner)) {
      throw expired;
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

const racing = coroutine(function* race(works: readonly AwaitableLike<unknown>[]) {
  if (works.length === 0) {
    throw new UsageError("race() needs at least one awaitable: with none, nothing could ever win.");
  }
  const children = yield* startAll(works);
  const latch = new FirstLatch(children);
  try {
    if (!latch.done.done()) yield latch.done;
  } catch (error) {
    latch.abandon(); // race itself was cancelled (see gather)
    yield* cancelAll(children);
    throw error;
  }
  const winner = latch.picked!;
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

/** shield's: wakes its owner when the work settles, holding a claim on a failure. */
class ShieldLink extends Listener {
  constructor(inner: Task<unknown>) {
    super([inner], "shield");
    this.listen();
  }

  protected hear(inner: Task<unknown>): void {
    this.pick(inner);
  }
}

const shielding = coroutine(function* shield<T>(work: AwaitableLike<T>) {
  const inner = currentLoop().createTask(work);
  const link = new ShieldLink(inner);
  try {
    if (!link.done.done()) yield link.done;
  } catch (error) {
    // Cancelled: the inner work goes on, and its outcome, no longer listened to, is its own to
    // report (a failure it had already met included).
    link.abandon();
    throw error;
  }
  return inner.result();
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
