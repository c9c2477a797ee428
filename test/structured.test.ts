// timeout, race, shield, cancelAndWait and task groups: the structured-concurrency rules.
import { describe, expect, it } from "vitest";
import {
  asleep,
  CancelledError,
  coroutine,
  currentLoop,
  race,
  shield,
  sleep,
  Task,
  taskGroup,
  TaskGroupError,
  TimeoutError,
  timeout,
  UsageError,
  type TaskGroup,
} from "../src/index.js";
import { timedLog, virtualLoop, vrun } from "./helpers.js";

const now = () => currentLoop().time();

/** A worker that sleeps `seconds`, logs its cleanup (which takes `cleanup` seconds), and returns `value`. */
function worker<T>(log: { at(e: string): void }, name: string, seconds: number, value: T, cleanup = 1) {
  return coroutine(function* () {
    try {
      yield* asleep(seconds);
      return value;
    } finally {
      log.at(`${name} finally`);
      if (cleanup > 0) yield* asleep(cleanup);
      log.at(`${name} cleaned`);
    }
  })();
}

describe("timeout()", () => {
  it("gives the result of work that finishes in time", () => {
    expect(vrun(() => timeout(2, sleep(1, "fast")))).toBe("fast");
  });

  it("cancels late work, waits for its cleanup that awaits, then throws TimeoutError naming the limit and task", () => {
    const loop = virtualLoop();
    const log = timedLog(loop);
    const outcome = loop.runUntilComplete(
      coroutine(function* () {
        const slow = worker(log, "slow", 10, "never");
        slow.name = "slow";
        try {
          return yield* timeout(2, slow);
        } catch (error) {
          log.at(`caught ${(error as Error).message}`);
          return error instanceof TimeoutError && error.seconds === 2;
        }
      })(),
    );
    expect(outcome).toBe(true);
    expect(log.entries).toEqual([
      "slow finally@2",
      "slow cleaned@3",
      'caught timeout(2) expired: task "slow" did not finish within 2 s.@3',
    ]);
  });

  it("still times out work that catches the cancellation and returns", () => {
    const swallower = coroutine(function* () {
      try {
        yield* asleep(10);
      } catch {
        return "swallowed";
      }
      return "slept";
    });
    expect(() => vrun(() => timeout(1, swallower()))).toThrow(TimeoutError);
  });

  it("reports only the timeout whose deadline passed: the outer one here", () => {
    const result = vrun(function* () {
      try {
        yield* timeout(1, timeout(5, sleep(10)));
        return "no error";
      } catch (error) {
        return `${(error as Error).name}: ${(error as Error).message}`;
      }
    });
    expect(result).toMatch(/^TimeoutError: timeout\(1\) expired: task "timeout-\d+" did not finish within 1 s\.$/);
  });

  it("reports only the timeout whose deadline passed: the inner one here", () => {
    const result = vrun(function* () {
      try {
        yield* timeout(5, timeout(1, sleep(10)));
        return "no error";
      } catch (error) {
        return (error as TimeoutError).seconds;
      }
    });
    expect(result).toBe(1);
  });

  it("lets completion win at the same instant when the work was scheduled first", () => {
    const result = vrun(function* () {
      const work = coroutine(function* () {
        yield* asleep(2);
        return "done at 2";
      })(); // its sleep is on the heap before timeout() schedules its deadline
      return yield* timeout(2, work);
    });
    expect(result).toBe("done at 2");
  });

  it("lets the deadline win at the same instant when it was scheduled first", () => {
    // asleep(2) is adopted by the timeout task, which schedules its deadline before the sleep starts.
    expect(() => vrun(() => timeout(2, asleep(2)))).toThrow(TimeoutError);
  });

  it("passes an outside cancellation through as CancelledError, after the inner cleanup", () => {
    const loop = virtualLoop();
    const log = timedLog(loop);
    const guarded = loop.createTask(timeout(10, worker(log, "inner", 5, "x")));
    loop.callLater(1, () => guarded.cancel("stop"));
    expect(() => loop.runUntilComplete(guarded)).toThrow(new CancelledError("stop"));
    expect(log.entries).toEqual(["inner finally@1", "inner cleaned@2"]);
  });

  it("rejects a bad limit", () => {
    expect(() => timeout(-1, sleep(1))).toThrow(
      new RangeError("Expected `seconds` of timeout() to be a finite number >= 0, got -1."),
    );
  });
});

