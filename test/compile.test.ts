import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import vm from "node:vm";
import { describe, expect, it } from "vitest";
import { compile, isOptedIn } from "../src/compile/index.js";
import * as handloopApi from "../src/index.js";
import * as handloopHelpers from "../src/runtime.js";
import { DeadlockError, isCompiled } from "../src/index.js";
import { vrun } from "./helpers.js";
import { handloop } from "../src/vite.js";
import * as badYield from "./fixtures/compile/bad-yield.loop.js";
import * as chain from "./fixtures/compile/chain.loop.js";
import * as names from "./fixtures/compile/names.loop.js";
import * as notOptedIn from "./fixtures/compile/not-opted-in.js";

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const generated = here("./.generated/");

/** Compiles `source` as `name`, writes it next to the tests, and imports it. */
async function load<M>(name: string, source: string, runtime = here("../src/runtime.ts")): Promise<M> {
  mkdirSync(generated, { recursive: true });
  const { code } = compile(source, { filename: `${generated}${name}.ts`, runtime });
  writeFileSync(`${generated}${name}.js`, code);
  return (await import(/* @vite-ignore */ `${generated}${name}.js?${Date.now()}`)) as M;
}

describe("compile()", () => {
  it("leaves every syntax but async as written, and strips types", () => {
    const { code } = compile(
      `interface Shape { area(): number }
       export class Box implements Shape {
         #side = 2;
         static count = 0;
         static { Box.count++; }
         declare label: string;
         area(): number { return this.#side ** 2; }
         maybe(o?: { a?: { b?: number } }) { return o?.a?.b ?? -1; }
         async later(): Promise<number> { return this.#side; }
       }`,
      { filename: "box.ts" },
    );
    expect(code).toContain("#side = 2");
    expect(code).toContain("this.#side ** 2");
    expect(code).toContain("o?.a?.b ?? -1");
    expect(code).toContain("static count = 0");
    expect(code).toMatch(/static \{\s*Box\.count\+\+;\s*\}/);
    expect(code).not.toMatch(/interface|implements|: number|declare|async/);
  });

  it("returns a source map from the compiled code to the original", () => {
    const { map } = compile("export async function f(): Promise<void> {\n  await 1;\n}\n", { filename: "/src/f.ts" });
    expect(map?.version).toBe(3);
    expect(map?.sources).toEqual(["/src/f.ts"]);
    expect(map?.mappings.length).toBeGreaterThan(0);
  });

  it("creates each generator body once per definition, not once per call", async () => {
    const spy = here("./fixtures/compile/spy-runtime.ts");
    const mod = await load<{
      calls(): { bodies: unknown[]; results: unknown[] };
    }>(
      "once-per-definition",
      `import { bodies, run, VirtualClock } from ${JSON.stringify(spy)};
       async function declared(n: number) { await 0; return n; }
       class C { async method(n: number) { await 0; return n * 2; } }
       const arrow = async (n: number) => { await 0; return n * 3; };
       const expression = async function (n: number) { await 0; return n * 4; };
       export function calls() {
         const c = new C();
         const results = run(async () => [
           await declared(1), await declared(2), await c.method(1), await c.method(2),
           await arrow(1), await arrow(2), await expression(1), await expression(2),
         ], { clock: new VirtualClock() });
         return { bodies: bodies.slice(1), results };
       }`,
      spy,
    );
    const { bodies, results } = mod.calls();
    expect(results).toEqual([1, 2, 2, 4, 3, 6, 4, 8]);
    expect(bodies).toHaveLength(8);
    for (let i = 0; i < 8; i += 2) expect(bodies[i]).toBe(bodies[i + 1]);
    expect(new Set(bodies).size).toBe(4);
  });

  it("rejects bad arguments", () => {
    expect(() => compile(42 as never, { filename: "x.ts" })).toThrow(
      new TypeError("Expected `source` of compile() to be a string, got number."),
    );
    expect(() => compile("", {} as never)).toThrow(
      new TypeError("Expected `filename` of compile() to be a non-empty string, such as the file's path."),
    );
  });
});

