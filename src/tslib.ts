/// <reference path="./tslib-module.d.ts" preserve="true" />
/**
 * tslib.ts: `handloop/tslib`, a drop-in for the `tslib` package that runs `async` code on the loop.
 *
 * TypeScript's downlevel emit with `--importHelpers` imports its helpers from "tslib". Alias
 * "tslib" (the bare name only, e.g. Vite's `{ find: /^tslib$/, replacement: "handloop/tslib" }`)
 * to this module and every `async` function compiled at ES2015/ES2016 runs on handloop:
 * `__awaiter` is ours, every other helper is tslib's own, re-exported unchanged.
 *
 * The real helpers are imported by their file path so that the alias cannot route this module's
 * own import back to itself. tslib is an optional peer dependency of handloop: it is imported
 * dynamically (a top-level await), so that a missing one is reported with the command that
 * installs it rather than Node's bare "Cannot find package".
 *
 * Async generators and `for await` run on the loop too: handloop provides `__asyncGenerator`
 * (the body runs as an AsyncGen, see compile/runtime.ts), `__asyncValues` (no Promise per item)
 * and `__asyncDelegator` (the AsyncGen runs the `yield*`); tslib's `__await` marker works
 * unchanged on top of them.
 */

import { AsyncGen, __yieldStar, __yieldValue } from "./compile/async-generator.js";
import { IteratorRecord, __forAwait } from "./compile/iteration.js";
import { MissingPeerError, TSLIB_PEER } from "./peers.js";

async function importTslib(): Promise<typeof import("tslib/tslib.es6.mjs")> {
  try {
    return await import("tslib/tslib.es6.mjs");
  } catch (error) {
    // Node says "Cannot find package 'tslib'" when the package is not there at all; a file
    // missing inside it (tslib 1 has no tslib.es6.mjs) keeps Node's own error.
    const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
    if (code === "ERR_MODULE_NOT_FOUND" && String(message).includes("'tslib'")) {
      throw new MissingPeerError("handloop/tslib", [TSLIB_PEER], "", { cause: error });
    }
    throw error;
  }
}

const tslib = await importTslib();
const { __await } = tslib;

export { __awaiter } from "./coroutine.js";

/**
 * An async generator body as TypeScript emits it, seen through handloop's async-generator runtime,
 * which reads a compiled body's yields (see runtime.ts): a yielded `__await(v)` is an await of
 * `v`; a record from `__asyncDelegator` is a `yield*`; anything else is the generator's own yield.
 * TypeScript emits `yield v` as `yield yield __await(v)`, so an own yield always follows the await
 * of its value, as handloop's own `yield __yieldValue(yield __aw(v))` does.
 */
class EmittedAsyncBody implements Iterator<unknown, unknown, unknown> {
  readonly #body: Generator<unknown, unknown, unknown>;
  // The value the body was last resumed with: what an own yield yields, after its await.
  #sent: unknown = undefined;
  // An own yield of a value that was not awaited first: it is awaited now, then yielded.
  #yieldAfterAwait = false;
  constructor(body: Generator<unknown, unknown, unknown>) {
    this.#body = body;
  }
  next(value?: unknown): IteratorResult<unknown, unknown> {
    this.#sent = value;
    if (this.#yieldAfterAwait) {
      this.#yieldAfterAwait = false;
      return OWN_YIELD;
    }
    return this.#translate(this.#body.next(value));
  }
  throw(error: unknown): IteratorResult<unknown, unknown> {
    this.#yieldAfterAwait = false;
    return this.#translate(this.#body.throw(error));
  }
  return(value?: unknown): IteratorResult<unknown, unknown> {
    return this.#translate(this.#body.return(value));
  }
  #translate(r: IteratorResult<unknown, unknown>): IteratorResult<unknown, unknown> {
    if (r.done) return r;
    const y = r.value;
    if (y instanceof __await) return { done: false, value: (y as unknown as { v: unknown }).v };
    if (y instanceof IteratorRecord) return r; // a yield*, from __asyncDelegator
    if (Object.is(y, this.#sent)) return OWN_YIELD;
    // Not TypeScript's emit: await the value first, as an async generator's yield does.
    this.#yieldAfterAwait = true;
    return r;
  }
}

/** An own yield, as the AsyncGen reads it: the value is the one the body was just resumed with. */
const OWN_YIELD: IteratorResult<unknown, unknown> = Object.freeze({ done: false, value: __yieldValue(undefined) });

/**
 * What TypeScript's `yield* x` delegates to (`yield* __asyncDelegator(__asyncValues(x))`): a sync
 * iterator that yields, once, the iteration record of `x`'s iterator, which the AsyncGen running
 * the body takes as a `yield*` and runs (runtime.ts), then finishes with how that ended.
 */
class Delegation implements Iterator<unknown, unknown, unknown> {
  #record: IteratorRecord | null;
  constructor(record: IteratorRecord) {
    this.#record = record;
  }
  next(value?: unknown): IteratorResult<unknown, unknown> {
    const record = this.#record;
    if (record === null) return { done: true, value };
    this.#record = null;
    return { done: false, value: record };
  }
  throw(error: unknown): IteratorResult<unknown, unknown> {
    throw error;
  }
  return(value?: unknown): IteratorResult<unknown, unknown> {
    return { done: true, value };
  }
  [Symbol.iterator](): this {
    return this;
  }
}

/** TypeScript's async-generator helper, on the loop: the generator's requests are Tasks, not Promises. */
export function __asyncGenerator(
  thisArg: unknown,
  args: ArrayLike<unknown> | undefined,
  generator: (this: never, ...args: never[]) => Generator<unknown, unknown, unknown>,
): AsyncGen<unknown> {
  const body = generator.apply(thisArg as never, (args ?? []) as never[]);
  return new AsyncGen<unknown>(new EmittedAsyncBody(body), generator.name || "AsyncGenerator");
}

/** TypeScript's `for await` helper, on the loop: the async iterator of `iterable`, or its sync one. */
export function __asyncValues(iterable: unknown): unknown {
  return __forAwait(iterable).iterator;
}

/** TypeScript's `yield*` helper in async generators, on the loop: the AsyncGen runs the delegation. */
export function __asyncDelegator(iterator: unknown): Iterator<unknown, unknown, unknown> {
  // `iterator` is what __asyncValues gave: no [Symbol.asyncIterator] of its own is needed.
  return new Delegation(__yieldStar({ [Symbol.asyncIterator]: () => iterator }, ""));
}

export { __await };
export const {
  __addDisposableResource,
  __assign,
  __classPrivateFieldGet,
  __classPrivateFieldIn,
  __classPrivateFieldSet,
  __createBinding,
  __decorate,
  __disposeResources,
  __esDecorate,
  __exportStar,
  __extends,
  __generator,
  __importDefault,
  __importStar,
  __makeTemplateObject,
  __metadata,
  __param,
  __propKey,
  __read,
  __rest,
  __rewriteRelativeImportExtension,
  __runInitializers,
  __setFunctionName,
  __spread,
  __spreadArray,
  __spreadArrays,
  __values,
} = tslib;
