/**
 * adopt.ts: turning what users hand the loop (a task, an awaitable, a thenable, a bare generator)
 * into a Task, with the error that says what to do when it is none of those, or when it is a
 * native Promise, which no synchronous run can see settle.
 */

import { __await__, isAwaitable, type Awaitable } from "./awaitable.js";
import { describe } from "./describe.js";
import { UsageError } from "./errors.js";
import type { EventLoop } from "./loop.js";
import { ignoreOutcome, isNativePromise, notCompiledAdvice } from "./native.js";
import { Task } from "./task.js";

/**
 * What `createTask`, `runUntilComplete`, `gather` and `run` accept: a task, any awaitable, a
 * thenable, or a bare iterator of requests such as the generator `sleep(3)`.
 */
export type AwaitableLike<T> = Task<T> | Awaitable<T> | PromiseLike<T> | Iterator<unknown, T, unknown>;

/**
 * @internal `work` as a task: a task as it is (one of another loop is a UsageError), anything
 * else wrapped in a new, not yet adopted task. `call` names the API call in error messages.
 */
export function toTask<T>(work: AwaitableLike<T>, call: string, loop: EventLoop): Task<T> {
  if (work instanceof Task) {
    const owner = work._loop;
    if (owner !== null && owner !== loop) {
      throw new UsageError(`Cannot ${call.slice(0, -2)} task "${work.name}": it belongs to another EventLoop.`);
    }
    return work;
  }
  let it: Iterator<unknown, T, unknown>;
  if (isAwaitable(work)) {
    it = (work as Awaitable<T>)[__await__]();
  } else if (isThenable(work)) {
    // Checked here, past the common cases, so that adopting a task or an awaitable pays nothing.
    if (isNativePromise(work)) throw nativePromiseError(work, `${call} was given`);
    it = awaitThenable(work);
  } else if (isIterator(work)) {
    it = work;
  } else {
    const hint =
      typeof work === "function" ? `; call it first: ${call.slice(0, -1)}${(work as { name?: string }).name || "f"}())` : "";
    throw new TypeError(
      `Expected the argument of ${call} to be a task, an awaitable, a thenable or a generator, got ${describe(work)}${hint}.`,
    );
  }
  return Task._create(it, false, "Task");
}

/**
 * @internal The error for a native Promise handed where a task must finish in a synchronous run,
 * which it never can. `given` opens the message: "createTask() was given".
 */
export function nativePromiseError(promise: Promise<unknown>, given: string): TypeError {
  ignoreOutcome(promise);
  return new TypeError(
    `${given} a native Promise, which cannot settle while a synchronous run blocks the thread (its callbacks need the microtask queue). If an async function returned it, handloop did not compile that function. ${notCompiledAdvice()} Otherwise, pass a handloop task or awaitable.`,
  );
}

/** @internal The error for a native async function handed to `call` ("run()") to run. */
export function nativeAsyncFunctionError(fn: (...args: never[]) => unknown, call: string): TypeError {
  const what = fn.name ? `the async function ${fn.name}` : "an anonymous async function";
  return new TypeError(
    `${call} was given ${what}, which handloop did not compile: it is native, so its awaits wait on native Promises, which cannot settle while a synchronous run blocks the thread. ${notCompiledAdvice()}`,
  );
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === "object" || typeof value === "function") &&
    typeof (value as PromiseLike<unknown>).then === "function"
  );
}

function isIterator(value: unknown): value is Iterator<unknown> {
  return value !== null && typeof value === "object" && typeof (value as Iterator<unknown>).next === "function";
}

function* awaitThenable<T>(thenable: PromiseLike<T>): Generator<PromiseLike<T>, T, unknown> {
  return (yield thenable) as T;
}
