/**
 * compile/runtime.ts: the helpers that code compiled by `compile()` calls. The compiler's output
 * contract, as tslib's helpers are TypeScript's.
 *
 * An `async` function becomes a wrapper of the same kind (declaration, expression, arrow, method)
 * and a generator body created once per definition, never per call:
 *
 *   async function f(a) { const x = await g(a); return x }
 *   ==> function f(_0) { return __run(f$body, this, arguments, "f") }
 *       function* f$body(a) { const x = yield __aw(g(a), "app.ts:1:33"); return x }
 *
 * `__aw` records where each await is, so a DeadlockError and an error's await chain can name
 * the file and line.
 *
 * An `async function*` becomes an `AsyncGen`, which follows ECMA-262 27.6 step by step, its
 * abstract operations named as there (AsyncGeneratorEnqueue, AsyncGeneratorResume,
 * AsyncGeneratorYield, AsyncGeneratorDrainQueue...). In its body, an await is `yield __aw(x)` as
 * everywhere; its own `yield v` is `yield __yieldValue(yield __aw(v, site))` (Await, then
 * AsyncGeneratorYield); `yield* x` is `yield __yieldStar(x, site)`, a delegation the generator
 * runs as 15.5.5 says; `return v` is `return yield __aw(v, site)`. `for await` walks the iterator
 * record of `__forAwait(x)` (GetIterator, with CreateAsyncFromSyncIterator for sync iterables).
 *
 * Nothing here steps a coroutine on its own: every body runs in a compiled Task, stepped by
 * task.ts. An async generator's body is resumed by the iterator its Task steps (AsyncGenContext),
 * which passes each step on to the body, as a delegating iterator does.
 */

import { describe } from "../describe.js";
import { CancelledError } from "../errors.js";
import type { Runnable } from "../ready-queue.js";
import { running } from "../running.js";
import { Task } from "../task.js";

type Body<T> = (this: never, ...args: never[]) => Iterator<unknown, T, unknown>;

/**
 * Compiler contract: records the source position of the `await` about to suspend, then returns
 * the awaited value unchanged (`yield __aw(x, "file.ts:3:9")`).
 */
export function __aw<T>(value: T, site: string): T {
  running.site = site;
  return value;
}

/** Compiler contract: runs a compiled `async` body as a task (declarations and methods). */
export function __run<T>(body: Body<T>, thisArg: unknown, args: ArrayLike<unknown>, name: string): Task<T> {
  let it: Iterator<unknown, T, unknown>;
  try {
    it = body.apply(thisArg as never, args as never[]);
  } catch (error) {
    // A parameter's default threw: as natively, the call returns a failed task, it does not throw.
    return failed(error, name);
  }
  // Task._start, not start(): a compiled body always gives a generator, and a frame less here is
  // depth for synchronous recursion (see Task._start).
  return Task._start(it, true, name || "Task");
}

/** Compiler contract: `new f()` on a compiled async function declaration throws, as natively. */
export function __notConstructor(name: string): never {
  throw new TypeError(`${name || "anonymous"} is not a constructor`);
}

function failed<T>(error: unknown, name: string): Task<T> {
  const task = Task._future<T>(name || "Task");
  task._reject(error);
  return task;
}

/**
 * Compiler contract: an `async` function expression or object method around a compiled body.
 *
 * The wrapper is a method, strict whatever the code that loads this file: like a native async
 * function it cannot be called with `new` and has no `prototype`, `caller` or `arguments` of its
 * own. Strictness does not reach the body: a sloppy body still sees `this` as the global object
 * when called without one, because the body is a function of its own.
 */
export function __wrap<T>(body: Body<T>, name: string, length: number): (...args: unknown[]) => Task<T> {
  const wrapper = {
    f(this: unknown): Task<T> {
      "use strict";
      // eslint-disable-next-line prefer-rest-params
      return __run(body, this, arguments, name);
    },
  }.f;
  return named(wrapper, name, length);
}

/**
 * Compiler contract: an `async` arrow around a compiled body. `thisArg` is the arrow's lexical
 * `this`, or, when the body needs more of its surroundings (`super`, `arguments`, `new.target`, or
 * a `this` not yet bound before `super()`), an object of accessors made where the arrow is, which
 * the body reads as its `this` (see lower-async.ts). Not a constructor, like a native arrow.
 */
export function __wrapArrow<T>(
  body: Body<T>,
  thisArg: unknown,
  name: string,
  length: number,
): (...args: unknown[]) => Task<T> {
  const wrapper = {
    f(): Task<T> {
      "use strict";
      // eslint-disable-next-line prefer-rest-params
      return __run(body, thisArg, arguments, name);
    },
  }.f;
  return named(wrapper, name, length);
}

/**
 * Compiler contract: `super.x` as the target of `+=`, `++` or destructuring in an async arrow,
 * as `__superRef(lex, "x").value`: reads and writes go through the accessors made where the arrow
 * is (see `__wrapArrow`), the key evaluated once.
 */
export function __superRef(lex: SuperAccessors, key: PropertyKey): { value: unknown } {
  return new SuperRef(lex, key);
}

/** What `__superRef` reads and writes through: `super[k]` and `super[k] = v` where the arrow is. */
interface SuperAccessors {
  g(key: PropertyKey): unknown;
  s(key: PropertyKey, value: unknown): unknown;
}

class SuperRef {
  readonly #lex: SuperAccessors;
  readonly #key: PropertyKey;
  constructor(lex: SuperAccessors, key: PropertyKey) {
    this.#lex = lex;
    this.#key = key;
  }
  get value(): unknown {
    return this.#lex.g(this.#key);
  }
  set value(value: unknown) {
    this.#lex.s(this.#key, value);
  }
}

/** Compiler contract: `delete super.x` in an async arrow, which throws as natively. */
export function __deleteSuper(): never {
  throw new ReferenceError("Unsupported reference to 'super'");
}

function named<F extends (...args: never[]) => unknown>(fn: F, name: string, length: number): F {
  Object.defineProperty(fn, "name", { value: name });
  if (length !== 0) Object.defineProperty(fn, "length", { value: length });
  return fn;
}

const AsyncFunction = Object.getPrototypeOf(async () => {}) as object;

