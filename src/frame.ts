/**
 * frame.ts: frame mode. A loop whose clock is a FrameClock is driven by its host one frame at a
 * time, `loop.advance(dt)`, and its tasks count frames and frame time: `nextFrame()`,
 * `frames(n)`, `asleepRealtime(seconds)`.
 *
 * `advance` runs the loop's turns as any run does (loop.ts); what is different is what happens
 * when the ready queue empties. Instead of waiting on its clock, the loop asks this file's
 * FrameDriver where time goes next (`_idle`): to the earliest deadline due within the frame (a
 * timer on the loop's heap, in scaled time, or a realtime sleep on the driver's own heap, in frame
 * time: whichever frame time reaches first), where the turns due at that instant run before time
 * moves on; or, with none left, to the frame's end, where the tasks awaiting `nextFrame()` are
 * released; then, once the queue is idle again, the advance is over. So a deadline inside a frame
 * is reached exactly, and a sleep begun there is counted from there: `asleep(0.1)` in a loop wakes
 * 100 times in 10 s at 60 fps and at 144 fps alike, where a timer checked once a frame would wake
 * 96 times at 144 fps (each wake-up late by up to a frame, and the next sleep counted from it).
 *
 * `advance` never waits and reads no clock of the host's, except that a `budgetMs` bound reads
 * the host's real time to know when the budget is spent. With `maxSteps` or `budgetMs` it stops
 * between two turns once the bound is reached; the clock stays at the instant it had reached (no
 * deadline is ever skipped), the time left is owed (`FrameClock.lag`), and the next advance
 * catches up first. Promise jobs and tasks that become ready between advances (a Future resolved
 * by an input handler, say) wait in the ready queue and run at the start of the next advance,
 * before time moves.
 *
 * Invariants:
 * - Frame time and scaled time never go back, and never pass a due deadline: every deadline at or
 *   before the frame's end (within sameInstant) is stepped onto before time moves past it.
 * - At most one frame promise is pending: the one released at the next frame end reached.
 * - A FrameClock belongs to one loop, bound on its first advance (`clock._driver`).
 */

import { __await__, thenOnLoop, type Awaitable } from "./awaitable.js";
import { checkSeconds, inTask } from "./checks.js";
import { FrameClock } from "./clock.js";
import { describe } from "./describe.js";
import { UsageError } from "./errors.js";
import { createFuture, type Future } from "./future.js";
import type { EventLoop } from "./loop.js";
import { LoopPromise, setHostLoop } from "./promise.js";
import { running } from "./running.js";
import type { Task, Waiter } from "./task.js";
import { TimerHeap, type TimerEntry } from "./timer-heap.js";

/** Options of `loop.advance()`. */
export interface AdvanceOptions {
  /**
   * At most this many loop turns in this advance (a whole number >= 1; no bound unless told). A
   * turn runs every task and callback that was ready when it began, once.
   */
  maxSteps?: number;
  /**
   * Start no new turn once this many milliseconds of the host's real time have passed since the
   * advance began (>= 0; no bound unless told). The first turn always runs.
   */
  budgetMs?: number;
}

/** What `loop.advance()` did. */
export interface AdvanceResult {
  /** How many loop turns it ran. */
  steps: number;
  /**
   * Whether it stopped with work left (at `maxSteps`, `budgetMs` or `stop()`): tasks still ready,
   * or deadlines of the frame not yet reached (then `FrameClock.lag` is the time owed). The next
   * advance goes on from there.
   */
  pending: boolean;
}

/**
 * What `frames(n)` and `asleepRealtime(seconds)` give: an awaitable, also iterable for a typed
 * `yield*` in a hand-written coroutine, and thenable so that `await` is typed in an `async` function.
 */
export interface FrameAwaitable<T> extends Awaitable<T>, PromiseLike<T> {
  [Symbol.iterator](): Iterator<unknown, T, unknown>;
}

// Discussion: a sleeper's deadline is a sum of sleeps, and frame time a sum of `dt`s, so two
// instants equal on paper (the 100th sleep of 0.1 s and the 1440th frame of 1/144 s) differ in the
// last bits of their floats, and then a sleeper due "at" a frame's end would wake a frame late at
// some frame rates and not at others. So a deadline at most `sameInstant(t)` past the frame's end
// counts as due in it: the clock steps onto the deadline itself (no sleeper wakes early), and
// frame time runs ahead of the `dt`s by that little. Measured, a chain of 0.1 s sleeps drifts
// 2e-14 s in 10 s, 2e-9 s in an hour and 5e-7 s in a day; the bound is 1 ns or 1e-11 of the time,
// whichever is more (4e-8 s at an hour, 9e-7 s at a day): far below a frame, above the drift.
// Frame time itself is summed with compensation (FrameClock._extend), so it does not drift.
function sameInstant(t: number): number {
  const relative = t * 1e-11;
  return relative > 1e-9 ? relative : 1e-9;
}

