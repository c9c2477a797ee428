/**
 * awaitable.ts: the one door between a coroutine and the loop.
 *
 * Owns the `__await__` protocol and the vocabulary of requests a coroutine may yield. The loop
 * and the driver (task.ts) read this vocabulary; nothing else is allowed to talk to the loop.
 *
 * ## The protocol
 * An object is *awaitable* when `obj[__await__]()` returns an iterator, exactly as a Python
 * object is awaitable when `obj.__await__()` returns one. The driver runs that iterator in place
 * of the `await`: its return value is the result of the await, an error it throws is thrown at
 * the await. Every value the iterator yields is a *request* to the loop:
 *
 * | yielded                   | the loop                                                        |
 * |---------------------------|-----------------------------------------------------------------|
 * | `new NotReady(seconds)`   | parks the task on its timer heap; resumes it (with `undefined`) once `seconds` passed on its clock |
 * | a `Task`, a `LoopPromise` or any thenable | resumes it when that settles: `next(value)` or `throw(error)` |
 * | another awaitable         | runs that awaitable's iterator here, resumes with its return value (any depth, kept off the JS stack) |
 * | `undefined`               | lets every other ready task run once, then resumes it             |
 *
 * Anything else is answered by throwing a `TypeError` into the iterator at that `yield`. The
 * same rules hold for what a hand-written coroutine (`coroutine(function* ...)`) yields. Only a
 * body compiled from `async` source (`__awaiter`) treats any other value as a plain value:
 * `await 42` resumes with 42 after one turn, as native `await` does after one microtask.
 *
 * Turns count as microtask ticks do. A thenable is adopted as native `await` adopts one: its
 * `then` is read once, called on the next turn, and the task resumes on the turn after it calls
 * back (a thenable it is given is adopted in turn). A LoopPromise whose `constructor` is
 * LoopPromise is awaited as a native `await` awaits a native promise (PromiseResolve gives it
 * back as it is): the task subscribes to it directly and resumes on the turn after it settles. A
 * compiled body's own `await` of a task or LoopPromise that already settled takes one turn too,
 * as a native `await` of a settled promise does; a hand-written `yield* task` (or `yield
 * promise`) of one resumes at once, as asyncio's `await` of a done future does.
 *
 * Awaitables should also be iterable, `[Symbol.iterator]` returning the same iterator, so that
 * `const v = yield* x` in a hand-written coroutine is typed from `x`; `ASleep` and `Task` are.
 *
 * Discussion: the post's `NotReady` is a float the loop polls; here it is a hint the loop turns
 * into a timer, so a sleeping task costs nothing until its deadline. An early wake-up is still
 * allowed by the protocol (the iterator just yields again), which is what lets `sleep()` be
 * driven by a foreign, polling loop such as `demos/toy-loop.ts`.
 */

import { checkSeconds } from "./checks.js";
import { UsageError } from "./errors.js";
import { isNativeResolvingFunction, notCompiledAdvice } from "./native.js";
import { running } from "./running.js";

/**
 * The method key of the awaitable protocol: `obj[__await__]()` returns the iterator that runs in
 * place of `await obj`. Registered with `Symbol.for`, so two copies of handloop agree on it.
 *
 * @example
 * ```ts
 * class Tick implements Awaitable<number> {
 *   *[__await__]() { yield new NotReady(1); return 42; }
 *   [Symbol.iterator]() { return this[__await__](); }
 * }
 * ```
 */
export const __await__: unique symbol = Symbol.for("handloop.__await__");

/**
 * An object that can be awaited on a handloop loop: its `[__await__]()` returns an iterator that
 * yields requests (see the table in this file's header) and returns the awaited value `T`.
 *
 * @example
 * ```ts
 * const twice: Awaitable<string> = { *[__await__]() { yield; yield; return "after two turns"; } };
 * ```
 */
export interface Awaitable<T> {
  [__await__](): Iterator<unknown, T, unknown>;
}

/**
 * A request to the loop: "do not resume me before `seconds` have passed on your clock". The
 * post's `NotReady(float)` hint; the loop parks the task on its timer heap instead of polling it.
 *
 * @example
 * ```ts
 * const waitASecond = coroutine(function* () { yield new NotReady(1); });
 * ```
 */
