/**
 * clock.ts: where the loop gets its time, and how it waits for it.
 *
 * The loop never reads `performance.now()` itself (Trio's rule): it asks its Clock. A clock does
 * two things: tell the time in seconds, and block the thread until a deadline. Virtual time
 * "blocks" by jumping; real time blocks in `Atomics.wait`, as the post blocks in `time.sleep`.
 * Frame time (FrameClock) never blocks: it moves only when its loop's `advance(dt)` moves it (the
 * stepping is in frame.ts; this file keeps its times).
 * Invariant: `now()` never decreases.
 */

import { checkSeconds } from "./checks.js";
import { describe } from "./describe.js";
import { UsageError } from "./errors.js";
import type { FrameDriver } from "./frame.js";

/**
 * A source of time for an EventLoop. `now()` is in seconds, never decreases, and has an
 * arbitrary origin. `sleepUntil(deadline)` blocks until `now() >= deadline` or a little before
 * (the loop re-checks and waits again, so an early return costs a turn, never correctness).
 *
 * @example
 * ```ts
 * // A clock that runs ten times faster than real time.
 * class FastClock implements Clock {
 *   #real = new RealClock();
 *   now() { return this.#real.now() * 10; }
 *   sleepUntil(deadline: number) { this.#real.sleepUntil(deadline / 10); }
 * }
 * ```
 */
export interface Clock {
  now(): number;
  sleepUntil(deadline: number): void;
}

/**
 * Virtual time: when nothing is ready the loop jumps straight to the next deadline, so hours of
 * sleeps finish at once and every run of a program sees the same times and the same order.
 * Starts at 0 unless told otherwise. Time also moves with `advance(seconds)`.
 *
 * @example
 * ```ts
 * const clock = new VirtualClock();
 * run(function* () { yield* asleep(3600); }, { clock });
 * clock.now(); // 3600, and no real time passed
 * ```
 */
export class VirtualClock implements Clock {
  #now: number;

  constructor(start = 0) {
    this.#now = checkSeconds(start, "start", "new VirtualClock()");
  }

  now(): number {
    return this.#now;
  }

  /** Jumps to `deadline` (a deadline in the past leaves the time alone). */
  sleepUntil(deadline: number): void {
    if (deadline > this.#now) this.#now = deadline;
  }

  /** Moves time forward by `seconds`. Timers that became due fire on the loop's next turn. */
  advance(seconds: number): void {
    this.#now += checkSeconds(seconds, "seconds", "VirtualClock.advance()");
  }
}

// One cell to wait on; nobody ever notifies it, so Atomics.wait always runs to its timeout. Made on
// the first wait, not at load: a browser page that is not cross-origin isolated has no
// SharedArrayBuffer, and the runtime must still load there. `false`: this thread cannot block in
// Atomics.wait (no SharedArrayBuffer, or a browser's main thread, where it throws).
let sleepCell: Int32Array | false | undefined;

/** Blocks the thread for `ms` milliseconds: in Atomics.wait where the host allows it, else spinning. */
function block(ms: number): void {
  if (sleepCell === undefined) {
    sleepCell = typeof SharedArrayBuffer === "function" ? new Int32Array(new SharedArrayBuffer(4)) : false;
  }
  if (sleepCell !== false) {
    try {
      Atomics.wait(sleepCell, 0, 0, ms);
      return;
    } catch {
      // A browser's main thread may not block in Atomics.wait: spin instead, from now on.
      sleepCell = false;
    }
  }
  // Blocking is what a synchronous run on a real clock asks for; where the host forbids the
  // sleeping kind, the busy kind is the only one left (host mode waits without blocking).
  const until = performance.now() + ms;
  while (performance.now() < until);
}

/** Options of `new RealClock()`. */
export interface RealClockOptions {
  /**
   * Timer slack, in seconds (0.0005 unless told otherwise): a wait ends on the next multiple of it
   * after the deadline, so timers due within one slack of each other share one wake-up. Never
   * early; at most this much late (plus the operating system's own oversleep). 0 turns it off.
   */
  slack?: number;
}

/**
 * Real, monotonic time (`performance.now()`, in seconds). Waiting blocks the whole thread in
 * `Atomics.wait`, as the post blocks in `time.sleep`: an idle loop uses no CPU. Each wait ends
 * on a multiple of the timer slack (half a millisecond by default), so thousands of timers spread
 * over a second cost at most two thousand wake-ups, each under a millisecond late (see
 * bench/RESULTS.md). While it blocks, Node's own event loop, I/O and native timers wait too; that
 * is the price of a synchronous run. Where a thread may not block in `Atomics.wait` (a browser's
 * main thread, a page without SharedArrayBuffer), it spins until the deadline instead.
 *
 * @example
 * ```ts
 * run(function* () { yield* asleep(0.5); }, { clock: new RealClock() }); // returns after ~0.5 s
 * ```
 */
export class RealClock implements Clock {
  readonly #slack: number;

  constructor(options: RealClockOptions = {}) {
    this.#slack = checkSeconds(options.slack ?? 0.0005, "slack", "new RealClock()");
  }

  now(): number {
    return performance.now() / 1000;
  }

