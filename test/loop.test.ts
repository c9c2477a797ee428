import { describe, expect, it } from "vitest";
import {
  asleep,
  coroutine,
  currentLoop,
  currentTask,
  DeadlockError,
  Event,
  EventLoop,
  NotReady,
  run,
  sleep,
  UsageError,
  VirtualClock,
  type AwaitableLike,
  type Task,
  UnhandledTaskError,
} from "../src/index.js";
import { NOT_COMPILED_ADVICE, timedLog, virtualLoop } from "./helpers.js";

describe("EventLoop ordering", () => {
  it("wakes sleepers in deadline order, whatever order they started in", () => {
    const loop = virtualLoop();
    const log = timedLog(loop);
    const sleeper = coroutine(function* (name: string, seconds: number) {
      yield* asleep(seconds);
      log.at(name);
    });
    for (const [name, seconds] of [["c", 3], ["a", 1], ["d", 4], ["b", 2]] as const) {
      loop.createTask(sleeper(name, seconds));
    }
    loop.runForever();
    expect(log.entries).toEqual(["a@1", "b@2", "c@3", "d@4"]);
  });

  it("breaks deadline ties in the order the timers were scheduled", () => {
    const loop = virtualLoop();
    const log: string[] = [];
    const sleeper = coroutine(function* (name: string, seconds: number) {
      yield* asleep(seconds);
      log.push(name);
    });
    // Scheduled at different times, due at the same instant (2): c parks at 0, a at 1, b at 1.5.
    loop.createTask(sleeper("c", 2));
    loop.createTask(
      coroutine(function* () {
        yield* asleep(1);
        loop.createTask(sleeper("a", 1));
        yield* asleep(0.5);
        loop.createTask(sleeper("b", 0.5));
      })(),
    );
    loop.runForever();
    expect(log).toEqual(["c", "a", "b"]);
  });

  it("runs ready tasks first in, first out, one step each per turn", () => {
    const loop = virtualLoop();
    const log: string[] = [];
    const stepper = coroutine(function* (name: string) {
      for (let i = 1; i <= 3; i++) {
        log.push(`${name}${i}`);
        yield;
      }
    });
    for (const name of ["a", "b", "c"]) loop.createTask(stepper(name));
    loop.runForever();
    expect(log).toEqual(["a1", "b1", "c1", "a2", "b2", "c2", "a3", "b3", "c3"]);
  });

  it("runs callSoon callbacks in order, interleaved with tasks by readiness", () => {
    const loop = virtualLoop();
    const log: string[] = [];
    loop.callSoon(() => log.push("soon1"));
    loop.createTask(
      coroutine(function* () {
        log.push("task");
        loop.callSoon(() => log.push("soon3"));
      })(),
    );
    loop.callSoon(() => log.push("soon2"));
    loop.runForever();
    expect(log).toEqual(["soon1", "task", "soon2", "soon3"]);
  });

  it("fires callLater and callAt at their deadlines and skips cancelled ones", () => {
    const loop = virtualLoop();
    const log = timedLog(loop);
    loop.callLater(2, () => log.at("later2"));
    const cancelled = loop.callLater(1, () => log.at("cancelled"));
    loop.callAt(1.5, () => log.at("at1.5"));
    const soon = loop.callSoon(() => log.at("cancelled-soon"));
    cancelled.cancel();
    soon.cancel();
    loop.runForever();
    expect(log.entries).toEqual(["at1.5@1.5", "later2@2"]);
    expect(cancelled.cancelled()).toBe(true);
    expect(cancelled.deadline).toBe(1);
    // A cancelled timer does not keep the loop waiting: the run ended at 2, not later.
    expect(loop.time()).toBe(2);
  });

  it("fires thousands of timers in (deadline, scheduling) order with random cancels in between", () => {
    const loop = virtualLoop();
    let seed = 7;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const fired: [number, number][] = [];
    const handles = [];
    for (let i = 0; i < 5000; i++) {
      const deadline = Math.floor(random() * 200) / 10; // many ties
      handles.push({ i, deadline, handle: loop.callAt(deadline, () => fired.push([deadline, i])) });
    }
    const cancelled = new Set<number>();
    for (const { i, handle } of handles) {
      if (random() < 0.3) {
        handle.cancel();
        cancelled.add(i);
      }
    }
    loop.runForever();
    const expected = handles
      .filter(({ i }) => !cancelled.has(i))
      .sort((a, b) => a.deadline - b.deadline || a.i - b.i)
      .map(({ i, deadline }) => [deadline, i]);
    expect(fired).toEqual(expected);
  });

  it("keeps (deadline, scheduling) order while most timers and sleeps are cancelled and new ones keep coming", () => {
    let seed = 11;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const fired: number[] = [];
    // cancel() says whether it stopped the timer (false once it has fired).
    type Timer = { index: number; deadline: number; cancel(): boolean };
    const all: Timer[] = [];
    const pending = new Set<Timer>();
    const cancelled = new Set<number>();
    const sleeper = coroutine(function* (index: number, seconds: number) {
      try {
        yield* asleep(seconds);
        fired.push(index);
      } catch {
        // cancelled: it must not fire
      }
    });
    const loop = virtualLoop();
    loop.runUntilComplete(
      coroutine(function* () {
        const loop = currentLoop();
        for (let round = 0; round < 40; round++) {
          for (let k = 0; k < 100; k++) {
            const index = all.length;
            const delay = 0.1 + Math.floor(random() * 50) / 10; // many ties
            const deadline = loop.time() + delay;
            let timer: Timer;
            if (k % 2 === 0) {
              const handle = loop.callAt(deadline, () => {
                fired.push(index);
                pending.delete(timer);
              });
              timer = { index, deadline, cancel: () => (handle.cancel(), handle.cancelled()) };
            } else {
              const task = sleeper(index, delay); // started at once: its timer is armed now
              timer = { index, deadline, cancel: () => task.cancel() };
            }
            all.push(timer);
            pending.add(timer);
          }
          for (const timer of [...pending]) {
            if (random() < 0.8) {
              if (timer.cancel()) cancelled.add(timer.index);
              pending.delete(timer);
            }
          }
          yield* asleep(0.5);
        }
      })(),
    );
    loop.runForever();
    const expected = all
      .filter((t) => !cancelled.has(t.index))
      .sort((a, b) => a.deadline - b.deadline || a.index - b.index)
      .map((t) => t.index);
    expect(cancelled.size).toBeGreaterThan(3000);
    expect(fired).toEqual(expected);
    // Cancelled timers never kept the loop waiting: it ended at the last deadline that fired.
    expect(loop.time()).toBe(Math.max(19.5, ...all.filter((t) => !cancelled.has(t.index)).map((t) => t.deadline)));
  });

  it("resumes each of a thousand sleepers exactly twice: to start it and at its deadline", () => {
    // The post's loop resumes every task on every pass (about N^2 resumptions); a timer heap
    // resumes a sleeper only when it is due.
    let resumptions = 0;
    class Counted implements Iterator<unknown, unknown, unknown> {
      constructor(readonly inner: Iterator<unknown, unknown, unknown>) {}
      next(value?: unknown): IteratorResult<unknown, unknown> {
        resumptions++;
        return this.inner.next(value);
      }
    }
    let seed = 3;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const loop = virtualLoop();
    const tasks = Array.from({ length: 1000 }, () => loop.createTask(new Counted(sleep(random() * 10, "up"))));
    loop.runForever();
    expect(tasks.every((t) => t.result() === "up")).toBe(true);
    expect(resumptions).toBe(2000);
  });

  it("does not move virtual time while tasks are ready", () => {
    const loop = virtualLoop();
    const log = timedLog(loop);
    loop.runUntilComplete(
      coroutine(function* () {
        for (let i = 0; i < 5; i++) yield;
        log.at("yielded five times");
        yield* asleep(0);
        log.at("slept zero");
      })(),
    );
    expect(log.entries).toEqual(["yielded five times@0", "slept zero@0"]);
  });
});

