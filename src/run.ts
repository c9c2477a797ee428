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
 * Runs `main` on a fresh EventLoop until it is done, then, as `asyncio.run`, cancels the tasks still
 * running and waits for their cleanup, closes the loop, and returns `main`'s result (or throws its
 * error), synchronously. `main` is an awaitable, a task, a generator, or a function
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
    const task = loop.createTask(typeof main === "function" ? callMain(main) : main);
    if (typeof main === "function") task.name = "main";
    try {
      loop.runUntilComplete(task);
    } catch (error) {
      if (!task.done()) throw error; // the run itself failed (a deadlock): nothing to shut down
    }
    loop._shutdown();
    return task.result();
  } finally {
    loop.close();
  }
}