/**
 * Whether `fn`, declared `async` in an opted-in file, was compiled by handloop: `false` when the
 * file was loaded without handloop's hooks or plugin and `fn` is still a native async function.
 *
 * @example
 * ```ts
 * "use handloop";
 * async function main(): Promise<void> {}
 * isCompiled(main); // true under `tsx --import handloop/register`, false under plain tsx
 * ```
 */
export function isCompiled(fn: (...args: never[]) => unknown): boolean {
  return Object.getPrototypeOf(fn) !== AsyncFunction;
}

// ---- Iteration (ECMA-262 7.4) ---------------------------------------------------------------------

/** A method as GetMethod gives it: a function, or undefined for a property that is absent. */
type Method = (this: unknown, ...args: unknown[]) => unknown;

function isObject(value: unknown): value is object {
  return (typeof value === "object" && value !== null) || typeof value === "function";
}

/**
 * GetMethod(V, P) (7.3), for the methods of iteration: `undefined` when the property is undefined
 * or null, else it must be callable. `V` may be a primitive: reading a property converts it, as
 * GetV does.
 */
function getIteratorMethod(target: unknown, key: PropertyKey, what: string): Method | undefined {
  const method = (target as Record<PropertyKey, unknown>)[key];
  if (method === undefined || method === null) return undefined;
  if (typeof method !== "function") {
    throw new TypeError(`${what} is ${describe(method)}, which is not a function. Make it a method, or leave it undefined.`);
  }
  return method as Method;
}

/** Call(F, V, args) (7.3), for a method read earlier: a value that is not callable is a TypeError. */
function callable(method: unknown, what: string): Method {
  if (typeof method !== "function") {
    throw new TypeError(`${what} is ${describe(method)}, which is not a function. An iterator needs a next() method.`);
  }
  return method as Method;
}

function notAnObject(what: string, value: unknown): TypeError {
  return new TypeError(`${what} gave ${describe(value)}, which is not an object. It must give an iterator result, an object such as { value, done }.`);
}

/**
 * Iterator Records (7.4): an iterator and the `next` method read from it once, by GetIterator.
 * `for await` steps through one; the body of an async generator yields one for its `yield*`,
 * and the generator runs the delegation (see AsyncGenContext).
 */
export class IteratorRecord {
  /** @internal [[Iterator]] */
  readonly iterator: object;
  /** @internal [[NextMethod]]: read once, when the iteration began. */
  readonly nextMethod: unknown;
  /** @internal Where the `yield*` is ("file.ts:3:9"), so a wait inside it is reported there. */
  readonly site: string;

  /** @internal */
  constructor(iterator: object, nextMethod: unknown, site: string) {
    this.iterator = iterator;
    this.nextMethod = nextMethod;
    this.site = site;
  }

  /** Compiler contract, in `for await`: Call([[NextMethod]], [[Iterator]]), with no argument. */
  next(): unknown {
    return callable(this.nextMethod, "The iterator's next").call(this.iterator);
  }

  /**
   * Compiler contract, in `for await`: the awaited result of `next()` must be an object
   * (ForIn/OfBodyEvaluation 14.7.5.7 step 6.c); IteratorComplete (7.4) reads its `done`.
   */
  complete(result: unknown): boolean {
    if (!isObject(result)) throw notAnObject("The iterator's next()", result);
    return Boolean((result as { done?: unknown }).done);
  }
}

/**
 * GetIteratorFromMethod(obj, method) (7.4): the iterator must be an object; its `next` is read
 * here, once for the whole iteration.
 */
function getIteratorFromMethod(obj: unknown, method: Method, site: string): IteratorRecord {
  const iterator = method.call(obj);
  if (!isObject(iterator)) {
    throw new TypeError(
      `The iterator method of ${describe(obj)} returned ${describe(iterator)}, which is not an object. It must return an iterator.`,
    );
  }
  return new IteratorRecord(iterator, (iterator as { next?: unknown }).next, site);
}

/**
 * GetIterator(obj, async) (7.4): `obj[Symbol.asyncIterator]()`, or else its sync iterator seen
 * through CreateAsyncFromSyncIterator.
 */
function getAsyncIterator(obj: unknown, site: string): IteratorRecord {
  if (obj === null || obj === undefined) {
    throw new TypeError(
      `${describe(obj)} is not iterable. \`for await\` and \`yield*\` in an async generator need an object with a [Symbol.asyncIterator] or [Symbol.iterator] method.`,
    );
  }
  const method = getIteratorMethod(obj, Symbol.asyncIterator, `[Symbol.asyncIterator] of ${describe(obj)}`);
  if (method !== undefined) return getIteratorFromMethod(obj, method, site);
  const syncMethod = getIteratorMethod(obj, Symbol.iterator, `[Symbol.iterator] of ${describe(obj)}`);
  if (syncMethod === undefined) {
    throw new TypeError(
      `${describe(obj)} is not iterable. \`for await\` and \`yield*\` in an async generator need an object with a [Symbol.asyncIterator] or [Symbol.iterator] method.`,
    );
  }
  return createAsyncFromSyncIterator(getIteratorFromMethod(obj, syncMethod, site));
}

/**
 * IteratorClose(iteratorRecord, completion) (7.4), for a sync iterator: calls its `return()`.
 * With a throw completion (`threw`), what closing does is ignored and the error stands.
 */
function iteratorClose(record: IteratorRecord, threw: boolean): void {
  const iterator = record.iterator;
  let result: unknown;
  try {
    const close = getIteratorMethod(iterator, "return", "The iterator's return");
    if (close === undefined) return;
    result = close.call(iterator);
  } catch (error) {
    if (threw) return;
    throw error;
  }
  if (!threw && !isObject(result)) throw notAnObject("The iterator's return()", result);
}

/** An async iteration request that fails before anything is awaited: a rejected Task. */
function rejected<T>(error: unknown, label: string): Task<T> {
  const task = Task._future<T>(label);
  task._reject(error);
  return task;
}

// ---- AsyncFromSyncIterator (ECMA-262 27.1.6) ------------------------------------------------------

// What every object of the engine's own async iterators inherits (%AsyncIteratorPrototype%):
// `[Symbol.asyncIterator]() { return this }`. This file is not compiled, so this is native.
const AsyncIteratorPrototype = Object.getPrototypeOf(Object.getPrototypeOf(async function* () {}.prototype)) as object;

