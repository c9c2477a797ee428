/**
 * clock.ts: where the loop gets its time, and how it waits for it.
 *
 * The loop never reads `performance.now()` itself (Trio's rule): it asks its Clock. A clock does
 * two things: tell the time in seconds, and block the thread until a deadline. Virtual time
 * "blocks" by jumping; real time blocks in `Atomics.wait`, as the post blocks in `time.sleep`.
 * Invariant: `now()` never decreases.
 */

import { checkSeconds } from "./checks.js";

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