describe("opting in", () => {
  it("compiles files named .loop.ts or starting with a use handloop directive, and nothing else", () => {
    expect(isOptedIn("export {}", "/a/app.loop.ts")).toBe(true);
    expect(isOptedIn("export {}", "/a/app.loop.mjs")).toBe(true);
    expect(isOptedIn('"use handloop";\nexport {}', "/a/app.ts")).toBe(true);
    expect(isOptedIn("#!/usr/bin/env node\n// header\n/* more */\n'use strict';\n'use handloop'\n", "/a/b.js")).toBe(true);
    expect(isOptedIn("export {}", "/a/app.ts")).toBe(false);
    expect(isOptedIn('const x = 1;\n"use handloop";', "/a/app.ts")).toBe(false);
    expect(isOptedIn('// "use handloop"\nexport {}', "/a/app.ts")).toBe(false);
    expect(isOptedIn("export {}", "/a/loop.ts")).toBe(false);
  });

  it("leaves a file without the directive alone, in Vite and at run time", () => {
    const plugin = handloop();
    const source = readFileSync(here("./fixtures/compile/not-opted-in.ts"), "utf8");
    expect(plugin.transform(source, here("./fixtures/compile/not-opted-in.ts"))).toBeNull();
    expect(isCompiled(notOptedIn.native)).toBe(false);
    expect(isCompiled(chain.outer)).toBe(true);
    expect(plugin.transform('"use handloop"; export async function f() {}', "/x/node_modules/p/f.ts")).toBeNull();
  });
});

describe("compiled code at run time", () => {
  it("carries the await chain in errors, as V8's `at async` frames", () => {
    let error: Error | undefined;
    try {
      vrun(chain.outer);
    } catch (e) {
      error = e as Error;
    }
    expect(error).toBeInstanceOf(RangeError);
    // Our frames come first; V8's own `at async` frames of the test runner around run() follow.
    const frames = error!.stack!.split("\n").filter((line) => line.includes("at async"));
    expect(frames.slice(0, 2)).toEqual([
      expect.stringMatching(/^ {4}at async middle \(.*chain\.loop\.ts:10:17\)$/),
      expect.stringMatching(/^ {4}at async outer \(.*chain\.loop\.ts:15:11\)$/),
    ]);
    expect(frames.slice(2).every((line) => !line.includes("chain.loop.ts"))).toBe(true);
  });

  it("shows each kind of compiled function in stack traces under its own name", () => {
    const frames: string[] = [];
    const calls: [string, () => PromiseLike<unknown>][] = [
      ["declared", names.declared],
      ["expression", names.expression],
      ["arrow", names.arrow],
      ["generator", () => (0, names.generator)().next()],
      ["method", () => new names.Shelf().method()],
      ["shelve", () => names.Shelf.shelve()],
      ["hidden", () => new names.Shelf().hidden()],
      ["super method", () => new names.Box().method()],
      ["plain", () => names.literal.plain()],
      ["viaSuper", () => names.literal.viaSuper()],
    ];
    for (const [what, call] of calls) {
      try {
        vrun(call);
      } catch (error) {
        const stack = (error as Error).stack!;
        expect(stack).not.toMatch(/\$body|__handloop/);
        frames.push(`${what}: ${stack.split("\n")[1]!.replace(/ \(.*\)$/, "")}`);
      }
    }
    expect(frames).toEqual([
      "declared:     at declared",
      "expression:     at expression",
      "arrow:     at arrow",
      "generator:     at generator",
      "method:     at Shelf.method",
      "shelve:     at Function.shelve",
      "hidden:     at Shelf.#hidden",
      "super method:     at Box.method",
      "plain:     at Object.plain",
      "viaSuper:     at Object.viaSuper",
    ]);
  });

  it("names the task and the line of the await when it waits on a native Promise", () => {
    let error: unknown;
    try {
      vrun(chain.awaitsNativePromise);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DeadlockError);
    expect((error as Error).message).toMatch(
      /task "awaitsNativePromise-\d+" \(at .*chain\.loop\.ts:21:3\) waits on a native Promise, which cannot settle while a synchronous run blocks the thread/,
    );
  });

  it("names the async function, its task and the await when an awaitable it awaits yields a bad value", () => {
    let error: unknown;
    try {
      vrun(badYield.fetchPage);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TypeError);
    const task = /\(task "(fetchPage-\d+)"\)/.exec((error as Error).message)?.[1];
    expect((error as Error).message).toBe(
      `The iterator of an awaitable that the async function fetchPage (task "${task}") awaited at ${here("./fixtures/compile/bad-yield.loop.ts")}:12:3 yielded 42, which the loop cannot wait on. Yield a NotReady hint, a Task or other thenable, an awaitable (an object with [__await__]), or undefined; \`yield* x\` gives a typed result.`,
    );
  });
});