/**
 * 27.1.6.1 CreateAsyncFromSyncIterator(syncIteratorRecord): a sync iterator seen as an async
 * one, for `for await` and `yield*` over a sync iterable. Its record's [[NextMethod]] is the
 * prototype's `next`.
 */
function createAsyncFromSyncIterator(syncIteratorRecord: IteratorRecord): IteratorRecord {
  const asyncIterator = new AsyncFromSyncIterator(syncIteratorRecord);
  return new IteratorRecord(asyncIterator, asyncIterator.next, syncIteratorRecord.site);
}

/**
 * 27.1.6.2 %AsyncFromSyncIteratorPrototype%: each method steps the sync iterator at once and
 * gives a Task for the result, whose value is awaited first (AsyncFromSyncIteratorContinuation).
 */
class AsyncFromSyncIterator {
  readonly #sync: IteratorRecord;

  constructor(syncIteratorRecord: IteratorRecord) {
    this.#sync = syncIteratorRecord;
  }

  /** 27.1.6.2.1 %AsyncFromSyncIteratorPrototype%.next(value): IteratorNext on the sync iterator. */
  next(value?: unknown): Task<IteratorResult<unknown>> {
    const sync = this.#sync;
    let result: unknown;
    try {
      const next = callable(sync.nextMethod, "The iterator's next");
      // "If value is present": a `for await` passes none, and the sync `next` must see none.
      // eslint-disable-next-line prefer-rest-params
      result = arguments.length > 0 ? next.call(sync.iterator, value) : next.call(sync.iterator);
      if (!isObject(result)) throw notAnObject("The iterator's next()", result);
    } catch (error) {
      return rejected(error, "AsyncFromSyncIterator");
    }
    return asyncFromSyncIteratorContinuation(result, sync, true);
  }

  /** 27.1.6.2.2 %AsyncFromSyncIteratorPrototype%.return(value): the sync `return`, if any. */
  return(value?: unknown): Task<IteratorResult<unknown>> {
    const sync = this.#sync;
    const iterator = sync.iterator;
    let result: unknown;
    try {
      const close = getIteratorMethod(iterator, "return", "The iterator's return");
      if (close === undefined) {
        const task = Task._future<IteratorResult<unknown>>("AsyncFromSyncIterator");
        task._resolve({ value, done: true });
        return task;
      }
      // eslint-disable-next-line prefer-rest-params
      result = arguments.length > 0 ? close.call(iterator, value) : close.call(iterator);
      if (!isObject(result)) throw notAnObject("The iterator's return()", result);
    } catch (error) {
      return rejected(error, "AsyncFromSyncIterator");
    }
    return asyncFromSyncIteratorContinuation(result, sync, false);
  }

  /**
   * 27.1.6.2.3 %AsyncFromSyncIteratorPrototype%.throw(value): the sync `throw`; a sync iterator
   * without one is closed, and the request fails with a TypeError (the protocol was violated).
   */
  throw(value?: unknown): Task<IteratorResult<unknown>> {
    const sync = this.#sync;
    const iterator = sync.iterator;
    let result: unknown;
    try {
      const thrower = getIteratorMethod(iterator, "throw", "The iterator's throw");
      if (thrower === undefined) {
        iteratorClose(sync, false);
        throw new TypeError(
          "The sync iterator delegated to has no throw() method, so it cannot take the error; it was closed instead. Give it a throw() method to receive errors.",
        );
      }
      // eslint-disable-next-line prefer-rest-params
      result = arguments.length > 0 ? thrower.call(iterator, value) : thrower.call(iterator);
      if (!isObject(result)) throw notAnObject("The iterator's throw()", result);
    } catch (error) {
      return rejected(error, "AsyncFromSyncIterator");
    }
    return asyncFromSyncIteratorContinuation(result, sync, true);
  }
}

Object.setPrototypeOf(AsyncFromSyncIterator.prototype, AsyncIteratorPrototype);

/**
 * 27.1.6.4 AsyncFromSyncIteratorContinuation(result, promiseCapability, syncIteratorRecord,
 * closeOnRejection): reads `done` and `value` now, then gives a Task that awaits the value (one
 * turn for a plain value, as PerformPromiseThen on a resolved promise takes one job) and settles
 * with `{ value, done }`. A rejected value closes the sync iterator unless it was done.
 */
function asyncFromSyncIteratorContinuation(
  result: object,
  syncIteratorRecord: IteratorRecord,
  closeOnRejection: boolean,
): Task<IteratorResult<unknown>> {
  let done: boolean;
  let value: unknown;
  try {
    done = Boolean((result as { done?: unknown }).done);
    value = (result as { value?: unknown }).value;
  } catch (error) {
    return rejected(error, "AsyncFromSyncIterator");
  }
  const loop = running.loop;
  if (loop !== null && typeof value !== "object" && typeof value !== "function") {
    // A primitive has no `then` to read and cannot reject: the job that settles the result, a turn
    // from now, is all there is to do (the common case: for await over an array of values).
    const task = Task._future<IteratorResult<unknown>>("AsyncFromSyncIterator");
    loop._schedule(new Unwrap(task, value, done));
    return task;
  }
  const closeOn = done || !closeOnRejection ? null : syncIteratorRecord;
  return Task._start(unwrap(value, done, closeOn), true, "AsyncFromSyncIterator");
}

/** The `unwrap` reaction of 27.1.6.4 for a primitive value: settles `task` on its own turn. */
class Unwrap implements Runnable {
  readonly #task: Task<IteratorResult<unknown>>;
  readonly #value: unknown;
  readonly #done: boolean;
  constructor(task: Task<IteratorResult<unknown>>, value: unknown, done: boolean) {
    this.#task = task;
    this.#value = value;
    this.#done = done;
  }
  _run(): void {
    this.#task._resolve({ value: this.#value, done: this.#done });
  }
}

/** The reactions of 27.1.6.4: `unwrap` on fulfilment, `closeIterator` on rejection. */
function* unwrap(
  value: unknown,
  done: boolean,
  closeOn: IteratorRecord | null,
): Generator<unknown, IteratorResult<unknown>, unknown> {
  let settled: unknown;
  try {
    settled = yield value;
  } catch (error) {
    if (closeOn !== null) iteratorClose(closeOn, true);
    throw error;
  }
  return { value: settled, done } as IteratorResult<unknown>;
}

