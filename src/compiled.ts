/**
 * compiled.ts: this copy's compiled-code contract, the helpers code compiled by handloop calls
 * (see compile/runtime.ts), as `handloop/runtime` exports them through the registry (see
 * registry.ts). Not for hand use.
 */

export { AsyncGen, __agen, __wrapAgen, __yieldStar, __yieldValue } from "./compile/async-generator.js";
export { IteratorRecord, __forAwait, __forAwaitClose } from "./compile/iteration.js";
export {
  __aw,
  __deleteSuper,
  __notConstructor,
  __run,
  __superRef,
  __wrap,
  __wrapArrow,
} from "./compile/runtime.js";
export { DisposeCapability, __dispose, __disposeAsync, __using, __usingError, __usingScope } from "./compile/using.js";
