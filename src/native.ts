/**
 * native.ts: recognising native async code where it meets handloop, and the advice for it.
 *
 * The mistake every new user makes is an `async` function handloop did not compile: its file is
 * not opted in, or no compiler is registered. Such a function is native: it returns a native
 * Promise, whose callbacks need the microtask queue, which never runs while a synchronous run
 * blocks the thread. Where handloop can see one (a native async function or Promise handed to
 * `run` and the loop, a native `await` of a handloop awaitable), it says what is wrong and what
 * to do, instead of deadlocking.
 *
 * Only error paths call these: nothing here is on a hot path. Nothing here imports node: modules,
 * so the runtime still works in browsers.
 */

const AsyncFunction = Object.getPrototypeOf(async () => {}) as object;
// The engine's Promise as this module found it: a program may bind the global `Promise` to
// LoopPromise later (a test262 realm does), and a LoopPromise or a Task is no native Promise.
const NativePromise = Promise;
const nativeThen = Promise.prototype.then;

// Left on globalThis by handloop/register once its Node hook is registered (see register.ts).
const HOOK_REGISTERED = Symbol.for("handloop.register");

/** @internal Whether `fn` is a native async function (one no compiler lowered). */
export function isNativeAsyncFunction(fn: unknown): fn is (...args: never[]) => Promise<unknown> {
  return typeof fn === "function" && Object.getPrototypeOf(fn) === AsyncFunction;
}

/** @internal Whether `value` is a native Promise, which no synchronous run can see settle. */
export function isNativePromise(value: unknown): value is Promise<unknown> {
  return value instanceof NativePromise;
}

/**
 * @internal Whether `fn` is a resolving function the engine made: what a native `await` (or
 * `Promise.resolve`, or a native Promise's resolve) passes to the `then` of a thenable it adopts.
 * Such functions are anonymous and native; a callback written in JavaScript is neither.
 */
export function isNativeResolvingFunction(fn: unknown): boolean {
  if (typeof fn !== "function" || fn.name !== "") return false;
  try {
    return /\{\s*\[native code\]\s*\}\s*$/.test(Function.prototype.toString.call(fn));
  } catch {
    return false;
  }
}

/**
 * @internal What to do about an async function handloop did not compile, as full sentences.
 * With the Node hook registered, its file cannot have been opted in; without it, the hook is what
 * is missing first (a file with the directive is not compiled without it).
 */
export function notCompiledAdvice(): string {
  if ((globalThis as { [HOOK_REGISTERED]?: unknown })[HOOK_REGISTERED] === true) {
    return 'handloop\'s Node hook is registered, so the function\'s file is not opted in: add a "use handloop" directive as the file\'s first statement, or name it *.loop.ts (a file under node_modules is compiled only when its package is named in HANDLOOP_INCLUDE or in the "handloop": { "include": [...] } field of your package.json).';
  }
  return 'handloop\'s Node hook is not registered in this process: start Node with `--import handloop/register` (under Vite or Vitest, add the plugin from handloop/vite instead), and opt the function\'s file in with a "use handloop" directive as its first statement or a .loop.ts name.';
}

/**
 * @internal A native Promise handloop refused: its later rejection (often the very mistake
 * reported, seen again from the inside) is marked handled, so that Node does not end the process
 * with a second, more confusing error.
 */
export function ignoreOutcome(promise: Promise<unknown>): void {
  try {
    nativeThen.call(promise, undefined, () => {});
  } catch {
    // A promise-like object that only passed for native (a Proxy, a subclass instance): nothing to mark.
  }
}