describe("EventLoop runs", () => {
  it("returns the result of runUntilComplete synchronously and throws its error", () => {
    const loop = virtualLoop();
    expect(loop.runUntilComplete(sleep(5, "done"))).toBe("done");
    expect(loop.time()).toBe(5);
    const failing = coroutine(function* () {
      yield* asleep(1);
      throw new RangeError("boom");
    });
    expect(() => loop.runUntilComplete(failing())).toThrow(new RangeError("boom"));
  });

  it("leaves other tasks pending after runUntilComplete and resumes them on the next run", () => {
    const loop = virtualLoop();
    const slow = loop.createTask(sleep(10, "slow"));
    loop.runUntilComplete(sleep(1));
    expect(slow.done()).toBe(false);
    expect(loop.runUntilComplete(slow)).toBe("slow");
    expect(loop.time()).toBe(10);
  });

  it("ends runForever when no task, timer or callback is left", () => {
    const loop = virtualLoop();
    const tasks = [3, 2, 1, 4].map((s) => loop.createTask(sleep(s, `Sleep ${s} over`)));
    loop.runForever();
    expect(tasks.map((t) => t.result())).toEqual(["Sleep 3 over", "Sleep 2 over", "Sleep 1 over", "Sleep 4 over"]);
    expect(loop.time()).toBe(4);
  });

  it("stops runForever at the end of the turn in which stop() was called", () => {
    const loop = virtualLoop();
    const log: string[] = [];
    loop.createTask(
      coroutine(function* () {
        for (let i = 0; ; i++) {
          log.push(`tick${i}`);
          if (i === 2) currentLoop().stop();
          yield* asleep(1);
        }
      })(),
    );
    // Due at the same instant as tick2, and scheduled before it: it runs in that turn, first.
    loop.callLater(2, () => log.push("same turn"));
    loop.runForever();
    expect(log).toEqual(["tick0", "tick1", "same turn", "tick2"]);
    expect(loop.time()).toBe(2);
  });

  it("reports a stop() during runUntilComplete as a UsageError", () => {
    const loop = virtualLoop();
    loop.callLater(1, () => loop.stop());
    expect(() => loop.runUntilComplete(sleep(5))).toThrow(
      /The loop was stopped before task "Task-\d+" completed; stop\(\) ends runForever\(\), not runUntilComplete\(\)\./,
    );
  });

  it("knows the running loop and task", () => {
    const loop = virtualLoop();
    expect(() => currentLoop()).toThrow(
      new UsageError("currentLoop() was called with no EventLoop running; call it from code a loop is running."),
    );
    expect(currentTask()).toBeUndefined();
    let seen: [EventLoop, Task<unknown> | undefined] | undefined;
    const task = loop.createTask(
      coroutine(function* () {
        yield;
        seen = [currentLoop(), currentTask()];
      })(),
      { name: "me" },
    );
    loop.runUntilComplete(task);
    expect(seen?.[0]).toBe(loop);
    expect(seen?.[1]).toBe(task);
    expect(loop.isRunning()).toBe(false);
  });

  it("knows the current task in a child's first step, back in the parent, and nowhere else", () => {
    const seen: [string, Task<unknown> | undefined][] = [];
    const note = (where: string) => seen.push([where, currentTask()]);
    let c: Task<void> | undefined;
    const child = coroutine(function* () {
      note("child first step");
      yield;
      note("child later");
    });
    const parent = coroutine(function* () {
      note("parent before");
      c = child(); // its first step runs now, inside this one
      note("parent after");
      yield* c;
      note("parent end");
    });
    // A clock that looks while the loop waits between turns.
    class PeekingClock extends VirtualClock {
      override sleepUntil(deadline: number): void {
        note("between turns");
        super.sleepUntil(deadline);
      }
    }
    const loop = new EventLoop({ clock: new PeekingClock() });
    loop.callSoon(() => note("callback"));
    const p = loop.createTask(parent());
    loop.createTask(asleep(1));
    loop.runForever();
    // By identity (deep equality would find any two tasks alike).
    const who = (t: Task<unknown> | undefined) => (t === undefined ? "none" : t === p ? "parent" : t === c ? "child" : "other");
    expect(seen.map(([where, t]) => `${where}: ${who(t)}`)).toEqual([
      "callback: none",
      "parent before: parent",
      "child first step: child",
      "parent after: parent",
      "child later: child",
      "parent end: parent",
      "between turns: none",
    ]);
    expect(currentTask()).toBeUndefined();
  });

  it("knows no current task in an unhandled-error policy or a clock's now(), between turns", () => {
    const seen: string[] = [];
    class PeekingClock extends VirtualClock {
      override now(): number {
        seen.push(`clock: ${currentTask()?.name ?? "none"}`);
        return super.now();
      }
    }
    const loop = new EventLoop({
      clock: new PeekingClock(),
      unhandledError: () => seen.push(`policy: ${currentTask()?.name ?? "none"}`),
    });
    const failing = coroutine(function* () {
      yield;
      throw new Error("nobody looks");
    });
    const busy = coroutine(function* () {
      for (let i = 0; i < 3; i++) yield; // always ready again: at the head of the queue between turns
      loop.time(); // inside its own step, the clock sees it
    });
    loop.createTask(failing(), { name: "failing" });
    loop.createTask(busy(), { name: "busy" });
    loop.callLater(10, () => {}); // a timer, so each turn reads the clock first
    loop.runForever();
    expect(seen).toContain("policy: none");
    expect(seen).toContain("clock: busy");
    expect(seen.filter((s) => s.startsWith("clock:")).every((s) => s === "clock: none" || s === "clock: busy")).toBe(true);
    expect(seen.filter((s) => s === "clock: busy").length).toBe(1);
  });

  it("runs a 100,000-sleeper crowd on the virtual clock in deadline order", () => {
    const loop = virtualLoop();
    let last = -1;
    let outOfOrder = 0;
    let woken = 0;
    const sleeper = coroutine(function* (seconds: number) {
      yield* asleep(seconds);
      if (loop.time() < last) outOfOrder++;
      last = loop.time();
      woken++;
    });
    let seed = 12345;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 10;
    for (let i = 0; i < 100_000; i++) loop.createTask(sleeper(random()));
    loop.runForever();
    expect(woken).toBe(100_000);
    expect(outOfOrder).toBe(0);
    expect(loop.time()).toBeLessThan(10);
  });
});