// ---- for await (ECMA-262 14.7.5) ------------------------------------------------------------------

/**
 * Compiler contract: `for await (x of iterable)` starts with `__forAwait(iterable)`, ForIn/Of
 * HeadEvaluation's GetIterator(iterable, async), and walks the record it gives:
 *
 *   const it = __forAwait(iterable);
 *   for (;;) {
 *     const r = yield __aw(it.next(), site);  // Call(nextMethod, iterator), Await
 *     if (it.complete(r)) break;              // an object, or TypeError; IteratorComplete
 *     const v = r.value;                      // IteratorValue
 *     x = v; body                             // leaving from here closes the iterator
 *   }
 */
export function __forAwait(iterable: unknown): IteratorRecord {
  return getAsyncIterator(iterable, "");
}

/**
 * Compiler contract: closes the iterator of a `for await` left early (break, return, throw, or a
 * failed binding), as AsyncIteratorClose(iteratorRecord, completion) (7.4): awaits `return()`.
 * When the loop is leaving by an error (`threw`), anything closing throws is dropped and the
 * loop's error stands; otherwise an error from it, or a result that is not an object, is thrown.
 */
export function* __forAwaitClose(record: IteratorRecord, threw: boolean, site: string): Generator<unknown, void, unknown> {
  const iterator = record.iterator;
  let result: unknown;
  try {
    const close = getIteratorMethod(iterator, "return", "The iterator's return");
    if (close === undefined) return;
    result = yield __aw(close.call(iterator), site);
  } catch (error) {
    // A cancellation is not the iterator's doing: it still reaches the task.
    if (threw && !(error instanceof CancelledError)) return;
    throw error;
  }
  if (!threw && !isObject(result)) throw notAnObject("The iterator's return()", result);
}

// ---- Async generators (ECMA-262 27.6) -------------------------------------------------------------

function missingThrow(): TypeError {
  return new TypeError(
    "yield* delegated to an iterator without a throw() method, so the error thrown into the generator could not reach it; the iterator was closed instead. Give the iterator a throw() method.",
  );
}

/**
 * What a compiled body yields for its own `yield v`, once `v` is awaited: the generator takes
 * the value the await gave (it resumed the body with it) and yields that.
 */
const YIELD = Object.freeze({ toString: () => "an async generator's own yield" });

/**
 * Compiler contract: an async generator's own `yield v` becomes
 * `yield __yieldValue(yield __aw(v, site))`, as 15.5.5 Yield(v) is AsyncGeneratorYield(? Await(v)):
 * the inner `yield` is the Await, and this returns the request to yield what it gave. The value
 * needs no other way to the generator: the generator resumed that await with it.
 */
export function __yieldValue(_awaited: unknown): unknown {
  return YIELD;
}

/**
 * Compiler contract: `yield* iterable` in an async generator becomes
 * `yield __yieldStar(iterable, site)`: GetIterator(iterable, async) here, in the body, so that
 * its errors are thrown where the `yield*` is; the generator then runs the delegation (15.5.5,
 * the async branch) and resumes the body with its outcome: the inner iterator's return value,
 * an error thrown at the `yield*`, or a `return` completing there.
 */
export function __yieldStar(iterable: unknown, site: string): IteratorRecord {
  return getAsyncIterator(iterable, site);
}

// 27.6.2 [[AsyncGeneratorState]].
const SUSPENDED_START = 0;
const SUSPENDED_YIELD = 1;
const EXECUTING = 2;
const DRAINING_QUEUE = 3;
const COMPLETED = 4;

// Completion types: of a request (AsyncGeneratorRequest.[[Completion]]) and of what resumes a
// suspension point.
const NORMAL = 0;
const THROW = 1;
const RETURN = 2;

// Where the completion a step of the generator's Task brings goes (AsyncGenContext's phase).
const TO_BODY = 0; // the body, at its start, at an await, or at a yield once unwrapped
const RESUMED = 1; // AsyncGeneratorResume at a yield: the head of the queue says how
const UNWRAP = 2; // 27.6.3.7 AsyncGeneratorUnwrapYieldResumption of the head's completion
const UNWRAP_AWAITED = 3; // ... its Await(value) of a return request settled
const AT_YIELD = 4; // the suspension point: the body's own yield, or its yield*
const DELEGATE = 5; // 15.5.5 yield*: one round with `received`
const INNER_RESULT = 6; // yield*: Await(innerResult) of next() or throw() settled
const INNER_RETURN_RESULT = 7; // yield*: Await(innerReturnResult) settled
const INNER_RETURN_VALUE = 8; // yield*: Await(received.[[Value]]) settled, the iterator had no return()
const INNER_CLOSED = 9; // yield*: AsyncIteratorClose's Await settled, the iterator had no throw()
const AWAIT_RETURN_START = 10; // 27.6.3.9 AsyncGeneratorAwaitReturn, first step of its Task
const AWAIT_RETURN = 11; // ... its Await of the head's value settled

/** What the generator's Task gets back when it is to wait no more: the body suspended or ended. */
const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

/** The body of an async generator: a compiled generator body, or tslib's seen through an adapter. */
interface AsyncGenBody {
  next(value?: unknown): IteratorResult<unknown, unknown>;
  throw(error: unknown): IteratorResult<unknown, unknown>;
  return(value?: unknown): IteratorResult<unknown, unknown>;
}

/**
 * An async generator's internal slots and execution: [[AsyncGeneratorState]], the
 * [[AsyncGeneratorQueue]] of requests, and the body with where it stands ([[AsyncGeneratorContext]]).
 *
 * It is also the iterator that runs the body as a Task: each AsyncGeneratorResume (and each
 * AsyncGeneratorAwaitReturn of a generator no body runs for) starts a Task on it, which steps at
 * once, as the spec runs the body inside `next()`. That Task passes the body's awaits to the loop,
 * and this iterator does what the spec's abstract operations do at each of the body's own yields
 * and at its end. The Task ends when the generator suspends again (state suspended-yield) or has
 * drained its queue (completed), so at most one runs per generator, while it is executing or
 * draining.
 *
 * Discussion: the Task that runs the body is not the one a caller awaits: a request gives a
 * future, settled by AsyncGeneratorCompleteStep. So cancelling a task that awaits `next()` stops
 * its own wait, not the body, which natively could not be stopped either; the body's Task is
 * cancelled with the rest at the end of `run()`.
 */
