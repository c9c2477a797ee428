/**
 * run.ts: `run(main)`, the front door, as `asyncio.run`: a fresh loop, run to completion, closed;
 * and `runAsync(main)`, the same over the host's event loop (host.ts), as a native Promise.
 */

import { nativeAsyncFunctionError, nativePromiseError } from "./adopt.js";
import type { Clock } from "./clock.js";
import type { Instrument } from "./instrument.js";
import { DeadlockError, UnhandledTaskError, UsageError } from "./errors.js";
import { runOnHost, type Host } from "./host.js";
import type { AbortSignalLike } from "./interop.js";
import { currentLoop, EventLoop, type AwaitableLike, type GlobalsOption, type UnhandledErrorPolicy } from "./loop.js";
import { isNativeAsyncFunction, isNativePromise } from "./native.js";
import { running } from "./running.js";
import type { Task } from "./task.js";

const NONE = Symbol("none");

/** Options of `run()`. */
export interface RunOptions {
  /** The new loop's clock; a `RealClock` unless told otherwise. Tests pass a `VirtualClock`. */
  clock?: Clock;
  /** The new loop's policy for tasks that fail unobserved; `"throw"` unless told otherwise. */
  unhandledError?: UnhandledErrorPolicy;
  /**
   * `"virtual"`: while the run lasts, the timer globals, `queueMicrotask`, `Date` and
   * `performance.now()` follow the new loop and its clock, and are put back when it ends.
   *
   * @example
   * ```ts
   * run(main, { clock: new VirtualClock(), globals: "virtual" }); // setTimeout(f, 60_000) takes no real time
   * ```
   */
  globals?: GlobalsOption;
  /**
   * Instruments attached to the new loop before `main` starts (see `Instrument`): a `Recorder`
   * records the whole run, for `timeline()` or a Chrome trace.
   *
   * @example
   * ```ts
   * const recorder = new Recorder();
   * run(main, { clock: new VirtualClock(), instruments: [recorder] });
   * console.log(timeline(recorder));
   * ```
   */
  instruments?: readonly Instrument[];
}

function* callMain<T>(main: () => AwaitableLike<T>): Generator<unknown, T, unknown> {
  const work = main();
  if (isNativePromise(work)) throw nativePromiseError(work, `run() was given ${main.name ? `the function ${main.name}, which returned` : "a function that returned"}`);
  return (yield currentLoop().createTask(work)) as T;
}

const GeneratorFunction = Object.getPrototypeOf(function* () {}) as object;
function isGeneratorFunction(fn: unknown): boolean {
  return typeof fn === "function" && Object.getPrototypeOf(fn) === GeneratorFunction;
}

/**
 * Runs `main` on a fresh EventLoop until it is done, then, as `asyncio.run`, cancels the tasks still
 * running and waits for their cleanup, closes the loop, and returns `main`'s result (or throws its
 * error), synchronously. If a task failed with nothing observing it, the UnhandledTaskError is
 * what `run` throws (main's own outcome stays on `error.main`). `main` is an awaitable, a task, a generator, or a function
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
  // Checked before anything else, so the error names run() rather than the calls it makes.
  if (running.loop !== null) {
    throw new UsageError(
      "Cannot call run() while an EventLoop is running on this thread: run() starts a loop of its own. Await the work from inside the running loop instead.",
    );
  }
  // A native async function or Promise can never finish in a synchronous run: say so at once.
  if (isNativeAsyncFunction(main)) throw nativeAsyncFunctionError(main, "run()");
  if (isNativePromise(main)) throw nativePromiseError(main, "run() was given");
  const loop = new EventLoop(options);
  // A generator function's body is lazy, so calling it here still runs all of it inside the loop,
  // as the main task itself; any other function is called from inside the running loop.
  const work = typeof main !== "function" ? main : isGeneratorFunction(main) ? main() : callMain(main);
  const task = loop.createTask(work);
  if (typeof main === "function") task.name = "main";
  let failure: unknown = NONE;
  try {
    try {
      loop.runUntilComplete(task);
    } catch (error) {
      failure = error;
    }
    // Tasks left over are cancelled and their cleanup awaited, unless nothing can run any more.
    if (!(failure instanceof DeadlockError)) {
      try {
        loop._shutdown();
      } catch (error) {
        // A cleanup that failed unobserved outranks main's own error (which stays on its task).
        if (failure === NONE || error instanceof UnhandledTaskError) failure = error;
      }
    }
  } finally {
    loop.close();
  }
  if (failure instanceof UnhandledTaskError) failure.main = task;
  if (failure !== NONE) throw failure;
  return task.result();
}

/** Options of `runAsync()`. */
export interface RunAsyncOptions extends RunOptions {
  /**
   * Cancels `main` when aborted: its cleanup runs, then the Promise rejects with `signal.reason`.
   * Aborted already: the Promise rejects with `signal.reason` at once, and `main` never runs.
   */
  signal?: AbortSignalLike;
  /** The host event loop that calls the loop's turns; Node's unless given (see `Host`). */
  host?: Host;
}