describe("EventLoop tasks", () => {
  it("returns a task it already owns unchanged from createTask, and renames it when asked", () => {
    const loop = virtualLoop();
    const task = loop.createTask(sleep(1));
    expect(loop.createTask(task)).toBe(task);
    expect(loop.createTask(task, { name: "renamed" }).name).toBe("renamed");
  });

  it("adopts a task created outside any loop", () => {
    const loop = virtualLoop();
    const made = coroutine(function* () {
      yield* asleep(1);
      return "adopted";
    })();
    expect(made.done()).toBe(false);
    expect(loop.createTask(made)).toBe(made);
    expect(loop.runUntilComplete(made)).toBe("adopted");
  });

  it("rejects a task owned by another loop", () => {
    const a = virtualLoop();
    const b = virtualLoop();
    const task = a.createTask(sleep(1), { name: "theirs" });
    expect(() => b.createTask(task)).toThrow(
      new UsageError('Cannot createTask task "theirs": it belongs to another EventLoop.'),
    );
    expect(() => b.runUntilComplete(task)).toThrow(UsageError);
  });

  it("wraps awaitables, thenables that settle synchronously, and bare generators in tasks", () => {
    const loop = virtualLoop();
    const syncThenable: PromiseLike<string> = {
      then: ((resolve: (v: string) => void) => resolve("sync")) as PromiseLike<string>["then"],
    };
    expect(loop.runUntilComplete(asleep(2, "awaitable"))).toBe("awaitable");
    expect(loop.runUntilComplete(syncThenable)).toBe("sync");
    expect(loop.runUntilComplete(sleep(1, "generator"))).toBe("generator");
  });

  it("rejects what is not awaitable, naming it", () => {
    const loop = virtualLoop();
    expect(() => loop.createTask(42 as never)).toThrow(
      new TypeError(
        "Expected the argument of createTask() to be a task, an awaitable, a thenable or a generator, got 42.",
      ),
    );
    function main() {
      return sleep(1);
    }
    expect(() => loop.createTask(main as never)).toThrow(
      new TypeError(
        "Expected the argument of createTask() to be a task, an awaitable, a thenable or a generator, got the function main; call it first: createTask(main()).",
      ),
    );
  });
});

