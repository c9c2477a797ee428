// compile()'s `promise: "loop"`: which references to the global Promise get bound to the loop's
// LoopPromise. Behavioural: each case is compiled as a script against a fake runtime global whose
// LoopPromise is a marker class, run in a fresh realm, and says what `Promise` turned out to be.
import { mkdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import vm from "node:vm";
import { describe, expect, it } from "vitest";
import { compile } from "../src/compile/index.js";
import { compileFor } from "../src/compile/compile.js";
import * as helpers from "../src/runtime.js";
import { run, VirtualClock } from "../src/index.js";

/** The fake LoopPromise: enough of a Promise class for the cases to call. */
class LoopPromise {
  constructor(executor?: (resolve: () => void, reject: () => void) => void) {
    executor?.(() => {}, () => {});
  }
  static resolve(): LoopPromise {
    return new LoopPromise();
  }
  static all(): LoopPromise {
    return new LoopPromise();
  }
}

/**
 * Compiles `source` as a script (promise "loop" unless told) and runs it in a fresh realm whose
 * `$rt` is the runtime with the fake LoopPromise, and where `which(v)` says whether `v` is
 * "loop" (the fake), "native" (the realm's own Promise) or something "local". Returns the
 * script's completion value.
 */
function evaluate(source: string, options: { promise?: "loop" | "native"; withoutGlobalPromise?: boolean } = {}): unknown {
  const { code } = compile(source, { filename: "case.js", sourceType: "script", runtime: "$rt", promise: options.promise ?? "loop" });
  const context = vm.createContext({ $rt: { ...helpers, LoopPromise }, run, VirtualClock });
  vm.runInContext(
    `const nativePromise = Promise;
     globalThis.which = (v) => (v === $rt.LoopPromise ? "loop" : v === nativePromise ? "native" : "local");`,
    context,
  );
  if (options.withoutGlobalPromise) vm.runInContext("delete globalThis.Promise", context);
  return vm.runInContext(code, context);
}

describe('compile() with promise: "loop"', () => {
  it.each([
    ["a bare read", "which(Promise)"],
    ["new Promise", "which(new Promise(() => {}).constructor)"],
    ["a static method", "which(Promise.all([]).constructor)"],
    ["a value passed on", "which(((p) => p)(Promise))"],
    ["a shorthand property", "which(({ Promise }).Promise)"],
    ["a parameter's default", "which((function (p = Promise) { return p; })())"],
    ["a class's heritage", "class X extends Promise {} which(Object.getPrototypeOf(X))"],
    ["a read in a nested function", "function outer() { return () => Promise; } which(outer()())"],
    ["a read after a write to the global", "Promise = 1; which(Promise)"],
    ["a strict block's function, which does not hoist", '"use strict"; { function Promise() {} } which(Promise)'],
    ["a block's function in another function (Annex B hoists it there only)", "function f() { { function Promise() {} } } which(Promise)"],
  ])("binds %s to LoopPromise", (_, source) => {
    expect(evaluate(source)).toBe("loop");
  });

  it("binds the reads in an async function's body, which the lowering moves", () => {
    expect(evaluate("async function f() { await null; return which(Promise); } run(f, { clock: new VirtualClock() })")).toBe("loop");
  });

  it("binds x instanceof Promise and typeof Promise", () => {
    expect(evaluate("new $rt.LoopPromise() instanceof Promise")).toBe(true);
    expect(evaluate("typeof Promise", { withoutGlobalPromise: true })).toBe("function");
  });

  it.each([
    ["var", "function f() { var Promise = 1; return which(Promise); } f()"],
    ["var, hoisted above its declaration", "function f() { const read = () => which(Promise); var Promise = 1; return read(); } f()"],
    ["let in a block", "{ let Promise = 1; which(Promise) }"],
    ["const", "const Promise = 1; which(Promise)"],
    ["a function declaration", "function Promise() {} which(Promise)"],
    ["a class declaration", "class Promise {} which(Promise)"],
    ["a named function expression", "(function Promise() { return which(Promise); })()"],
    ["a parameter", "((Promise) => which(Promise))(1)"],
    ["a catch parameter", "try { throw 1; } catch (Promise) { which(Promise) }"],
    ["a sloppy block's function, hoisted to the script (Annex B)", "{ function Promise() {} } which(Promise)"],
    ["a sloppy block's function, hoisted to its function (Annex B)", "function f() { if (true) { function Promise() {} } return which(Promise); } f()"],
  ])("keeps a local declared by %s", (_, source) => {
    expect(evaluate(source)).toBe("local");
  });

  it("leaves property reads of the global object and a with statement's reads alone", () => {
    expect(evaluate("which(globalThis.Promise)")).toBe("native");
    expect(evaluate('with ({ Promise: "from the object" }) { Promise }')).toBe("from the object");
    expect(evaluate("with ({}) { which(Promise) }")).toBe("native");
  });

  it("leaves writes to the global Promise as writes to the global", () => {
    expect(evaluate('Promise = "assigned"; globalThis.Promise')).toBe("assigned");
    expect(evaluate("[Promise] = [2]; for (Promise of [3]); globalThis.Promise")).toBe(3);
  });

  it('leaves every reference alone with promise: "native"', () => {
    expect(evaluate("which(Promise)", { promise: "native" })).toBe("native");
    expect(evaluate("async function f() { return which(Promise); } run(f, { clock: new VirtualClock() })", { promise: "native" })).toBe(
      "native",
    );
  });

  it("imports LoopPromise under a fresh name in the runtime import a module already has", () => {
    const { code } = compile(
      `const _hlLoopPromise = 1;
       export const made = new Promise(() => {});
       export async function f() { await 0; }`,
      { filename: "m.ts", promise: "loop" },
    );
    const imports = code.split("\n").filter((line) => line.startsWith("import"));
    expect(imports).toHaveLength(1);
    expect(imports[0]).toMatch(/^import \{ LoopPromise as (_hlLoopPromise\d+), __aw as \w+, .*\} from "handloop\/runtime";$/);
    const local = /LoopPromise as (\w+)/.exec(imports[0]!)![1];
    expect(code).toContain(`new ${local}(() => {})`);
  });

  it("imports nothing when the only references are TypeScript types", () => {
    const { code } = compile(
      `export function f(p: Promise<number>): Promise<void> { return p as unknown as Promise<void>; }
       type P = typeof Promise;`,
      { filename: "types.ts", promise: "loop" },
    );
    expect(code).not.toContain("import");
    expect(code).not.toContain("LoopPromise");
  });

  it("binds a module's reads and keeps one an import shadows", async () => {
    const generated = fileURLToPath(new URL("./.generated/", import.meta.url));
    mkdirSync(generated, { recursive: true });
    const runtime = `${generated}fake-loop-runtime.ts`;
    writeFileSync(
      runtime,
      `export * from ${JSON.stringify(fileURLToPath(new URL("../src/runtime.ts", import.meta.url)))};
       export class LoopPromise {}`,
    );
    const write = (name: string, source: string) => {
      writeFileSync(`${generated}${name}.js`, compile(source, { filename: `${generated}${name}.ts`, runtime, promise: "loop" }).code);
      return `${generated}${name}.js`;
    };
    write("promise-shadowing-import", "export const Promise = 'imported';");
    const file = write(
      "promise-module",
      `import { LoopPromise } from ${JSON.stringify(runtime)};
       export const bound = Promise === LoopPromise;
       export { shadowed } from "./promise-module-shadowed.js";`,
    );
    write(
      "promise-module-shadowed",
      `import { Promise } from "./promise-shadowing-import.js";
       export const shadowed = Promise;`,
    );
    const mod = (await import(/* @vite-ignore */ `${file}?${Date.now()}`)) as { bound: boolean; shadowed: unknown };
    expect(mod).toMatchObject({ bound: true, shadowed: "imported" });
  });

  it("reads LoopPromise from the registered runtime in a CommonJS file compiled for Node's hook", () => {
    const { code } = compileFor(
      "handloop/register",
      `"use strict";
       var Symbol = "a local Symbol";
       exports.which = which(Promise);
       exports.symbol = Symbol;
       if (exports.which) return;
       exports.unreached = true;`,
      { filename: "lib.cjs", promise: "loop" },
      { commonjs: true },
    );
    const context = vm.createContext({});
    vm.runInContext(
      `const nativePromise = Promise;
       globalThis.which = (v) => (v === globalThis[Symbol.for("handloop")].compiled.LoopPromise ? "loop" : v === nativePromise ? "native" : "local");`,
      context,
    );
    (vm.runInContext("globalThis", context) as Record<symbol, unknown>)[Symbol.for("handloop")] = { compiled: { LoopPromise } };
    const exports: Record<string, unknown> = {};
    vm.runInContext(`(function (exports) {${code}\n})`, context)(exports);
    expect(exports).toEqual({ which: "loop", symbol: "a local Symbol" });
  });
});
