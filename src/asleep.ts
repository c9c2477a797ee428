/**
 * asleep.ts: the post's `sleep` generator and its `asleep` awaitable, on the loop's clock.
 *
 * `sleep(seconds, value)` is the post's `sleep`: it yields `NotReady(remaining)` until the clock
 * reaches the deadline, then returns `value`. `asleep(seconds, value)` is the post's bonus class:
 * an object whose `[__await__]` is that generator. Both read the running loop's clock; driven by
 * a foreign loop (no handloop loop running), they read real monotonic time, so the post's toy
 * loop can drive them unchanged.
 */

import { __await__, markRequest, NotReady, SLEEP_REQUEST, thenOnLoop, YieldOnce, type Awaitable } from "./awaitable.js";
import { checkSeconds } from "./checks.js";
import { running } from "./running.js";

// Phases of an ASleep used as its own iterator.
const IDLE = 0;
const HANDED = 1;
const YIELDED = 2;

function now(): number {
  const loop = running.loop;
  return loop === null ? performance.now() / 1000 : loop.time();
}

/**
 * The post's `sleep` as a generator: yields `NotReady(remaining)` hints until `seconds` have
 * passed on the loop's clock (an early wake-up just yields again), then returns `value`.
 * `sleep(0)` still yields once, as asyncio's `sleep(0)` gives every other ready task a turn.
 * In a hand-written coroutine, run it with `yield*`; hand it to `createTask` as the post's first
 * example hands its loop bare generators.
 *
 * @example
 * ```ts
 * const loop = new EventLoop({ clock: new VirtualClock() });
 * const slow = loop.createTask(sleep(3, "Sleep 3 over"));
 * loop.runUntilComplete(slow); // "Sleep 3 over"
 * ```
 */
export function sleep(seconds: number): Generator<NotReady, undefined, unknown>;
export function sleep<T>(seconds: number, value: T): Generator<NotReady, T, unknown>;
export function sleep<T>(seconds: number, value?: T): Generator<NotReady, T | undefined, unknown> {
  return sleeping(checkSeconds(seconds, "seconds", "sleep()"), value);
}

function* sleeping<T>(seconds: number, value: T): Generator<NotReady, T, unknown> {
  const deadline = now() + seconds;
  let remaining = seconds;
  do {
    const hint = new NotReady(remaining);
    hint._deadline = deadline;
    yield hint;
    remaining = deadline - now();
  } while (remaining > 0);
  return value;
}

/**
 * The awaitable from `asleep(seconds, value)`: awaiting it waits `seconds` on the loop's clock and
 * gives `value`. Its `[__await__]` (and `[Symbol.iterator]`, for a typed `yield*`) is
 * `sleep(seconds, value)`. It is also thenable, so that TypeScript types `await asleep(1, x)` in
 * an `async` function as `x`'s type; `then` runs it as a task on the running loop.
 *
 * @example
 * ```ts
 * const nap = asleep(0.25, "rested");
 * const v = yield* nap; // in a coroutine: v is "rested", a quarter second later
 * ```
 */
export class ASleep<T = undefined> implements Awaitable<T>, PromiseLike<T> {
  /** How long the await waits, in seconds on the loop's clock. */
  readonly seconds: number;
  /** What the await gives once the time has passed. */
  readonly value: T;
  // Its own iterator for `yield*` (see [Symbol.iterator]): IDLE, HANDED out, or YIELDED itself.
  #phase = IDLE;

  /** @internal Use `asleep()`: it validates `seconds`. */
  constructor(seconds: number, value: T) {
    this.seconds = seconds;
    this.value = value;
  }

  [__await__](): Generator<NotReady, T, unknown> {
    return sleeping(this.seconds, this.value);
  }

  /**
   * `yield* asleep(t)` in a hand-written coroutine, typed `T`. On a handloop loop this yields the
   * ASleep itself, which the stepper parks on its timer heap directly (no generator, no NotReady);
   * driven by anything else it is the `sleep()` generator, NotReady hints and all.
   */
  [Symbol.iterator](): Iterator<NotReady | ASleep<T>, T, unknown> {
    if (running.loop === null) return sleeping(this.seconds, this.value);
    // Most sleeps are awaited once, right away: the sleep is its own iterator then, which saves
    // an object per sleeping task (100,000 sleepers, 100,000 objects fewer to collect). One that
    // is mid-await already (shared by tasks sleeping at once) hands out a separate iterator.
    if (this.#phase !== IDLE) return new YieldOnce<ASleep<T>, T>(this);
    this.#phase = HANDED;
    return this as Iterator<ASleep<T>, T, unknown>;
  }

  /** @internal `yield*` runs this (see [Symbol.iterator]): yields the sleep once, returns what it is resumed with. */
  next(value?: unknown): IteratorResult<ASleep<T>, T> {
    if (this.#phase === HANDED) {
      this.#phase = YIELDED;
      return { done: false, value: this };
    }
    this.#phase = IDLE;
    return { done: true, value: value as T };
  }

  /** @internal An error thrown in at the await (a cancel) passes through. */
  throw(error: unknown): IteratorResult<ASleep<T>, T> {
    this.#phase = IDLE;
    throw error;
  }

  /** @internal */
  return(value?: T): IteratorResult<ASleep<T>, T> {
    this.#phase = IDLE;
    return { done: true, value: value as T };
  }

  /**
   * Runs this sleep as a task on the running loop and subscribes to it, for code that treats it as
   * a thenable. Outside a loop it throws a UsageError (so a native `await asleep(1)` rejects with
   * it): there is no loop to sleep on.
   */
  then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): PromiseLike<R1 | R2> {
    return thenOnLoop(this, `asleep(${this.seconds})`, onfulfilled, onrejected);
  }
}
markRequest(ASleep.prototype, SLEEP_REQUEST);

/**
 * The post's bonus: an awaitable that waits `seconds` (a finite number >= 0) on the loop's clock
 * and gives `value`. `await asleep(t)` in compiled `async` code, `yield* asleep(t)` (typed) or
 * `yield asleep(t)` in a hand-written coroutine. `asleep(0)` (no value), the idiom for letting
 * the other ready tasks run once, is one shared, frozen object: no sleep is made per await.
 *
 * @example
 * ```ts
 * const printEveryPeriod = coroutine(function* (msg: string, period: number) {
 *   for (let i = 0; i < Math.trunc(3 / period); i++) {
 *     yield* asleep(period);
 *     console.log(msg);
 *   }
 *   return `Print ${period} over`;
 * });
 * ```
 */
export function asleep(seconds: number): ASleep<undefined>;
export function asleep<T>(seconds: number, value: T): ASleep<T>;
export function asleep<T>(seconds: number, value?: T): ASleep<T | undefined> {
  // `await asleep(0)` is the idiom for "let the others run": one shared sleep serves them all.
  if (seconds === 0 && value === undefined) return YIELD_TURN;
  return new ASleep(checkSeconds(seconds, "seconds", "asleep()"), value);
}

// Frozen, so nobody can change it for everyone (its iterator phase is a private field: unaffected).
const YIELD_TURN = Object.freeze(new ASleep<undefined>(0, undefined)) as ASleep<undefined>;
