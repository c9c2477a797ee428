/**
 * register.ts: `handloop/register`, which makes Node compile opted-in files on load.
 *
 *   npx tsx --import handloop/register app.ts      (tsx handles every other TypeScript file)
 *   node --import handloop/register app.loop.ts    (plain Node: only opted-in files are compiled)
 *
 * Importing it registers the hooks in register-hooks.ts and turns on source maps, so stack
 * traces through compiled code point at the original lines. It also exports `importCompiled`, for
 * an entry file that must work with a plain `npx tsx file.ts` too (with `isCompiled` from
 * "handloop").
 */

// A namespace import, not `import { register }`: on a Node without module.register (before 20.6)
// a named import fails to link with a bare SyntaxError; this way the check below can say why.
import * as nodeModule from "node:module";

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
  global[REGISTERED] = true;
  process.setSourceMapsEnabled(true);
  register(import.meta.url.endsWith(".ts") ? "./register-hooks.ts" : "./register-hooks.js", import.meta.url);
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
  return import(`${url}${url.includes("?") ? "&" : "?"}handloop`);
}
