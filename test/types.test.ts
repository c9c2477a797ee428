// Type-level tests: checked by `tsc --noEmit` (part of `npm test`); the runtime assertions are trivial.
import { describe, expectTypeOf, it } from "vitest";
import {
  __await__,
  asleep,
  coroutine,
  EventLoop,
  gather,
  run,
  sleep,
  Task,
  VirtualClock,
  type ASleep,
  type Awaitable,
  Condition,
  Operation,
  Queue,
  type NotReady,
} from "../src/index.js";

describe("types", () => {
  it("types a coroutine from its parameters, this and return", () => {
    const f = coroutine(function* (a: number, b: string) {
      yield* asleep(1);
      return b.repeat(a);
    });
    expectTypeOf(f).parameters.toEqualTypeOf<[number, string]>();
    expectTypeOf(f).returns.toEqualTypeOf<Task<string>>();

    class Counter {
      n = 0;
      bump = coroutine(function* (this: Counter) {
        yield;
        return ++this.n;
      });
    }
    expectTypeOf(new Counter().bump).returns.toEqualTypeOf<Task<number>>();
  });

  it("infers the result of yield* from tasks and awaitables", () => {
    const child = coroutine(function* () {
      yield;
      return { id: 1 };
    });
    coroutine(function* () {
      const fromTask = yield* child();
      expectTypeOf(fromTask).toEqualTypeOf<{ id: number }>();
      const fromSleep = yield* asleep(1, "v" as const);
      expectTypeOf(fromSleep).toEqualTypeOf<"v">();
      const fromGenerator = yield* sleep(1, 42);
      expectTypeOf(fromGenerator).toEqualTypeOf<number>();
      const gathered = yield* gather(child(), asleep(1, "s"), sleep(1, 2));
      expectTypeOf(gathered).toEqualTypeOf<[{ id: number }, string, number]>();
      return fromTask.id;
    });
  });

  it("lets any object with [__await__] be an Awaitable<T>", () => {
    const custom = {
      *[__await__](): Generator<NotReady, bigint, unknown> {
        return 1n;
      },
    };
    expectTypeOf(custom).toMatchTypeOf<Awaitable<bigint>>();
    expectTypeOf(asleep(1, true)).toMatchTypeOf<Awaitable<boolean>>();
    expectTypeOf(asleep(1)).toEqualTypeOf<ASleep<undefined>>();
    expectTypeOf(new EventLoop().runUntilComplete(custom)).toEqualTypeOf<bigint>();
  });

  it("makes a Task usable wherever a Promise is expected", () => {
    const task = coroutine(function* () {
      yield;
      return 1;
    })();
    expectTypeOf(task).toMatchTypeOf<Promise<number>>();
    expectTypeOf(task.then((n) => String(n))).toEqualTypeOf<Task<string>>();
    expectTypeOf<Awaited<typeof task>>().toEqualTypeOf<number>();
    // An async function may await handloop awaitables with their types.
    const viaAwait = async () => (await asleep(1, "typed")).toUpperCase();
    expectTypeOf(viaAwait).returns.toEqualTypeOf<Promise<string>>();
  });

  it("types run() from a generator function, a coroutine call or an awaitable", () => {
    const clock = new VirtualClock();
    expectTypeOf(run(function* () {
      yield* asleep(1);
      return "gen";
    }, { clock })).toEqualTypeOf<string>();
    expectTypeOf(run(asleep(1, 5), { clock })).toEqualTypeOf<number>();
  });

  it("types Condition waits and a Queue's for-await steps as Operations that yield* and await give typed", () => {
    const cond = new Condition();
    const queue = new Queue<number>();
    coroutine(function* () {
      yield* cond.acquire();
      expectTypeOf(cond.wait()).toEqualTypeOf<Operation<true>>();
      const found = yield* cond.waitFor(() => "found" as const);
      expectTypeOf(found).toEqualTypeOf<"found">();
      const step = yield* queue[Symbol.asyncIterator]().next();
      expectTypeOf(step).toEqualTypeOf<IteratorResult<number, undefined>>();
    });
    expectTypeOf<Operation<number>>().toMatchTypeOf<Promise<number>>();
    const viaAwait = async () => {
      for await (const item of queue) expectTypeOf(item).toEqualTypeOf<number>();
    };
    void viaAwait;
  });
});