class AsyncGenContext implements Iterator<unknown, undefined, unknown> {
  #state = SUSPENDED_START;
  readonly #body: AsyncGenBody;
  readonly #label: string;
  // [[AsyncGeneratorQueue]]: its oldest request in the three #head fields (#headCapability null
  // when the queue is empty), the others as (type, value, capability) triples in #rest from
  // #restStart on. A queue rarely holds more than one request: that one costs no array.
  // Invariant: not empty while executing or draining-queue; empty while suspended.
  #headType = NORMAL;
  #headValue: unknown = undefined;
  #headCapability: Task<IteratorResult<unknown>> | null = null;
  #rest: unknown[] | null = null;
  #restStart = 0;
  #phase = TO_BODY;
  // The value the body was last resumed with: at its own `yield`, what its Await gave.
  #sent: unknown = undefined;
  // The iteration record of the `yield*` the body is suspended in, or null.
  #delegate: IteratorRecord | null = null;
  // A Task made to run the body while no loop was running, not adopted yet (see adoptPending).
  #unstarted: Task<undefined> | null = null;
  // Where #delegateRound leaves the completion to resume the body with, when it does not wait.
  #outType = NORMAL;
  #outValue: unknown = undefined;
  // What an await of the generator's own gives the Task; reused, the Task reads it at once.
  readonly #awaiting: { done: false; value: unknown } = { done: false, value: undefined };

  constructor(body: AsyncGenBody, label: string) {
    this.#body = body;
    this.#label = label;
  }

  // ---- Requests: 27.6.1.2-4 AsyncGenerator.prototype.next / return / throw --------------------

  /** What `next(value)`, `return(value)` or `throw(value)` does once `this` is known to be ours. */
  request(type: number, value: unknown): Task<IteratorResult<unknown>> {
    if (this.#unstarted !== null && running.loop !== null) this.adoptPending();
    const capability = Task._future<IteratorResult<unknown>>(this.#label);
    let state = this.#state;
    if (type === NORMAL) {
      if (state === COMPLETED) {
        capability._resolve({ value: undefined, done: true });
        return capability;
      }
      this.#enqueue(NORMAL, value, capability);
      if (state === SUSPENDED_START || state === SUSPENDED_YIELD) this.#resume();
    } else if (type === RETURN) {
      this.#enqueue(RETURN, value, capability);
      if (state === SUSPENDED_START || state === COMPLETED) {
        this.#state = DRAINING_QUEUE;
        this.#phase = AWAIT_RETURN_START;
        this.#startTask();
      } else if (state === SUSPENDED_YIELD) {
        this.#resume();
      }
    } else {
      if (state === SUSPENDED_START) this.#state = state = COMPLETED;
      if (state === COMPLETED) {
        capability._reject(value);
        return capability;
      }
      this.#enqueue(THROW, value, capability);
      if (state === SUSPENDED_YIELD) this.#resume();
    }
    return this.#unstarted === null ? capability : Task._start(startThenWait(this, capability), true, this.#label);
  }

  /** 27.6.3.4 AsyncGeneratorEnqueue. */
  #enqueue(type: number, value: unknown, capability: Task<IteratorResult<unknown>>): void {
    if (this.#headCapability === null) {
      this.#headType = type;
      this.#headValue = value;
      this.#headCapability = capability;
    } else if (this.#rest === null) {
      this.#rest = [type, value, capability];
    } else {
      this.#rest.push(type, value, capability);
    }
  }

  /** 27.6.3.6 AsyncGeneratorResume: the body runs, in a Task that takes its first step now. */
  #resume(): void {
    this.#phase = this.#state === SUSPENDED_START ? TO_BODY : RESUMED;
    this.#state = EXECUTING;
    this.#startTask();
  }

  #startTask(): void {
    const task = Task._start<undefined>(this, true, this.#label);
    // With no loop running nothing steps it yet: the first request awaited in a loop adopts it.
    if (running.loop === null) this.#unstarted = task;
  }

  /** Hands the Task made while no loop ran, if it is still waiting for one, to the running loop. */
  adoptPending(): void {
    const task = this.#unstarted;
    if (task === null) return;
    this.#unstarted = null;
    if (task._adoptable) running.loop!.createTask(task);
  }