export class NotReady {
  /** How long, in seconds on the loop's clock, the task does not want to be resumed. */
  readonly seconds: number;
  /**
   * @internal The absolute deadline when the yielder knows it (sleep() does). The loop parks on it
   * instead of `now + seconds`, so float rounding cannot make a sleeper wake a hair early and spin.
   */
  _deadline = Number.NaN;

  constructor(seconds: number) {
    this.seconds = checkSeconds(seconds, "seconds", "new NotReady()");
  }

  /** The hint is a number of seconds, as the post's `NotReady(float)` is a float. */
  valueOf(): number {
    return this.seconds;
  }
}

/**
 * @internal The stepper's dispatch key: each built-in request class puts its kind number on its
 * prototype under this symbol, so the stepper tells a Task from a sleep from a wait with one
 * property load and a switch instead of a chain of `instanceof` checks on every step.
 */
export const REQUEST: unique symbol = Symbol("handloop.request");
/** @internal Kinds under REQUEST. */
export const TASK_REQUEST = 1;
/** @internal */
export const SLEEP_REQUEST = 2;
/** @internal */
export const NOT_READY_REQUEST = 3;
/** @internal */
export const WAIT_REQUEST = 4;
/** @internal A LoopPromise (or an object inheriting from its prototype: the stepper checks its slots). */
export const PROMISE_REQUEST = 5;

/** @internal Marks the instances of the class with this `prototype` as requests of `kind` (see REQUEST). */
export function markRequest(prototype: object, kind: number): void {
  Object.defineProperty(prototype, REQUEST, { value: kind });
}

/**
 * @internal `return (yield request)` as a small object rather than a generator: what `yield*` of
 * a task, a wait or a sleep runs. It yields `request` once (the stepper handles it) and returns
 * what it is resumed with; an error thrown in passes straight through. Generic iteration
 * (`Array.from`, deep equality) sees the one request and stops.
 */
export class YieldOnce<Y, T> implements Iterator<Y, T, unknown> {
  protected readonly request: Y;
  protected yielded = false;
  constructor(request: Y) {
    this.request = request;
  }
  next(value?: unknown): IteratorResult<Y, T> {
    if (this.yielded) return { done: true, value: value as T };
    this.yielded = true;
    return { done: false, value: this.request };
  }
  throw(error: unknown): IteratorResult<Y, T> {
    throw error;
  }
  return(value?: T): IteratorResult<Y, T> {
    this.yielded = true;
    return { done: true, value: value as T };
  }
  [Symbol.iterator](): this {
    return this;
  }
}

/**
 * @internal `then` for awaitables that are also thenables (ASleep, WaitOp), so that TypeScript
 * types `await x` in async functions: runs `awaitable` as a task on the running loop and
 * subscribes to it. With no loop running it throws a UsageError naming `what`, so a native
 * `await` of it rejects with that error: there is no loop to wait on.
 */
export function thenOnLoop<T, R1, R2>(
  awaitable: Awaitable<T>,
  what: string,
  onfulfilled: ((value: T) => R1 | PromiseLike<R1>) | null | undefined,
  onrejected: ((reason: unknown) => R2 | PromiseLike<R2>) | null | undefined,
): PromiseLike<R1 | R2> {
  const loop = running.loop;
  if (loop === null) {
    // A native await calls `then` with the engine's resolving functions, on a microtask: after
    // any synchronous run, so with no loop running. That is an async function no one compiled.
    if (isNativeResolvingFunction(onfulfilled)) {
      throw new UsageError(
        `${what} was awaited by a native await, where no handloop loop runs: in an async function handloop did not compile, or in a module's top-level code (never compiled: start a run there instead, run(main)). ${notCompiledAdvice()}`,
      );
    }
    throw new UsageError(`${what} was awaited with no handloop loop running; await it in a coroutine run by run() or an EventLoop.`);
  }
  return loop.createTask(awaitable).then(onfulfilled, onrejected);
}

/** @internal Whether `value` implements the awaitable protocol. */
export function isAwaitable(value: unknown): value is Awaitable<unknown> {
  return (
    (typeof value === "object" || typeof value === "function") &&
    value !== null &&
    typeof (value as Partial<Awaitable<unknown>>)[__await__] === "function"
  );
}

markRequest(NotReady.prototype, NOT_READY_REQUEST);
