/**
 * vite.ts: `handloop/vite`, a Vite (and Vitest) plugin that compiles opted-in files.
 *
 * Files whose name ends in `.loop.ts` or that start with `"use handloop";` are compiled before
 * Vite's own TypeScript transform (`enforce: "pre"`); every other file is left alone. The map it
 * returns is chained by Vite, so stack traces and breakpoints point at the original source.
 */

import { compileFor, isOptedIn, type SourceMap } from "./compile/compile.js";

/** Options of the plugin. */
export interface HandloopPluginOptions {
  /** Where compiled code imports handloop's helpers from; `"handloop/runtime"` by default. */
  runtime?: string;
}

/** The part of Vite's Plugin interface this plugin uses, so that no Vite types are needed. */
export interface HandloopVitePlugin {
  name: string;
  enforce: "pre";
  transform(code: string, id: string): { code: string; map: SourceMap | null } | null;
}

const CANDIDATE = /\.(?:[mc]?[jt]s|[jt]sx)$/i;

/**
 * The Vite/Vitest plugin. Add it to `plugins`; test files that start with `"use handloop";` may
 * then run real `async` code on the loop inside a synchronous test callback.
 *
 * @example
 * ```ts
 * // vitest.config.ts
 * import { defineConfig } from "vitest/config";
 * import { handloop } from "handloop/vite";
 * export default defineConfig({ plugins: [handloop()] });
 *
 * // some.test.ts
 * "use handloop";
 * test("sleeps an hour at once", () => run(async () => { await asleep(3600); }, { clock: new VirtualClock() }));
 * ```
 */
export function handloop(options: HandloopPluginOptions = {}): HandloopVitePlugin {
  return {
    name: "handloop",
    enforce: "pre",
    transform(code, id) {
      const filename = id.replace(/[?#].*$/, "");
      if (filename.includes("/node_modules/") || !CANDIDATE.test(filename) || !isOptedIn(code, filename)) return null;
      return compileFor("handloop/vite", code, { filename, runtime: options.runtime ?? "handloop/runtime" });
    },
  };
}
