/**
 * compile/runtime.ts: the helpers that code compiled by `compile()` calls. The compiler's output
 * contract, as tslib's helpers are TypeScript's.
 *
 * An `async` function becomes a wrapper of the same kind (declaration, expression, arrow, method)
 * and a generator body created once per definition, never per call:
 *
 *   async function f(a) { const x = await g(a); return x }
 *   ==> function f(_0) { return __run(f$body.body ?? f$body(), this, arguments, "f") }
 *       function f$body() { return f$body.body = { *f(a) { const x = yield __aw(g(a), "app.ts:1:33"); return x } }.f }
 *
 * (The body is a method named `f`, so V8's stack frames read `at f`; see lower-async.ts.)
 *
 * `__aw` records where each await is, so a DeadlockError and an error's await chain can name
 * the file and line.
 *
 * The rest of the contract is one concept per file beside this one: `async-generator.ts` (an
 * `async function*` becomes an `AsyncGen`, ECMA-262 27.6 step by step), `iteration.ts` (`for
 * await`, iterator records, the AsyncFromSyncIterator) and `using.ts` (`using` and `await using`).
 *
 * Nothing here steps a coroutine on its own: every body runs in a compiled Task, stepped by
 * task.ts.
 */

import { running } from "../running.js";
import { Task } from "../task.js";

/** A compiled body: the generator function an async function's wrapper calls. */
export type Body<T> = (this: never, ...args: never[]) => Iterator<unknown, T, unknown>;

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

/** Gives a wrapper the name and `length` of the async function it stands for. */
export function named<F extends (...args: never[]) => unknown>(fn: F, name: string, length: number): F {
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
