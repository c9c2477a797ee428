"use handloop";
// Future: asyncio's Future for hand-written code, awaited by coroutines (`yield* fut`) and by
// compiled code (`await fut`: this file is compiled by handloop/vite).
import { describe, expect, expectTypeOf, it } from "vitest";
import {
  CancelledError,
  coroutine,
  createFuture,
  currentLoop,
  EventLoop,
  Future,
  LoopPromise,
  Task,
  UnhandledTaskError,
  UsageError,
  VirtualClock,
} from "../src/index.js";
import { vrun } from "./helpers.js";

describe("createFuture()", () => {
  it("is awaited by a coroutine with yield*, typed, until a callback resolves it", () => {
    const loop = new EventLoop({ clock: new VirtualClock() });
    const reply = createFuture<string>();
    loop.callLater(2, () => reply.resolve("pong"));
    const result = loop.runUntilComplete(
      coroutine(function* () {
        const text = yield* reply;
        expectTypeOf(text).toEqualTypeOf<string>();
        return `${text} at ${currentLoop().time()}`;
      })(),
    );
    expect(result).toBe("pong at 2");
    expect(reply.done()).toBe(true);
    expect(reply.result()).toBe("pong");
  });

  it("is awaited by compiled code, and is a thenable", () => {
    const log: string[] = [];
    const text = vrun(async () => {
      const fut = createFuture<number>();
      fut.then((n) => log.push(`then ${n}`));
      currentLoop().callLater(1, () => fut.resolve(41));
      return (await fut) + 1;
    });
    expect(text).toBe(42);
    expect(log).toEqual(["then 41"]);
  });

  it("settles once: the first of resolve, reject and cancel wins, the others return false", () => {
    const resolved = createFuture<string>();
    expect(resolved.resolve("first")).toBe(true);
    expect(resolved.resolve("second")).toBe(false);
    expect(resolved.reject(new Error("late"))).toBe(false);
    expect(resolved.cancel()).toBe(false);
    expect(resolved.result()).toBe("first");

    const cancelled = createFuture<string>();
    expect(cancelled.cancel("gave up")).toBe(true);
    expect(cancelled.resolve("too late")).toBe(false);
    expect(cancelled.cancelled()).toBe(true);
    expect(() => cancelled.result()).toThrow(new CancelledError("gave up"));
  });

  it("fails the tasks awaiting it with the error it is rejected with", () => {
    const outcome = vrun(async () => {
      const fut = createFuture<void>();
      currentLoop().callLater(1, () => fut.reject(new RangeError("refused")));
      try {
        await fut;
        return "not reached";
      } catch (error) {
        return `${(error as Error).name} at ${currentLoop().time()}`;
      }
    });
    expect(outcome).toBe("RangeError at 1");
  });

  it("adopts a thenable it is resolved with, and is locked meanwhile", () => {
    const result = vrun(function* () {
      const fut = createFuture<string>();
      const source = new LoopPromise<string>((resolve) => currentLoop().callLater(3, () => resolve("adopted")));
      const first = fut.resolve(source);
      const second = fut.resolve("ignored");
      const pending = fut.done();
      const value = yield* fut;
      return [first, second, pending, value, currentLoop().time()];
    });
    expect(result).toEqual([true, false, false, "adopted", 3]);
  });

  it("is cancelled when a task awaiting it is cancelled, as in asyncio", () => {
    const fut = createFuture<string>();
    vrun(function* () {
      const waiter = currentLoop().createTask(
        coroutine(function* () {
          return yield* fut;
        })(),
      );
      yield;
      yield;
      waiter.cancel();
      yield* waiter.cancelAndWait();
    });
    expect(fut.cancelled()).toBe(true);
  });

  it("is reported by name when it fails with nobody awaiting it", () => {
    let error: unknown;
    try {
      vrun(function* () {
        const fut = createFuture<void>({ name: "reply" });
        fut.reject(new Error("nobody listened"));
        yield;
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UnhandledTaskError);
    expect((error as Error).message).toBe(
      'Future "reply" failed and nothing observed it: Error: nobody listened. Await the future, gather it, or give the loop an unhandledError policy.',
    );
  });

  it("is a Task and a LoopPromise, and says it is a Future", () => {
    const fut = createFuture<number>({ name: "answer" });
    expect(fut).toBeInstanceOf(Future);
    expect(fut).toBeInstanceOf(Task);
    expect(fut).toBeInstanceOf(LoopPromise);
    expect(String(fut)).toBe('Future "answer" pending');
    expect(Object.prototype.toString.call(fut)).toBe("[object Future]");
    expect(createFuture().name).toMatch(/^Future-\d+$/);
    expect(() => fut.result()).toThrow(UsageError);
    fut.resolve(42);
    expect(String(fut)).toBe('Future "answer" fulfilled with 42');
  });
});