// The host's real time in milliseconds, as it was when this module loaded: `globals: "virtual"`
// replaces `performance.now()` during runs, and a budget is spent in real time, not the loop's.
// (A realm with no `performance`, such as a bare `vm` context, has Date.)
const hostMs: () => number = typeof performance === "object" && performance !== null ? performance.now.bind(performance) : Date.now;

/**
 * @internal Frame mode of one loop: the stepping of its FrameClock between turns, its frame
 * count, its realtime sleeps and its frame promise. Made by the loop's first `advance()`.
 */
export class FrameDriver {
  readonly #loop: EventLoop;
  readonly #clock: FrameClock;
  /** The number of advances begun. */
  frame = 0;
  // asleepRealtime() sleepers, on frame time: the loop's heap is on scaled time, and no scaled
  // deadline stands for a frame time while the scale may change (or be 0).
  readonly #realtime = new TimerHeap<RealtimeTimer>();
  // What nextFrame() gives until the next frame end reached releases it; made on first ask.
  #framePromise: LoopPromise<number> | null = null;
  #release: ((frame: number) => void) | null = null;
  // This advance's: whether it has reached its frame's end (and released the frame's waiters),
  // whether it is over (nothing left to run or reach), its turns, and its bounds.
  #ended = false;
  #done = false;
  #steps = 0;
  #maxSteps = Number.POSITIVE_INFINITY;
  #budgetMs = Number.POSITIVE_INFINITY;
  #startedMs = 0;

  private constructor(loop: EventLoop, clock: FrameClock) {
    this.#loop = loop;
    this.#clock = clock;
  }

  /**
   * @internal What `loop.advance(dt, options)` does before its run: checks the call, binds the
   * clock to the loop on the first advance, and begins frame `frame + 1`.
   */
  static _begin(loop: EventLoop, dt: number, options: AdvanceOptions | undefined): FrameDriver {
    const clock = loop.clock;
    if (!(clock instanceof FrameClock)) {
      throw new UsageError(
        `Cannot call advance() on a loop whose clock is ${describe(clock)}: advance() drives a loop made with new EventLoop({ clock: new FrameClock() }).`,
      );
    }
    if (running.loop !== null) {
      throw new UsageError(
        `Cannot call advance() while ${running.loop === loop ? "this" : "another"} EventLoop is running${inTask()}: the host calls advance() between frames. In a task, await nextFrame() or asleep() instead.`,
      );
    }
    checkSeconds(dt, "dt", "advance()");
    let maxSteps = Number.POSITIVE_INFINITY;
    let budgetMs = Number.POSITIVE_INFINITY;
    if (options !== undefined) {
      if (typeof options !== "object" || options === null) {
        throw new TypeError(`Expected \`options\` of advance() to be an object, got ${describe(options)}.`);
      }
      if (options.maxSteps !== undefined) maxSteps = checkMaxSteps(options.maxSteps);
      if (options.budgetMs !== undefined) budgetMs = checkSeconds(options.budgetMs, "budgetMs", "advance()");
    }
    let driver = clock._driver;
    if (driver === null) driver = clock._driver = new FrameDriver(loop, clock);
    else if (driver.#loop !== loop) {
      throw new UsageError(
        "Cannot call advance() with a FrameClock that already drives another EventLoop; give each loop a FrameClock of its own.",
      );
    }
    driver.frame++;
    driver.#ended = false;
    driver.#done = false;
    driver.#steps = 0;
    driver.#maxSteps = maxSteps;
    driver.#budgetMs = budgetMs;
    if (budgetMs !== Number.POSITIVE_INFINITY) driver.#startedMs = hostMs();
    clock._extend(dt);
    // Jobs of promises settled between frames (by an input handler, say) join this loop, to run
    // at the start of the next advance (see HostEnqueuePromiseJob).
    setHostLoop(loop);
    return driver;
  }

  /** @internal The frame driver of the loop running now; `call` names the caller in the UsageError otherwise. */
  static _running(call: string): FrameDriver {
    const loop = running.loop;
    if (loop === null) {
      throw new UsageError(
        `${call} was called with no EventLoop running; call it in a task of a loop driven by a FrameClock (loop.advance(dt) runs them).`,
      );
    }
    const clock = loop.clock;
    // (A FrameClock loop runs only in advance(), which made its driver.)
    if (clock instanceof FrameClock && clock._driver !== null) return clock._driver;
    throw new UsageError(
      `${call} was called${inTask()} on a loop whose clock is ${describe(clock)}; frames exist only on a loop made with new EventLoop({ clock: new FrameClock() }) and driven by loop.advance(dt).`,
    );
  }

