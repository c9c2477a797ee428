/**
 * runtime.ts: `handloop/runtime`, the helpers code compiled by handloop calls (`__aw`, `__run`,
 * ...; see compile/runtime.ts for the contract). Compiled code imports them from here; nothing
 * else should. Kept off the main entry, so they are not in a user's autocomplete. Like the main
 * entry, it exports the first copy's helpers (see registry.ts), so compiled code and the program
 * that runs it share one runtime even when they were resolved to two copies of handloop.
 */

import type * as Compiled from "./compiled.js";
import { shared } from "./registry.js";

const compiled = shared.compiled;

export const __aw: typeof Compiled.__aw = compiled.__aw;
export const __run: typeof Compiled.__run = compiled.__run;
export const __notConstructor: typeof Compiled.__notConstructor = compiled.__notConstructor;
export const __wrap: typeof Compiled.__wrap = compiled.__wrap;
export const __wrapArrow: typeof Compiled.__wrapArrow = compiled.__wrapArrow;
export const __superRef: typeof Compiled.__superRef = compiled.__superRef;
export const __deleteSuper: typeof Compiled.__deleteSuper = compiled.__deleteSuper;
export const __agen: typeof Compiled.__agen = compiled.__agen;
export const __wrapAgen: typeof Compiled.__wrapAgen = compiled.__wrapAgen;
export const __yieldValue: typeof Compiled.__yieldValue = compiled.__yieldValue;
export const __yieldStar: typeof Compiled.__yieldStar = compiled.__yieldStar;
export const __forAwait: typeof Compiled.__forAwait = compiled.__forAwait;
export const __forAwaitClose: typeof Compiled.__forAwaitClose = compiled.__forAwaitClose;
export const __usingScope: typeof Compiled.__usingScope = compiled.__usingScope;
export const __using: typeof Compiled.__using = compiled.__using;
export const __usingError: typeof Compiled.__usingError = compiled.__usingError;
export const __dispose: typeof Compiled.__dispose = compiled.__dispose;
export const __disposeAsync: typeof Compiled.__disposeAsync = compiled.__disposeAsync;
export const AsyncGen: typeof Compiled.AsyncGen = compiled.AsyncGen;
export type AsyncGen<T = unknown, TReturn = unknown, TNext = unknown> = Compiled.AsyncGen<T, TReturn, TNext>;
export const IteratorRecord: typeof Compiled.IteratorRecord = compiled.IteratorRecord;
export type IteratorRecord = Compiled.IteratorRecord;
export const DisposeCapability: typeof Compiled.DisposeCapability = compiled.DisposeCapability;
export type DisposeCapability = Compiled.DisposeCapability;
// The global `Promise` of code compiled by handloop: compiled modules bind every reference to the
// global `Promise` they do not shadow to LoopPromise, so `new Promise(...)`, `Promise.all(...)` and
// `x instanceof Promise` work on the loop. Re-exported from the main entry rather than made a
// const of its own: a module that re-exports both entries (`export *` of each, as the test262
// runner's bundle does) then sees one binding, not two that cancel each other out.
export { LoopPromise } from "./index.js";
