// Async generators and `for await` compiled by handloop (src/compile/runtime.ts), checked against
// ECMA-262 where the differential corpus cannot reach: the objects themselves, behaviour of the
// current spec that Node 20 does not have yet, what only handloop has (no loop running, the end
// of run()), and the protocol's corners with hostile iterators and thenables, which are easier
// written as plain JavaScript than typed. Snippets are compiled here as scripts and run on a loop
// with no microtasks; where Node follows the spec they run natively too, for the same log.
import { describe, expect, it } from "vitest";
import { compile } from "../src/compile/index.js";
import * as handloopApi from "../src/index.js";
import * as handloopHelpers from "../src/runtime.js";
import { run, Task, VirtualClock } from "../src/index.js";
import { withoutMicrotasks } from "./helpers.js";

type Main = (log: (line: string) => void) => PromiseLike<unknown>;

/** `source` defines `async function main(log)`; gives main, compiled onto handloop. */
function compiledMain(source: string): Main {
  const { code } = compile(source, { filename: "snippet.js", sourceType: "script", runtime: "$hl" });
  const factory = new Function("$hl", `${code}\nreturn main;`) as (runtime: object) => Main;
  return factory({ ...handloopApi, ...handloopHelpers });
}

/** Runs `main` as the engine runs it, with native Promises, and gives what it logged. */
async function logNative(source: string): Promise<string[]> {
  const main = new Function(`${source}\nreturn main;`)() as Main;
  const lines: string[] = [];
  await main((line) => lines.push(line));
  return lines;
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

// Helpers for the snippets below: a ticker that logs once per job (loop turn), and an observer
// of a request that logs how it settled, set up at once.
const HARNESS = `
  async function ticker(log, n) {
    for (let i = 1; i <= n; i++) {
      await undefined;
      log("tick " + i);
    }
  }
  async function watch(log, label, request) {
    try {
      log(label + ": " + JSON.stringify(await request));
    } catch (e) {
      log(label + " rejected: " + e.constructor.name + (e instanceof TypeError ? "" : " " + e.message));
    }
  }`;

// Where Node 20 follows the spec, compiled code must log what native code logs, line for line and
// so job for job: the protocol's corners (hostile iterators, queued requests, thenables).
const SAME_AS_NATIVE: Record<string, string> = {
  "throw() through yield* to an iterator without throw() closes it, then a TypeError": `
    async function main(log) {
      const inner = {
        [Symbol.asyncIterator]() { return this; },
        next() { return { value: 1, done: false }; },
        return() { log("inner return"); return {}; },
      };
      async function* g() {
        try {
          yield* inner;
        } catch (e) {
          log("caught " + e.constructor.name);
          yield "after";
        }
      }
      const it = g();
      const ticks = ticker(log, 8);
      await watch(log, "next", it.next());
      await watch(log, "throw", it.throw(new Error("x")));
      await watch(log, "next", it.next());
      await ticks;
    }`,

  "yield* to an iterator whose next() gives a non-object throws a TypeError at the yield*": `
    async function main(log) {
      const inner = { [Symbol.asyncIterator]() { return this; }, next() { return 5; } };
      async function* g() {
        try {
          yield* inner;
        } catch (e) {
          log("caught " + e.constructor.name);
        }
      }
      const ticks = ticker(log, 4);
      await watch(log, "next", g().next());
      await ticks;
    }`,

  "return() through yield* whose inner return() gives a non-object throws a TypeError there": `
    async function main(log) {
      const inner = {
        [Symbol.asyncIterator]() { return this; },
        next() { return { value: 1, done: false }; },
        return(v) { log("inner return " + v); return 3; },
      };
      async function* g() {
        try {
          yield* inner;
        } catch (e) {
          log("caught " + e.constructor.name);
          yield "from catch";
        } finally {
          log("finally");
        }
      }
      const it = g();
      const ticks = ticker(log, 8);
      await watch(log, "next", it.next());
      await watch(log, "return", it.return("R"));
      await watch(log, "next", it.next());
      await ticks;
    }`,

  "yield* passes next()'s argument to the inner next(), and gives the inner return value": `
    async function main(log) {
      const inner = {
        [Symbol.asyncIterator]() { return this; },
        n: 0,
        next(...args) {
          log("inner next got " + args.length + " argument(s): " + args[0]);
          return { value: this.n++, done: this.n > 2 };
        },
      };
      async function* g() {
        log("yield* gave " + (yield* inner));
      }
      const it = g();
      const ticks = ticker(log, 10);
      await watch(log, "a", it.next("x"));
      await watch(log, "b", it.next("y"));
      await watch(log, "c", it.next("z"));
      await ticks;
    }`,

  "yield* gives the inner generator's return value, after what next() sent in": `
    async function main(log) {
      async function* inner() {
        const x = yield "i1";
        log("inner got " + x);
        return "inner result";
      }
      async function* g() {
        const r = yield* inner();
        log("yield* gave " + r);
        return r + "!";
      }
      const it = g();
      const ticks = ticker(log, 10);
      await watch(log, "1", it.next("ignored"));
      await watch(log, "2", it.next("sent"));
      await watch(log, "3", it.next());
      await ticks;
    }`,

  "an error thrown in at a yield* and not caught inside runs both finally blocks": `
    async function main(log) {
      async function* inner() {
        try {
          yield "a";
        } finally {
          log("inner finally");
        }
      }
      async function* g() {
        try {
          yield* inner();
        } finally {
          log("outer finally");
        }
      }
      const it = g();
      const ticks = ticker(log, 10);
      await watch(log, "next", it.next());
      await watch(log, "throw", it.throw(new RangeError("bad")));
      await watch(log, "next", it.next());
      await ticks;
    }`,

  "an inner next() that throws at once throws at the yield*": `
    async function main(log) {
      const inner = { [Symbol.asyncIterator]() { return this; }, next() { throw new RangeError("sync throw"); } };
      async function* g() {
        try {
          yield* inner;
        } catch (e) {
          log("caught " + e.message);
        }
        return "end";
      }
      const ticks = ticker(log, 4);
      await watch(log, "next", g().next());
      await ticks;
    }`,

  "a throwing [Symbol.asyncIterator] getter throws where for await and yield* start": `
    async function main(log) {
      const obj = { get [Symbol.asyncIterator]() { throw new RangeError("getter"); } };
      async function* g() {
        try {
          yield* obj;
        } catch (e) {
          log("yield* caught " + e.message);
        }
      }
      const ticks = ticker(log, 4);
      try {
        for await (const x of obj) log("not reached " + x);
      } catch (e) {
        log("for await caught " + e.message);
      }
      await watch(log, "next", g().next());
      await ticks;
    }`,

  "yield* over a sync iterable of thenables awaits each value": `
    async function main(log) {
      const th = (v) => ({ then(resolve) { log("then " + v); resolve(v); } });
      async function* g() {
        yield* [th("a"), "b"];
      }
      const ticks = ticker(log, 12);
      for await (const v of g()) log("got " + v);
      await ticks;
    }`,

  "for await over a sync iterable of thenables awaits each value": `
    async function main(log) {
      const th = (v) => ({ then(resolve) { log("then " + v); resolve(v); } });
      const ticks = ticker(log, 12);
      for await (const v of [th(1), 2, th(3)]) log("got " + v);
      await ticks;
    }`,

  "for await reads a sync iterator's next once": `
    async function main(log) {
      let gets = 0;
      const iterable = {
        [Symbol.iterator]() {
          let i = 0;
          return { get next() { gets++; return () => ({ value: i, done: i++ >= 3 }); } };
        },
      };
      const ticks = ticker(log, 10);
      for await (const v of iterable) log("v" + v);
      log("next read " + gets + " time(s)");
      await ticks;
    }`,

  "a failed destructuring of the loop variable closes the iterator": `
    async function main(log) {
      const iterable = {
        [Symbol.asyncIterator]() { return this; },
        next() { return { value: null, done: false }; },
        return() { log("closed"); return {}; },
      };
      const ticks = ticker(log, 6);
      try {
        for await (const [a] of iterable) log("body " + a);
      } catch (e) {
        log("caught " + e.constructor.name);
      }
      await ticks;
    }`,

  "break closes the iterator, and a return() that gives a non-object is a TypeError": `
    async function main(log) {
      const iterable = {
        [Symbol.asyncIterator]() { return this; },
        next() { return { value: 1, done: false }; },
        return() { log("return called"); return 1; },
      };
      const ticks = ticker(log, 6);
      try {
        for await (const v of iterable) break;
        log("no error");
      } catch (e) {
        log("caught " + e.constructor.name);
      }
      await ticks;
    }`,

  "continue to an outer loop closes the generator, whose finally awaits": `
    async function main(log) {
      async function* g() {
        try {
          yield 1;
          yield 2;
        } finally {
          log("g finally");
          await undefined;
          log("g finally after await");
        }
      }
      const ticks = ticker(log, 12);
      outer: for (let i = 0; i < 2; i++) {
        for await (const v of g()) {
          log("i" + i + " v" + v);
          continue outer;
        }
      }
      await ticks;
    }`,

  "return() at a yield inside for await closes the inner generator first": `
    async function main(log) {
      async function* inner() {
        try {
          yield "a";
          yield "b";
        } finally {
          log("inner finally");
          await undefined;
          log("inner finally after await");
        }
      }
      async function* g() {
        try {
          for await (const v of inner()) yield v;
        } finally {
          log("g finally");
        }
      }
      const it = g();
      const ticks = ticker(log, 14);
      await watch(log, "next", it.next());
      await watch(log, "return", it.return("X"));
      await watch(log, "next", it.next());
      await ticks;
    }`,

  "a yield in a finally run by return() completes the return request with done false": `
    async function main(log) {
      async function* g() {
        try {
          yield 1;
        } finally {
          yield "from finally";
          log("after the yield in finally");
        }
      }
      const it = g();
      const ticks = ticker(log, 10);
      const watched = [
        watch(log, "next", it.next()),
        watch(log, "return", it.return("R")),
        watch(log, "next 2", it.next()),
        watch(log, "next 3", it.next()),
      ];
      for (const w of watched) await w;
      await ticks;
    }`,

  "return(thenable) on a finished generator adopts the thenable": `
    async function main(log) {
      const th = (v) => ({ then(resolve) { log("then " + v); resolve(v); } });
      async function* g() {}
      const it = g();
      const ticks = ticker(log, 8);
      await watch(log, "next", it.next());
      await watch(log, "return", it.return(th("T")));
      await ticks;
    }`,

  "return(thenable that rejects) at a yield throws there, where a catch may yield": `
    async function main(log) {
      const bad = { then(_, reject) { log("then called"); reject(new RangeError("nope")); } };
      async function* g() {
        try {
          yield 1;
        } catch (e) {
          log("caught " + e.message);
          yield 2;
        }
      }
      const it = g();
      const ticks = ticker(log, 10);
      await watch(log, "next", it.next());
      await watch(log, "return", it.return(bad));
      await watch(log, "next", it.next());
      await ticks;
    }`,

  "return(v) reads v's then once, at the yield (test262 yield-return-then-getter-ticks)": `
    async function main(log) {
      async function* f() {
        log("start");
        yield 123;
        log("never");
      }
      const ticks = ticker(log, 3);
      const it = f();
      it.next();
      it.return({ get then() { log("get then"); } });
      await ticks;
    }`,

  "requests wait behind a yield of a slow thenable (test262 request-queue-await-order)": `
    async function main(log) {
      let resolveLate;
      const late = { then(resolve) { resolveLate = resolve; } };
      let order = 0;
      async function* g() {
        yield late;
        yield ++order;
      }
      const it = g();
      const ticks = ticker(log, 10);
      const watched = [watch(log, "1", it.next()), watch(log, "2", it.next()), watch(log, "3", it.next())];
      await undefined;
      await undefined;
      resolveLate(++order);
      for (const w of watched) await w;
      log("order " + order);
      await ticks;
    }`,

  "many requests of every kind queue and settle in order": `
    async function main(log) {
      async function* g() {
        let i = 0;
        try {
          for (;;) {
            const x = yield i++;
            log("got " + x);
          }
        } catch (e) {
          log("caught " + e.message);
          yield "after catch";
        }
      }
      const it = g();
      const ticks = ticker(log, 30);
      const watched = [];
      for (let k = 0; k < 5; k++) watched.push(watch(log, "next " + k, it.next("v" + k)));
      watched.push(watch(log, "throw", it.throw(new Error("E"))));
      watched.push(watch(log, "next 5", it.next("v5")));
      watched.push(watch(log, "return", it.return("R")));
      watched.push(watch(log, "throw 2", it.throw(new Error("E2"))));
      watched.push(watch(log, "next 6", it.next()));
      for (const w of watched) await w;
      await ticks;
    }`,

  "return() requested by the body itself waits for the yield, then finishes the body": `
    async function main(log) {
      let it;
      async function* g() {
        watch(log, "return", it.return("early"));
        log("requested return");
        yield 1;
        log("not reached");
      }
      it = g();
      const ticks = ticker(log, 8);
      await watch(log, "next", it.next());
      await ticks;
    }`,
};

describe("async generators and for await, compiled, log what native code logs, job for job", () => {
  it.each(Object.keys(SAME_AS_NATIVE))("%s", async (name) => {
    const source = `${HARNESS}\n${SAME_AS_NATIVE[name]!}`;
    const native = await logNative(source);
    expect(native.length).toBeGreaterThan(2);
    expect(logCompiled(source)).toEqual(native);
  });
});
