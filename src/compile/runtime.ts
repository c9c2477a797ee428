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
 * the file and line. An `async function*` becomes an `AsyncGen` whose body yields
 * `__yieldValue(v)` for its own `yield v`, told apart from awaits by a marker. Nothing here
 * steps a coroutine: every body runs as a compiled Task, stepped by task.ts.
 */

import { start } from "../coroutine.js";
import { describe } from "../describe.js";
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

// ---- Async generators ---------------------------------------------------------------------------

/** Marks a body's own `yield v`, as opposed to an await; the value travels in `produced`. */
const PRODUCED = { toString: () => "an async generator's yield" };
let produced: unknown;

/** Compiler contract: an async generator body's own `yield v` becomes `yield __yieldValue(v)`. */
export function __yieldValue(value: unknown): unknown {
  produced = value;
  return PRODUCED;
}

const NEXT = 0;
const THROW = 1;
const RETURN = 2;

// Phases of one request (AsyncGenStep).
const QUEUED = 0; // waiting for the request before it
const RUNNING = 1; // the body runs; its awaits go to the loop
const YIELDING = 2; // awaiting the value of the body's `yield v`
const RETURNING = 3; // awaiting the value of the body's `return v`

/**
 * What calling an `async function*` compiled by handloop returns: an async iterator whose
 * `next`, `throw` and `return` give Tasks, so `for await` runs on the loop. Requests queue: each
 * starts once the one before it has finished, as the language requires.
 */
export class AsyncGen<T, TReturn = unknown, TNext = unknown> implements AsyncGenerator<T, TReturn, TNext> {
  readonly #body: Iterator<unknown, TReturn, unknown>;
  readonly #label: string;
  #last: Task<IteratorResult<T, TReturn>> | null = null;
  /** @internal */
  _finished = false;

  /** @internal */
  constructor(body: Iterator<unknown, TReturn, unknown>, label: string) {
    this.#body = body;
    this.#label = label;
  }

  next(...[value]: [] | [TNext]): Task<IteratorResult<T, TReturn>> {
    return this.#request(NEXT, value);
  }

  throw(error: unknown): Task<IteratorResult<T, TReturn>> {
    return this.#request(THROW, error);
  }

  return(value?: TReturn | PromiseLike<TReturn>): Task<IteratorResult<T, TReturn>> {
    return this.#request(RETURN, value);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  get [Symbol.toStringTag](): string {
    return "AsyncGenerator";
  }

  #request(kind: number, value: unknown): Task<IteratorResult<T, TReturn>> {
    const step = new AsyncGenStep<T, TReturn>(this, this.#body, kind, value, this.#last);
    const task = start<IteratorResult<T, TReturn>>(step, true, this.#label);
    this.#last = task;
    return task;
  }
}

/**
 * One `next`/`throw`/`return` request, as the iterator of its Task: it forwards the body's awaits
 * to the loop and ends, with an IteratorResult, at the body's next own `yield` or at its end.
 */
class AsyncGenStep<T, TReturn> implements Iterator<unknown, IteratorResult<T, TReturn>, unknown> {
  readonly #gen: AsyncGen<T, TReturn, unknown>;
  readonly #body: Iterator<unknown, TReturn, unknown>;
  readonly #kind: number;
  readonly #value: unknown;
  #previous: Task<unknown> | null;
  #phase = QUEUED;

  constructor(
    gen: AsyncGen<T, TReturn, unknown>,
    body: Iterator<unknown, TReturn, unknown>,
    kind: number,
    value: unknown,
    previous: Task<unknown> | null,
  ) {
    this.#gen = gen;
    this.#body = body;
    this.#kind = kind;
    this.#value = value;
    this.#previous = previous;
  }

  next(sent?: unknown): IteratorResult<unknown, IteratorResult<T, TReturn>> {
    switch (this.#phase) {
      case QUEUED:
        return this.#start();
      case RUNNING:
        return this.#resume(NEXT, sent);
      case YIELDING:
        return { done: true, value: { value: sent as T, done: false } };
      default:
        return { done: true, value: { value: sent as TReturn, done: true } };
    }
  }

