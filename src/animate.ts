/**
 * animate.ts: the browser's driver for frame mode. `requestAnimationFrame` calls back once per
 * displayed frame with a timestamp; each call advances a FrameClock loop by the time since the
 * previous one. Nothing else: the stepping through deadlines is `loop.advance` (frame.ts).
 */

import { describe } from "./describe.js";
import type { AdvanceOptions, AdvanceResult } from "./frame.js";
import type { EventLoop } from "./loop.js";

/** Options of `animate()`. */
export interface AnimateOptions extends AdvanceOptions {
  /**
   * The longest frame, in seconds (0.25 unless told otherwise): a tab that was hidden, or a
   * breakpoint, gives one long gap, which is advanced as this much rather than all at once.
   */
  maxDt?: number;
  /** Called after each frame's advance with what it did, to draw the frame. */
  onFrame?: (result: AdvanceResult, dt: number) => void;
  /** The scheduler to use; the global `requestAnimationFrame` unless told otherwise. */
  requestAnimationFrame?: (callback: (timestamp: number) => void) => number;
  /** Its cancel function; the global `cancelAnimationFrame` unless told otherwise. */
  cancelAnimationFrame?: (handle: number) => void;
}

type Frames = {
  requestAnimationFrame?: (callback: (timestamp: number) => void) => number;
  cancelAnimationFrame?: (handle: number) => void;
};

/**
 * Drives a frame-mode loop (one whose clock is a `FrameClock`) from `requestAnimationFrame`: on
 * each animation frame, `loop.advance(dt)` with the time since the previous frame (the first frame
 * only starts the count). Returns a function that stops it. An error thrown by the loop stops the
 * animation and reaches the browser as an uncaught error.
 *
 * @example
 * ```ts
 * const loop = new EventLoop({ clock: new FrameClock() });
 * loop.createTask(simulation());
 * const stop = animate(loop, { onFrame: () => draw(world) });
 * ```
 */
export function animate(loop: EventLoop, options: AnimateOptions = {}): () => void {
  const host = globalThis as Frames;
  const request = options.requestAnimationFrame ?? host.requestAnimationFrame?.bind(globalThis);
  const cancel = options.cancelAnimationFrame ?? host.cancelAnimationFrame?.bind(globalThis);
  if (typeof request !== "function" || typeof cancel !== "function") {
    throw new TypeError(
      "animate() needs requestAnimationFrame, which this host does not have (it is a browser's); pass `requestAnimationFrame` and `cancelAnimationFrame` in its options, or call loop.advance(dt) from your own frame loop.",
    );
  }
  const maxDt = options.maxDt ?? 0.25;
  if (typeof maxDt !== "number" || !(maxDt > 0) || !Number.isFinite(maxDt)) {
    throw new TypeError(`Expected \`maxDt\` of animate() to be a positive number of seconds, got ${describe(maxDt)}.`);
  }
  const advance: AdvanceOptions = { maxSteps: options.maxSteps, budgetMs: options.budgetMs };
  let last: number | null = null;
  let handle = 0;
  let stopped = false;
  const frame = (timestamp: number): void => {
    if (stopped) return;
    handle = request(frame); // asked first, so a frame that throws ends only after stop() below
    const dt = last === null ? 0 : Math.min(maxDt, Math.max(0, (timestamp - last) / 1000));
    last = timestamp;
    if (dt === 0) return;
    let result: AdvanceResult;
    try {
      result = loop.advance(dt, advance);
    } catch (error) {
      stop();
      throw error;
    }
    options.onFrame?.(result, dt);
  };
  const stop = (): void => {
    stopped = true;
    cancel(handle);
  };
  handle = request(frame);
  return stop;
}
