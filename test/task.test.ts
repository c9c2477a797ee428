import { describe, expect, it } from "vitest";
import {
  asleep,
  CancelledError,
  coroutine,
  currentTask,
  run,
  sleep,
  Task,
  UsageError,
  VirtualClock,
  UnhandledTaskError,
} from "../src/index.js";
import { timedLog, virtualLoop, vrun } from "./helpers.js";

describe("Task outcome", () => {
  it("reports a pending task as not done and refuses result() and exception()", () => {
    const task = coroutine(function* worker() {
      yield* asleep(1);
    })();
    expect(task.done()).toBe(false);
    expect(task.cancelled()).toBe(false);
    expect(() => task.result()).toThrow(
      new UsageError(`Cannot call result() on task "${task.name}": it is still pending. Await it, or check done() first.`),
    );
    expect(() => task.exception()).toThrow(UsageError);
    expect(task.name).toMatch(/^worker-\d+$/);
    expect(String(task)).toBe(`Task "${task.name}" pending, not started: no loop has adopted it yet`);
    expect(Object.prototype.toString.call(task)).toBe("[object Task]");
  });

  it("keeps a returned value, a thrown error and a cancellation apart", () => {
    const loop = virtualLoop();
    const ok = loop.createTask(sleep(1, "ok"));
    const error = new Error("bad");
    const failed = loop.createTask(
      coroutine(function* () {
        yield* asleep(1);
        throw error;
      })(),
    );
    const cancelled = loop.createTask(sleep(5));
    expect(() => loop.runUntilComplete(sleep(2))).toThrow(UnhandledTaskError); // `failed` failed at 1
    cancelled.cancel("enough");
    loop.runForever();

    expect([ok.result(), ok.exception(), ok.cancelled()]).toEqual(["ok", undefined, false]);
    expect(() => failed.result()).toThrow(error);
    expect(failed.exception()).toBe(error);
    expect(cancelled.cancelled()).toBe(true);
    expect(() => cancelled.result()).toThrow(new CancelledError("enough"));
    expect(() => cancelled.exception()).toThrow(new CancelledError("enough"));
  });
});

describe("Task as an iterable", () => {
  it("yields itself once to generic iteration, pending or failed, so deep equality and spread work", () => {
    const loop = virtualLoop();
    const pending = loop.createTask(sleep(1));
    const failed = loop.createTask(
      coroutine(function* () {
        throw new Error("x");
      })(),
    );
    failed.catch(() => {});
    loop.runUntilComplete(sleep(0));
    expect(Array.from(pending)).toEqual([pending]);
    expect([...failed]).toEqual([failed]);
    expect([pending, failed]).toEqual([pending, failed]);
  });
});