  /** @internal `loop.frame`: the number of advances begun on `loop`, 0 if none (or not in frame mode). */
  static _frameOf(loop: EventLoop): number {
    const clock = loop.clock;
    return clock instanceof FrameClock && clock._driver !== null ? clock._driver.frame : 0;
  }

  /** @internal What `loop.advance()` returns once its run is over. */
  _result(): AdvanceResult {
    return { steps: this.#steps, pending: !this.#done };
  }

  /**
   * @internal The loop's ready queue is empty and `next` is its earliest timer (scaled time, or
   * Infinity): moves the clock to where the next work of the frame is, or says the advance is
   * over (false): its frame is done, or its bounds are spent (then the clock stays where it is,
   * short of work due further on, and the next advance goes on from here).
   */
  _idle(next: number): boolean {
    const clock = this.#clock;
    if (next <= clock.now()) return true; // armed during the last turn, already due: the next turn fires it
    const target = clock._target;
    const limit = target + sameInstant(target);
    const scaledAt = next === Number.POSITIVE_INFINITY ? next : clock._realAt(next);
    const realAt = this.#realtime.nextDeadline();
    const at = scaledAt <= realAt ? scaledAt : realAt;
    if (at > limit && (this.#ended || this.#release === null)) {
      // Nothing left to run in this frame: time goes to its end, and the advance is over.
      clock._stepTo(target);
      this.#ended = true;
      this.#done = true;
      return false;
    }
    if (this.#spent()) return false; // work is due further on, and no turn is left for it
    if (at <= limit) {
      if (scaledAt <= realAt) clock._stepToDeadline(next, scaledAt);
      else clock._stepTo(realAt);
      // The realtime sleepers due at this instant wake now; the loop's timers, in its next turn.
      const heap = this.#realtime;
      const real = clock.realtime();
      while (heap.nextDeadline() <= real) heap.pop()!._due();
      return true;
    }
    // The frame's end, where its waiters are released (once: after that, nextFrame() is the next frame's).
    clock._stepTo(target);
    this.#ended = true;
    const release = this.#release!;
    this.#release = null;
    this.#framePromise = null;
    release(this.frame);
    return true;
  }

  /** @internal Whether the loop may run another turn in this advance (and counts it). */
  _mayTurn(): boolean {
    if (this.#spent()) return false;
    this.#steps++;
    return true;
  }

  /** Whether this advance's bounds allow no further turn (the first always runs). */
  #spent(): boolean {
    const steps = this.#steps;
    if (steps >= this.#maxSteps) return true;
    return steps > 0 && this.#budgetMs !== Number.POSITIVE_INFINITY && hostMs() - this.#startedMs >= this.#budgetMs;
  }

  /** @internal The promise nextFrame() gives: released at the next frame end reached. */
  _nextFrame(): LoopPromise<number> {
    if (this.#framePromise === null) {
      const { promise, resolve } = LoopPromise.withResolvers<number>();
      this.#framePromise = promise;
      this.#release = resolve;
    }
    return this.#framePromise;
  }

  /** @internal A future fulfilled once frame time has moved `seconds` on. */
  _sleepRealtime(seconds: number): Future<undefined> {
    const timer = new RealtimeTimer(this.#realtime);
    this.#realtime.push(timer, this.#clock.realtime() + seconds);
    timer.future._addWaiter(timer);
    return timer.future;
  }
}

/**
 * A realtime sleep on the driver's heap: its future is what the sleeping task awaits. A task that
 * is cancelled cancels the future it awaits, which tells the timer (as a waiter) to leave the heap.
 */
class RealtimeTimer implements TimerEntry, Waiter {
  readonly future: Future<undefined> = createFuture<undefined>({ name: "asleepRealtime" });
  readonly #heap: TimerHeap<RealtimeTimer>;
  #fired = false;
  readonly _observes = false;

  constructor(heap: TimerHeap<RealtimeTimer>) {
    this.#heap = heap;
  }

  _armed(): boolean {
    return !this.future.done();
  }

  _due(): void {
    this.#fired = true;
    this.future.resolve(undefined);
  }

  /** The future settled: by `_due`, or cancelled with its task (then the heap drops it lazily). */
  _wake(_source: Task<unknown>): void {
    if (!this.#fired) this.#heap.cancelled();
  }
}

/** `n` whole frames ends from now (see frames()). */
class FrameCount implements FrameAwaitable<number> {
  readonly #n: number;

  constructor(n: number) {
    this.#n = n;
  }

  *[__await__](): Generator<unknown, number, unknown> {
    const driver = FrameDriver._running(`frames(${this.#n})`);
    if (this.#n === 0) {
      yield; // one turn, as asleep(0)
      return driver.frame;
    }
    for (let i = 0; i < this.#n; i++) yield driver._nextFrame();
    return driver.frame;
  }

  [Symbol.iterator](): Iterator<unknown, number, unknown> {
    return this[__await__]();
  }

  then<R1 = number, R2 = never>(
    onfulfilled?: ((value: number) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): PromiseLike<R1 | R2> {
    return thenOnLoop(this, `frames(${this.#n})`, onfulfilled, onrejected);
  }
}

/** A sleep on frame time (see asleepRealtime()). */
class RealtimeSleep<T> implements FrameAwaitable<T> {
  readonly #seconds: number;
  readonly #value: T;

  constructor(seconds: number, value: T) {
    this.#seconds = seconds;
    this.#value = value;
  }

  *[__await__](): Generator<unknown, T, unknown> {
    const driver = FrameDriver._running(`asleepRealtime(${this.#seconds})`);
    yield this.#seconds === 0 ? undefined : driver._sleepRealtime(this.#seconds);
    return this.#value;
  }

  [Symbol.iterator](): Iterator<unknown, T, unknown> {
    return this[__await__]();
  }

  then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): PromiseLike<R1 | R2> {
    return thenOnLoop(this, `asleepRealtime(${this.#seconds})`, onfulfilled, onrejected);
  }
}

/**
 * A promise fulfilled at the next frame end, with that frame's number (`loop.frame`): once the
 * advance running now has reached its frame's end and run everything due up to it; awaited at
 * that end (by a task it released, say), at the end of the next frame. So a task that does
 * `for (;;) { await nextFrame(); draw(); }` draws once a frame, after that frame's timers and
 * sleeps. Every task awaiting it in one frame shares one promise (the await allocates nothing).
 * Only in a task of a loop driven by a FrameClock; anywhere else a UsageError.
 *
 * @example
 * ```ts
 * async function blink(sprite: Sprite): Promise<void> {
 *   for (;;) {
 *     sprite.visible = !sprite.visible;
 *     await nextFrame();
 *   }
 * }
 * ```
 */
export function nextFrame(): LoopPromise<number> {
  return FrameDriver._running("nextFrame()")._nextFrame();
}

/**
 * Waits for `n` frame ends (a whole number >= 0) and gives the number of the frame it resumes in:
 * `await nextFrame()` `n` times. `frames(0)` lets the other ready tasks run once, as `asleep(0)`.
 * Only in a task of a loop driven by a FrameClock.
 *
 * @example
 * ```ts
 * await frames(3);             // compiled async code
 * const f = yield* frames(3);  // a hand-written coroutine: f is the frame it resumed in
 * ```
 */
export function frames(n: number): FrameAwaitable<number> {
  if (typeof n !== "number" || !Number.isInteger(n) || n < 0) {
    const message = `Expected \`n\` of frames() to be a whole number >= 0, got ${describe(n)}${inTask()}.`;
    throw typeof n === "number" ? new RangeError(message) : new TypeError(message);
  }
  return new FrameCount(n);
}

/**
 * Waits `seconds` of frame time, the unscaled time `loop.advance(dt)` adds up, whatever the
 * FrameClock's `timeScale`, and gives `value`: for what must go on while the game's time is
 * paused or slowed (a menu's animation, a "resume in 3 s" countdown). `asleep` waits on scaled
 * time. `asleepRealtime(0)` lets the other ready tasks run once. Only in a task of a loop driven
 * by a FrameClock.
 *
 * @example
 * ```ts
 * clock.timeScale = 0;           // pause the game
 * await asleepRealtime(3);       // three seconds of frames later
 * clock.timeScale = 1;
 * ```
 */
export function asleepRealtime(seconds: number): FrameAwaitable<undefined>;
export function asleepRealtime<T>(seconds: number, value: T): FrameAwaitable<T>;
export function asleepRealtime<T>(seconds: number, value?: T): FrameAwaitable<T | undefined> {
  return new RealtimeSleep(checkSeconds(seconds, "seconds", "asleepRealtime()"), value);
}

function checkMaxSteps(value: unknown): number {
  if (typeof value === "number" && (Number.isInteger(value) || value === Number.POSITIVE_INFINITY) && value >= 1) return value;
  const message = `Expected \`maxSteps\` of advance() to be a whole number >= 1, got ${describe(value)}.`;
  throw typeof value === "number" ? new RangeError(message) : new TypeError(message);
}
