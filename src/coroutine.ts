/**
 * coroutine.ts: the driver's two entry points, the contracts compilers emit.
 *
 * `__awaiter(thisArg, args, P, body)` is the helper TypeScript's ES2015/ES2016 emit calls for
 * every `async` function; `coroutine(fn)` wraps a generator function once, as Babel's
 * async-to-generator transform (with its `module`/`method` options) does. Both create the
 * generator, make it a Task, and start it: at once, up to its first suspension, when a loop is
 * running (like a native async function); when a loop adopts it otherwise.
 * Neither steps the coroutine itself: that is task.ts's job alone.
 */

import { describe } from "./describe.js";
import { Task } from "./task.js";

/** @internal Checks `it` is an iterator, makes it a task, starts it if a loop runs (see the header). */
export function start<T>(it: unknown, compiled: boolean, label: string): Task<T> {
  if (it === null || typeof it !== "object" || typeof (it as Iterator<unknown>).next !== "function") {
    throw new TypeError(
      `The coroutine function ${label === "Task" ? "" : `${label} `}returned ${describe(it)}, not a generator. Write it as a generator function: function* (...) { ... }.`,
    );
  }
  return Task._start(it as Iterator<unknown, T, unknown>, compiled, label);
}

/**
 * Wraps a generator function into a coroutine function: same parameters and `this`, returns a
 * `Task<R>` typed from the generator's `return`. Inside the body, `yield* x` awaits `x` with its
 * type (`Task`, `asleep`, any awaitable that is iterable); plain `yield x` awaits too, untyped.
 *
 * Called inside a running loop, the coroutine starts at once and runs to its first suspension,
 * like a native async function; called outside any loop, it returns a task that starts when a loop
 * adopts it (`createTask`, `runUntilComplete`, `run`, or an await from a running task). An error
 * thrown before the first suspension fails the task; it is not thrown at the call.
 *
 * @example
 * ```ts
 * const fetchUser = coroutine(function* (id: number) {
 *   yield* asleep(0.1);                 // pretend latency
 *   return { id, name: `user${id}` };
 * });
 * const user = run(fetchUser(7), { clock: new VirtualClock() }); // { id: 7, name: "user7" }
 * ```
 */
export function coroutine<This, Args extends unknown[], R>(
  fn: (this: This, ...args: Args) => Generator<unknown, R, never>,
): (this: This, ...args: Args) => Task<R> {
  if (typeof fn !== "function") {
    throw new TypeError(`Expected the argument of coroutine() to be a generator function, got ${describe(fn)}.`);
  }
  const label = fn.name || "Task";
  const wrapped = function (this: This): Task<R> {
    // `arguments` rather than a rest parameter: no array is built per call.
    // eslint-disable-next-line prefer-rest-params
    return start(fn.apply(this, arguments as unknown as Args), false, label);
  };
  Object.defineProperty(wrapped, "name", { value: fn.name });
  return wrapped as (this: This, ...args: Args) => Task<R>;
}

/**
 * The helper TypeScript's downlevel emit calls for each `async` function (targets ES2015 and
 * ES2016), with the same contract as tslib's: `body.apply(thisArg, args)` gives the generator.
 * `P` (the Promise constructor some emit passes) is ignored: the result is a `Task`, stepped by
 * the loop. In these compiled bodies a yielded value that is not a request is a plain value:
 * `await 42` resumes with 42 after one turn. Import it through `handloop/tslib`.
 *
 * @example
 * ```ts
 * // What `async function twice(x) { await asleep(1); return 2 * x; }` compiles to:
 * function twice(x: number) {
 *   return __awaiter(this, void 0, void 0, function* () { yield asleep(1); return 2 * x; });
 * }
 * ```
 */
export function __awaiter<T>(
  thisArg: unknown,
  args: ArrayLike<unknown> | undefined,
  P: unknown,
  body: (this: never, ...args: never[]) => Iterator<unknown, T, unknown>,
): Task<T> {
  void P;
  return start(body.apply(thisArg as never, (args ?? []) as never[]), true, "Task");
}