  /** 27.6.3.5 AsyncGeneratorCompleteStep: settles the oldest request and removes it. */
  #completeStep(type: number, value: unknown, done: boolean): void {
    const capability = this.#headCapability!;
    const rest = this.#rest;
    if (rest === null) {
      this.#headValue = this.#headCapability = null;
    } else {
      // The next request moves up to the head.
      const i = this.#restStart;
      this.#headType = rest[i] as number;
      this.#headValue = rest[i + 1];
      this.#headCapability = rest[i + 2] as Task<IteratorResult<unknown>>;
      if (i + 3 === rest.length) {
        this.#rest = null;
        this.#restStart = 0;
      } else {
        rest[i + 1] = rest[i + 2] = undefined; // let them go
        this.#restStart = i + 3;
      }
    }
    if (type === THROW) capability._reject(value);
    else capability._resolve({ value, done });
  }

  // ---- The Task's iterator ------------------------------------------------------------------

  /** The loop resumes the generator: an await settled with `value` (or it is the first step). */
  next(value?: unknown): IteratorResult<unknown, undefined> {
    return this.#step(NORMAL, value);
  }

  /** The loop resumes the generator by throwing: an await rejected, or its Task was cancelled. */
  throw(error: unknown): IteratorResult<unknown, undefined> {
    return this.#step(THROW, error);
  }

  /**
   * Delivers one completion where the generator stands and runs on until it must wait (an
   * await, given to the Task) or suspends or ends (DONE, which ends the Task). Each `case` is one
   * step of an abstract operation; `type` and `value` carry the completion from one to the next.
   */
  #step(type: number, value: unknown): IteratorResult<unknown, undefined> {
    for (;;) {
      switch (this.#phase) {
        case TO_BODY: {
          const body = this.#body;
          let r: IteratorResult<unknown, unknown>;
          try {
            if (type === NORMAL) {
              this.#sent = value;
              r = body.next(value);
            } else if (type === THROW) {
              r = body.throw(value);
            } else {
              r = body.return(value);
            }
          } catch (error) {
            return this.#bodyEnded(THROW, error);
          }
          if (r.done) return this.#bodyEnded(NORMAL, r.value);
          const request = r.value;
          if (request === YIELD) {
            // 27.6.3.8 AsyncGeneratorYield(value), the value its Await gave.
            if (!this.#yield(this.#sent)) return DONE;
            continue;
          }
          if (request instanceof IteratorRecord) {
            this.#delegate = request;
            this.#phase = DELEGATE;
            type = NORMAL; // received: NormalCompletion(undefined)
            value = undefined;
            continue;
          }
          return r; // an await: the Task's business; the body resumes here
        }

        case RESUMED:
          this.#phase = UNWRAP;
          type = this.#headType;
          value = this.#headValue;
          continue;

        case UNWRAP:
          // 27.6.3.7 AsyncGeneratorUnwrapYieldResumption: a return request awaits its value.
          if (type === RETURN) {
            this.#phase = UNWRAP_AWAITED;
            return this.#await(value, "");
          }
          this.#phase = AT_YIELD;
          continue;

        case UNWRAP_AWAITED:
          // A return completion with the awaited value, or the rejection thrown at the yield.
          type = type === NORMAL ? RETURN : THROW;
          this.#phase = AT_YIELD;
          continue;

        case AT_YIELD:
          this.#phase = this.#delegate === null ? TO_BODY : DELEGATE;
          continue;

        case DELEGATE: {
          const outcome = this.#delegateRound(type, value);
          if (outcome !== null) return outcome;
          type = this.#outType;
          value = this.#outValue;
          continue;
        }

        case INNER_RESULT:
        case INNER_RETURN_RESULT: {
          // yield* after Await(innerResult) (15.5.5 steps 7.a.ii-vi, 7.b.ii.2-7, 7.c.v-ix).
          const returning = this.#phase === INNER_RETURN_RESULT;
          if (type === THROW) {
            this.#leaveDelegation();
            continue;
          }
          const what = returning ? "The delegated iterator's return()" : "The delegated iterator's next() or throw()";
          let done: boolean;
          let inner: unknown;
          try {
            if (!isObject(value)) throw notAnObject(what, value);
            done = Boolean((value as { done?: unknown }).done);
            inner = (value as { value?: unknown }).value;
          } catch (error) {
            type = THROW;
            value = error;
            this.#leaveDelegation();
            continue;
          }
          if (done) {
            // The yield* is over: its value, or the return completing at it.
            type = returning ? RETURN : NORMAL;
            value = inner;
            this.#leaveDelegation();
            continue;
          }
          if (!this.#yield(inner)) return DONE;
          continue;
        }

        case INNER_RETURN_VALUE:
          // yield* 7.c.iii: Await(received.[[Value]]) settled; return completes at the yield*.
          if (type === NORMAL) type = RETURN;
          this.#leaveDelegation();
          continue;

        case INNER_CLOSED:
          // yield* 7.b.iii: AsyncIteratorClose(iteratorRecord, normal) done; then the TypeError.
          if (type === NORMAL) {
            type = THROW;
            value = isObject(value) ? missingThrow() : notAnObject("The delegated iterator's return()", value);
          }
          this.#leaveDelegation();
          continue;

        case AWAIT_RETURN_START:
          this.#phase = AWAIT_RETURN;
          return this.#await(this.#headValue, "");

        case AWAIT_RETURN:
          // 27.6.3.9 AsyncGeneratorAwaitReturn, its onFulfilled / onRejected.
          this.#completeStep(type, value, true);
          return this.#drainQueue();

        default:
          throw new Error(`AsyncGenContext: unknown phase ${this.#phase}; this is a bug in handloop.`);
      }
    }
  }

  /**
   * 15.5.5 yield*, the async branch: one round of its loop with `received`. Calls the inner
   * iterator and gives the await of what it returned; or, when the round throws or ends the
   * delegation without waiting, leaves the completion for the body in #outType / #outValue and
   * gives null.
   */
  #delegateRound(type: number, received: unknown): IteratorResult<unknown, undefined> | null {
    const record = this.#delegate!;
    const iterator = record.iterator;
    try {
      if (type === NORMAL) {
        // 7.a.i: Call(iteratorRecord.[[NextMethod]], iteratorRecord.[[Iterator]], « received »).
        const innerResult = callable(record.nextMethod, "The delegated iterator's next").call(iterator, received);
        this.#phase = INNER_RESULT;
        return this.#await(innerResult, record.site);
      }
      if (type === THROW) {
        const thrower = getIteratorMethod(iterator, "throw", "The delegated iterator's throw");
        if (thrower !== undefined) {
          const innerResult = thrower.call(iterator, received);
          this.#phase = INNER_RESULT;
          return this.#await(innerResult, record.site);
        }
        // 7.b.iii: no throw(): AsyncIteratorClose(iteratorRecord, NormalCompletion), then a TypeError.
        const close = getIteratorMethod(iterator, "return", "The delegated iterator's return");
        if (close === undefined) throw missingThrow();
        this.#phase = INNER_CLOSED;
        return this.#await(close.call(iterator), record.site);
      }
      // 7.c: a return completion.
      const close = getIteratorMethod(iterator, "return", "The delegated iterator's return");
      if (close === undefined) {
        this.#phase = INNER_RETURN_VALUE;
        return this.#await(received, record.site);
      }
      const innerReturnResult = close.call(iterator, received);
      this.#phase = INNER_RETURN_RESULT;
      return this.#await(innerReturnResult, record.site);
    } catch (error) {
      this.#leaveDelegation();
      this.#outType = THROW;
      this.#outValue = error;
      return null;
    }
  }

  /** The `yield*` is over: what comes next resumes the body at it. */
  #leaveDelegation(): void {
    this.#delegate = null;
    this.#phase = TO_BODY;
  }

  /** An Await of the generator's own: the Task waits on `value` and resumes this iterator. */
  #await(value: unknown, site: string): IteratorResult<unknown, undefined> {
    running.site = site;
    const awaiting = this.#awaiting;
    awaiting.value = value;
    return awaiting;
  }

  /**
   * 27.6.3.8 AsyncGeneratorYield(value): completes the oldest request with `value`. If more are
   * queued, the generator goes on without suspending, with the next one's completion (phase
   * RESUMED), and this gives true; else it suspends and this gives false.
   */
  #yield(value: unknown): boolean {
    this.#completeStep(NORMAL, value, false);
    if (this.#headCapability === null) {
      this.#state = SUSPENDED_YIELD;
      return false;
    }
    this.#phase = RESUMED;
    return true;
  }

  /**
   * 27.6.3.2 AsyncGeneratorStart, its last steps: the body returned (`value`, already awaited by
   * its `return`) or threw. The oldest request gets that, and the queue is drained.
   */
  #bodyEnded(type: number, value: unknown): IteratorResult<unknown, undefined> {
    this.#state = DRAINING_QUEUE;
    this.#delegate = null;
    this.#completeStep(type, value, true);
    return this.#drainQueue();
  }

  /**
   * 27.6.3.10 AsyncGeneratorDrainQueue: requests that came while the body ran settle as a
   * completed generator settles them, in order; a return request awaits its value first
   * (AsyncGeneratorAwaitReturn), in this same Task.
   */
  #drainQueue(): IteratorResult<unknown, undefined> {
    for (;;) {
      if (this.#headCapability === null) {
        this.#state = COMPLETED;
        return DONE;
      }
      const type = this.#headType;
      if (type === RETURN) {
        this.#phase = AWAIT_RETURN;
        return this.#await(this.#headValue, "");
      }
      if (type === THROW) this.#completeStep(THROW, this.#headValue, true);
      else this.#completeStep(NORMAL, undefined, true);
    }
  }
}

