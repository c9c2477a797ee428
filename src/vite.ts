/**
 * vite.ts: `handloop/vite`, a Vite (and Vitest) plugin that compiles opted-in files and the
 * packages named in `include`.
 *
 * Files whose name ends in `.loop.ts` or that start with `"use handloop";` are compiled before
 * Vite's own TypeScript transform (`enforce: "pre"`); so is every file of an included package
 * under node_modules, directive or not. No other node_modules file is touched. The map it returns
 * is chained by Vite, so stack traces and breakpoints point at the original source.
 *
 * Discussion: a plugin's transform sees only the modules Vite itself processes. Vitest runs
 * dependencies in node_modules with Node ("externalized"), Vite's SSR does the same, and Vite's
 * dev server pre-bundles them with its optimizer: none of these reaches a plugin. So the `config`
 * hook makes included packages go through Vite: `ssr.noExternal` (which Vitest 4 also turns into
 * `server.deps.inline`), Vitest's `test.server.deps.inline` directly, and `optimizeDeps.exclude`.
 * CommonJS files are refused rather than compiled: what they `require()` is loaded by Node, past
 * every plugin, so the package would be compiled in part, which fails later and obscurely.
 */

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { compileFor, DEFAULT_PROMISE, isOptedIn, type SourceMap } from "./compile/compile.js";
import { createInclude, inNodeModules, packageOf, type Include, type IncludeEntry } from "./compile/include.js";
import { UsageError } from "./errors.js";

/** Options of the plugin. */
export interface HandloopPluginOptions {
  /** Where compiled code imports handloop's helpers from; `"handloop/runtime"` by default. */
  runtime?: string;
  /**
   * Packages under node_modules to compile, whether or not their files opt in: a name matches
   * that package exactly (`"p-limit"`, `"@scope/name"`); a regular expression is tested against
   * the package name, scope included (`/^p-/`, or the string `"/^p-/"` as HANDLOOP_INCLUDE
   * writes it). A file belongs to the package after the last `node_modules/` in its path (nested
   * and pnpm layouts included). Their ES module files are compiled; a CommonJS file among them is
   * an error that names it. By default no package is compiled.
   *
   * @example
   * ```ts
   * handloop({ include: ["async-mutex", /^p-/] })
   * ```
   */
  include?: readonly IncludeEntry[];
  /**
   * `"loop"` binds compiled files' references to the global `Promise` to handloop's
   * `LoopPromise`; `"native"` leaves them alone (see `compile()`'s option of the same name).
   */
  promise?: "loop" | "native";
}

/** The part of Vite's user config the plugin's `config` hook reads and extends. */
export interface HandloopViteConfig {
  root?: string;
  ssr?: { noExternal?: string | RegExp | (string | RegExp)[] | true };
  optimizeDeps?: { exclude?: string[] };
  /** Vitest's options. */
  test?: { server?: { deps?: { inline?: (string | RegExp)[] | true } } };
}

/** The part of Vite's Plugin interface this plugin uses, so that no Vite types are needed. */
export interface HandloopVitePlugin {
  name: string;
  enforce: "pre";
  config(config: HandloopViteConfig): void;
  transform(code: string, id: string): { code: string; map: SourceMap | null } | null;
}

const CANDIDATE = /\.(?:[mc]?[jt]s|[jt]sx)$/i;

/**
 * The Vite/Vitest plugin. Add it to `plugins`; test files that start with `"use handloop";` may
 * then run real `async` code on the loop inside a synchronous test callback, and `include` names
 * the dependencies to compile with them.
 *
 * @example
 * ```ts
 * // vitest.config.ts
 * import { defineConfig } from "vitest/config";
 * import { handloop } from "handloop/vite";
 * export default defineConfig({ plugins: [handloop({ include: ["p-limit"] })] });
 *
 * // some.test.ts
 * "use handloop";
 * test("sleeps an hour at once", () => run(async () => { await asleep(3600); }, { clock: new VirtualClock() }));
 * ```
 */