describe("race()", () => {
  it("gives the first to finish, cancels the rest, and returns after their cleanup", () => {
    const loop = virtualLoop();
    const log = timedLog(loop);
    const winner = loop.runUntilComplete(
      race(worker(log, "slow", 5, "slow"), worker(log, "fast", 1, "fast", 0), worker(log, "mid", 3, "mid")),
    );
    expect(winner).toBe("fast");
    expect(log.entries).toEqual(["fast finally@1", "fast cleaned@1", "slow finally@1", "mid finally@1", "slow cleaned@2", "mid cleaned@2"]);
    expect(loop.time()).toBe(2);
  });

  it("passes on the first error when the first to finish fails", () => {
    const failing = coroutine(function* () {
      yield* asleep(1);
      throw new RangeError("first failure");
    });
    expect(() => vrun(() => race(sleep(5), failing()))).toThrow(new RangeError("first failure"));
  });

  it("cancels every racer when it is cancelled", () => {
    const loop = virtualLoop();
    const log = timedLog(loop);
    const racing = loop.createTask(race(worker(log, "a", 5, 1, 0), worker(log, "b", 6, 2, 0)));
    loop.callLater(1, () => racing.cancel());
    loop.runForever();
    expect(racing.cancelled()).toBe(true);
    expect(log.entries).toEqual(["a finally@1", "a cleaned@1", "b finally@1", "b cleaned@1"]);
  });

  it("refuses to race nothing", () => {
    expect(() => vrun(() => race())).toThrow(
      new UsageError("race() needs at least one awaitable: with none, nothing could ever win."),
    );
  });
});

describe("shield()", () => {
  it("lets the inner work finish when the awaiter is cancelled", () => {
    const loop = virtualLoop();
    const log = timedLog(loop);
    const inner = loop.createTask(
      coroutine(function* () {
        yield* asleep(3);
        log.at("saved");
        return "saved";
      })(),
    );
    const awaiter = loop.createTask(
      coroutine(function* () {
        try {
          return yield* shield(inner);
        } catch (error) {
          log.at(`awaiter ${(error as Error).name}`);
          throw error;
        }
      })(),
    );
    loop.callLater(1, () => awaiter.cancel());
    loop.runForever();
    expect(log.entries).toEqual(["awaiter CancelledError@1", "saved@3"]);
    expect(inner.result()).toBe("saved");
  });

  it("gives the inner result when nobody cancels", () => {
    expect(vrun(() => shield(sleep(1, "kept")))).toBe("kept");
  });
});

describe("cancel during a finally that awaits", () => {
  it("interrupts the cleanup's await, as asyncio does; work under shield() still runs to its end", () => {
    const loop = virtualLoop();
    const log = timedLog(loop);
    const cleanup = (name: string, protect: boolean) =>
      coroutine(function* () {
        try {
          yield* asleep(10);
        } finally {
          log.at(`${name} cleanup starts`);
          try {
            const save = coroutine(function* () {
              yield* asleep(2);
              log.at(`${name} save finished`);
            });
            yield* protect ? shield(save()) : save();
            log.at(`${name} cleanup done`);
          } catch (error) {
            log.at(`${name} cleanup interrupted by ${(error as Error).name}`);
          }
        }
      })();
    const plain = loop.createTask(cleanup("plain", false));
    const shielded = loop.createTask(cleanup("shielded", true));
    loop.callLater(1, () => (plain.cancel(), shielded.cancel()));
    loop.callLater(2, () => (plain.cancel("again"), shielded.cancel("again")));
    loop.runForever();
    expect(log.entries).toEqual([
      "plain cleanup starts@1",
      "shielded cleanup starts@1",
      "plain cleanup interrupted by CancelledError@2",
      "shielded cleanup interrupted by CancelledError@2",
      "shielded save finished@3", // the shielded work itself ran to its end
    ]);
    expect(plain.cancelled() && shielded.cancelled()).toBe(true);
  });
});

describe("Task.cancelAndWait()", () => {
  it("cancels, waits for the cleanup, and tells whether the task ended cancelled", () => {
    const loop = virtualLoop();
    const log = timedLog(loop);
    const result = loop.runUntilComplete(
      coroutine(function* () {
        const w = worker(log, "w", 10, "x");
        yield* asleep(1);
        const stopped = yield* w.cancelAndWait("enough");
        log.at(`stopped=${stopped}`);
        const swallower = coroutine(function* () {
          try {
            yield* asleep(10);
          } catch {
            return "caught";
          }
        })();
        yield;
        return [stopped, yield* swallower.cancelAndWait(), yield* swallower.cancelAndWait()];
      })(),
    );
    expect(result).toEqual([true, false, false]);
    expect(log.entries).toEqual(["w finally@1", "w cleaned@2", "stopped=true@2"]);
  });
});

