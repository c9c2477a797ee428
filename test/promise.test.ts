"use handloop";
// LoopPromise: a Promise whose jobs run on the loop, awaited by compiled code (this file is
// compiled by handloop/vite) and by hand-written coroutines. Its conformance to ECMA-262 is
// test262's business (`npm run test262 -- built-ins/Promise`); its tick-for-tick equivalence with
// the engine's Promise is promise-ticks.test.ts's.
import { inspect } from "node:util";
import { describe, expect, expectTypeOf, it } from "vitest";
import {
  CancelledError,
  coroutine,
  currentLoop,
  DeadlockError,
  EventLoop,
  LoopPromise,
  run,
  Task,
  VirtualClock,
} from "../src/index.js";
import { LoopPromise as RuntimeLoopPromise } from "../src/runtime.js";
import { vrun, withoutMicrotasks } from "./helpers.js";

/** A pending LoopPromise and the functions that settle it. */
function deferred<T>(): { promise: LoopPromise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new LoopPromise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe("LoopPromise", () => {
  it("settles in a synchronous run: its jobs join the loop's ready queue, no microtask runs", () => {
    const log: string[] = [];
    const result = withoutMicrotasks(() =>
      vrun(async () => {
        const p = new LoopPromise<number>((resolve) => currentLoop().callLater(2, () => resolve(20)));
        p.then((v) => log.push(`then ${v}`));
        const [a, b] = await LoopPromise.all([p, LoopPromise.resolve(1).then((v) => v + 1)]);
        log.push(`all at ${currentLoop().time()}`);
        return a + b;
      }),
    );
    expect(result).toBe(22);
    expect(log).toEqual(["then 20", "all at 2"]);
  });

  it("interleaves its reactions with tasks in one FIFO order, a job per step", () => {
    const log: string[] = [];
    vrun(async () => {
      const ticker = (async () => {
        for (let i = 1; i <= 3; i++) {
          await undefined;
          log.push(`tick ${i}`);
        }
      })();
      LoopPromise.resolve("a")
        .then((v) => log.push(`then ${v}`))
        .then(() => log.push("then b"));
      await ticker;
    });
    expect(log).toEqual(["tick 1", "then a", "tick 2", "then b", "tick 3"]);
  });

  it("is awaited by a hand-written coroutine with `yield`, at once when it already settled", () => {
    const log: string[] = [];
    vrun(function* () {
      const settled = LoopPromise.resolve("now");
      log.push(`got ${(yield settled) as string} at ${currentLoop().time()}`);
      const later = new LoopPromise<string>((resolve) => currentLoop().callLater(1, () => resolve("later")));
      log.push(`got ${(yield later) as string} at ${currentLoop().time()}`);
      try {
        yield LoopPromise.reject(new RangeError("refused"));
      } catch (error) {
        log.push(`caught ${(error as Error).name}`);
      }
    });
    expect(log).toEqual(["got now at 0", "got later at 1", "caught RangeError"]);
  });

  it("is what createTask, runUntilComplete and run accept, as any thenable", () => {
    const loop = new EventLoop({ clock: new VirtualClock() });
    const p = new LoopPromise<string>((resolve) => loop.callLater(3, () => resolve("done")));
    expect(loop.runUntilComplete(p)).toBe("done");
    expect(loop.time()).toBe(3);
    expect(vrun(() => LoopPromise.resolve(7))).toBe(7);
  });

  it("resumes a task cancelled while it awaits one with its CancelledError, and ignores the late settlement", () => {
    const log: string[] = [];
    const gate = deferred<string>();
    vrun(async () => {
      const waiter = (async () => {
        try {
          await gate.promise;
          log.push("not reached");
        } catch (error) {
          log.push(`waiter: ${(error as Error).constructor.name} at ${currentLoop().time()}`);
        }
        await new LoopPromise((resolve) => currentLoop().callLater(2, () => resolve(undefined)));
        log.push(`waiter ended at ${currentLoop().time()}`);
      })();
      await new LoopPromise((resolve) => currentLoop().callLater(1, () => resolve(undefined)));
      expect(Task.from(waiter).cancel()).toBe(true);
      gate.resolve("too late");
      await waiter;
      log.push(`gate still gives ${await gate.promise}`);
    });
    expect(log).toEqual(["waiter: CancelledError at 1", "waiter ended at 3", "gate still gives too late"]);
  });

  it("ends cancelled a task that does not catch the cancellation while awaiting one", () => {
    const task = vrun(() => {
      const waiter = (async () => {
        await deferred<void>().promise;
      })();
      Task.from(waiter).cancel("stop");
      return Task.from(waiter).cancelAndWait();
    });
    expect(task).toBe(true);
  });

  it("names the promise a task waits on forever in the DeadlockError", () => {
    const never = deferred<void>().promise;
    let error: unknown;
    try {
      run(
        async function stuck() {
          await never;
        },
        { clock: new VirtualClock() },
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DeadlockError);
    expect((error as Error).message).toContain(
      "waits on a LoopPromise that nothing settled: whatever was to resolve or reject it will not run on this loop",
    );
  });

  it("can be subclassed: then() makes the subclass's instances, statics work on it", () => {
    class Tagged<T> extends LoopPromise<T> {
      readonly tag = "tagged";
    }
    const result = vrun(async () => {
      const p = new Tagged<number>((resolve) => resolve(1));
      const derived = p.then((v) => v + 1);
      const all = Tagged.all([p, 2]);
      return [p.tag, derived instanceof Tagged, (derived as Tagged<number>).tag, all instanceof Tagged, await derived, await all];
    });
    expect(result).toEqual(["tagged", true, "tagged", true, 2, [1, 2]]);
  });

  it("has the names, lengths and prototypes of the language's Promise", () => {
    expect(LoopPromise.name).toBe("Promise");
    expect(LoopPromise.length).toBe(1);
    expect(Object.getPrototypeOf(LoopPromise)).toBe(Function.prototype);
    expect(Object.getPrototypeOf(LoopPromise.prototype)).toBe(Object.prototype);
    expect(Object.prototype.toString.call(LoopPromise.resolve())).toBe("[object Promise]");
    expect(LoopPromise[Symbol.species]).toBe(LoopPromise);
    expect(() => (LoopPromise as unknown as () => void)()).toThrow(TypeError);
    expect(() => new LoopPromise(42 as never)).toThrow(
      new TypeError("The LoopPromise constructor expects an executor function, got 42."),
    );
  });

  it("shows its state and value in console.log, as Node shows a native promise's", () => {
    expect(inspect(LoopPromise.resolve({ a: 1 }))).toBe("LoopPromise { { a: 1 } }");
    expect(inspect(deferred().promise)).toBe("LoopPromise { <pending> }");
    const rejected = LoopPromise.reject("no");
    rejected.catch(() => {});
    expect(inspect([rejected])).toBe("[ LoopPromise { <rejected> 'no' } ]");
  });

  it("is typed as a Promise: then, the statics and await give the values' types", () => {
    expectTypeOf(LoopPromise.all([1, LoopPromise.resolve("a")])).toEqualTypeOf<LoopPromise<[number, string]>>();
    expectTypeOf(LoopPromise.resolve(1).then((v) => String(v))).toEqualTypeOf<LoopPromise<string>>();
    expectTypeOf(LoopPromise.race([LoopPromise.resolve(1), "b"])).toEqualTypeOf<LoopPromise<number | string>>();
    expectTypeOf<LoopPromise<number>>().toMatchTypeOf<Promise<number>>();
    expectTypeOf(LoopPromise.withResolvers<number>().resolve).parameter(0).toEqualTypeOf<number | PromiseLike<number>>();
    const typed = async (): Promise<number> => await LoopPromise.resolve(1);
    expect(vrun(typed)).toBe(1);
  });

  it("is the class handloop/runtime exports, for compiled code's global Promise", () => {
    expect(RuntimeLoopPromise).toBe(LoopPromise);
  });
});

describe("a Task as a LoopPromise", () => {
  const child = coroutine(function* () {
    return 1;
  });

  it("is an instance of LoopPromise, as an async function's result is a Promise", () => {
    const task = child();
    expect(task).toBeInstanceOf(LoopPromise);
    expect(task).toBeInstanceOf(Task);
    expect((async () => 1)()).toBeInstanceOf(LoopPromise);
  });

  it("keeps its own then, catch, finally, constructor and toStringTag", () => {
    const task = child();
    for (const key of ["then", "catch", "finally", "constructor", Symbol.toStringTag] as const) {
      expect(Object.prototype.hasOwnProperty.call(Task.prototype, key), String(key)).toBe(true);
    }
    expect(task.constructor).toBe(Task);
    expect(Object.prototype.toString.call(task)).toBe("[object Task]");
    expect(vrun(function* () {
      return yield child().then((v) => v + 1);
    })).toBe(2);
  });

  it("has no promise slots: LoopPromise's own methods called on it throw a TypeError", () => {
    const task = child();
    expect(() => LoopPromise.prototype.then.call(task)).toThrow(
      new TypeError("LoopPromise.prototype.then was called on an instance of Task, which is not a LoopPromise."),
    );
  });

  it("is given back as it is by LoopPromise.resolve, as Promise.resolve gives back an async function's promise", () => {
    const task = child();
    expect(LoopPromise.resolve(task)).toBe(task);
  });

  it("is cancelled by a cancel of a task awaiting it, which a LoopPromise is not", () => {
    const log: string[] = [];
    vrun(async () => {
      const sleeper = (async () => {
        await new LoopPromise((resolve) => currentLoop().callLater(5, () => resolve(undefined)));
      })();
      const promise = new LoopPromise<string>((resolve) => currentLoop().callLater(5, () => resolve("kept")));
      const onTask = (async () => {
        await sleeper;
      })();
      const onPromise = (async () => {
        await promise;
      })();
      await undefined;
      Task.from(onTask).cancel();
      Task.from(onPromise).cancel();
      for (const t of [onTask, onPromise]) {
        try {
          await t;
        } catch (error) {
          if (!(error instanceof CancelledError)) throw error;
        }
      }
      log.push(`sleeper cancelled: ${Task.from(sleeper).cancelled()}, promise still gives ${await promise}`);
    });
    expect(log).toEqual(["sleeper cancelled: true, promise still gives kept"]);
  });
});