describe("EventLoop misuse", () => {
  it("refuses to run a loop inside a running loop", () => {
    const outer = virtualLoop();
    const inner = virtualLoop();
    const nested = coroutine(function* () {
      yield;
      inner.runUntilComplete(sleep(1));
    });
    expect(() => outer.runUntilComplete(nested())).toThrow(
      new UsageError(
        "Cannot call runUntilComplete() while another EventLoop is running on this thread; await the work from inside the running loop instead.",
      ),
    );
    const reentrant = coroutine(function* () {
      yield;
      outer.runForever();
    });
    expect(() => outer.runUntilComplete(reentrant())).toThrow(/while this EventLoop is running/);
  });

  it("refuses every use of a closed loop, and closing a running one", () => {
    const loop = virtualLoop();
    const closer = loop.createTask(
      coroutine(function* () {
        yield;
        loop.close();
      })(),
    );
    expect(() => loop.runForever()).toThrow(UnhandledTaskError); // nothing awaited it
    expect(closer.exception()).toEqual(
      new UsageError("Cannot call close() on a running EventLoop; call stop() first."),
    );
    loop.close();
    loop.close();
    expect(loop.isClosed()).toBe(true);
    const closed = "on a closed EventLoop; create a new EventLoop.";
    expect(() => loop.createTask(sleep(1))).toThrow(new UsageError(`Cannot call createTask() ${closed}`));
    expect(() => loop.runUntilComplete(sleep(1))).toThrow(new UsageError(`Cannot call runUntilComplete() ${closed}`));
    expect(() => loop.runForever()).toThrow(new UsageError(`Cannot call runForever() ${closed}`));
    expect(() => loop.callSoon(() => {})).toThrow(new UsageError(`Cannot call callSoon() ${closed}`));
    expect(() => loop.callLater(1, () => {})).toThrow(new UsageError(`Cannot call callLater() ${closed}`));
  });

  it("names bad arguments of callLater, callAt and callSoon", () => {
    const loop = virtualLoop();
    expect(() => loop.callLater(-1, () => {})).toThrow(
      new RangeError("Expected `delay` of callLater() to be a finite number >= 0, got -1."),
    );
    expect(() => loop.callLater(Number.NaN, () => {})).toThrow(RangeError);
    expect(() => loop.callLater("1" as never, () => {})).toThrow(
      new TypeError('Expected `delay` of callLater() to be a finite number >= 0, got "1".'),
    );
    expect(() => loop.callAt(Number.NaN, () => {})).toThrow(
      new TypeError("Expected `deadline` of callAt() to be a number, got NaN."),
    );
    expect(() => loop.callSoon("go" as never)).toThrow(
      new TypeError('Expected `callback` of callSoon() to be a function, got "go".'),
    );
    expect(() => new EventLoop({ clock: {} as never })).toThrow(
      new TypeError("Expected `clock` of new EventLoop() to be a Clock, got a plain object."),
    );
  });

  it("lets a callback's error out of the run and keeps the loop usable", () => {
    const loop = virtualLoop();
    const log: string[] = [];
    loop.callSoon(() => {
      throw new Error("callback failed");
    });
    loop.callSoon(() => log.push("next"));
    expect(() => loop.runForever()).toThrow("callback failed");
    loop.runForever();
    expect(log).toEqual(["next"]);
  });
});