/**
 * A request made while no loop runs: its Task is this, which, once a loop adopts it, hands the
 * generator's Task to that loop too, then waits for the request.
 */
function* startThenWait(
  context: AsyncGenContext,
  capability: Task<IteratorResult<unknown>>,
): Generator<unknown, IteratorResult<unknown>, unknown> {
  context.adoptPending();
  return (yield capability) as IteratorResult<unknown>;
}

/**
 * What calling an `async function*` compiled by handloop returns: an async generator as 27.6
 * specifies it, whose `next`, `return` and `throw` give Tasks, so `for await` runs on the loop.
 * The methods live on one prototype, which inherits the engine's %AsyncIteratorPrototype%.
 */
export class AsyncGen<T = unknown, TReturn = unknown, TNext = unknown> implements AsyncGenerator<T, TReturn, TNext> {
  readonly #context: AsyncGenContext;

  /** @internal */
  constructor(body: AsyncGenBody, label: string) {
    this.#context = new AsyncGenContext(body, label);
  }

  /** 27.6.1.2 AsyncGenerator.prototype.next(value). */
  next(value?: TNext): Task<IteratorResult<T, TReturn>> {
    return AsyncGen.#request(this, NORMAL, value, "next") as Task<IteratorResult<T, TReturn>>;
  }

  /** 27.6.1.3 AsyncGenerator.prototype.return(value). */
  return(value?: TReturn | PromiseLike<TReturn>): Task<IteratorResult<T, TReturn>> {
    return AsyncGen.#request(this, RETURN, value, "return") as Task<IteratorResult<T, TReturn>>;
  }

  /** 27.6.1.4 AsyncGenerator.prototype.throw(exception). */
  throw(exception: unknown): Task<IteratorResult<T, TReturn>> {
    return AsyncGen.#request(this, THROW, exception, "throw") as Task<IteratorResult<T, TReturn>>;
  }

  /** 27.6.3.3 AsyncGeneratorValidate, then the request; a bad `this` gives a rejected Task. */
  static #request(generator: unknown, type: number, value: unknown, method: string): Task<IteratorResult<unknown>> {
    if (!isObject(generator) || !(#context in generator)) {
      return rejected(
        new TypeError(
          `AsyncGenerator.prototype.${method} was called on ${describe(generator)}, which is not an async generator. Call it on what an async generator function returned.`,
        ),
        "AsyncGenerator",
      );
    }
    return (generator as AsyncGen).#context.request(type, value);
  }
}

// Inherited from %AsyncIteratorPrototype% at run time (see below); declared here for the types.
export interface AsyncGen<T = unknown, TReturn = unknown, TNext = unknown> {
  [Symbol.asyncIterator](): AsyncGen<T, TReturn, TNext>;
}

// %AsyncGeneratorPrototype% (27.6.1): its [[Prototype]] and its @@toStringTag.
Object.setPrototypeOf(AsyncGen.prototype, AsyncIteratorPrototype);
Object.defineProperty(AsyncGen.prototype, Symbol.toStringTag, { value: "AsyncGenerator", configurable: true });

/** Compiler contract: calls a compiled `async function*` body and returns its AsyncGen. */
export function __agen<T>(body: Body<unknown>, thisArg: unknown, args: ArrayLike<unknown>, name: string): AsyncGen<T> {
  return new AsyncGen<T>(body.apply(thisArg as never, args as never[]) as unknown as AsyncGenBody, name || "AsyncGenerator");
}

/** Compiler contract: an `async function*` expression or object method around a compiled body. */
export function __wrapAgen<T>(body: Body<unknown>, name: string, length: number): (...args: unknown[]) => AsyncGen<T> {
  const label = name || "AsyncGenerator";
  // A method, as __wrap's wrapper is: `new` on it throws a TypeError, as on a native async generator function.
  const wrapper = {
    f(this: unknown): AsyncGen<T> {
      "use strict";
      // eslint-disable-next-line prefer-rest-params
      return new AsyncGen<T>(body.apply(this as never, arguments as never) as unknown as AsyncGenBody, label);
    },
  }.f;
  return named(wrapper, name, length);
}

// ---- Explicit resource management: using, await using -----------------------------------------

const SYNC_DISPOSE = 0; // `using`
const ASYNC_DISPOSE = 1; // `await using` with a [Symbol.asyncDispose]() method
const SYNC_IN_ASYNC_DISPOSE = 2; // `await using` falling back on [Symbol.dispose](): its result dropped, undefined awaited

interface DisposableResource {
  value: unknown;
  method: ((this: unknown) => unknown) | undefined;
  hint: number;
}

/**
 * The language's DisposeCapability: the resources a scope with `using` declarations added, in
 * order, and how the scope's own code ended (`threw`, `error`) before they are disposed.
 */