function* callMainOnHost<T>(main: () => AwaitableLike<T> | Promise<T>): Generator<unknown, T, unknown> {
  const work = main();
  // A native Promise (a native async function's) is waited for as the host's: it settles meanwhile.
  return (yield isNativePromise(work) ? work : currentLoop().createTask(work)) as T;
}

/**
 * `run(main)` over the host's event loop, as `asyncio.run`: runs `main` on a fresh EventLoop whose
 * turns Node calls, between its own I/O, timers and native Promises, and gives a native Promise
 * of `main`'s result. When `main` is done, the tasks still running are cancelled and their
 * cleanup awaited, the loop is closed, and the Promise settles: with `main`'s result, its error,
 * the UnhandledTaskError of a task that failed unobserved, or a DeadlockError once nothing can
 * ever run again (nothing ready, no timer, no host wait pending). Tasks may await native Promises
 * and other thenables of the host (`await fetch(url)`): the task waits, Node goes on. `main` is
 * what `run` takes, or a native async function or Promise. Time is real unless a `clock` says
 * otherwise; a VirtualClock jumps whenever no host wait is pending.
 *
 * @example
 * ```ts
 * const status = await runAsync(async () => {
 *   const response = await timeout(5, fetch("https://example.com", { signal: currentSignal() }));
 *   return response.status;
 * });
 * ```
 */
export function runAsync<T>(
  main: AwaitableLike<T> | Promise<T> | (() => AwaitableLike<T> | Promise<T>),
  options: RunAsyncOptions = {},
): Promise<T> {
  let loop: EventLoop;
  let task: Task<T>;
  try {
    if (running.loop !== null) {
      throw new UsageError(
        "Cannot call runAsync() while an EventLoop is running on this thread (a run, or a loop attached to the host): runAsync() starts a loop of its own. Await the work from inside the running loop instead, or use loop.runAsync() on it.",
      );
    }
    if (options.signal?.aborted === true) return nativeReject(options.signal.reason);
    loop = new EventLoop(options);
    const work =
      typeof main !== "function" ? (isNativePromise(main) ? awaitNative(main) : main) : isGeneratorFunction(main) ? main() : callMainOnHost(main);
    task = loop.createTask(work as AwaitableLike<T>);
    if (typeof main === "function") task.name = "main";
  } catch (error) {
    return nativeReject(error);
  }
  return runOnHost(loop, task, options, true);
}

// The engine's Promise.reject as this module found it (a test262 realm binds the global to LoopPromise).
const nativeReject = Promise.reject.bind(Promise) as (reason: unknown) => Promise<never>;

function* awaitNative<T>(promise: Promise<T>): Generator<Promise<T>, T, unknown> {
  return (yield promise) as T;
}