describe("DeadlockError", () => {
  it("lists each waiting task and what it waits on instead of hanging", () => {
    const loop = virtualLoop();
    let child!: Task<void>;
    const main = coroutine(function* () {
      child = coroutine(function* () {
        yield new Promise<void>(() => {});
      })();
      child.name = "child";
      yield child;
    });
    const task = loop.createTask(main(), { name: "main" });
    let error: unknown;
    try {
      loop.runUntilComplete(task);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DeadlockError);
    expect((error as DeadlockError).message).toBe(
      [
        "No task can make progress: nothing is ready, no timer is pending, and 2 waits cannot end:",
        '  - task "main" waits on task "child"',
        `  - task "child" waits on a native Promise, which cannot settle while a synchronous run blocks the thread (its callbacks need the microtask queue). If an async function returned it, handloop did not compile that function. ${NOT_COMPILED_ADVICE} If a library made it, name its package in include (the Vite plugin option, or HANDLOOP_INCLUDE) so that its Promises are the loop's. Otherwise, await handloop tasks and awaitables instead, or run the work with runAsync() (or loop.runAsync()), where native Promises settle.`,
        "The waiting tasks, as taskTree() draws them:",
        '└── (T) task "main" [await task "child"]',
        '    └── (T) task "child" [host a native Promise]',
      ].join("\n"),
    );
    expect((error as DeadlockError).waiting).toEqual([task, child]);
    expect(task.done()).toBe(false);
  });

  it("names exactly the stuck tasks, oldest first, after hundreds of others have finished", () => {
    const loop = virtualLoop();
    const never = new Event(); // nobody sets it
    const stuck: Task<unknown>[] = [];
    const all: Task<unknown>[] = [];
    for (let i = 0; i < 600; i++) {
      // Every fifth task waits forever; the others finish at staggered times.
      const work: AwaitableLike<unknown> = i % 5 === 0 ? never.wait() : asleep(1 + (i % 7), i);
      const task = loop.createTask(work, { name: `t${i}` });
      all.push(task);
      if (i % 5 === 0) stuck.push(task);
    }
    let error: unknown;
    try {
      loop.runForever();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DeadlockError);
    const waiting = (error as DeadlockError).waiting;
    expect(waiting.length).toBe(stuck.length);
    expect(waiting.every((t, i) => t === stuck[i])).toBe(true); // the same tasks, in creation order
    expect(all.filter((t) => t.done()).length).toBe(600 - stuck.length);
  });

  it("is thrown by runForever when tasks are left that nothing can wake", () => {
    const loop = virtualLoop();
    const never = { then() {} };
    loop.createTask(coroutine(function* () {
      yield never;
    })(), { name: "stuck" });
    loop.createTask(sleep(1));
    expect(() => loop.runForever()).toThrow(
      'task "stuck" waits on a plain object (a thenable) that never called back',
    );
    expect(loop.time()).toBe(1);
  });

  it("reports two tasks awaiting each other", () => {
    const first: { task?: Task<unknown> } = {};
    expect(() =>
      run(function* () {
        const a = coroutine(function* () {
          yield;
          yield first.task;
        })();
        first.task = coroutine(function* () {
          yield a;
        })();
        yield a;
      }, { clock: new VirtualClock() }),
    ).toThrow(DeadlockError);
  });
});

