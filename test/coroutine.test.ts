import { describe, expect, it } from "vitest";
import { __await__, __awaiter, asleep, coroutine, currentTask, Task, type Awaitable } from "../src/index.js";
import { virtualLoop, vrun } from "./helpers.js";

describe("coroutine()", () => {
  it("starts at once inside a running loop and runs to its first suspension", () => {
    const log: string[] = [];
    const child = coroutine(function* () {
      log.push("child starts");
      yield* asleep(1);
      log.push("child resumes");
    });
    vrun(function* () {
      const task = child();
      log.push("call returned");
      yield task;
    });
    expect(log).toEqual(["child starts", "call returned", "child resumes"]);
  });

  it("returns a task that starts only when a loop adopts it when called outside any loop", () => {
    const log: string[] = [];
    const task = coroutine(function* () {
      log.push("body runs");
      yield;
      return "adopted";
    })();
    expect(log).toEqual([]);
    expect(task).toBeInstanceOf(Task);
    expect(vrun(task)).toBe("adopted");
    expect(log).toEqual(["body runs"]);
  });

  it("is adopted by the loop of the task that awaits it", () => {
    const made = coroutine(function* () {
      yield* asleep(2);
      return "made outside";
    })();
    expect(vrun(function* () {
      return yield made;
    })).toBe("made outside");
  });

  it("preserves this and the arguments", () => {
    class Counter {
      count = 10;
      add = coroutine(function* (this: Counter, by: number, ...more: number[]) {
        yield;
        this.count += by + more.reduce((a, b) => a + b, 0);
        return this.count;
      });
    }
    const counter = new Counter();
    expect(vrun(() => counter.add(1, 2, 3))).toBe(16);
  });

  it("fails the task, not the call, with an error thrown before the first suspension", () => {
    const failing = coroutine(function* () {
      throw new Error("early");
    });
    let task!: Task<never>;
    expect(() => {
      task = failing();
    }).not.toThrow();
    const loop = virtualLoop();
    expect(() => loop.runUntilComplete(task)).toThrow("early");
    expect(task.exception()).toEqual(new Error("early"));
  });

  it("runs try/catch/finally around awaits as native code does", () => {
    const log: string[] = [];
    const thrower = coroutine(function* (message: string) {
      yield* asleep(1);
      throw new Error(message);
    });
    const result = vrun(function* () {
      try {
        try {
          yield* thrower("first");
        } catch (error) {
          log.push(`caught ${(error as Error).message}`);
          yield* asleep(1);
          yield* thrower("second");
        } finally {
          log.push("inner finally");
          yield* asleep(1);
          log.push("inner finally resumed");
        }
      } catch (error) {
        log.push(`outer caught ${(error as Error).message}`);
      }
      return "done";
    });
    expect(result).toBe("done");
    expect(log).toEqual(["caught first", "inner finally", "inner finally resumed", "outer caught second"]);
  });

  it("rejects a non-function and a function that does not return a generator", () => {
    expect(() => coroutine(42 as never)).toThrow(
      new TypeError("Expected the argument of coroutine() to be a generator function, got 42."),
    );
    const notGen = coroutine(function plain() {
      return 5;
    } as never);
    expect(() => notGen()).toThrow(
      new TypeError(
        "The coroutine function plain returned 5, not a generator. Write it as a generator function: function* (...) { ... }.",
      ),
    );
  });

  it("completes a chain of 1,000,000 coroutines, each awaiting the one before, when the first finishes", () => {
    const link = coroutine(function* (previous: Task<number>) {
      return (yield* previous) + 1;
    });
    const length = vrun(function* () {
      const first = coroutine(function* () {
        yield* asleep(1);
        return 0;
      })();
      let last = first;
      for (let i = 0; i < 1_000_000; i++) last = link(last);
      return yield* last;
    });
    expect(length).toBe(1_000_000);
  });
});

describe("__awaiter()", () => {
  // What TypeScript emits for `async function double(x) { const v = await x; await asleep(1); return 2 * v; }`.
  function double(this: unknown, x: unknown): Task<number> {
    return __awaiter(this, void 0, void 0, function* () {
      const v = (yield x) as number;
      yield asleep(1);
      return 2 * v;
    });
  }

  it("runs a compiled async body on the loop and ignores the Promise argument", () => {
    expect(vrun(() => double(21))).toBe(42);
    const withP = __awaiter(undefined, [5], Promise, function* (n: number) {
      return (yield n) as number;
    });
    expect(vrun(withP)).toBe(5);
  });

  it("resumes a plain awaited value after one turn, as native await does after one microtask", () => {
    const log: string[] = [];
    const loop = virtualLoop();
    const compiled = (name: string) =>
      __awaiter(undefined, undefined, undefined, function* () {
        log.push(`${name}1`);
        const v = yield 42;
        log.push(`${name}2:${String(v)}`);
        yield null;
        log.push(`${name}3`);
      });
    loop.createTask(compiled("a"));
    loop.createTask(compiled("b"));
    loop.runForever();
    expect(log).toEqual(["a1", "b1", "a2:42", "b2:42", "a3", "b3"]);
  });

  it("passes this and arguments through", () => {
    const self = { base: 100 };
    function compiled(this: typeof self, a: number, b: number) {
      void a, void b; // the emit keeps the parameters on the outer function and passes `arguments`
      // eslint-disable-next-line prefer-rest-params
      return __awaiter(this, arguments, undefined, function* (this: typeof self, a: number, b: number) {
        yield;
        return this.base + a + b;
      });
    }
    expect(vrun(() => compiled.call(self, 1, 2))).toBe(103);
  });

  it("awaits tasks made by other compiled functions", () => {
    expect(vrun(() => double(double(5)))).toBe(20);
  });
});

describe("await depth", () => {
  it("completes a chain of awaitable objects 200,000 deep, each awaiting the next in its [__await__]", () => {
    class Link implements Awaitable<number> {
      constructor(readonly next: Awaitable<number> | null) {}
      *[__await__](): Generator<unknown, number, unknown> {
        if (this.next === null) {
          yield* asleep(1);
          return 0;
        }
        return ((yield this.next) as number) + 1;
      }
    }
    let chain = new Link(null);
    for (let i = 0; i < 200_000; i++) chain = new Link(chain);
    expect(vrun(chain)).toBe(200_000);
  });

  it("unwinds an error thrown at the bottom of a deep awaitable chain through every level", () => {
    let caughtAt = -1;
    class Link implements Awaitable<number> {
      constructor(readonly depth: number) {}
      *[__await__](): Generator<unknown, number, unknown> {
        if (this.depth === 0) throw new Error("bottom");
        try {
          return (yield new Link(this.depth - 1)) as number;
        } catch (error) {
          if (this.depth === 50_000) caughtAt = this.depth;
          throw error;
        }
      }
    }
    expect(() => vrun(new Link(100_000))).toThrow("bottom");
    expect(caughtAt).toBe(50_000);
  });

  it("keeps the current task the same through nested awaitables", () => {
    const seen = new Set<unknown>();
    class Probe implements Awaitable<void> {
      *[__await__]() {
        seen.add(currentTask());
        yield;
        seen.add(currentTask());
      }
    }
    const task = coroutine(function* () {
      yield new Probe();
      yield { [__await__]: () => new Probe()[__await__]() };
    })();
    vrun(task);
    expect([...seen]).toEqual([task]);
  });
});
