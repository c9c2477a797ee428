import { describe, expect, it } from "vitest";
import {
  __await__,
  __awaiter,
  ASleep,
  asleep,
  coroutine,
  NotReady,
  sleep,
  type Awaitable,
  UnhandledTaskError,
  UsageError,
} from "../src/index.js";
import { NOT_COMPILED_ADVICE, timedLog, virtualLoop, vrun } from "./helpers.js";

/** A user-defined awaitable, built only on the protocol: waits `seconds`, gives `value`. */
class Delay<T> implements Awaitable<T> {
  constructor(
    readonly seconds: number,
    readonly value: T,
  ) {}
  *[__await__](): Generator<NotReady, T, unknown> {
    yield new NotReady(this.seconds);
    return this.value;
  }
  [Symbol.iterator]() {
    return this[__await__]();
  }
}

describe("the __await__ protocol", () => {
  it("is a registered symbol, so two copies of handloop agree on it", () => {
    expect(__await__).toBe(Symbol.for("handloop.__await__"));
  });

  it("runs a user-defined awaitable exactly like ASleep", () => {
    const loop = virtualLoop();
    const log = timedLog(loop);
    const user = coroutine(function* () {
      log.at(`user got ${yield* new Delay(2, "u")}`);
    });
    const builtin = coroutine(function* () {
      log.at(`builtin got ${yield* asleep(2, "b")}`);
    });
    loop.createTask(user());
    loop.createTask(builtin());
    loop.runForever();
    expect(log.entries).toEqual(["user got u@2", "builtin got b@2"]);
  });

  it("answers every kind of request: NotReady, task, thenable, awaitable, undefined", () => {
    const loop = virtualLoop();
    const log = timedLog(loop);
    const syncThenable = { then: (resolve: (v: string) => void) => resolve("thenable") };
    const other = loop.createTask(sleep(1, "task"));
    loop.runUntilComplete(
      coroutine(function* () {
        yield new NotReady(0.5);
        log.at("NotReady");
        log.at(String(yield other));
        log.at(String(yield syncThenable));
        log.at(String(yield new Delay(1, "awaitable")));
        log.at(String(yield asleep(1, "asleep")));
        log.at(String(yield undefined));
      })(),
    );
    expect(log.entries).toEqual(["NotReady@0.5", "task@1", "thenable@1", "awaitable@2", "asleep@3", "undefined@3"]);
  });

  it("throws what the awaitable's iterator throws at the await", () => {
    const failing: Awaitable<never> = {
      *[__await__]() {
        yield;
        throw new SyntaxError("from inside");
      },
    };
    expect(
      vrun(function* () {
        try {
          yield failing;
        } catch (error) {
          return `caught ${String(error)}`;
        }
      }),
    ).toBe("caught SyntaxError: from inside");
  });

  it("throws a rejected thenable's reason at the await", () => {
    const rejecting = { then: (_: unknown, reject: (e: unknown) => void) => reject(new Error("rejected")) };
    expect(() =>
      vrun(function* () {
        yield rejecting;
      }),
    ).toThrow("rejected");
  });

  it("answers a wrong yield with a TypeError naming the value and the task", () => {
    const result = vrun(function* () {
      const messages: string[] = [];
      for (const wrong of [42, "text", { plain: true }, null]) {
        try {
          yield wrong;
        } catch (error) {
          messages.push(`${(error as Error).name}: ${(error as Error).message}`);
        }
      }
      return messages;
    });
    const hint =
      "which the loop cannot wait on. Yield a NotReady hint, a Task or other thenable, an awaitable (an object with [__await__]), or undefined; `yield* x` gives a typed result.";
    expect(result).toEqual([
      `TypeError: Task "main" yielded 42, ${hint}`,
      `TypeError: Task "main" yielded "text", ${hint}`,
      `TypeError: Task "main" yielded a plain object, ${hint}`,
      `TypeError: Task "main" yielded null, ${hint}`,
    ]);
  });

  it("suggests yield* for a yielded bare generator", () => {
    const loop = virtualLoop();
    const task = loop.createTask(
      coroutine(function* () {
        yield sleep(1);
      })(),
      { name: "worker-3" },
    );
    expect(() => loop.runForever()).toThrow(UnhandledTaskError); // nothing awaited it
    expect(task.exception()).toEqual(
      new TypeError(
        'Task "worker-3" yielded a generator object; a generator is not awaitable by itself. Use `yield* gen` to run it inside this coroutine, or `createTask(gen)` to run it as its own task.',
      ),
    );
  });

  it("treats unknown values as plain values only at the top of a compiled body", () => {
    const badAwaitable: Awaitable<unknown> = {
      *[__await__]() {
        return (yield 7) as unknown; // an awaitable may not yield plain values, even when awaited by compiled code
      },
    };
    const compiled = __awaiter(undefined, undefined, undefined, function* () {
      const plain = yield 7;
      try {
        yield badAwaitable;
        return "no error";
      } catch (error) {
        return `${String(plain)} then ${(error as Error).name}`;
      }
    });
    expect(vrun(compiled)).toBe("7 then TypeError");
  });

  it("rejects an [__await__] that does not return an iterator", () => {
    const broken = { [__await__]: () => 5 } as unknown as Awaitable<unknown>;
    const loop = virtualLoop();
    const task = loop.createTask(
      coroutine(function* () {
        yield broken;
      })(),
      { name: "t" },
    );
    expect(() => loop.runForever()).toThrow(UnhandledTaskError); // nothing awaited it
    expect((task.exception() as Error).message).toBe(
      '[__await__]() of a plain object returned 5, which is not an iterator (awaited by task "t"). It must return an iterator, for example from a generator method.',
    );
  });

  it("closes an iterator without throw() and passes the error outward", () => {
    let closed = false;
    const plainIterator: Awaitable<number> = {
      [__await__]() {
        return {
          next: () => ({ done: false, value: new NotReady(1) }),
          return: () => {
            closed = true;
            return { done: true, value: 0 };
          },
        };
      },
    };
    const loop = virtualLoop();
    const task = loop.createTask(
      coroutine(function* () {
        yield plainIterator;
      })(),
    );
    loop.callLater(0.5, () => task.cancel("stop"));
    loop.runForever();
    expect(closed).toBe(true);
    expect(task.cancelled()).toBe(true);
  });
});

