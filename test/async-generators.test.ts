// Async generators and `for await` compiled by handloop (src/compile/runtime.ts), checked against
// ECMA-262 where the differential corpus cannot reach: the objects themselves, behaviour of the
// current spec that Node 20 does not have yet, and what only handloop has (no loop running, the
// end of run()). Snippets are compiled here as scripts and run on a loop with no microtasks.
import { describe, expect, it } from "vitest";
import { compile } from "../src/compile/index.js";
import * as handloop from "../src/index.js";
import { run, Task, VirtualClock } from "../src/index.js";
import { withoutMicrotasks } from "./helpers.js";

type Main = (log: (line: string) => void) => PromiseLike<unknown>;

/** `source` defines `async function main(log)`; gives main, compiled onto handloop. */
function compiledMain(source: string): Main {
  const { code } = compile(source, { filename: "snippet.js", sourceType: "script", runtime: "$hl" });
  const factory = new Function("$hl", `${code}\nreturn main;`) as (runtime: typeof handloop) => Main;
  return factory(handloop);
}

/** Runs `main` compiled, on a loop with no microtask queue, and gives what it logged. */
function logCompiled(source: string): string[] {
  const main = compiledMain(source);
  const lines: string[] = [];
  withoutMicrotasks(() => run(() => main((line) => lines.push(line)) as never, { clock: new VirtualClock() }));
  return lines;
}

const AsyncIteratorPrototype = Object.getPrototypeOf(Object.getPrototypeOf(async function* () {}.prototype)) as object;

describe("an async generator object", () => {
  const make = compiledMain(`
    async function* first() { yield 1; }
    async function* second() {}
    async function main() { return [first(), second()]; }`);
  const [a, b] = run(() => make(() => {}) as never, { clock: new VirtualClock() }) as [AsyncGenerator, AsyncGenerator];
  const proto = Object.getPrototypeOf(a) as Record<PropertyKey, unknown>;

  it("has next, return and throw on one prototype shared by every generator, as built-in methods", () => {
    expect(Object.getPrototypeOf(b)).toBe(proto);
    expect(Reflect.ownKeys(a)).toEqual([]);
    for (const name of ["next", "return", "throw"]) {
      const method = proto[name] as (...args: unknown[]) => unknown;
      expect(Object.getOwnPropertyDescriptor(proto, name)).toMatchObject({ writable: true, enumerable: false, configurable: true });
      expect(method.name).toBe(name);
      expect(method.length).toBe(1);
    }
  });

  it("is tagged AsyncGenerator and inherits the engine's %AsyncIteratorPrototype%", () => {
    expect(Object.getOwnPropertyDescriptor(proto, Symbol.toStringTag)).toEqual({
      value: "AsyncGenerator",
      writable: false,
      enumerable: false,
      configurable: true,
    });
    expect(Object.prototype.toString.call(a)).toBe("[object AsyncGenerator]");
    expect(Object.getPrototypeOf(proto)).toBe(AsyncIteratorPrototype);
    expect(Object.hasOwn(proto, Symbol.asyncIterator)).toBe(false);
    expect(a[Symbol.asyncIterator]()).toBe(a);
  });

  it("answers a call on anything else with a rejected Task, never a synchronous throw", () => {
    const errors = run(
      function* () {
        const out: unknown[] = [];
        for (const [name, self] of [["next", {}], ["return", undefined], ["throw", 42]] as const) {
          const result = (proto[name] as (this: unknown, v?: unknown) => unknown).call(self, "x");
          expect(result).toBeInstanceOf(Task);
          try {
            yield result;
          } catch (error) {
            out.push(error);
          }
        }
        return out;
      },
      { clock: new VirtualClock() },
    );
    expect(errors).toEqual([
      new TypeError(
        "AsyncGenerator.prototype.next was called on a plain object, which is not an async generator. Call it on what an async generator function returned.",
      ),
      new TypeError(
        "AsyncGenerator.prototype.return was called on undefined, which is not an async generator. Call it on what an async generator function returned.",
      ),
      new TypeError(
        "AsyncGenerator.prototype.throw was called on 42, which is not an async generator. Call it on what an async generator function returned.",
      ),
    ]);
  });
});

