// handloop/vite's `include`: which node_modules files it compiles, how it makes Vite and Vitest
// hand them to it, and the whole thing under Vitest in a child process (test/fixtures/include).
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createServer, type Plugin } from "vite";
import { describe, expect, it } from "vitest";
import { compile } from "../src/compile/index.js";
import { packageOf } from "../src/compile/include.js";
import { UsageError } from "../src/errors.js";
import { handloop, type HandloopViteConfig } from "../src/vite.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const ASYNC = "export async function f() { await 0; }";
const compiled = (result: { code: string } | null) => result !== null && result.code.includes('from "handloop/runtime"');

describe("handloop/vite with include", () => {
  it("compiles every file of an included package, directive or not, and no other node_modules file", () => {
    const plugin = handloop({ include: ["p-limit", /^@acme\//] });
    expect(compiled(plugin.transform(ASYNC, "/app/node_modules/p-limit/index.js"))).toBe(true);
    expect(compiled(plugin.transform(ASYNC, "/app/node_modules/p-limit/lib/deep.mjs?v=1a2b"))).toBe(true);
    expect(compiled(plugin.transform(ASYNC, "/app/node_modules/@acme/queue/index.js"))).toBe(true);
    expect(plugin.transform(ASYNC, "/app/node_modules/p-limit-extra/index.js")).toBeNull();
    expect(plugin.transform(`"use handloop"; ${ASYNC}`, "/app/node_modules/p-retry/index.js")).toBeNull();
    expect(plugin.transform(ASYNC, "/app/node_modules/p-limit/data.json")).toBeNull();
    expect(plugin.transform(ASYNC, "\0/app/node_modules/p-limit/index.js?commonjs-proxy")).toBeNull();
    // The user's own files still need the directive.
    expect(plugin.transform(ASYNC, "/app/src/p-limit/index.ts")).toBeNull();
    expect(compiled(plugin.transform(`"use handloop"; ${ASYNC}`, "/app/src/index.ts"))).toBe(true);
  });

  it("names a file's package after its last node_modules: nested, scoped, and in pnpm's layout", () => {
    expect(packageOf("/app/node_modules/a/node_modules/p-limit/index.js")).toBe("p-limit");
    expect(packageOf("/app/node_modules/.pnpm/p-limit@7.0.0/node_modules/p-limit/index.js")).toBe("p-limit");
    expect(packageOf("/app/node_modules/.pnpm/@acme+queue@1.0.0/node_modules/@acme/queue/dist/index.js")).toBe("@acme/queue");
    expect(packageOf("C:\\app\\node_modules\\p-limit\\index.js")).toBe("p-limit");
    expect(packageOf("/app/node_modules/.vite/deps/p-limit.js")).toBeUndefined();
    expect(packageOf("/app/src/index.ts")).toBeUndefined();
    const plugin = handloop({ include: ["p-limit"] });
    expect(compiled(plugin.transform(ASYNC, "/app/node_modules/.pnpm/p-limit@7.0.0/node_modules/p-limit/index.js"))).toBe(true);
  });

  it("refuses a CommonJS file of an included package, naming the file and the package", () => {
    const plugin = handloop({ include: ["cjs-lib"] });
    const message =
      'handloop/vite cannot compile /app/node_modules/cjs-lib/index.js, a CommonJS file of "cjs-lib" (named in `include`): ' +
      "what a CommonJS file requires is loaded by Node, past Vite's plugins, so the package would run partly uncompiled. " +
      'Import an ES module build of "cjs-lib" if it has one (an "import" condition in its package.json "exports", or a "module" field), ' +
      'or take "cjs-lib" out of `include`.';
    const commonjs = 'const { sum } = require("./sum"); exports.f = async () => sum(await 1, 2);';
    expect(() => plugin.transform(commonjs, "/app/node_modules/cjs-lib/index.js")).toThrow(new UsageError(message));
    expect(() => plugin.transform("module.exports = 1;", "/app/node_modules/cjs-lib/index.cjs")).toThrow(UsageError);
    // An ES module may declare its own require, or read import.meta: it is compiled.
    const esm = 'import { createRequire } from "node:module"; const require = createRequire(import.meta.url); export const f = async () => require("x");';
    expect(compiled(plugin.transform(esm, "/app/node_modules/cjs-lib/index.js"))).toBe(true);
    expect(compiled(plugin.transform("const r = require; const f = async () => import.meta.url;", "/app/node_modules/cjs-lib/meta.js"))).toBe(true);
  });

  it("says which entry of include is wrong", () => {
    const expected = (got: string, hint = ".") =>
      new TypeError(
        'Expected each entry of the `include` option of handloop/vite to be a package name (such as "p-limit" or "@scope/name") or a regular expression ' +
          `(/^p-/, or the string "/^p-/" where only strings can be written), got ${got}${hint}`,
      );
    expect(() => handloop({ include: [42 as never] })).toThrow(expected("number 42"));
    expect(() => handloop({ include: ["p-limit/sub"] })).toThrow(expected('"p-limit/sub"', ": name the package, not a path in it."));
    expect(() => handloop({ include: [""] })).toThrow(expected('""'));
    expect(() => handloop({ include: "p-limit" as never })).toThrow(
      new TypeError('Expected the `include` option of handloop/vite to be an array of package names and regular expressions, got "p-limit".'),
    );
    expect(() => handloop({ include: ["/[/"] })).toThrow(/^The entry "\/\[\/" of the `include` option of handloop\/vite is not a valid regular expression/);
  });

  it("makes Vite's SSR, Vitest and Vite's optimizer hand included packages to the plugin", () => {
    const app = mkdtempSync(join(tmpdir(), "handloop-vite-"));
    writeFileSync(join(app, "package.json"), JSON.stringify({ dependencies: { "p-retry": "7", react: "19" }, devDependencies: { "p-limit": "7" } }));
    const config: HandloopViteConfig = { root: app, ssr: { noExternal: "kept" }, optimizeDeps: { exclude: ["mine"] } };
    handloop({ include: ["async-mutex", /^p-/] }).config(config);
    expect(config.optimizeDeps?.exclude).toEqual(["mine", "async-mutex", "p-retry", "p-limit"]);
    const noExternal = config.ssr?.noExternal as (string | RegExp)[];
    expect(noExternal[0]).toBe("kept");
    const pattern = noExternal[1]!;
    expect(config.test?.server?.deps?.inline).toEqual([pattern]);
    // Vite tests package names and specifiers; Vitest tests file paths. The same pattern serves both.
    const matches = (text: string) => (pattern as RegExp).test(text);
    expect(["async-mutex", "p-limit", "p-limit/sub", "/app/node_modules/p-retry/index.js", "/a/node_modules/.pnpm/p-x@1/node_modules/p-x/i.js"].map(matches)).toEqual([
      true,
      true,
      true,
      true,
      true,
    ]);
    expect(["async-mutex-x", "react", "/app/node_modules/react/index.js", "/app/src/p-limit.ts", "./p-limit"].map(matches)).toEqual([
      false,
      false,
      false,
      false,
      false,
    ]);
  });

  it("keeps a config that already inlines everything, and changes nothing without include", () => {
    const all: HandloopViteConfig = { ssr: { noExternal: true }, test: { server: { deps: { inline: true } } } };
    handloop({ include: ["p-limit"] }).config(all);
    expect(all.ssr?.noExternal).toBe(true);
    expect(all.test?.server?.deps?.inline).toBe(true);
    const none: HandloopViteConfig = {};
    handloop().config(none);
    expect(none).toEqual({});
  });

  it("passes the promise option to compile(), and compile()'s default when it is not given", () => {
    const source = `"use handloop"; export const p = new Promise(() => {});`;
    const id = "/app/src/p.ts";
    expect(handloop({ promise: "loop" }).transform(source, id)?.code).toContain("LoopPromise");
    expect(handloop({ promise: "native" }).transform(source, id)?.code).not.toContain("LoopPromise");
    expect(handloop().transform(source, id)?.code).toBe(compile(source, { filename: id }).code);
  });

  it("is a Vite plugin", () => {
    const plugin: Plugin = handloop({ include: ["p-limit"] });
    expect(plugin.name).toBe("handloop");
  });

  it("runs an included package compiled in Vite's SSR, by name or by regular expression", async () => {
    const results: boolean[] = [];
    for (const include of [["sleepy"], [/^sle/], []]) {
      const server = await createServer({
        root: join(root, "test/fixtures/include"),
        configFile: false,
        logLevel: "silent",
        plugins: [handloop({ include })],
        server: { middlewareMode: true, hmr: false, ws: false },
        resolve: {
          alias: [
            { find: /^handloop$/, replacement: join(root, "src/index.ts") },
            { find: /^handloop\/runtime$/, replacement: join(root, "src/runtime.ts") },
          ],
        },
      });
      try {
        const { nap } = (await server.ssrLoadModule("sleepy")) as { nap: () => unknown };
        const { isCompiled } = (await server.ssrLoadModule("handloop")) as typeof import("../src/index.js");
        results.push(isCompiled(nap as never));
      } finally {
        await server.close();
      }
    }
    expect(results).toEqual([true, true, false]);
  });

  it("runs an included package compiled under Vitest, and refuses an included CommonJS one, in a real run", () => {
    const fixture = join(root, "test/fixtures/include");
    const { status, stdout, stderr } = spawnSync(process.execPath, [join(root, "node_modules/vitest/vitest.mjs"), "run", "--reporter=verbose"], {
      cwd: fixture,
      encoding: "utf8",
      env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" },
    });
    expect(stderr).toBe("");
    expect(status).toBe(0);
    expect(stdout).toContain("✓ packages.check.ts > an included package's async functions run on the loop, in virtual time");
    expect(stdout).toContain("✓ packages.check.ts > a package that is not included stays native, directive or not");
    expect(stdout).toContain("✓ commonjs.check.ts > an included CommonJS package is an error that names it");
    expect(stdout).toMatch(/Tests\s+3 passed \(3\)/);
  });
});