describe("taskGroup()", () => {
  it("ends when the body and every child have ended, with the body's result", () => {
    const loop = virtualLoop();
    const log = timedLog(loop);
    const result = loop.runUntilComplete(
      taskGroup(function* (group: TaskGroup) {
        group.spawn(sleep(3)).then(() => log.at("child 3 done"));
        const quick = group.spawn(sleep(1, "quick"));
        return yield* quick;
      }),
    );
    expect(result).toBe("quick");
    expect(loop.time()).toBe(3);
    expect(log.entries).toEqual(["child 3 done@3"]);
  });

  it("cancels everything on the first failure and fails with every error, in the order they happened", () => {
    const loop = virtualLoop();
    const log = timedLog(loop);
    const failAt = (seconds: number, message: string) =>
      coroutine(function* () {
        yield* asleep(seconds);
        throw new Error(message);
      })();
    const failInCleanup = coroutine(function* () {
      try {
        yield* asleep(10);
      } finally {
        yield* asleep(1);
        // eslint-disable-next-line no-unsafe-finally
        throw new TypeError("cleanup failed");
      }
    });
    let error: unknown;
    try {
      loop.runUntilComplete(
        taskGroup(function* (group: TaskGroup) {
          group.spawn(failAt(2, "first"));
          group.spawn(failAt(2, "second, same instant"));
          group.spawn(failInCleanup());
          group.spawn(worker(log, "bystander", 10, 0));
          yield* asleep(100);
        }),
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TaskGroupError);
    expect(error).toBeInstanceOf(AggregateError);
    expect((error as TaskGroupError).errors.map((e: Error) => `${e.name}: ${e.message}`)).toEqual([
      "Error: first",
      "Error: second, same instant",
      "TypeError: cleanup failed",
    ]);
    expect((error as Error).message).toBe("3 tasks in the group failed; the first: Error: first");
    expect(log.entries).toEqual(["bystander finally@2", "bystander cleaned@3"]);
    expect(loop.time()).toBe(3);
  });

  it("cancels everything when its task is cancelled from outside, waiting for a child in cleanup", () => {
    const loop = virtualLoop();
    const log = timedLog(loop);
    let child!: Task<number>;
    const group = loop.createTask(
      taskGroup(function* (g: TaskGroup) {
        child = g.spawn(worker(log, "child", 10, 1, 2));
        yield* asleep(10);
      }),
    );
    loop.callLater(1, () => group.cancel("outside"));
    loop.callLater(2, () => group.cancel("again, during the cleanup"));
    expect(() => loop.runUntilComplete(group)).toThrow(CancelledError);
    expect(log.entries).toEqual(["child finally@1", "child cleaned@3"]);
    expect(child.cancelled()).toBe(true);
  });

  it("does not hang when a child swallows the cancellation", () => {
    const loop = virtualLoop();
    const result = loop.runUntilComplete(
      coroutine(function* () {
        try {
          yield* taskGroup(function* (group: TaskGroup) {
            group.spawn(
              coroutine(function* () {
                try {
                  yield* asleep(10);
                } catch {
                  return "swallowed";
                }
              })(),
            );
            yield* asleep(1);
            throw new Error("body failed");
          });
        } catch (error) {
          return (error as TaskGroupError).errors.length;
        }
      })(),
    );
    expect(result).toBe(1);
    expect(loop.time()).toBe(1);
  });

  it("refuses a spawn into a finished group", () => {
    let kept!: TaskGroup;
    vrun(() =>
      taskGroup(function* (group: TaskGroup) {
        kept = group;
        yield;
      }),
    );
    expect(() => kept.spawn(sleep(1))).toThrow(
      new UsageError(
        "Cannot spawn a generator object into a task group that has finished; spawn from its body or its children while it runs.",
      ),
    );
  });

  it("fails with the body's synchronous throw", () => {
    expect(() =>
      vrun(() =>
        taskGroup(() => {
          throw new SyntaxError("not even a coroutine");
        }),
      ),
    ).toThrow(TaskGroupError);
  });
});

describe("a CancelledError swallowed inside a timeout", () => {
  it("does not make the timeout hang", () => {
    const loop = virtualLoop();
    const stubborn = coroutine(function* () {
      for (let i = 0; i < 3; i++) {
        try {
          yield* asleep(10);
        } catch {
          // swallowed, once; then it returns on its own
          return "gave up";
        }
      }
    });
    expect(() => loop.runUntilComplete(timeout(1, stubborn()))).toThrow(TimeoutError);
    expect(loop.time()).toBe(1);
    void now;
  });
});