/**
 * Compiles `source` as a classic script (sloppy unless it says otherwise) and runs it in a fresh
 * context whose global `hl` holds handloop; returns what the script left in `result`.
 */
function runScript(source: string): unknown {
  const { code } = compile(source, { filename: "script.js", sourceType: "script", runtime: "hl" });
  const context = vm.createContext({ hl: { ...handloopApi, ...handloopHelpers }, result: undefined });
  vm.runInContext(code, context);
  return (context as { result: unknown }).result;
}

describe("compiled sloppy scripts", () => {
  it("ignore a named async function expression's assignment to its own name, as natively", () => {
    const result = runScript(`
      const f = async function self() {
        self = 1;
        eval("self = 2");
        (() => { self = 3; })();
        return self;
      };
      result = hl.run(() => f(), { clock: new hl.VirtualClock() }) === f;
    `);
    expect(result).toBe(true);
  });

  it("throw a TypeError for that assignment in strict code, from the body, an arrow or an eval", () => {
    const result = runScript(`"use strict";
      const errors = [];
      const fs = [
        async function self() { self = 1; },
        async function self() { (() => { self = 1; })(); },
        async function self() { eval("self = 1"); },
      ];
      for (const f of fs) {
        try { hl.run(() => f(), { clock: new hl.VirtualClock() }); } catch (e) { errors.push(e.constructor.name); }
      }
      result = errors;
    `);
    expect(result).toEqual(["TypeError", "TypeError", "TypeError"]);
  });

  it("give async functions no own caller or arguments, and keep the global this in their bodies", () => {
    const result = runScript(`
      async function declared() { return this === globalThis; }
      const expression = async function () {};
      const arrow = async () => {};
      const own = [declared, expression, arrow].flatMap((f) => [f.hasOwnProperty("caller"), f.hasOwnProperty("arguments")]);
      result = { own, globalThis: hl.run(() => declared(), { clock: new hl.VirtualClock() }) };
    `);
    expect(result).toEqual({ own: [false, false, false, false, false, false], globalThis: true });
  });
});

describe("what compile() refuses", () => {
  it("refuses `yield` as a name inside a sloppy async function, naming the file and line", () => {
    expect(() => compile("var yield = 1;\nasync function f() {\n  return yield;\n}", { filename: "y.js", sourceType: "script" })).toThrow(
      new SyntaxError(
        "y.js:3:10: `yield` is used as a name inside an async function. handloop compiles the function's body into a generator, where `yield` is a keyword, so this cannot be compiled; rename it.",
      ),
    );
    // In a function nested in the body, `yield` stays a name, and that compiles.
    expect(() => compile("var yield = 1;\nasync function f() { return function () { return yield; }; }", { filename: "y.js", sourceType: "script" })).not.toThrow();
  });
});