describe("async generators on the loop", () => {
  it("cannot be constructed from an async generator expression or object method", () => {
    const lines = logCompiled(`
      async function main(log) {
        const expression = async function* () {};
        const object = { async *method() {} };
        for (const f of [expression, object.method]) {
          try {
            new f();
            log("constructed");
          } catch (error) {
            log(error.constructor.name);
          }
        }
      }`);
    expect(lines).toEqual(["TypeError", "TypeError"]);
  });

  it("answers a request made with no loop running once a loop awaits it", () => {
    const main = compiledMain(`
      async function* g(log) { log("body runs"); yield "v"; }
      async function main(log) { return g(log); }`);
    const lines: string[] = [];
    const gen = run(() => main((line) => lines.push(line)) as never, { clock: new VirtualClock() }) as AsyncGenerator;
    const first = gen.next();
    const second = gen.next();
    expect(lines).toEqual([]);
    expect(run(() => second as never, { clock: new VirtualClock() })).toEqual({ value: undefined, done: true });
    expect(run(() => first as never, { clock: new VirtualClock() })).toEqual({ value: "v", done: false });
    expect(lines).toEqual(["body runs"]);
  });

  it("ends only the wait when a task awaiting next() is cancelled; the body goes on to its yield", () => {
    const lines = logCompiled(`
      async function* g(log) {
        try {
          await $hl.asleep(2);
          log("body reached its yield at " + $hl.currentLoop().time());
          yield "kept";
        } finally {
          log("finally");
        }
      }
      async function main(log) {
        const it = g(log);
        const waiter = $hl.Task.from((async () => await it.next())());
        await $hl.asleep(1);
        waiter.cancel();
        try {
          await waiter;
        } catch (error) {
          log("waiter: " + error.constructor.name);
        }
        await $hl.asleep(2);
        log(JSON.stringify(await it.return("closed")));
      }`);
    expect(lines).toEqual([
      "waiter: CancelledError",
      "body reached its yield at 2",
      "finally",
      '{"value":"closed","done":true}',
    ]);
  });

  it("runs the body's finally when run() ends while the body awaits", () => {
    const lines = logCompiled(`
      async function* g(log) {
        try {
          await $hl.asleep(10);
          yield "never";
        } finally {
          log("finally at " + $hl.currentLoop().time());
        }
      }
      async function main(log) {
        g(log).next();
        await $hl.asleep(1);
        log("main done");
      }`);
    expect(lines).toEqual(["main done", "finally at 1"]);
  });
});

describe("yield* over a sync iterator without throw() (27.1.6.2.3, newer than Node 20)", () => {
  it("closes the iterator and throws a TypeError at the yield*", () => {
    const lines = logCompiled(`
      async function main(log) {
        const sync = {
          [Symbol.iterator]() {
            return {
              next() { return { value: "item", done: false }; },
              return() { log("sync return() called"); return {}; },
            };
          },
        };
        async function* g() {
          try {
            yield* sync;
          } catch (error) {
            log("caught at the yield*: " + error.constructor.name + ": " + error.message);
            throw error;
          }
        }
        const it = g();
        log(JSON.stringify(await it.next()));
        try {
          await it.throw(new Error("boom"));
        } catch (error) {
          log("throw() rejected with a " + error.constructor.name);
        }
        log(JSON.stringify(await it.next()));
      }`);
    expect(lines).toEqual([
      '{"value":"item","done":false}',
      "sync return() called",
      "caught at the yield*: TypeError: The sync iterator delegated to has no throw() method, so it cannot take the error; it was closed instead. Give it a throw() method to receive errors.",
      "throw() rejected with a TypeError",
      '{"done":true}',
    ]);
  });
});