describe("asleep() and sleep()", () => {
  it("gives its value after the time has passed", () => {
    const loop = virtualLoop();
    expect(loop.runUntilComplete(asleep(2.5, { ok: true }))).toEqual({ ok: true });
    expect(loop.time()).toBe(2.5);
    expect(loop.runUntilComplete(asleep(1))).toBeUndefined();
  });

  it("still yields to the loop once for asleep(0)", () => {
    const log: string[] = [];
    const loop = virtualLoop();
    loop.createTask(
      coroutine(function* () {
        log.push("a before");
        yield* asleep(0);
        log.push("a after");
      })(),
    );
    loop.createTask(
      coroutine(function* () {
        log.push("b");
      })(),
    );
    loop.runForever();
    expect(log).toEqual(["a before", "b", "a after"]);
    expect(loop.time()).toBe(0);
  });

  it("gives each of many tasks passing asleep(0) back and forth exactly one turn", () => {
    const log: string[] = [];
    const loop = virtualLoop();
    const turns = coroutine(function* (name: string) {
      for (let i = 1; i <= 3; i++) {
        log.push(`${name}${i}`);
        yield* asleep(0); // the same shared sleep for everyone
      }
    });
    loop.createTask(turns("a"));
    loop.createTask(turns("b"));
    loop.createTask(turns("c"));
    loop.runForever();
    expect(log).toEqual(["a1", "b1", "c1", "a2", "b2", "c2", "a3", "b3", "c3"]);
    expect(asleep(0)).toBe(asleep(0));
    expect(Object.isFrozen(asleep(0))).toBe(true);
  });

  it("is the generator sleep(seconds, value) behind [__await__] and [Symbol.iterator]", () => {
    const nap = asleep(1, "v");
    expect(nap).toBeInstanceOf(ASleep);
    expect([nap.seconds, nap.value]).toEqual([1, "v"]);
    const it = nap[__await__]();
    expect(Object.prototype.toString.call(it)).toBe("[object Generator]");
    expect(Object.prototype.toString.call(nap[Symbol.iterator]())).toBe("[object Generator]");
  });

  it("can be shared by tasks sleeping at once and reused after a cancel", () => {
    const nap = asleep(2, "rested");
    const loop = virtualLoop();
    const log = timedLog(loop);
    const napper = coroutine(function* (name: string, start: number) {
      yield* asleep(start);
      log.at(`${name} ${yield* nap}`);
    });
    const a = napper("a", 0);
    const b = napper("b", 0.5); // starts its nap while a is in the middle of the same one
    const c = napper("c", 1);
    loop.createTask(a);
    loop.createTask(b);
    loop.createTask(c);
    loop.callLater(1.5, () => c.cancel()); // c leaves the shared nap mid-way
    loop.runForever();
    expect(log.entries).toEqual(["a rested@2", "b rested@2.5"]);
    expect(c.cancelled()).toBe(true);
    // Once everyone is done with it, the same sleep waits its full time again.
    const again = coroutine(function* () {
      const first = yield* nap;
      const second = yield* nap;
      return [first, second];
    });
    expect(loop.runUntilComplete(again())).toEqual(["rested", "rested"]);
    expect(loop.time()).toBe(6.5);
    // Iterators taken by hand are independent: each yields the sleep once, then returns.
    const byHand = coroutine(function* () {
      const one = nap[Symbol.iterator]();
      const two = nap[Symbol.iterator]();
      return [one.next(), two.next(), one.next(1), two.next(2), one.next(3)].map((r) => [r.done, r.value]);
    });
    // (Pairs, not the results: deep equality would iterate the sleep itself.)
    const steps = loop.runUntilComplete(byHand());
    expect(steps.map(([done]) => done)).toEqual([false, false, true, true, true]);
    expect(steps[0]![1]).toBe(nap);
    expect(steps[1]![1]).toBe(nap);
    expect(steps.slice(2).map(([, value]) => value)).toEqual([1, 2, 3]);
  });

  it("yields NotReady again after an early wake-up, when a polling loop drives it", () => {
    // Outside any handloop loop, sleep() reads real time, as the post's sleep reads time.time().
    const it = sleep(0.003, "over");
    const first = it.next();
    expect(first.value).toBeInstanceOf(NotReady);
    const early = it.next(); // woken far too early: it just asks again
    expect(early.done).toBe(false);
    expect((early.value as NotReady).seconds).toBeLessThanOrEqual((first.value as NotReady).seconds);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
    expect(it.next()).toEqual({ done: true, value: "over" });
  });

  it("lands exactly on the deadline for fractional sleeps in virtual time", () => {
    const loop = virtualLoop();
    let turns = 0;
    loop.runUntilComplete(
      coroutine(function* () {
        for (let i = 0; i < 10; i++) yield* sleep(0.1);
      })(),
    );
    loop.callSoon(() => turns++);
    loop.runForever();
    expect(loop.time()).toBeCloseTo(1, 12);
    expect(turns).toBe(1);
  });

  it("rejects bad durations with the right error type, naming the value and the task", () => {
    expect(() => asleep(-1)).toThrow(
      new RangeError("Expected `seconds` of asleep() to be a finite number >= 0, got -1."),
    );
    expect(() => asleep(Number.NaN)).toThrow(
      new RangeError("Expected `seconds` of asleep() to be a finite number >= 0, got NaN."),
    );
    expect(() => asleep(Number.POSITIVE_INFINITY)).toThrow(RangeError);
    expect(() => asleep("1" as never)).toThrow(
      new TypeError('Expected `seconds` of asleep() to be a finite number >= 0, got "1".'),
    );
    expect(() => sleep(-0.5)).toThrow(
      new RangeError("Expected `seconds` of sleep() to be a finite number >= 0, got -0.5."),
    );
    const loop = virtualLoop();
    const task = loop.createTask(
      coroutine(function* () {
        yield* asleep(-2);
      })(),
      { name: "napper" },
    );
    expect(() => loop.runForever()).toThrow(UnhandledTaskError); // nothing awaited it
    expect(task.exception()).toEqual(
      new RangeError('Expected `seconds` of asleep() to be a finite number >= 0, got -2 (in task "napper").'),
    );
  });

  it("refuses a native await with no loop running, and says it is an uncompiled async function's", async () => {
    // This file is not compiled: the async function is native, and so is its await.
    await expect((async () => await asleep(1))()).rejects.toThrow(
      new UsageError(
        "asleep(1) was awaited by a native await, where no handloop loop runs: in an async function handloop did not compile, or in a module's top-level code (never compiled: start a run there instead, run(main)). " +
          NOT_COMPILED_ADVICE,
      ),
    );
  });

  it("refuses then() with no loop running", () => {
    expect(() => asleep(1).then(() => {})).toThrow(
      new UsageError("asleep(1) was awaited with no handloop loop running; await it in a coroutine run by run() or an EventLoop."),
    );
  });
});