describe("Task.cancel()", () => {
  it("returns false on a finished task and true on a pending one", () => {
    const loop = virtualLoop();
    const task = loop.createTask(sleep(1));
    expect(task.cancel()).toBe(true);
    expect(task.cancel()).toBe(true);
    loop.runForever();
    expect(task.cancel()).toBe(false);
    expect(task.cancelled()).toBe(true);
  });

  it("throws CancelledError at the suspension point and runs finally blocks that await", () => {
    const loop = virtualLoop();
    const log = timedLog(loop);
    const worker = loop.createTask(
      coroutine(function* () {
        try {
          log.at("start");
          yield* asleep(10);
          log.at("not reached");
        } finally {
          log.at("cleanup");
          yield* asleep(1);
          log.at("cleaned");
        }
      })(),
    );
    loop.callLater(2, () => worker.cancel());
    loop.runForever();
    expect(log.entries).toEqual(["start@0", "cleanup@2", "cleaned@3"]);
    expect(worker.cancelled()).toBe(true);
  });

  it("lets a coroutine that catches the cancellation return normally", () => {
    const result = vrun(function* () {
      const worker = coroutine(function* () {
        try {
          yield* asleep(60);
          return "slept";
        } catch (error) {
          if (error instanceof CancelledError) return `stopped: ${error.message}`;
          throw error;
        }
      })();
      yield* asleep(1);
      worker.cancel("shutdown");
      return [yield* worker, worker.cancelled()];
    });
    expect(result).toEqual(["stopped: shutdown", false]);
  });

  it("never runs the body of a task cancelled before its first step", () => {
    const loop = virtualLoop();
    let ran = false;
    const task = loop.createTask(
      coroutine(function* () {
        ran = true;
        yield;
      })(),
    );
    task.cancel();
    loop.runForever();
    expect(ran).toBe(false);
    expect(task.cancelled()).toBe(true);
  });

  it("cancels the task being awaited, and resumes the awaiter after that task's cleanup", () => {
    const loop = virtualLoop();
    const log = timedLog(loop);
    const inner = coroutine(function* () {
      try {
        yield* asleep(10);
      } finally {
        log.at("inner cleanup");
        yield* asleep(1);
        log.at("inner done");
      }
    });
    const outer = loop.createTask(
      coroutine(function* () {
        try {
          yield* inner();
        } catch (error) {
          log.at(`outer caught ${(error as Error).name}`);
          throw error;
        }
      })(),
    );
    loop.callLater(2, () => outer.cancel());
    loop.runForever();
    expect(log.entries).toEqual(["inner cleanup@2", "inner done@3", "outer caught CancelledError@3"]);
    expect(outer.cancelled()).toBe(true);
  });

  it("makes awaiting a cancelled task throw CancelledError", () => {
    const outcome = vrun(function* () {
      const child = coroutine(function* () {
        yield* asleep(5);
      })();
      child.cancel("child stopped");
      try {
        yield child;
        return "no error";
      } catch (error) {
        return `${(error as Error).name}: ${(error as Error).message}`;
      }
    });
    expect(outcome).toBe("CancelledError: child stopped");
  });

  it("cancels a task that cancels itself at its next suspension", () => {
    const loop = virtualLoop();
    const log = timedLog(loop);
    const task = loop.createTask(
      coroutine(function* () {
        currentTask()!.cancel();
        log.at("still running");
        try {
          yield* asleep(5);
        } catch (error) {
          log.at((error as Error).name);
          throw error;
        }
      })(),
    );
    loop.runForever();
    expect(log.entries).toEqual(["still running@0", "CancelledError@0"]);
    expect(task.cancelled()).toBe(true);
  });

  it("interrupts a wait on a foreign thenable", () => {
    const loop = virtualLoop();
    let callbacks: ((v: string) => void) | undefined;
    const thenable: PromiseLike<string> = {
      then: ((resolve: (v: string) => void) => {
        callbacks = resolve;
      }) as PromiseLike<string>["then"],
    };
    const task = loop.createTask(
      coroutine(function* () {
        try {
          return yield thenable;
        } catch (error) {
          return `cancelled, then ${(yield* asleep(1, "slept")) as string}`;
        }
      })(),
    );
    loop.callLater(1, () => task.cancel());
    loop.runForever();
    callbacks?.("late value"); // a stale callback after the cancellation changes nothing
    expect(task.result()).toBe("cancelled, then slept");
  });
});

describe("Task as a thenable", () => {
  it("calls then callbacks from the loop on a later turn, never synchronously", () => {
    const loop = virtualLoop();
    const log: string[] = [];
    const task = loop.createTask(sleep(1, 5));
    task.then((v) => log.push(`then ${v}`));
    loop.runUntilComplete(
      coroutine(function* () {
        yield* asleep(2);
        task.then((v) => log.push(`late then ${v}`));
        log.push("after late then");
        yield;
      })(),
    );
    expect(log).toEqual(["then 5", "after late then", "late then 5"]);
  });

  it("chains then, catch and finally like a Promise, through thenable results", () => {
    const loop = virtualLoop();
    const log: string[] = [];
    const failed = loop.createTask(
      coroutine(function* () {
        yield* asleep(1);
        throw new Error("nope");
      })(),
    );
    const chained = failed
      .then(() => "skipped")
      .catch((error: unknown) => `caught ${(error as Error).message}`)
      .finally(() => {
        log.push("finally");
        return asleep(1);
      })
      .then((v) => loop.createTask(sleep(1, `${v}, chained`)));
    expect(chained).toBeInstanceOf(Task);
    expect(loop.runUntilComplete(chained)).toBe("caught nope, chained");
    expect(log).toEqual(["finally"]);
    expect(loop.time()).toBe(3);
  });

  it("can be awaited by native async code once its loop has run", async () => {
    const task = coroutine(function* () {
      yield* asleep(1);
      return "native sees it";
    })();
    run(task, { clock: new VirtualClock() });
    await expect(task).resolves.toBe("native sees it");
    const failed = coroutine(function* () {
      throw new Error("native sees the error");
    })();
    try {
      run(failed, { clock: new VirtualClock() });
    } catch {
      // run() throws it; native await sees it too
    }
    await expect(failed).rejects.toThrow("native sees the error");
  });
});
