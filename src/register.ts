/**
 * register.ts: `handloop/register`, which makes Node compile opted-in files on load.
 *
 *   npx tsx --import handloop/register app.ts      (tsx handles every other TypeScript file)
 *   node --import handloop/register app.loop.ts    (plain Node: only opted-in files are compiled)
 *
 * Importing it reads the include list (HANDLOOP_INCLUDE, or the "handloop" field of the nearest
 * package.json; a bad entry fails here, at startup), registers the hooks in register-hooks.ts and
 * turns on source maps, so stack traces through compiled code point at the original lines. It
 * also exports `importCompiled`, for an entry file that must work with a plain `npx tsx file.ts`
 * too (with `isCompiled` from "handloop").
 *
 * It loads handloop's runtime before the program: CommonJS files the hook compiles read their
 * helpers from it (see registry.ts), as Node 20 cannot `require()` an ES module from them. And it
 * refuses a file of an included package that Node's CommonJS loader reaches uncompiled: Node 20
 * runs module hooks only for what `import` loads, so a `require()` from a CommonJS entry point or
 * `createRequire` bypasses them, and the package would run natively, deadlocking far from here.
 */

// A namespace import, not `import { register }`: on a Node without module.register (before 20.6)
// a named import fails to link with a bare SyntaxError; this way the check below can say why.
import * as nodeModule from "node:module";
import { COMMONJS_MARK, createInclude, packageOf, readIncludeConfig, type Include } from "./compile/include.js";
import type { HooksData } from "./register-hooks.js";
import { shared } from "./registry.js";

// Set once the hooks are registered: it keeps a second import from registering them again, and
// tells the runtime (native.ts) that the hook is active, so an async function it finds native
// comes from a file that is not opted in rather than from a process without the hook.
const REGISTERED = Symbol.for("handloop.register");

function ensureRegistered(): void {
  const global = globalThis as { [REGISTERED]?: boolean };
  if (global[REGISTERED]) return;
  const register = (nodeModule as Partial<typeof nodeModule>).register;
  if (typeof register !== "function") {
    throw new Error(
      `handloop/register needs Node 20.6 or later, for module.register(); this is Node ${process.version}. ` +
        "Upgrade Node, or compile ahead of time with compile() from handloop/compile.",
    );
  }
  const config = readIncludeConfig();
  const include = createInclude(config.entries, config.where);
  global[REGISTERED] = true;
  process.setSourceMapsEnabled(true);
  const data: HooksData = { include: config.entries, where: config.where };
  register(import.meta.url.endsWith(".ts") ? "./register-hooks.ts" : "./register-hooks.js", { parentURL: import.meta.url, data });
  if (config.entries.length > 0) refuseUncompiledRequire(include, config.where);
}

/** The part of Node's CommonJS Module class that the check below wraps (not in @types/node). */
interface CommonJSModule {
  prototype: { _compile(this: unknown, content: string, filename: string, ...rest: unknown[]): unknown };
}

/**
 * Makes Node's CommonJS loader throw for a file of an included package that the hook did not
 * compile (it lacks the mark the hook leaves). A file the hook compiled never gets here on Node
 * 20, and carries the mark where a later Node would pass it through.
 */
function refuseUncompiledRequire(include: Include, where: string): void {
  const proto = (nodeModule as unknown as { Module: CommonJSModule }).Module.prototype;
  const compile = proto._compile;
  proto._compile = function (content, filename, ...rest) {
    const name = packageOf(filename);
    if (name !== undefined && include.matches(name) && !content.includes(COMMONJS_MARK)) {
      throw new shared.api.UsageError(
        `handloop/register cannot compile ${filename}, a file of "${name}" (named in ${where}): it was loaded by require() ` +
          `from code that Node loaded without module hooks (a CommonJS entry point, or createRequire), so Node ${process.version} ` +
          `did not pass it to handloop. Load "${name}" with import from an ES module (import ... from "${name}", or await import("${name}")), ` +
          `or take it out of ${where}.`,
      );
    }
    return compile.call(this, content, filename, ...rest);
  };
}

ensureRegistered();

/**
 * Imports the module at `url` again, compiled by handloop (the hooks are registered by importing
 * this module), under a `?handloop` query so it is a fresh instance. For an entry file that must
 * also work with a plain `npx tsx file.ts`.
 *
 * @example
 * ```ts
 * "use handloop";
 * import { isCompiled } from "handloop";
 * import { importCompiled } from "handloop/register";
 * async function main(): Promise<void> { ... }
 * if (isCompiled(main)) run(main);
 * else await importCompiled(import.meta.url); // this file again, compiled: it runs main
 * ```
 */
export async function importCompiled(url: string): Promise<unknown> {
  // Already the compiled copy, and still not compiled by its own check: importing again would
  // never end (each copy importing the next). Most often the function checked comes from a module
  // the uncompiled pass loaded first, which stays loaded, uncompiled, for the whole process.
  if (/[?&]handloop(?:&|$)/.test(url)) {
    throw new Error(
      `importCompiled() was called from the compiled copy of ${url.replace(/[?&]handloop(?=&|$)/, "")}, so the check before it found code that is still not compiled. ` +
        "Check a function defined in this file itself (isCompiled(main)), and import other opted-in modules only from the compiled pass (a dynamic import()), since a module the first pass loaded stays loaded uncompiled.",
    );
  }
  return import(`${url}${url.includes("?") ? "&" : "?"}handloop`);
}
