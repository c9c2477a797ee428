/**
 * handle.ts: callbacks scheduled with `callSoon`, `callLater` and `callAt`.
 *
 * A Handle sits in the loop's ready queue; a TimerHandle sits on the timer heap until it is due,
 * then in the ready queue. Cancelling a queued handle only marks it (it is skipped when its turn
 * comes); a cancelled timer is disarmed, so it never keeps the loop waiting (the heap drops it
 * when it meets it).
 */

import type { EventLoop } from "./loop.js";

/**
 * A callback scheduled on a loop with `callSoon`. `cancel()` stops it from running if it has not
 * run yet. A callback that throws stops the run and the error propagates out of the loop's run
 * call; the loop stays usable.
 *
 * @example
 * ```ts
 * const h = loop.callSoon(() => console.log("never printed"));
 * h.cancel();
 * ```
 */
export class Handle {
  #callback: (() => void) | null;
  #cancelled = false;

  /** @internal */
  constructor(callback: () => void) {
    this.#callback = callback;
  }

  /** Stops the callback from running; a no-op once it has run. */
  cancel(): void {
    if (this.#callback === null) return;
    this.#callback = null;
    this.#cancelled = true;
  }

  /** Whether `cancel()` stopped the callback before it ran. */
  cancelled(): boolean {
    return this.#cancelled;
  }

  /** @internal */
  _run(): void {
    const callback = this.#callback;
    if (callback === null) return;
    this.#callback = null;
    callback();
  }
}

/**
 * A callback scheduled at a deadline with `callLater` or `callAt`. Cancelling it disarms its timer:
 * the loop no longer waits for it.
 *
 * @example
 * ```ts
 * const h = loop.callLater(5, () => console.log("five seconds on the loop's clock"));
 * h.deadline; // loop.time() + 5 at the time of the call
 * ```
 */
export class TimerHandle extends Handle {
  readonly #loop: EventLoop;
  readonly #deadline: number;
  // On the timer heap, not yet due nor cancelled.
  #pending = true;
  /** @internal Its stamp on the loop's timer heap: its id for instruments. */
  _stamp = -1;

  /** @internal */
  constructor(loop: EventLoop, callback: () => void, deadline: number) {
    super(callback);
    this.#loop = loop;
    this.#deadline = deadline;
  }

  /** When the callback runs, in seconds on the loop's clock. */
  get deadline(): number {
    return this.#deadline;
  }

  override cancel(): void {
    super.cancel();
    if (!this.#pending) return;
    this.#pending = false;
    this.#loop._timerCancelled(this._stamp, this.#deadline, undefined); // the heap drops it lazily, and never waits for it
  }

  /** @internal Whether it still stands on the timer heap (see timer-heap.ts). */
  _armed(): boolean {
    return this.#pending;
  }

  /** @internal The heap says it is due: run it this turn. */
  _due(): void {
    this.#pending = false;
    if (this.#loop._hooks !== null) this.#loop._timerFired(this._stamp, this.#deadline, undefined);
    this.#loop._schedule(this);
  }
}
