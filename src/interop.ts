/**
 * interop.ts: where tasks meet the host's Promises and AbortSignals: `fromPromise`, `toPromise`,
 * `currentSignal`.
 *
 * A task may await a native Promise directly; in host mode (host.ts) it waits while the host
 * settles it (task.ts: a host wait). `fromPromise` adds what a bare await cannot say: the signal
 * that cancels the work behind the promise, whether a cancel waits for that work to stop, and
 * that the host settles it even when it is the loop's own (a LoopPromise whose `resolve` a native
 * callback holds, in compiled code).
 * The signal is the task's own (`currentSignal()`): one AbortController per task, made when
 * first asked for and aborted by `cancel()` itself, so awaiting adds no listener to any signal.
 */

import { isAwaitable } from "./awaitable.js";
import { coroutine } from "./coroutine.js";
import { describe } from "./describe.js";
import { CancelledError, UsageError } from "./errors.js";
import { currentLoop, type AwaitableLike } from "./loop.js";
import { ignoreOutcome, isNativePromise } from "./native.js";
import { running, runningTask } from "./running.js";
import { Task } from "./task.js";

/**
 * What handloop uses of an AbortSignal it is given (`runAsync(main, { signal })`): the DOM's and
 * Node's fit, and so does any object that keeps their contract. handloop's declarations name this
 * rather than the global `AbortSignal`, so they type-check in a project with neither DOM nor Node
 * types.
 */
export interface AbortSignalLike {
  readonly aborted: boolean;
  readonly reason: unknown;
  addEventListener(type: "abort", listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: "abort", listener: () => void): void;
}

/**
 * The type of the signal `currentSignal()` gives: the global `AbortSignal` where the program's
 * types declare one (DOM or Node types), so that `fetch(url, { signal: currentSignal() })`
 * type-checks, else AbortSignalLike. At run time it is always the host's own AbortSignal.
 */
export type TaskSignal = typeof globalThis extends { AbortSignal: { prototype: infer S } } ? S : AbortSignalLike;

/** Options of `fromPromise()`. */
export interface FromPromiseOptions {
  /**
   * What a cancel of the waiting task does. `"abandon"` (the default): the task stops waiting at
   * once and ends cancelled; the promise settles on its own, unheard (a rejection then is nobody's
   * unhandled rejection). `"wait"`: the task's signal aborts, and the task waits for the promise
   * to settle (the work behind it has stopped: a request closed, a file handle released) before
   * it ends cancelled.
   */
  onCancel?: "abandon" | "wait";
}

const NativePromise = Promise;

const waitFor = coroutine(function* fromPromise<T>(
  source: PromiseLike<T> | ((signal: TaskSignal) => PromiseLike<T>),
  wait: boolean,
): Generator<unknown, T, unknown> {
  const promise = typeof source === "function" ? source(currentSignal()) : source;
  if (!isThenable(promise)) {
    throw new TypeError(`The function given to fromPromise() returned ${describe(promise)}; it must return a Promise or other thenable.`);
  }
  // Handled from now on, whatever happens to this task: its late rejection is nobody's loss.
  if (isNativePromise(promise)) ignoreOutcome(promise);
  // A host wait for as long as this task waits, whatever the thenable: a LoopPromise or a Future
  // that host code settles (a native timer's callback, an event listener) is one too, and this is
  // how a program says so (host.ts raises no DeadlockError while one is pending).
  const loop = currentLoop();
  loop._hostWait(1);
  try {
    if (!wait) return (yield promise) as T;
    let settled = false;
    const mark = (): void => {
      settled = true;
    };
    promise.then(mark, mark); // before the await's own reaction, so it is set when the await resumes
    try {
      return (yield promise) as T;
    } catch (error) {
      if (settled || !(error instanceof CancelledError)) throw error;
      while (!settled) {
        try {
          yield promise;
        } catch {
          // Its rejection, or one more cancel: either way, wait on until it has settled.
        }
      }
      throw error;
    }
  } finally {
    loop._hostWait(-1);
  }
});

