import { describe, expect, it } from "vitest";
import {
  asleep,
  CancelledError,
  coroutine,
  gather,
  sleep,
  Task,
  UsageError,
  UnhandledTaskError,
} from "../src/index.js";
import { timedLog, virtualLoop, vrun } from "./helpers.js";

describe("gather()", () => {
  it("gives results in input order, not completion order, after the slowest", () => {
    const loop = virtualLoop();
    const result = loop.runUntilComplete(
      gather(asleep(3, "three"), sleep(1, "one"), coroutine(function* () {
        yield* asleep(2);
        return 2;
      })()),
    );
    expect(result).toEqual(["three", "one", 2]);
    expect(loop.time()).toBe(3);
  });

  it("gives an empty array for no input", () => {
    expect(vrun(gather())).toEqual([]);
  });

  it("accepts tasks that already finished", () => {
    const loop = virtualLoop();
    const done = loop.createTask(sleep(1, "early"));
    loop.runUntilComplete(done);
    expect(loop.runUntilComplete(gather(done, asleep(1, "late")))).toEqual(["early", "late"]);
  });

  it("cancels the others on the first failure, waits for their cleanup, then fails with the first error", () => {
    const loop = virtualLoop();
    const log = timedLog(loop);
    const cleaner = coroutine(function* (name: string) {
      try {
        yield* asleep(10);
      } finally {
        log.at(`${name} cleanup`);
        yield* asleep(1);
        log.at(`${name} cleaned`);
      }
    });
    const failer = coroutine(function* (seconds: number, message: string) {
      yield* asleep(seconds);
      throw new Error(message);
    });
    const outer = coroutine(function* () {
      try {
        yield gather(cleaner("a"), failer(2, "first"), failer(2.5, "second"), cleaner("b"));
      } catch (error) {
        log.at(`gather failed: ${(error as Error).message}`);
      }
    });
    loop.runUntilComplete(outer());
    expect(log.entries).toEqual([
      "a cleanup@2",
      "b cleanup@2",
      "a cleaned@3",
      "b cleaned@3",
      "gather failed: first@3",
    ]);
  });

  it("cancels every child when it is cancelled, and ends cancelled after their cleanup", () => {
    const loop = virtualLoop();
    const log = timedLog(loop);
    const child = coroutine(function* (name: string) {
      try {
        yield* asleep(10);
      } catch (error) {
        log.at(`${name} got ${(error as Error).name}`);
        yield* asleep(0.5);
        throw error;
      }
    });
    const all = loop.createTask(gather(child("x"), child("y")));
    loop.callLater(1, () => all.cancel());
    loop.runForever();
    expect(log.entries).toEqual(["x got CancelledError@1", "y got CancelledError@1"]);
    expect(all.cancelled()).toBe(true);
    expect(loop.time()).toBe(1.5);
  });

  it("fails with CancelledError when a child is cancelled from outside", () => {
    const loop = virtualLoop();
    const victim = loop.createTask(sleep(5));
    const other = loop.createTask(sleep(10));
    const all = loop.createTask(gather(victim, other));
    loop.callLater(1, () => victim.cancel());
    loop.runForever();
    expect(() => all.result()).toThrow(CancelledError);
    expect(other.cancelled()).toBe(true);
  });

  it("starts when adopted when called outside a loop", () => {
    const log: string[] = [];
    const g = gather(
      coroutine(function* () {
        log.push("child runs");
        yield;
        return 1;
      })(),
    );
    expect(g).toBeInstanceOf(Task);
    expect(log).toEqual([]);
    expect(vrun(g)).toEqual([1]);
    expect(log).toEqual(["child runs"]);
  });

  it("fails, cancelling what it started, when given a task of another loop", () => {
    const foreign = virtualLoop().createTask(sleep(1), { name: "foreign" });
    const loop = virtualLoop();
    const started = loop.createTask(sleep(5));
    const all = loop.createTask(gather(started, foreign));
    expect(() => loop.runForever()).toThrow(UnhandledTaskError); // nothing awaited it
    expect(all.exception()).toBeInstanceOf(UsageError);
    expect(started.cancelled()).toBe(true);
  });

  it("propagates errors through several levels of gather", () => {
    const failing = coroutine(function* () {
      yield* asleep(1);
      throw new TypeError("deep");
    });
    expect(() => vrun(gather(sleep(2), gather(sleep(3), failing())))).toThrow(new TypeError("deep"));
  });
});