  sleepUntil(deadline: number): void {
    const slack = this.#slack;
    const until = slack > 0 ? Math.ceil(deadline / slack) * slack : deadline;
    const ms = (until - this.now()) * 1000;
    if (ms > 0) block(ms);
  }
}

/** Options of `new FrameClock()`. */
export interface FrameClockOptions {
  /** How fast scaled time (`now()`) runs against frame time (`realtime()`): 1 unless told otherwise. */
  timeScale?: number;
}

/**
 * Frame time: the clock of a loop that a host drives one frame at a time with `loop.advance(dt)`
 * (a game's frame loop, `requestAnimationFrame`). It never waits and never reads a real clock:
 * it moves only inside `advance`, which steps it through each deadline due in the frame in
 * order, so a fixed-step simulation takes the same steps at any frame rate.
 *
 * It keeps two times. `now()` is *scaled* time, what the loop's timers, `asleep` and `loop.time()`
 * follow; `realtime()` is *frame* time, the sum of the `dt`s advanced, which `asleepRealtime`
 * follows. `timeScale` relates them: 0.5 is slow motion, 0 pauses the game's time while menus,
 * UI animations and `nextFrame()` go on. Both start at 0.
 *
 * Discussion: `timeScale` lives here rather than on the loop because it is how this clock's two
 * times relate, as Unity's `Time.timeScale` relates `time` and `unscaledTime`; the loop only knows
 * `now()`. A change takes effect at once, even in the middle of an advance: scaled time already
 * passed stays passed, deadlines ahead are reached sooner or later.
 *
 * @example
 * ```ts
 * const clock = new FrameClock();
 * const loop = new EventLoop({ clock });
 * loop.createTask(coroutine(function* () { yield* asleep(0.1); })());
 * loop.advance(1 / 60);   // frame 1: 0.0167 s
 * clock.timeScale = 0;    // paused: the sleeper waits, however many frames pass
 * ```
 */
export class FrameClock implements Clock {
  // Scaled time is #scaledBase + (#real - #realBase) * #timeScale, rebased when the scale
  // changes, except where the clock stepped onto a scaled deadline: then it is that deadline
  // exactly, so a timer is never found a hair short of due (see frame.ts).
  #now = 0;
  #real = 0;
  #timeScale: number;
  #scaledBase = 0;
  #realBase = 0;
  // The frame time the advances so far asked for, summed with compensation (#carry is what the
  // sum lost to rounding), so that thousands of frames of 1/144 s add up to what they should.
  // Above #real while an advance that ran out of steps or budget left time owed (`lag`).
  #target = 0;
  #carry = 0;
  /** @internal The frame driver of the loop this clock belongs to, from its first advance (frame.ts). */
  _driver: FrameDriver | null = null;

  constructor(options: FrameClockOptions = {}) {
    this.#timeScale = checkScale(options.timeScale ?? 1, "new FrameClock()");
  }

  /** Scaled time, in seconds: what the loop's timers and sleeps follow. */
  now(): number {
    return this.#now;
  }

  /** Frame time, in seconds: the sum of the `dt`s advanced (less any `lag`), whatever `timeScale` was. */
  realtime(): number {
    return this.#real;
  }

  /**
   * How fast scaled time runs against frame time: 1 is normal, 0.5 slow motion, 0 paused (timers
   * and sleeps on scaled time wait; `asleepRealtime` and `nextFrame()` do not). A finite number >= 0.
   */
  get timeScale(): number {
    return this.#timeScale;
  }

  set timeScale(scale: number) {
    checkScale(scale, "FrameClock.timeScale");
    this.#scaledBase = this.#now;
    this.#realBase = this.#real;
    this.#timeScale = scale;
  }

  /**
   * Frame time owed, in seconds: what advances that stopped at `maxSteps` or `budgetMs` did not
   * get through. The next advance catches up first, stepping through every deadline on the way.
   */
  get lag(): number {
    const lag = this.#target - this.#real;
    return lag > 0 ? lag : 0; // (below 0, by a hair, after stepping onto a deadline just past the frame: see frame.ts)
  }

  /** A FrameClock does not wait: its loop runs in `advance(dt)`, and only there does time move. */
  sleepUntil(deadline: number): void {
    throw new UsageError(
      `A FrameClock cannot wait until ${deadline}: its time moves only in loop.advance(dt). Drive its loop with advance(), once per frame.`,
    );
  }

  /** @internal A frame begins: frame time is to reach `dt` further than the last one asked for. */
  _extend(dt: number): void {
    // Kahan's summation.
    const y = dt - this.#carry;
    const target = this.#target + y;
    this.#carry = target - this.#target - y;
    this.#target = target;
  }

  /** @internal The frame time this frame ends at. */
  get _target(): number {
    return this.#target;
  }

  /** @internal The frame time at which scaled time reaches `deadline`; Infinity while paused. */
  _realAt(deadline: number): number {
    const scale = this.#timeScale;
    if (scale === 0) return Number.POSITIVE_INFINITY;
    const at = this.#realBase + (deadline - this.#scaledBase) / scale;
    return at > this.#real ? at : this.#real;
  }

  /** @internal Steps onto a scaled `deadline`, which frame time reaches at `real` (see _realAt). */
  _stepToDeadline(deadline: number, real: number): void {
    if (deadline > this.#now) this.#now = deadline;
    if (real > this.#real) this.#real = real;
  }

  /** @internal Steps frame time to `real`; scaled time follows. */
  _stepTo(real: number): void {
    if (real <= this.#real) return;
    this.#real = real;
    const scaled = this.#scaledBase + (real - this.#realBase) * this.#timeScale;
    if (scaled > this.#now) this.#now = scaled;
  }
}

function checkScale(scale: unknown, call: string): number {
  if (typeof scale === "number" && scale >= 0 && scale !== Number.POSITIVE_INFINITY) return scale;
  const message = `Expected \`timeScale\` of ${call} to be a finite number >= 0, got ${describe(scale)}.`;
  throw typeof scale === "number" ? new RangeError(message) : new TypeError(message);
}
