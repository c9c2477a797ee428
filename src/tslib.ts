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
 * own import back to itself. The async-generator helpers (`__asyncGenerator`, `__await`,
 * `__asyncValues`, `__asyncDelegator`) are tslib's for now and still build native Promises.
 */

export { __awaiter } from "./coroutine.js";
export {
  __addDisposableResource,
  __assign,
  __asyncDelegator,
  __asyncGenerator,
  __asyncValues,
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
