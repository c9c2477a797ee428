/**
 * registry.ts: one handloop per process, however many copies are loaded.
 *
 * A dependency tree can hold two copies of handloop (npm cannot always dedupe; a `src`/`dist` or
 * ESM/CJS split makes more), and code compiled against one may run inside a loop of the other.
 * Two copies that each kept their own running loop, request kinds and Task class would not
 * recognise each other's tasks and traps. So the first copy loaded registers its whole runtime
 * (the public API and the compiled-code contract) under `Symbol.for("handloop")` on the global
 * object, and every entry of every copy exports what is registered there: later copies of the
 * same version are aliases of the first, down to `instanceof Task`. A copy of another version
 * cannot share a runtime whose internals may differ: loading it fails at once with a UsageError
 * naming both versions and where each was loaded from, never a hang.
 *
 * Invariant: for a given global object, `shared` is the same record in every copy, registered
 * once, never replaced.
 */

import * as api from "./api.js";
import * as compiled from "./compiled.js";
import { UsageError } from "./errors.js";
import { VERSION } from "./version.js";

/** What a copy registers: its version, where it was loaded from, and its runtime. */
export interface Registration {
  readonly version: string;
  readonly url: string;
  readonly api: typeof api;
  readonly compiled: typeof compiled;
}

const KEY = Symbol.for("handloop");
const global = globalThis as { [KEY]?: Registration };

const first = global[KEY];
if (first === undefined) {
  const own: Registration = Object.freeze({ version: VERSION, url: import.meta.url, api, compiled });
  Object.defineProperty(globalThis, KEY, { value: own, enumerable: false, writable: false, configurable: true });
} else if (first.version !== VERSION) {
  throw new UsageError(
    `Two versions of handloop are loaded in one process: ${first.version} from ${first.url}, and ${VERSION} from ${import.meta.url}. ` +
      "Tasks, loops and compiled code of different versions cannot work together: make every dependency use the same version (npm ls handloop shows which ask for which), then reinstall.",
  );
}

/** The runtime every entry of this copy exports: the first copy's, registered above. */
export const shared: Registration = global[KEY]!;