/**
 * Waits for a native Promise (or any thenable of the host's) as a task: `await fromPromise(p)`,
 * `yield* fromPromise(p)` (typed), or pass it to `gather`, `timeout`, `race`. It counts as a host
 * wait even for a LoopPromise or a Future, so in host mode a promise that host code settles (a
 * native timer's callback, an event listener) is waited for, not taken for a deadlock. Given a function,
 * calls it with the task's AbortSignal (see `currentSignal()`) and waits for the promise it
 * returns, so that a cancel, or a `timeout` that expires, aborts the work behind it:
 * `fromPromise((signal) => fetch(url, { signal }))`. `onCancel` says whether a cancel waits for
 * the promise to settle (see FromPromiseOptions). The function is called when the task starts: at
 * once inside a running loop, else when a loop adopts the task. Settling needs the host's event
 * loop: run the code with `runAsync()`, or on a loop given to the host with `attach()`.
 *
 * @example
 * ```ts
 * const response = await timeout(5, fromPromise((signal) => fetch(url, { signal })));
 * ```
 */
export function fromPromise<T>(
  source: PromiseLike<T> | ((signal: TaskSignal) => PromiseLike<T>),
  options: FromPromiseOptions = {},
): Task<T> {
  if (typeof source !== "function" && !isThenable(source)) {
    throw new TypeError(`Expected the argument of fromPromise() to be a Promise, another thenable, or a function returning one, got ${describe(source)}.`);
  }
  const onCancel = options?.onCancel ?? "abandon";
  if (onCancel !== "abandon" && onCancel !== "wait") {
    throw new TypeError(`Expected \`onCancel\` of fromPromise() to be "abandon" or "wait", got ${describe(onCancel)}.`);
  }
  return waitFor(source, onCancel === "wait") as Task<T>;
}

/**
 * A native Promise of `work`'s outcome, for code that wants one: native async functions, a
 * library that checks `instanceof Promise`, `Promise.race` with native timers. A task settles it
 * when it ends (a cancelled one rejects it with its CancelledError); any other awaitable is run
 * as a task of the running loop (in host code, the loop that `runAsync()` or `attach()` gives the
 * host), and a thenable is adopted as native `Promise.resolve` adopts it. A native Promise is
 * given back as it is. The Promise counts as observing the task: an error nobody handles is the
 * host's unhandled rejection, not the loop's.
 *
 * @example
 * ```ts
 * const page = await toPromise(fetchPage(url)); // in a native async function, while the loop is attached
 * ```
 */
export function toPromise<T>(work: AwaitableLike<T>): Promise<T> {
  if (isNativePromise(work)) return work as Promise<T>;
  if (work instanceof Task && !work._adoptable) return fromTask(work);
  if (work instanceof Task || isAwaitable(work) || !isThenable(work)) {
    const loop = running.loop;
    if (loop === null) {
      throw new UsageError(
        `toPromise() was given ${describe(work)}, which needs a loop to run on, and no EventLoop is running: call it from a task, or from host code while runAsync() or loop.attach() gives the host a loop.`,
      );
    }
    return fromTask(loop.createTask(work));
  }
  return NativePromise.resolve(work);
}

function fromTask<T>(task: Task<T>): Promise<T> {
  return new NativePromise<T>((resolve, reject) => void task.then(resolve, reject));
}

/**
 * The running task's AbortSignal: aborted when the task is cancelled, with the very error that
 * cancels it (the CancelledError thrown in at its await, or the TimeoutError of the `timeout()`
 * that expired, a cancel it passed on to the task it awaits included). Hand it to host APIs so
 * that a cancel stops their work too: `fetch(url, { signal: currentSignal() })`. One controller
 * per task, made on the first call; once aborted it stays aborted. Outside any task (between
 * turns, in host code) a UsageError.
 *
 * @example
 * ```ts
 * async function download(url: string): Promise<string> {
 *   const response = await fetch(url, { signal: currentSignal() }); // a timeout aborts the request
 *   return await response.text();
 * }
 * ```
 */
export function currentSignal(): TaskSignal {
  const task = runningTask();
  if (task === null) {
    throw new UsageError(
      "currentSignal() was called outside any task: it gives the signal of the task running now. Call it in a coroutine or a compiled async function, before its first await if it is a native one.",
    );
  }
  return task._signal() as TaskSignal;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === "object" || typeof value === "function") &&
    typeof (value as PromiseLike<unknown>).then === "function"
  );
}