describe("a virtual run where only timer callbacks run", () => {
  /** A callback that arms itself again every `seconds`, forever: an interval nothing clears. */
  function heartbeat(loop: EventLoop, seconds: number): { beats: number } {
    const counter = { beats: 0 };
    const beat = () => {
      counter.beats++;
      loop.callLater(seconds, beat);
    };
    loop.callLater(seconds, beat);
    return counter;
  }

  it("ends with a DeadlockError naming the waiting tasks instead of spinning forever", () => {
    const loop = virtualLoop();
    const counter = heartbeat(loop, 1);
    const never = new Event();
    const waiter = loop.createTask(never.wait(), { name: "waiter" });
    let error: unknown;
    try {
      loop.runUntilComplete(waiter);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DeadlockError);
    expect((error as DeadlockError).waiting).toContain(waiter);
    expect((error as Error).message).toMatch(
      /^No task can make progress: no task has stepped while virtual time jumped 1,000,000 times, to \d+ s, running only timer callbacks \(a setInterval, or a callback that arms itself again, that nothing clears\), and 1 wait cannot end:\n  - task "waiter" waits on an Event to be set\n/,
    );
    expect((error as Error).message).toMatch(/Clear such a timer once the work it serves is done \(or unref\(\) it/);
    expect(counter.beats).toBeGreaterThanOrEqual(1_000_000);
    expect(waiter.done()).toBe(false); // nothing lost: it can still be woken on a later run
    never.set();
    loop.runUntilComplete(waiter);
    expect(waiter.done()).toBe(true);
  });

  it("lets a task wait, rightly, past a million beats for a far timer of its own", () => {
    const loop = virtualLoop();
    const counter = heartbeat(loop, 1);
    const far = coroutine(function* () {
      yield* asleep(1_500_000); // seventeen days, a heartbeat every second meanwhile
      return "woke";
    });
    expect(loop.runUntilComplete(far())).toBe("woke");
    expect(counter.beats).toBe(1_500_000);
  });

  it("lets a task woken by the callbacks poll as long as it likes: its steps are progress", () => {
    const loop = virtualLoop();
    const tick = new Event();
    let ticks = 0;
    const beat = () => {
      tick.set();
      loop.callLater(1, beat);
    };
    loop.callLater(1, beat);
    const poller = coroutine(function* () {
      while (ticks < 1_200_000) {
        yield* tick.wait();
        tick.clear();
        ticks++;
      }
      return ticks;
    });
    expect(loop.runUntilComplete(poller())).toBe(1_200_000);
  });
});

describe("NotReady", () => {
  it("parks a task until that many seconds passed", () => {
    const loop = virtualLoop();
    const log = timedLog(loop);
    loop.runUntilComplete(
      coroutine(function* () {
        yield new NotReady(1.5);
        log.at("woke");
        yield new NotReady(0);
        log.at("next turn");
      })(),
    );
    expect(log.entries).toEqual(["woke@1.5", "next turn@1.5"]);
  });

  it("is a number of seconds, and rejects bad ones", () => {
    expect(+new NotReady(2)).toBe(2);
    expect(() => new NotReady(-1)).toThrow(
      new RangeError("Expected `seconds` of new NotReady() to be a finite number >= 0, got -1."),
    );
    expect(() => new NotReady(Number.POSITIVE_INFINITY)).toThrow(RangeError);
    expect(() => new NotReady("1" as never)).toThrow(TypeError);
  });
});
