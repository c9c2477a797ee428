// The README's "Differences from asyncio", one test per point: handloop's side of each difference.
import { describe, expect, it } from "vitest";
import {
  asleep,
  coroutine,
  currentLoop,
  gather,
  Queue,
  run,
  taskGroup,
  TaskGroupError,
  VirtualClock,
  type TaskGroup,
} from "../src/index.js";
import { timedLog, virtualLoop, vrun } from "./helpers.js";

describe("differences from asyncio", () => {
  it("a coroutine called inside a running loop runs to its first suspension at once; createTask starts on the next turn", () => {
    const log = vrun(function* () {
      const out: string[] = [];
      const child = coroutine(function* (name: string) {
        out.push(`${name} runs`);
        yield* asleep(0);
      });
      child("called");
      currentLoop().createTask(child("created").then(() => undefined)); // (already started: a call)
      const lazy = (function* () {
        out.push("generator runs");
        yield* asleep(0);
      })();
      currentLoop().createTask(lazy);
      out.push("caller goes on");
      yield* asleep(0);
      return out;
    });
    expect(log).toEqual(["called runs", "created runs", "caller goes on", "generator runs"]);
  });

  it("gather cancels the other children when one fails, and throws only after their cleanup", () => {
    const loop = virtualLoop();
    const log = timedLog(loop);
    const slow = coroutine(function* () {
      try {
        yield* asleep(10);
      } finally {
        log.at("slow cancelled");
      }
    });
    const failing = coroutine(function* () {
      yield* asleep(1);
      throw new Error("failed");
    });
    expect(() => loop.runUntilComplete(gather(failing(), slow()))).toThrow("failed");
    expect(log.entries).toEqual(["slow cancelled@1"]);
  });

  it("a task cancelled while it awaits a task that swallows the cancellation and returns still ends cancelled", () => {
    const loop = virtualLoop();
    const swallower = coroutine(function* () {
      try {
        yield* asleep(10);
      } catch {
        return "swallowed";
      }
      return "slept";
    })();
    const awaiter = loop.createTask(
      coroutine(function* () {
        return yield* swallower;
      })(),
    );
    loop.callLater(1, () => awaiter.cancel());
    loop.runForever();
    expect(swallower.result()).toBe("swallowed");
    expect(awaiter.cancelled()).toBe(true); // in asyncio it would return "swallowed"
  });

  it("a sleeper and a callLater callback due at the same instant run in the order they were scheduled", () => {
    const loop = virtualLoop();
    const log: string[] = [];
    loop.callLater(1, () => log.push("callback scheduled first"));
    loop.createTask(
      coroutine(function* () {
        yield* asleep(1); // parks on the timer heap in the first turn
        log.push("sleeper");
      })(),
    );
    loop.callSoon(() => loop.callLater(1, () => log.push("callback scheduled after the sleep")));
    loop.runForever();
    // asyncio would wake the sleeper after both callbacks, one iteration later.
    expect(log).toEqual(["callback scheduled first", "sleeper", "callback scheduled after the sleep"]);
  });

  it("TaskGroupError.errors is in the order the errors happened: the body's first when it failed first", () => {
    const error = vrun(function* () {
      try {
        yield* taskGroup(function* (group: TaskGroup) {
          group.spawn(
            coroutine(function* () {
              try {
                yield* asleep(10);
              } finally {
                // eslint-disable-next-line no-unsafe-finally
                throw new Error("child, in the cleanup the body's failure started");
              }
            })(),
          );
          yield* asleep(1);
          throw new Error("body");
        });
      } catch (e) {
        return e;
      }
    });
    expect(error).toBeInstanceOf(TaskGroupError);
    // asyncio's TaskGroup puts the body's own error last.
    expect((error as TaskGroupError).errors.map((e) => (e as Error).message)).toEqual([
      "body",
      "child, in the cleanup the body's failure started",
    ]);
  });

  it("run() cancels a task still ready when main ends, before its next step; what it was handed passes on", () => {
    const queue = new Queue<string>();
    const log: string[] = [];
    const outcome = run(
      function* () {
        coroutine(function* () {
          try {
            log.push(`got ${yield* queue.get()}`);
          } catch (error) {
            log.push(`getter: ${(error as Error).name}`);
          }
        })();
        yield* asleep(1);
        queue.putNowait("item"); // handed to the waiting getter, which is ready now
        return "main done";
      },
      { clock: new VirtualClock() },
    );
    expect(outcome).toBe("main done");
    expect(log).toEqual(["getter: CancelledError"]); // asyncio would give it one more step first
    expect(queue.getNowait()).toBe("item");
  });

  it("a hand-off goes straight to the first waiter: a getNowait before it runs does not take its item", () => {
    const loop = virtualLoop();
    const queue = new Queue<string>();
    const log: string[] = [];
    loop.createTask(
      coroutine(function* () {
        log.push(`waiter got ${yield* queue.get()}`);
      })(),
    );
    loop.callLater(1, () => {
      queue.putNowait("item");
      try {
        queue.getNowait();
      } catch (error) {
        log.push(`getNowait: ${(error as Error).name}`);
      }
    });
    loop.runForever();
    expect(log).toEqual(["getNowait: QueueEmptyError", "waiter got item"]);
  });

  it("yield* of a task that already finished resumes without a turn, as asyncio's await of a done future", () => {
    const order = vrun(function* () {
      const out: string[] = [];
      const finished = coroutine(function* () {
        return "done";
      })();
      const other = coroutine(function* () {
        yield* asleep(0);
        out.push("other ran");
      })();
      out.push(`got ${yield* finished}`);
      yield other;
      return out;
    });
    expect(order).toEqual(["got done", "other ran"]);
  });
});