export function handloop(options: HandloopPluginOptions = {}): HandloopVitePlugin {
  const include = createInclude(options.include ?? [], "the `include` option of handloop/vite");
  const runtime = options.runtime ?? "handloop/runtime";
  const promise = options.promise ?? DEFAULT_PROMISE;
  return {
    name: "handloop",
    enforce: "pre",
    config(config) {
      if (include.names.length === 0 && include.patterns.length === 0) return;
      const pattern = new IncludedPackages(include);
      const ssr = (config.ssr ??= {});
      if (ssr.noExternal !== true) {
        ssr.noExternal = [...(ssr.noExternal === undefined ? [] : Array.isArray(ssr.noExternal) ? ssr.noExternal : [ssr.noExternal]), pattern];
      }
      const deps = (((config.test ??= {}).server ??= {}).deps ??= {});
      if (deps.inline !== true) deps.inline = [...(deps.inline ?? []), pattern];
      const optimizeDeps = (config.optimizeDeps ??= {});
      optimizeDeps.exclude = [...(optimizeDeps.exclude ?? []), ...include.names, ...dependenciesMatching(include, config.root ?? process.cwd())];
    },
    transform(code, id) {
      const filename = id.replace(/[?#].*$/, "");
      if (!CANDIDATE.test(filename)) return null;
      if (inNodeModules(filename)) {
        const name = id.startsWith("\0") ? undefined : packageOf(filename);
        if (name === undefined || !include.matches(name)) return null;
        if (/\.c[jt]s$/i.test(filename)) throw commonJSRefused(name, filename);
        const compiled = compileFor("handloop/vite", code, { filename, runtime, promise });
        if (compiled.commonjs) throw commonJSRefused(name, filename);
        return { code: compiled.code, map: compiled.map };
      }
      if (!isOptedIn(code, filename)) return null;
      const { code: output, map } = compileFor("handloop/vite", code, { filename, runtime, promise });
      return { code: output, map };
    },
  };
}

function commonJSRefused(name: string, filename: string): UsageError {
  return new UsageError(
    `handloop/vite cannot compile ${filename}, a CommonJS file of "${name}" (named in \`include\`): ` +
      "what a CommonJS file requires is loaded by Node, past Vite's plugins, so the package would run partly uncompiled. " +
      `Import an ES module build of "${name}" if it has one (an "import" condition in its package.json "exports", or a "module" field), ` +
      `or take "${name}" out of \`include\`.`,
  );
}

/**
 * A RegExp that matches the included packages, for options that take regular expressions but
 * test them against different strings: Vite's `ssr.noExternal` tests a package name, Vitest's
 * `server.deps.inline` a file's path. Its `exec` (which `test` calls) finds the package either
 * way. Its source matches the named packages' paths and names, for a tool that copies it.
 */
class IncludedPackages extends RegExp {
  readonly #include: Include;

  constructor(include: Include) {
    const names = include.names.map((name) => name.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")).join("|") || "(?!)";
    super(`[\\\\/]node_modules[\\\\/](?:${names})(?:[\\\\/]|$)|^(?:${names})(?:/|$)`);
    this.#include = include;
  }

  override exec(text: string): RegExpExecArray | null {
    const name = inNodeModules(text) ? packageOf(text) : bareSpecifierPackage(text);
    if (name === undefined || !this.#include.matches(name)) return null;
    return Object.assign([text], { index: 0, input: text, groups: undefined }) as RegExpExecArray;
  }
}

/** The package a bare import specifier names (`p-limit/sub` is `p-limit`), if it is one. */
function bareSpecifierPackage(specifier: string): string | undefined {
  if (/^[./\\\0]|:/.test(specifier)) return undefined;
  const [first, second] = specifier.split("/");
  return first!.startsWith("@") ? (second === undefined ? undefined : `${first}/${second}`) : first;
}

/**
 * The app's dependencies (its package.json at `root`) that a regular expression of `include`
 * matches: Vite's optimizer takes only names, and pre-bundles only what the app imports.
 */
function dependenciesMatching(include: Include, root: string): string[] {
  if (include.patterns.length === 0) return [];
  let manifest: Record<string, unknown>;
  try {
    manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as Record<string, unknown>;
  } catch {
    return []; // no package.json: nothing the optimizer would find by name either
  }
  const names = new Set<string>();
  for (const field of ["dependencies", "devDependencies", "optionalDependencies", "peerDependencies"]) {
    const deps = manifest[field];
    if (typeof deps === "object" && deps !== null) for (const name of Object.keys(deps)) names.add(name);
  }
  return [...names].filter((name) => !include.names.includes(name) && include.patterns.some((pattern) => pattern.test(name)));
}
