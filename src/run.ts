/**
 * run.ts: `run(main)`, the front door, as `asyncio.run`: a fresh loop, run to completion, closed.
 */

import type { Clock } from "./clock.js";
import { currentLoop, EventLoop, type AwaitableLike } from "./loop.js";

/** Options of `run()`. */
export interface RunOptions {
  /** The new loop's clock; a `RealClock` unless told otherwise. Tests pass a `VirtualClock`. */
  clock?: Clock;
}

function* callMain<T>(main: () => AwaitableLike<T>): Generator<unknown, T, unknown> {
  return (yield currentLoop().createTask(main())) as T;
}

/**
 * Runs `main` on a fresh EventLoop until it is done, closes the loop, and returns the result (or
 * throws the error), synchronously. `main` is an awaitable, a task, a generator, or a function
 * returning one (a coroutine function or a generator function); a function is called inside the
 * running loop, so it may call `currentLoop()`.
 *
 * @example
 * ```ts
 * const answer = run(function* () {
 *   yield* asleep(3600);          // an hour of virtual time, no real time
 *   return 42;
 * }, { clock: new VirtualClock() });
 * ```
 */
export function run<T>(main: AwaitableLike<T> | (() => AwaitableLike<T>), options: RunOptions = {}): T {
  const loop = new EventLoop(options);
  try {
    return loop.runUntilComplete(
      typeof main === "function" ? loop.createTask(callMain(main), { name: "main" }) : main,
    );
  } finally {
    loop.close();
  }
}
