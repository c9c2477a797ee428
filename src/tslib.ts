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
 * own import back to itself. Async generators and `for await` run on the loop too: handloop
 * provides `__asyncGenerator` (the body runs as an AsyncGen, see compile/runtime.ts) and
 * `__asyncValues` (no Promise per item); tslib's `__await` marker and `__asyncDelegator` work
 * unchanged on top of them.
 */

import { __await } from "tslib/tslib.es6.mjs";
import { AsyncGen, __forAwait, __yieldValue } from "./compile/runtime.js";

export { __awaiter } from "./coroutine.js";

/**
 * An async generator body as TypeScript emits it, seen through handloop's async-generator runtime:
 * a yielded `__await(v)` is an await of `v`, anything else the generator's own yield.
 */
class EmittedAsyncBody implements Iterator<unknown, unknown, unknown> {
  readonly #body: Generator<unknown, unknown, unknown>;
  constructor(body: Generator<unknown, unknown, unknown>) {
    this.#body = body;
  }
  next(value?: unknown): IteratorResult<unknown, unknown> {
    return this.#translate(this.#body.next(value));
  }
  throw(error: unknown): IteratorResult<unknown, unknown> {
    return this.#translate(this.#body.throw(error));
  }
  return(value?: unknown): IteratorResult<unknown, unknown> {
    return this.#translate(this.#body.return(value));
  }
  #translate(r: IteratorResult<unknown, unknown>): IteratorResult<unknown, unknown> {
    if (r.done) return r;
    const y = r.value;
    return { done: false, value: y instanceof __await ? (y as unknown as { v: unknown }).v : __yieldValue(y) };
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
  return __forAwait(iterable);
}

export {
  __addDisposableResource,
  __assign,
  __asyncDelegator,
  __await,
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
} from "tslib/tslib.es6.mjs";
