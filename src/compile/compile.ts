/**
 * compile/compile.ts: `compile(source, { filename })`, real `async`/`await` source to code that runs
 * on the loop; and the opt-in rule that decides which files get compiled.
 *
 * Two Babel passes over one AST: strip TypeScript types (TypeScript files only), then lower async
 * functions with our own plugin (lower-async.ts). Nothing else is transformed: `#private`, `?.`,
 * `??`, class fields and static blocks stay native. Babel is loaded on the first call, so a
 * process that never compiles never pays for it.
 *
 * Discussion: why Babel and our own lowering. TypeScript's ES2016 emit lowers far more than async
 * and creates a generator function per call (about 40x slower than native on call-heavy code);
 * TypeScript 7 has no in-process API at all. Babel's async-to-generator plugin lowers only async,
 * but still creates a generator per call for methods and arrows and builds async generators on
 * Promises. So Babel parses, strips types and prints (with source maps), and the lowering is ours:
 * one generator per definition, `super`/`#private` kept working by making the body a method of the
 * same class, and async generators that run on the loop.
 */

import { createRequire } from "node:module";
import type * as Babel from "@babel/core";
import { COMPILER_PEERS, MissingPeerError, type PeerEntry } from "../peers.js";
import { lowerAsync, REJECTED, type LowerAsyncMetadata } from "./lower-async.js";

/** Options of `compile()`. */
export interface CompileOptions {
  /** The file's name or path: picks the syntax (`.ts`, `.tsx`, `.js`) and names await sites. */
  filename: string;
  /**
   * Where the compiled code gets handloop's helpers: for a module, the specifier it imports them
   * from (`"handloop/runtime"` by default); for a script, the global variable that holds them
   * (`"handloop"` by default: an object with the exports of `handloop/runtime`).
   */
  runtime?: string;
  /**
   * `"module"` (the default): the source is an ES module and so is the output. `"script"`: a
   * classic script, parsed as one (sloppy unless it says `"use strict"`), whose output reads the
   * helpers from the global named by `runtime` instead of importing them, so it can run as global
   * code (`vm.runInThisContext`, a `<script>` tag) where a module cannot.
   */
  sourceType?: "module" | "script";
  /**
   * `"loop"`: every reference to the global `Promise` that the file does not shadow (`new
   * Promise(...)`, `Promise.all`, `x instanceof Promise`, `class X extends Promise`...) is bound to
   * `LoopPromise` from the runtime, imported under a fresh name (for a script, read from the
   * `runtime` global), so that Promises the code makes by hand settle on the loop. Property reads
   * such as `globalThis.Promise` and writes to the global are left as written. `"native"` leaves
   * `Promise` alone, for code that must hand native Promises to the host. The default is `"loop"`.
   */
  promise?: "loop" | "native";
}

/**
 * The default of `promise` in `compile()`, the Vite plugin and the Node hook: the one place to
 * change it.
 * @internal
 */
export const DEFAULT_PROMISE: "loop" | "native" = "loop";

/**
 * What the entry points may ask of compileFor beyond compile()'s options.
 * @internal
 */
export interface CompileInternals {
  /**
   * The source is a CommonJS module that Node's hook runs (parsed as a script that may `return`
   * at its top level): the output reads the helpers from the runtime handloop/register loaded
   * (see registry.ts), because Node 20 cannot `require` an ES module from a hooked CommonJS one.
   */
  commonjs?: boolean;
}

/**
 * compile()'s result as the entry points see it.
 * @internal
 */
export interface CompiledFile extends CompileResult {
  /** The source looks like CommonJS (see LowerAsyncMetadata). */
  commonjs: boolean;
}

/** A source map, version 3, as Babel and Vite produce them. */
export interface SourceMap {
  version: number;
  sources: string[];
  names: string[];
  mappings: string;
  file?: string;
  sourcesContent?: (string | null)[];
}

/** What `compile()` returns: JavaScript, and the map from it back to the source. */
export interface CompileResult {
  code: string;
  map: SourceMap | null;
}

const require = createRequire(import.meta.url);
let babel: typeof Babel | undefined;
let stripTypes: Babel.PluginItem | undefined;

/**
 * Compiles `async` functions, arrows, methods, async generators and `for await` in `source` into
 * generator bodies driven by handloop's loop, lowers `using`/`await using` (which Node 20 cannot
 * run), and strips TypeScript types. Every other piece of syntax is left as written. Source it
 * cannot compile soundly (decorators, `accessor` fields) is refused with a SyntaxError that names
 * the file and line. Synchronous; loads the compiler (Babel) on first use, and throws a
 * `MissingPeerError` saying what to install when its packages are not installed.
 *
 * @example
 * ```ts
 * const { code, map } = compile(
 *   `import { asleep } from "handloop";
 *    export async function hello(): Promise<string> { await asleep(1); return "hi"; }`,
 *   { filename: "hello.ts" },
 * );
 * ```
 */
export function compile(source: string, options: CompileOptions): CompileResult {
  const { code, map } = compileFor("handloop/compile", source, options);
  return { code, map };
}

/**
 * `compile()` on behalf of an entry point (the Node hook, the Vite plugin), so that an error for a
 * missing compiler package names the entry point the user installed and gives its install command.
 * @internal
 */