  throw(error: unknown): IteratorResult<unknown, IteratorResult<T, TReturn>> {
    // Cancelled while queued, the body never saw this request; while awaiting a yielded or
    // returned value, the body is not where the error should go: it fails this request.
    if (this.#phase !== RUNNING) throw error;
    return this.#resume(THROW, error);
  }

  #start(): IteratorResult<unknown, IteratorResult<T, TReturn>> {
    const previous = this.#previous;
    if (previous !== null && !previous.done()) {
      return { done: false, value: previous.then(ignore, ignore) }; // wait our turn
    }
    this.#previous = null;
    this.#phase = RUNNING;
    if (this.#gen._finished) {
      if (this.#kind === THROW) throw this.#value;
      const value = (this.#kind === RETURN ? this.#value : undefined) as TReturn;
      return { done: true, value: { value, done: true } };
    }
    return this.#resume(this.#kind, this.#value);
  }

  /** Resumes the body; an error escaping it ends the generator and fails this request. */
  #resume(kind: number, value: unknown): IteratorResult<unknown, IteratorResult<T, TReturn>> {
    const body = this.#body;
    let r: IteratorResult<unknown, TReturn>;
    try {
      if (kind === NEXT) r = body.next(value);
      else if (kind === THROW) {
        if (typeof body.throw !== "function") throw value;
        r = body.throw(value);
      } else {
        if (typeof body.return !== "function") r = { done: true, value: value as TReturn };
        else r = body.return(value as TReturn);
      }
    } catch (error) {
      this.#gen._finished = true;
      if (error !== RETURN_THROUGH_DELEGATION) throw error;
      // The body finished a return() that passed through a yield*: complete it.
      r = { done: true, value: this.#value as TReturn };
    }
    return this.#handle(r);
  }

  #handle(r: IteratorResult<unknown, TReturn>): IteratorResult<unknown, IteratorResult<T, TReturn>> {
    if (r.done) {
      this.#gen._finished = true;
      if (isWaitable(r.value)) {
        // `return v` in an async generator awaits v first.
        this.#phase = RETURNING;
        return { done: false, value: r.value };
      }
      return { done: true, value: { value: r.value, done: true } };
    }
    if (r.value !== PRODUCED) return r; // an await: the loop's business
    const value = produced;
    produced = undefined;
    if (isWaitable(value)) {
      // `yield v` in an async generator awaits v first.
      this.#phase = YIELDING;
      return { done: false, value };
    }
    return { done: true, value: { value: value as T, done: false } };
  }
}

function ignore(): void {}

function isWaitable(value: unknown): boolean {
  return (
    value instanceof Task ||
    (value !== null &&
      (typeof value === "object" || typeof value === "function") &&
      typeof (value as PromiseLike<unknown>).then === "function")
  );
}

/** Compiler contract: calls a compiled `async function*` body and returns its AsyncGen. */
export function __agen<T>(body: Body<unknown>, thisArg: unknown, args: ArrayLike<unknown>, name: string): AsyncGen<T> {
  return new AsyncGen<T>(body.apply(thisArg as never, args as never[]), name || "AsyncGenerator");
}

/** Compiler contract: an `async function*` expression or object method around a compiled body. */
export function __wrapAgen<T>(body: Body<unknown>, name: string, length: number): (...args: unknown[]) => AsyncGen<T> {
  const label = name || "AsyncGenerator";
  const wrapper = function (this: unknown): AsyncGen<T> {
    // eslint-disable-next-line prefer-rest-params
    return new AsyncGen<T>(body.apply(this as never, arguments as never), label);
  };
  return named(wrapper, name, length);
}

// ---- for await ------------------------------------------------------------------------------------

/** An iterator as `for await` uses it: `next` may give a result or something to await for one. */
interface AnyIterator {
  next(value?: unknown): unknown;
  return?(value?: unknown): unknown;
}

/**
 * Compiler contract: the iterator `for await (x of iterable)` walks: `iterable[Symbol.asyncIterator]()`,
 * or its sync iterator with each value awaited, as the language's CreateAsyncFromSyncIterator.
 */
export function __forAwait(iterable: unknown): AnyIterator {
  if (iterable !== null && iterable !== undefined) {
    const source = iterable as Partial<AsyncIterable<unknown> & Iterable<unknown>>;
    const asyncMethod = source[Symbol.asyncIterator];
    if (typeof asyncMethod === "function") return asyncMethod.call(iterable) as AnyIterator;
    const syncMethod = source[Symbol.iterator];
    if (typeof syncMethod === "function") return new SyncToAsync(syncMethod.call(iterable));
  }
  throw new TypeError(`for await needs an async or sync iterable, got ${describe(iterable)}.`);
}

class SyncToAsync implements AnyIterator {
  readonly #it: Iterator<unknown, unknown, unknown>;
  constructor(it: Iterator<unknown, unknown, unknown>) {
    this.#it = it;
  }
  next(value?: unknown): unknown {
    return settleValue(this.#it.next(value));
  }
  return(value?: unknown): unknown {
    const it = this.#it;
    return typeof it.return === "function" ? settleValue(it.return(value)) : { value, done: true };
  }
}

/** A sync iterator's result, with its value awaited when it is a thenable or awaitable. */
function settleValue(r: IteratorResult<unknown, unknown>): unknown {
  const value = r.value;
  if (!isWaitable(value) && !isAwaitableObject(value)) return r;
  return start(awaitValue(value, r.done === true), true, "for-await");
}

function* awaitValue(value: unknown, done: boolean | undefined): Generator<unknown, IteratorResult<unknown>, unknown> {
  return { value: yield value, done: done === true } as IteratorResult<unknown>;
}

function isAwaitableObject(value: unknown): boolean {
  return (
    value !== null &&
    typeof value === "object" &&
    typeof (value as Record<symbol, unknown>)[Symbol.for("handloop.__await__")] === "function"
  );
}

/**
 * Compiler contract: closes the iterator of a `for await` left early (break, return, throw), as
 * the language's AsyncIteratorClose: awaits `return()`; an error from it is dropped when the loop
 * was already leaving by an error, and a non-object result is a TypeError otherwise.
 */
export function* __forAwaitClose(it: AnyIterator, threw: boolean, site: string): Generator<unknown, void, unknown> {
  const close = it.return;
  if (typeof close !== "function") return;
  if (threw) {
    try {
      yield __aw(close.call(it), site);
    } catch {
      // The loop's own error is the one that leaves it.
    }
    return;
  }
  const result = yield __aw(close.call(it), site);
  if (result === null || typeof result !== "object") {
    throw new TypeError(`The iterator's return() gave ${describe(result)}; it must give an object.`);
  }
}

/**
 * Thrown by `__yieldStar` to carry a `return()` out of a delegation once the delegated iterator has
 * been closed. Native `yield*` would turn that return into a normal completion as soon as the
 * closing had to await (the delegate's `finally` suspended), and the generator would run on. The
 * compiler makes every `catch` in an async generator rethrow it (`__rethrowReturn`), so only
 * `finally` blocks see it, as they would see the return; AsyncGenStep turns it back into one.
 */
const RETURN_THROUGH_DELEGATION = { toString: () => "a return() passing through yield*" };

/** Compiler contract: first statement of every `catch` in an async generator body. */
export function __rethrowReturn(error: unknown): void {
  if (error === RETURN_THROUGH_DELEGATION) throw error;
}

/**
 * Compiler contract: `yield* inner` inside an `async function*`: walks `inner`'s async iterator,
 * yielding its values as this generator's own, forwarding `throw()` and `return()` to it, and
 * returning its return value, as the language's async `yield*` does.
 */
export function* __yieldStar(inner: unknown, site: string): Generator<unknown, unknown, unknown> {
  const it = __forAwait(inner) as AnyIterator & { throw?(error: unknown): unknown };
  let received: unknown;
  let throwing = false;
  for (;;) {
    let r: IteratorResult<unknown, unknown>;
    if (!throwing) {
      r = (yield __aw(it.next(received), site)) as IteratorResult<unknown, unknown>;
    } else if (typeof it.throw === "function") {
      r = (yield __aw(it.throw(received), site)) as IteratorResult<unknown, unknown>;
    } else {
      if (typeof it.return === "function") yield __aw(it.return(), site);
      throw new TypeError("yield* delegated to an iterator without a throw() method, so it cannot receive the error.");
    }
    if (r.done) return r.value;
    let resumed = false;
    try {
      received = yield __yieldValue(r.value);
      throwing = false;
      resumed = true;
    } catch (error) {
      received = error;
      throwing = true;
      resumed = true;
    } finally {
      // Neither resumed nor thrown into: return() was called on the generator while it sat here.
      if (!resumed && typeof it.return === "function") {
        yield __aw(it.return(), site);
        throw RETURN_THROUGH_DELEGATION;
      }
    }
  }
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
