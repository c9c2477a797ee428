/**
 * compile/using.ts: `using` and `await using` (explicit resource management), which Node 20
 * cannot run, as compiled by handloop: ECMA-262's AddDisposableResource and DisposeResources,
 * with async disposal awaited on the loop.
 */

import { describe } from "../describe.js";
import { __aw } from "./runtime.js";

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