describe("using and await using, compiled", () => {
  it("dispose at the end of their scope, last first, however it ends, as the language says", async () => {
    const mod = await load<{ main(): { log: string[]; error: string } }>(
      "using-sync",
      `const log: string[] = [];
       const resource = (name: string, fail = false) => ({
         [Symbol.dispose]() { log.push("dispose " + name); if (fail) throw new Error("dispose " + name + " failed"); },
       });
       function early(n: number) {
         using a = resource("a" + n);
         if (n === 1) return "returned";
         using b = resource("b" + n), nothing = null;
         log.push("body " + n);
         return "ran on";
       }
       export function main() {
         log.push(early(1), early(2));
         for (using r of [resource("x"), resource("y")]) log.push("iteration " + (r !== null));
         let error = "";
         try {
           using first = resource("first", true);
           using second = resource("second", true);
           throw new Error("body failed");
         } catch (e: any) {
           // The body's error, then second's, then first's, each suppressed by the next.
           error = [e.name, e.error.message, e.suppressed.name, e.suppressed.error.message, e.suppressed.suppressed.message].join(" / ");
         }
         return { log, error };
       }`,
    );
    expect(mod.main()).toEqual({
      log: ["dispose a1", "body 2", "dispose b2", "dispose a2", "returned", "ran on", "iteration true", "dispose x", "iteration true", "dispose y", "dispose second", "dispose first"],
      error: "SuppressedError / dispose first failed / SuppressedError / dispose second failed / body failed",
    });
  });

  it("await each async disposal in an async function, in order, and await once for a null", async () => {
    const mod = await load<{ main(): { log: string[]; time: number } }>(
      "using-async",
      `import { asleep, currentLoop, run, VirtualClock } from ${JSON.stringify(here("../src/index.ts"))};
       const log: string[] = [];
       const slow = (name: string) => ({
         async [Symbol.asyncDispose]() { await asleep(1); log.push("disposed " + name + " at " + currentLoop().time()); },
       });
       const sync = (name: string) => ({ [Symbol.dispose]() { log.push("disposed " + name); } });
       async function work() {
         await using a = slow("a");
         using b = sync("b");
         await using c = slow("c"), nothing = undefined;
         await using d = sync("d");
         log.push("body");
       }
       export function main() {
         return run(async () => { await work(); return { log, time: currentLoop().time() }; }, { clock: new VirtualClock() });
       }`,
    );
    expect(mod.main()).toEqual({ log: ["body", "disposed d", "disposed c at 1", "disposed b", "disposed a at 2"], time: 2 });
  });

  it("is refused at a module's top level and as `await using` outside an async function", () => {
    expect(() => compile("using x = open();\n", { filename: "top.ts" })).toThrow(
      new SyntaxError("top.ts:1:1: `using` at a module's top level cannot be compiled by handloop. Put it, and the code that uses the resource, in a block or a function."),
    );
    expect(() => compile("{\n  await using x = open();\n}\n", { filename: "top.ts" })).toThrow(
      new SyntaxError(
        "top.ts:2:3: `await using` outside an async function (at a module's top level) cannot be compiled: handloop lowers await only inside async functions. Move it into an async function.",
      ),
    );
  });
});

describe("decorators and accessor fields", () => {
  const decorators =
    "Decorators cannot be compiled by handloop: they mean TypeScript's experimentalDecorators or standard decorators depending on your tsconfig, which compile() does not read, and Node cannot run them as written. Keep decorated classes in a file that handloop does not compile (no \"use handloop\" directive, no .loop. in its name) and import them here.";

  it("refuses decorators, standard or TypeScript's experimental ones, naming the file and line", () => {
    expect(() => compile("@sealed\nexport class A { async m() {} }", { filename: "a.ts" })).toThrow(new SyntaxError(`a.ts:1:1: ${decorators}`));
    expect(() => compile("export @sealed class A {}", { filename: "a.js" })).toThrow(new SyntaxError(`a.js:1:8: ${decorators}`));
    expect(() => compile("class A {\n  constructor(@inject(\"db\") db: Db) {}\n}", { filename: "a.ts" })).toThrow(
      new SyntaxError(`a.ts:2:15: ${decorators}`),
    );
  });

  it("refuses accessor fields, saying what to write instead", () => {
    expect(() => compile("class A {\n  accessor x = 1;\n}", { filename: "a.ts" })).toThrow(
      new SyntaxError("a.ts:2:3: `accessor` fields cannot be compiled by handloop, and Node cannot run them as written. Write a getter and a setter over a #private field instead."),
    );
  });
});
