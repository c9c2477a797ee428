/**
 * compile/iteration.ts: what `for await` and `yield*` in async code walk. ECMA-262's iteration
 * operations (7.4: GetIterator, iterator records, IteratorClose), the AsyncFromSyncIterator
 * (27.1.6) that lets `for await` walk a sync iterable, and the compiler's `for await` contract.
 * Each function is named after the abstract operation it follows.
 *
 * `for await (x of xs)` becomes a loop over the record of `__forAwait(xs)`: `next()` read once,
 * each result awaited and checked to be an object, `__forAwaitClose` on an early exit.
 */

import { describe } from "../describe.js";
import { CancelledError } from "../errors.js";
import type { Runnable } from "../ready-queue.js";
import { running } from "../running.js";
import { Task } from "../task.js";
import { __aw } from "./runtime.js";

// ---- Iteration (ECMA-262 7.4) ---------------------------------------------------------------------

/** A method as GetMethod gives it: a function, or undefined for a property that is absent. */
type Method = (this: unknown, ...args: unknown[]) => unknown;

export function isObject(value: unknown): value is object {
  return (typeof value === "object" && value !== null) || typeof value === "function";
}

/**
 * GetMethod(V, P) (7.3), for the methods of iteration: `undefined` when the property is undefined
 * or null, else it must be callable. `V` may be a primitive: reading a property converts it, as
 * GetV does.
 */
export function getIteratorMethod(target: unknown, key: PropertyKey, what: string): Method | undefined {
  const method = (target as Record<PropertyKey, unknown>)[key];
  if (method === undefined || method === null) return undefined;
  if (typeof method !== "function") {
    throw new TypeError(`${what} is ${describe(method)}, which is not a function. Make it a method, or leave it undefined.`);
  }
  return method as Method;
}

/** Call(F, V, args) (7.3), for a method read earlier: a value that is not callable is a TypeError. */
export function callable(method: unknown, what: string): Method {
  if (typeof method !== "function") {
    throw new TypeError(`${what} is ${describe(method)}, which is not a function. An iterator needs a next() method.`);
  }
  return method as Method;
}

export function notAnObject(what: string, value: unknown): TypeError {
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
export function getAsyncIterator(obj: unknown, site: string): IteratorRecord {
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
export function rejected<T>(error: unknown, label: string): Task<T> {
  const task = Task._future<T>(label);
  task._reject(error);
  return task;
}

// ---- AsyncFromSyncIterator (ECMA-262 27.1.6) ------------------------------------------------------

// What every object of the engine's own async iterators inherits (%AsyncIteratorPrototype%):
// `[Symbol.asyncIterator]() { return this }`. This file is not compiled, so this is native.
export const AsyncIteratorPrototype = Object.getPrototypeOf(Object.getPrototypeOf(async function* () {}.prototype)) as object;

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