export class DisposeCapability {
  /** @internal */
  readonly _stack: DisposableResource[] = [];
  /** @internal */
  _threw = false;
  /** @internal */
  _error: unknown = undefined;
}

const symbols = Symbol as unknown as { dispose?: symbol; asyncDispose?: symbol };
const DISPOSE = symbols.dispose ?? Symbol.for("Symbol.dispose");
const ASYNC_DISPOSE_KEY = symbols.asyncDispose ?? Symbol.for("Symbol.asyncDispose");

/** Compiler contract: the DisposeCapability of a scope that declares `using` or `await using`. */
export function __usingScope(): DisposeCapability {
  return new DisposeCapability();
}

/** The language's GetMethod: undefined for undefined or null, a TypeError for anything else not callable. */
function getMethod(value: object, key: symbol): ((this: unknown) => unknown) | undefined {
  const method = (value as Record<symbol, unknown>)[key];
  if (method === undefined || method === null) return undefined;
  if (typeof method !== "function") throw new TypeError(`${key.description} of a disposable must be a function, got ${describe(method)}.`);
  return method as (this: unknown) => unknown;
}

/**
 * Compiler contract: `using x = value` (`isAwait` false) or `await using x = value` (true), as
 * the language's AddDisposableResource: records the value and its dispose method on the scope's
 * capability, and returns the value for the binding.
 */
export function __using<T>(env: DisposeCapability, value: T, isAwait: boolean): T {
  if (value === null || value === undefined) {
    // Nothing to dispose; an `await using` of null still awaits once when the scope ends.
    if (isAwait) env._stack.push({ value: undefined, method: undefined, hint: ASYNC_DISPOSE });
    return value;
  }
  if (typeof value !== "object" && typeof value !== "function") {
    throw new TypeError(`${isAwait ? "await using" : "using"} needs an object, null or undefined, got ${describe(value)}.`);
  }
  let method: ((this: unknown) => unknown) | undefined;
  let hint = isAwait ? ASYNC_DISPOSE : SYNC_DISPOSE;
  if (isAwait) {
    method = getMethod(value, ASYNC_DISPOSE_KEY);
    if (method === undefined) {
      method = getMethod(value, DISPOSE);
      hint = SYNC_IN_ASYNC_DISPOSE;
    }
  } else {
    method = getMethod(value, DISPOSE);
  }
  if (method === undefined) {
    throw new TypeError(
      isAwait
        ? `await using needs an object with a [Symbol.asyncDispose]() or [Symbol.dispose]() method, got ${describe(value)}.`
        : `using needs an object with a [Symbol.dispose]() method, got ${describe(value)}.`,
    );
  }
  env._stack.push({ value, method, hint });
  return value;
}

/** Compiler contract: the scope's own code threw `error` (the catch of its try). */
export function __usingError(env: DisposeCapability, error: unknown): void {
  env._threw = true;
  env._error = error;
}

type SuppressedErrorConstructor = new (error: unknown, suppressed: unknown) => Error;

/** The language's SuppressedError where the engine has one (Node 22+), else the same shape. */
const SuppressedErrorClass: SuppressedErrorConstructor =
  (globalThis as { SuppressedError?: SuppressedErrorConstructor }).SuppressedError ??
  (() => {
    class SuppressedError extends Error {
      declare error: unknown;
      declare suppressed: unknown;
      constructor(error: unknown, suppressed: unknown, message?: string) {
        super(message);
        Object.defineProperty(this, "error", { value: error, writable: true, configurable: true });
        Object.defineProperty(this, "suppressed", { value: suppressed, writable: true, configurable: true });
      }
    }
    Object.defineProperty(SuppressedError.prototype, "name", { value: "SuppressedError", writable: true, configurable: true });
    return SuppressedError;
  })();

/** A dispose method threw `error`: the scope now ends by it, with an earlier error as `suppressed`. */
function disposalFailed(env: DisposeCapability, error: unknown): void {
  env._error = env._threw ? new SuppressedErrorClass(error, env._error) : error;
  env._threw = true;
}

/**
 * Compiler contract: the `finally` of a scope with `using` declarations only, as the language's
 * DisposeResources: calls each dispose method, last added first, and throws how the scope ended.
 */
export function __dispose(env: DisposeCapability): void {
  const stack = env._stack;
  for (let i = stack.length - 1; i >= 0; i--) {
    const resource = stack[i]!;
    try {
      resource.method!.call(resource.value);
    } catch (error) {
      disposalFailed(env, error);
    }
  }
  stack.length = 0;
  if (env._threw) throw env._error;
}

/**
 * Compiler contract: the `finally` of a scope with an `await using` declaration, as the language's
 * DisposeResources (`yield* __disposeAsync(env, site)`): like `__dispose`, awaiting what each
 * async dispose method gives, and awaiting once at least whenever the scope declared an `await using`.
 */
export function* __disposeAsync(env: DisposeCapability, site: string): Generator<unknown, void, unknown> {
  const stack = env._stack;
  let needsAwait = false;
  let hasAwaited = false;
  for (let i = stack.length - 1; i >= 0; i--) {
    const resource = stack[i]!;
    if (resource.hint === SYNC_DISPOSE && needsAwait && !hasAwaited) {
      yield __aw(undefined, site);
      needsAwait = false;
    }
    if (resource.method === undefined) {
      needsAwait = true; // an `await using` of null or undefined
      continue;
    }
    if (resource.hint === SYNC_IN_ASYNC_DISPOSE) {
      // The language wraps the sync method in a function that gives a promise of undefined, or a
      // rejected one: the error, if any, comes after the await.
      let failed = false;
      let failure: unknown;
      try {
        resource.method.call(resource.value);
      } catch (error) {
        failed = true;
        failure = error;
      }
      hasAwaited = true;
      yield __aw(undefined, site);
      if (failed) disposalFailed(env, failure);
      continue;
    }
    try {
      const result = resource.method.call(resource.value);
      if (resource.hint === ASYNC_DISPOSE) {
        hasAwaited = true;
        yield __aw(result, site);
      }
    } catch (error) {
      disposalFailed(env, error);
    }
  }
  if (needsAwait && !hasAwaited) yield __aw(undefined, site);
  stack.length = 0;
  if (env._threw) throw env._error;
}