export function compileFor(entry: PeerEntry, source: string, options: CompileOptions, internals: CompileInternals = {}): CompiledFile {
  if (typeof source !== "string") {
    throw new TypeError(`Expected \`source\` of compile() to be a string, got ${typeof source}.`);
  }
  const filename = options?.filename;
  if (typeof filename !== "string" || filename === "") {
    throw new TypeError("Expected `filename` of compile() to be a non-empty string, such as the file's path.");
  }
  const sourceType = options.sourceType ?? "module";
  if (sourceType !== "module" && sourceType !== "script") {
    throw new TypeError(`Expected \`sourceType\` of compile() to be "module" or "script", got ${JSON.stringify(sourceType)}.`);
  }
  const promise = options.promise ?? DEFAULT_PROMISE;
  if (promise !== "loop" && promise !== "native") {
    throw new TypeError(`Expected \`promise\` of compile() to be "loop" or "native", got ${JSON.stringify(promise)}.`);
  }
  const commonjs = internals.commonjs === true;
  const typescript = /\.[mc]?tsx?$/i.test(filename);
  const jsx = /\.[jt]sx$/i.test(filename);
  if (babel === undefined || (typescript && stripTypes === undefined)) requireCompiler(entry, filename);
  babel ??= require("@babel/core") as typeof Babel;
  if (typescript) stripTypes ??= require("@babel/plugin-transform-typescript") as Babel.PluginItem;

  const common = { filename, babelrc: false, configFile: false, sourceType: commonjs ? ("script" as const) : sourceType };
  // Decorators and `accessor` fields are parsed so that the plugin can refuse them by file and
  // line. TypeScript's parameter decorators (experimentalDecorators) only parse as legacy ones.
  const parse = (decorators: "decorators" | "decorators-legacy") =>
    babel!.transformSync(source, {
      ...common,
      ast: true,
      code: false,
      parserOpts: {
        plugins: [...(jsx ? (["jsx"] as const) : []), decorators, "decoratorAutoAccessors"],
        allowReturnOutsideFunction: commonjs,
      },
      plugins: typescript ? [[stripTypes, { isTSX: jsx, allowDeclareFields: true }]] : [],
    });
  let parsed: Babel.BabelFileResult | null;
  try {
    parsed = parse("decorators");
  } catch (error) {
    if (!typescript || !/decorate parameters/.test(String((error as Error)?.message))) throw error;
    parsed = parse("decorators-legacy");
  }
  if (!parsed?.ast) throw new Error(`compile(): Babel returned no syntax tree for ${filename}.`);
  let lowered: Babel.BabelFileResult | null;
  try {
    lowered = babel.transformFromAstSync(parsed.ast, source, {
      ...common,
      sourceMaps: true,
      sourceFileName: filename,
      plugins: [
        [
          lowerAsync,
          {
            filename,
            runtime: options.runtime ?? (sourceType === "script" ? "handloop" : "handloop/runtime"),
            script: sourceType === "script" && !commonjs,
            registry: commonjs,
            promise,
          },
        ],
      ],
    });
  } catch (error) {
    const rejected = (error as { [REJECTED]?: string } | null)?.[REJECTED];
    if (typeof rejected === "string") throw new SyntaxError(rejected);
    throw error;
  }
  if (typeof lowered?.code !== "string") throw new Error(`compile(): Babel produced no code for ${filename}.`);
  const metadata = (lowered.metadata as { handloop?: LowerAsyncMetadata } | undefined)?.handloop;
  return { code: lowered.code, map: (lowered.map as SourceMap | null | undefined) ?? null, commonjs: metadata?.commonjs ?? false };
}

/**
 * Before Babel is first loaded: throws a MissingPeerError naming every compiler package that is
 * not installed, so that one command installs them all. Resolution is looked up from this file,
 * as `require` does, which finds the packages of the project that installed handloop.
 */
function requireCompiler(entry: PeerEntry, filename: string): void {
  const missing = COMPILER_PEERS.filter((peer) => {
    try {
      require.resolve(peer.name);
      return false;
    } catch (error) {
      if ((error as { code?: unknown } | null)?.code === "MODULE_NOT_FOUND") return true;
      throw error; // installed but broken: Node's own error says how
    }
  });
  if (missing.length > 0) throw new MissingPeerError(entry, missing, `(compiling ${filename})`);
}

// A "use handloop" directive: the first statement, after comments and other directives.
const DIRECTIVE = /^(?:#![^\n]*\n)?(?:\s+|\/\/[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/|(["'])use (?!handloop)[^"'\n]*\1;?)*(["'])use handloop\2/;

/**
 * Whether handloop compiles this file: its name ends in `.loop.ts` (or `.loop.tsx`, `.loop.mts`,
 * `.loop.js`, `.loop.mjs`), or it starts with a `"use handloop";` directive. Nothing else is
 * touched.
 *
 * @example
 * ```ts
 * isOptedIn(`"use handloop";\nexport async function f() {}`, "f.ts"); // true
 * isOptedIn("export async function f() {}", "f.ts");                 // false
 * ```
 */
export function isOptedIn(source: string, filename: string): boolean {
  return /\.loop\.(?:[mc]?ts|tsx|[mc]?js|jsx)$/i.test(filename.replace(/[?#].*$/, "")) || DIRECTIVE.test(source);
}
