// `globals: "virtual"` (src/globals.ts): the host's timers, Date and performance.now() on the loop.
import { performance as perfHooksPerformance } from "node:perf_hooks";
import { describe, expect, expectTypeOf, it, vi } from "vitest";
import {
  asleep,
  coroutine,
  currentLoop,
  DeadlockError,
  EventLoop,
  RealClock,
  run,
  UsageError,
  VirtualClock,
  type AwaitableLike,
  type EventLoopOptions,
  type GlobalsOption,
  type RunOptions,
} from "../src/index.js";

const NativeDate = Date;
const nativeSetTimeout = setTimeout;

/** `run(main)` on a fresh virtual clock with virtual globals. */
function vgrun<T>(main: AwaitableLike<T> | (() => AwaitableLike<T>), options: RunOptions = {}): T {
  return run(main, { clock: new VirtualClock(), globals: "virtual", ...options });
}

/** Awaitable by a coroutine (`yield wait(ms)`) and by native code: the global setTimeout, read at call time. */
function wait(ms: number, value?: unknown): PromiseLike<unknown> {
  return {
    then(resolve: (value: unknown) => void) {
      setTimeout(resolve, ms, value);
    },
  } as PromiseLike<unknown>;
}

const now = () => currentLoop().time();

// Everything a virtual run replaces, as the host has it, to compare before and after.
const GLOBAL_NAMES = [
  "setTimeout",
  "clearTimeout",
  "setInterval",
  "clearInterval",
  "setImmediate",
  "clearImmediate",
  "queueMicrotask",
  "Date",
  "performance",
] as const;
function globalsNow() {
  return {
    descriptors: GLOBAL_NAMES.map((name) => Object.getOwnPropertyDescriptor(globalThis, name)),
    performanceOwnNames: Object.getOwnPropertyNames(performance),
    dateConstructor: Object.getOwnPropertyDescriptor(Date.prototype, "constructor"),
    abortSignalTimeout: Object.getOwnPropertyDescriptor(AbortSignal, "timeout"),
  };
}

/** Puts back the globals as globalsNow() saw them (after a test broke them on purpose). */
function putBack(saved: ReturnType<typeof globalsNow>): void {
  GLOBAL_NAMES.forEach((name, i) => {
    const descriptor = saved.descriptors[i];
    if (descriptor === undefined) delete (globalThis as Record<string, unknown>)[name];
    else Object.defineProperty(globalThis, name, descriptor);
  });
}

describe('globals: "virtual" timers', () => {
  it("fire in the loop's (deadline, stamp) order together with sleeping tasks", () => {
    const log: string[] = [];
    vgrun(function* () {
      const sleeper = coroutine(function* (name: string, seconds: number) {
        yield* asleep(seconds);
        log.push(`${name}@${now()}`);
      });
      sleeper("task-2s", 2);
      setTimeout(() => log.push(`timeout-1s@${now()}`), 1000);
      sleeper("task-1s", 1);
      setTimeout(() => log.push(`timeout-2s@${now()}`), 2000);
      const interval = setInterval(() => {
        log.push(`interval@${now()}`);
        if (now() >= 1.5) clearInterval(interval);
      }, 500);
      yield* asleep(3);
    });
    expect(log).toEqual([
      "interval@0.5",
      "timeout-1s@1",
      "task-1s@1",
      "interval@1",
      "interval@1.5",
      "task-2s@2",
      "timeout-2s@2",
    ]);
  });

  it("run setImmediate and queueMicrotask callbacks on the ready queue, first in, first out with tasks", () => {
    const log: string[] = [];
    vgrun(function* () {
      coroutine(function* () {
        log.push("task:1");
        yield;
        log.push("task:2");
      })();
      setImmediate(() => log.push("immediate"));
      queueMicrotask(() => {
        log.push("microtask");
        queueMicrotask(() => log.push("microtask from a microtask"));
      });
      setTimeout(() => log.push(`timeout 0@${now()}`), 0);
      yield;
      log.push("main");
      yield* asleep(0.01);
    });
    // (Node would run the microtask before the immediate; the loop keeps the order they were queued in.)
    // (The task started at once, and its next step was queued before the rest.)
    expect(log).toEqual(["task:1", "task:2", "immediate", "microtask", "main", "microtask from a microtask", "timeout 0@0.001"]);
  });

  it("take exactly their virtual time, as Date.now() and performance.now() measure it", () => {
    const measured = vgrun(function* () {
      const d0 = Date.now();
      const p0 = performance.now();
      const ticks: number[] = [];
      let n = 0;
      const interval = setInterval(() => {
        ticks.push(Date.now() - d0);
        if (++n === 10) clearInterval(interval);
      }, 100);
      yield wait(1500);
      return { ticks, date: Date.now() - d0, performance: performance.now() - p0, loop: now() };
    });
    expect(measured).toEqual({
      ticks: [100, 200, 300, 400, 500, 600, 700, 800, 900, 1000],
      date: 1500,
      performance: 1500,
      loop: 1.5,
    });
  });

  it("pass extra arguments, with the Timeout or Immediate as `this`", () => {
    const seen = vgrun(function* () {
      const calls: unknown[] = [];
      const timeout = setTimeout(function (this: unknown, a: string, b: number) {
        calls.push(["timeout", this === timeout, a, b]);
      }, 10, "a", 2);
      const immediate = setImmediate(function (this: unknown, a: string) {
        calls.push(["immediate", this === immediate, a]);
      }, "x");
      yield wait(20);
      return calls;
    });
    expect(seen).toEqual([["immediate", true, "x"], ["timeout", true, "a", 2]]);
  });

  it("coerce delays as Node does: not a number, NaN, under 1 or over 2^31-1 is 1 ms; fractions are cut", async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(`${warning.name}: ${warning.message}`);
    process.on("warning", onWarning);
    try {
      const fired = vgrun(function* () {
        const log: string[] = [];
        for (const delay of [undefined, null, "x", Number.NaN, -5, 0, 0.5, 1.7, "12", { valueOf: () => 3 }, 2 ** 31]) {
          setTimeout(() => log.push(`${String(delay)}@${Math.round(now() * 1000)}`), delay as number);
        }
        yield wait(20);
        return log;
      });
      expect(fired).toEqual([
        "undefined@1",
        "null@1",
        "x@1",
        "NaN@1",
        "-5@1",
        "0@1",
        "0.5@1",
        "1.7@1",
        "2147483648@1",
        "[object Object]@3",
        "12@12",
      ]);
      await new Promise((resolve) => nativeSetTimeout(resolve, 5)); // Node emits warnings on a later tick
      expect(warnings).toEqual(["TimeoutOverflowWarning: 2147483648 does not fit into a 32-bit signed integer.\nTimeout duration was set to 1."]);
    } finally {
      process.off("warning", onWarning);
    }
  });

  it("refuse a callback that is not a function with a TypeError, as Node does", () => {
    const errors = vgrun(function* () {
      const caught: unknown[] = [];
      for (const call of [
        () => setTimeout("code" as unknown as () => void, 1),
        () => setInterval(42 as unknown as () => void, 1),
        () => setImmediate(undefined as unknown as () => void),
        () => queueMicrotask(null as unknown as () => void),
      ]) {
        try {
          call();
        } catch (error) {
          caught.push([(error as Error).name, (error as Error).message, (error as { code?: string }).code]);
        }
      }
      yield;
      return caught;
    });
    expect(errors).toEqual([
      ["TypeError", 'Expected `callback` of setTimeout() to be a function, got "code".', "ERR_INVALID_ARG_TYPE"],
      ["TypeError", "Expected `callback` of setInterval() to be a function, got 42.", "ERR_INVALID_ARG_TYPE"],
      ["TypeError", "Expected `callback` of setImmediate() to be a function, got undefined.", "ERR_INVALID_ARG_TYPE"],
      ["TypeError", "Expected `callback` of queueMicrotask() to be a function, got null.", "ERR_INVALID_ARG_TYPE"],
    ]);
  });

  it("return a Timeout as Node's: ref, unref, hasRef, close, a numeric id clearTimeout accepts, Symbol.dispose", () => {
    const log = vgrun(function* () {
      const log: unknown[] = [];
      const t = setTimeout(() => log.push("never"), 10);
      log.push(t.hasRef(), t.unref() === t, t.hasRef(), t.ref() === t, t.hasRef());
      expect(t.close()).toBe(t);
      const byNumber = setTimeout(() => log.push("never: cleared by number"), 10);
      const id = +byNumber;
      expect(typeof id).toBe("number");
      clearTimeout(id);
      const byString = setTimeout(() => log.push("never: cleared by string"), 10);
      clearTimeout(String(byString[Symbol.toPrimitive]()));
      const disposed = setTimeout(() => log.push("never: disposed"), 10);
      (disposed as unknown as Record<symbol, () => void>)[Symbol.dispose]!();
      const interval = setInterval(() => log.push("never: interval cleared by clearTimeout"), 5);
      clearTimeout(interval); // one function in Node
      const timeout = setTimeout(() => log.push("never: timeout cleared by clearInterval"), 5);
      clearInterval(timeout);
      const immediate = setImmediate(() => log.push("never: immediate"));
      clearImmediate(immediate);
      for (const junk of [undefined, null, 12345, "nope", {}, immediate]) clearTimeout(junk as never);
      setTimeout(() => log.push(`kept@${now()}`), 10);
      yield wait(50);
      return log;
    });
    expect(log).toEqual([true, true, false, true, true, "kept@0.01"]);
  });

  it("refresh() re-arms from now, also after the timer fired; a cleared timer stays cleared", () => {
    const log: string[] = [];
    vgrun(function* () {
      const t = setTimeout(() => log.push(`t@${now()}`), 1000);
      yield wait(600);
      t.refresh(); // due at 1.6 now
      yield wait(1400);
      t.refresh(); // fired at 1.6: due again at 3
      const cleared = setTimeout(() => log.push("never"), 10);
      clearTimeout(cleared);
      cleared.refresh();
      yield wait(2000);
    });
    expect(log).toEqual(["t@1.6", "t@3"]);
  });

  it("re-arm an interval from the time it ran, even if its callback took long", () => {
    const clock = new VirtualClock();
    const log: string[] = [];
    run(
      function* () {
        let n = 0;
        const interval = setInterval(() => {
          log.push(`tick@${now()}`);
          if (++n === 1) clock.advance(0.25); // a quarter second passes inside the callback
          if (n === 3) clearInterval(interval);
        }, 1000);
        yield wait(5000);
      },
      { clock, globals: "virtual" },
    );
    expect(log).toEqual(["tick@1", "tick@2", "tick@3"]);
  });

  it("belong to their loop: each loop's timers fire in its own runs", () => {
    const a = new EventLoop({ clock: new VirtualClock(), globals: "virtual" });
    const b = new EventLoop({ clock: new VirtualClock(), globals: "virtual" });
    const log: string[] = [];
    a.runUntilComplete(coroutine(function* () {
      setTimeout(() => log.push(`a@${a.time()}`), 1000);
      yield wait(1);
    })());
    b.runUntilComplete(coroutine(function* () {
      setTimeout(() => log.push(`b@${b.time()}`), 500);
      yield wait(600);
    })());
    a.runUntilComplete(wait(2000) as unknown as AwaitableLike<unknown>);
    expect(log).toEqual(["b@0.5", "a@1"]);
  });

  it("clear a real timer made before the run with the virtual clearTimeout", async () => {
    let fired = false;
    const real = setTimeout(() => (fired = true), 1);
    vgrun(function* () {
      clearTimeout(real);
      yield;
    });
    await new Promise((resolve) => nativeSetTimeout(resolve, 10));
    expect(fired).toBe(false);
  });
});

describe("unref'd virtual timers", () => {
  it("do not keep runForever() going, as a library's cleanup interval must not", () => {
    const loop = new EventLoop({ clock: new VirtualClock(), globals: "virtual" });
    const log: string[] = [];
    loop.createTask(
      coroutine(function* () {
        setInterval(() => log.push(`cleanup@${now()}`), 60_000).unref();
        setTimeout(() => log.push(`work@${now()}`), 150_000); // keeps it going until 150
        yield* asleep(1);
      })(),
    );
    loop.runForever();
    expect(log).toEqual(["cleanup@60", "cleanup@120", "work@150"]);
    expect(loop.time()).toBe(150);
  });

  it("keep it going again once ref'd, and fire while runUntilComplete waits for them", () => {
    const loop = new EventLoop({ clock: new VirtualClock(), globals: "virtual" });
    const log: string[] = [];
    let timer: ReturnType<typeof setTimeout> | undefined;
    loop.createTask(
      coroutine(function* () {
        timer = setTimeout(() => log.push(`ref'd again@${now()}`), 5000).unref();
        timer.ref();
        yield;
      })(),
    );
    loop.runForever();
    const unrefd = coroutine(function* () {
      yield { then: (resolve: (v: unknown) => void) => setTimeout(resolve, 1000).unref() };
      return now();
    });
    expect(loop.runUntilComplete(unrefd())).toBe(1000 / 1000 + 5);
    expect(log).toEqual(["ref'd again@5"]);
  });
});

describe('globals: "virtual" Date and performance', () => {
  it("make new Date(), Date() and Date.now() read the loop's time from an epoch pinned by `now`", () => {
    const epoch = NativeDate.UTC(2030, 0, 1);
    const seen = vgrun(
      function* () {
        const first = [new Date().toISOString(), Date(), Date.now()];
        yield* asleep(90);
        return [...first, new Date().toISOString(), Date.now() - epoch];
      },
      { globals: { mode: "virtual", now: new NativeDate(epoch) } },
    );
    expect(seen).toEqual([
      "2030-01-01T00:00:00.000Z",
      new NativeDate(epoch).toString(),
      epoch,
      "2030-01-01T00:01:30.000Z",
      90_000,
    ]);
  });

  it("starts Date at the real time the loop was created, unless pinned", () => {
    const before = NativeDate.now();
    const loop = new EventLoop({ clock: new VirtualClock(), globals: "virtual" });
    const after = NativeDate.now();
    const read = loop.runUntilComplete(coroutine(function* () {
      yield* asleep(3600);
      return Date.now();
    })());
    expect(read - 3_600_000).toBeGreaterThanOrEqual(before);
    expect(read - 3_600_000).toBeLessThanOrEqual(after);
  });

  it("keeps one epoch for the loop's whole life, across runs and clock jumps between them", () => {
    const clock = new VirtualClock(100);
    const loop = new EventLoop({ clock, globals: { mode: "virtual", now: 1_000_000 } });
    const read = coroutine(function* () {
      yield;
      return [Date.now(), performance.now()];
    });
    const first = loop.runUntilComplete(read());
    clock.advance(2.5);
    const second = loop.runUntilComplete(read());
    expect(first).toEqual([1_000_000, 100_000]);
    expect(second).toEqual([1_002_500, 102_500]);
  });

  it("gives genuine Dates: instanceof holds both ways, statics are Date's, subclasses work", () => {
    const outside = new NativeDate(0);
    const seen = vgrun(function* () {
      class Stamp extends Date {}
      const inside = new Date();
      const stamp = new Stamp();
      yield;
      return {
        inside,
        checks: [
          inside instanceof NativeDate,
          outside instanceof Date,
          Object.getPrototypeOf(inside) === NativeDate.prototype,
          inside.constructor === Date,
          Date.prototype === NativeDate.prototype,
          Date.parse === NativeDate.parse,
          Date.UTC === NativeDate.UTC,
          Date.name,
          Date.length,
          new Date(2020, 1, 3).getMonth(),
          new Date("2020-05-06T00:00:00Z").toISOString(),
          stamp instanceof Stamp && stamp instanceof NativeDate,
          stamp.getTime() === inside.getTime(),
          Object.prototype.toString.call(inside),
        ],
      };
    });
    expect(seen.checks).toEqual([true, true, true, true, true, true, true, "Date", 7, 1, "2020-05-06T00:00:00.000Z", true, true, "[object Date]"]);
    // After the run, a Date made inside is a plain Date of the process.
    expect(seen.inside.constructor).toBe(NativeDate);
    expect(seen.inside instanceof Date).toBe(true);
  });

  it("refuses a `now` that is not a time", () => {
    expect(() => new EventLoop({ globals: { mode: "virtual", now: "2030" as unknown as number } })).toThrow(
      new TypeError('Expected `now` of the `globals` option to be a Date or a number of milliseconds, got "2030".'),
    );
    expect(() => new EventLoop({ globals: { mode: "virtual", now: new Date(Number.NaN) } })).toThrow(
      new RangeError('Expected `now` of the `globals` option to be a valid date, got "an invalid Date".'),
    );
    expect(() => new EventLoop({ globals: "fake" as GlobalsOption })).toThrow(
      new TypeError('Expected `globals` of new EventLoop() to be "real", "virtual" or { mode: "virtual", now? }, got "fake".'),
    );
  });

  it("makes performance.now() the loop's clock in ms, also through node:perf_hooks, with timeOrigin to match Date", () => {
    const seen = run(
      function* () {
        const start = [performance.now(), perfHooksPerformance.now()];
        yield* asleep(0.3);
        yield wait(400);
        return [...start, performance.now(), performance.timeOrigin + performance.now() - Date.now()];
      },
      { clock: new VirtualClock(5), globals: { mode: "virtual", now: 0 } },
    );
    expect(seen).toEqual([5000, 5000, 5700, 0]);
  });

  it("with a RealClock, reads the real time without recursing into the loop", () => {
    const realBefore = performance.now();
    const seen = run(
      function* () {
        const start = performance.now();
        yield wait(5);
        return [start, performance.now() - start];
      },
      { clock: new RealClock(), globals: "virtual" },
    );
    expect(seen[0]! - realBefore).toBeGreaterThanOrEqual(0);
    expect(seen[0]! - realBefore).toBeLessThan(1000);
    expect(seen[1]).toBeGreaterThanOrEqual(5);
  });
});

describe('globals: "virtual" AbortSignal.timeout', () => {
  it("aborts after exactly its virtual delay with a TimeoutError DOMException, and keeps nothing running", () => {
    const loop = new EventLoop({ clock: new VirtualClock(), globals: "virtual" });
    const seen: unknown[] = [];
    loop.createTask(
      coroutine(function* () {
        const signal = AbortSignal.timeout(2000);
        signal.addEventListener("abort", () => seen.push(`abort@${now()}`, (signal.reason as DOMException).name, signal.reason instanceof DOMException));
        AbortSignal.timeout(60_000); // unref'd: runForever() does not wait for it
        yield* asleep(3);
      })(),
    );
    loop.runForever();
    expect(seen).toEqual(["abort@2", "TimeoutError", true]);
    expect(loop.time()).toBe(3);
  });

  it("checks its delay as Node does", () => {
    const errors = vgrun(function* () {
      yield;
      return [-1, 1.5, "1"].map((delay) => {
        try {
          AbortSignal.timeout(delay as number);
          return "no error";
        } catch (error) {
          return `${(error as Error).name} ${(error as { code?: string }).code}: ${(error as Error).message}`;
        }
      });
    });
    expect(errors).toEqual([
      "RangeError ERR_OUT_OF_RANGE: Expected `delay` of AbortSignal.timeout() to be an integer from 0 to 4294967295, got -1.",
      "RangeError ERR_OUT_OF_RANGE: Expected `delay` of AbortSignal.timeout() to be an integer from 0 to 4294967295, got 1.5.",
      'TypeError ERR_INVALID_ARG_TYPE: Expected `delay` of AbortSignal.timeout() to be a number, got "1".',
    ]);
  });
});

describe('globals: "virtual" restoration', () => {
  it("installs them only while the run lasts, and puts back exactly what was there", () => {
    const before = globalsNow();
    const during = vgrun(function* () {
      yield;
      return globalsNow();
    });
    expect(during.descriptors).not.toEqual(before.descriptors);
    expect(during.performanceOwnNames).toEqual(["now", "timeOrigin"]);
    expect(globalsNow()).toEqual(before);
    // In Node 20, globalThis.performance is an accessor; it still is.
    expect(typeof Object.getOwnPropertyDescriptor(globalThis, "performance")?.get).toBe("function");
  });

  it("puts them back when main fails, when a callback throws, and on a DeadlockError", () => {
    const before = globalsNow();
    expect(() =>
      vgrun(function* () {
        yield wait(10);
        throw new Error("main failed");
      }),
    ).toThrow("main failed");
    expect(globalsNow()).toEqual(before);
    expect(() =>
      vgrun(function* () {
        setTimeout(() => {
          throw new Error("callback failed");
        }, 10);
        yield wait(20);
      }),
    ).toThrow("callback failed");
    expect(globalsNow()).toEqual(before);
    expect(() =>
      vgrun(function* () {
        yield new Promise(() => {}); // a native Promise: nothing in a synchronous run can settle it
      }),
    ).toThrow(DeadlockError);
    expect(globalsNow()).toEqual(before);
  });

  it("leave a loop with real globals alone", () => {
    const seen = run(
      function* () {
        yield;
        return [setTimeout === nativeSetTimeout, Date === NativeDate];
      },
      { clock: new VirtualClock() },
    );
    expect(seen).toEqual([true, true]);
  });
});

describe('globals: "virtual" misuse', () => {
  it("a virtual function kept after its loop closed is a UsageError", () => {
    const kept = vgrun(function* () {
      yield;
      return { setTimeout, Date, now: performance.now };
    });
    const message = (call: string) =>
      `Cannot call ${call}: it belongs to the virtual globals of an EventLoop that is closed, read while that loop ran with \`globals: "virtual"\` and kept. Read the global where you call it; if a fake-timer library was installed during that run, install it outside the run instead.`;
    expect(() => kept.setTimeout(() => {}, 1)).toThrow(new UsageError(message("setTimeout()")));
    expect(() => new kept.Date()).toThrow(new UsageError(message("new Date()")));
    expect(() => kept.Date.now()).toThrow(new UsageError(message("Date.now()")));
    expect(() => kept.now.call(performance)).toThrow(new UsageError(message("performance.now()")));
    expect(new kept.Date(5).getTime()).toBe(5); // a given time needs no loop
  });

  it("a virtual function used while another loop runs is a UsageError", () => {
    const first = new EventLoop({ clock: new VirtualClock(), globals: "virtual" });
    const keptSetTimeout = first.runUntilComplete(coroutine(function* () {
      yield;
      return setTimeout;
    })());
    expect(() =>
      vgrun(function* () {
        yield;
        keptSetTimeout(() => {}, 1);
      }),
    ).toThrow(/^Cannot call setTimeout\(\): it belongs to the virtual globals of another EventLoop than the one running/);
    // Between runs of its own loop, it schedules on that loop.
    const fired: number[] = [];
    keptSetTimeout(() => fired.push(first.time()), 1000);
    first.runForever();
    expect(fired).toEqual([1]);
  });

  it("fake timers installed inside the run are a UsageError at its end, and the globals are put back", () => {
    const before = globalsNow();
    try {
      expect(() =>
        vgrun(function* () {
          yield;
          vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
        }),
      ).toThrow(
        new UsageError(
          'setTimeout, clearTimeout, Date were replaced while an EventLoop ran with `globals: "virtual"` (by vi.useFakeTimers(), sinon or another fake-timer library?); the globals from before the run are back now. Install fake timers before or after a run with virtual globals, not inside it.',
        ),
      );
      expect(globalsNow()).toEqual(before);
    } finally {
      // The fake timers think the virtual globals were the real ones: uninstalling them now breaks
      // the globals (vitest's deletes them), which is why the run says so.
      vi.useRealTimers();
      putBack(before);
    }
    expect(globalsNow()).toEqual(before);
  });

  it("a run that throws keeps its own error when fake timers were installed inside it, and says so on stderr", () => {
    const before = globalsNow();
    const stderr = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      const loop = new EventLoop({ clock: new VirtualClock(), globals: "virtual" });
      loop.callSoon(() => {
        vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
        throw new RangeError("the callback's own failure");
      });
      expect(() => loop.runForever()).toThrow(new RangeError("the callback's own failure"));
      expect(globalsNow()).toEqual(before);
      expect(stderr).toHaveBeenCalledWith(expect.stringMatching(/^handloop: setTimeout, clearTimeout were replaced while an EventLoop ran/));
    } finally {
      stderr.mockRestore();
      vi.useRealTimers();
      putBack(before);
    }
  });

  it("a performance object replaced inside the run is put back too", () => {
    const before = globalsNow();
    try {
      expect(() =>
        vgrun(function* () {
          yield;
          vi.useFakeTimers({ toFake: ["performance"] });
        }),
      ).toThrow(/^performance was replaced while an EventLoop ran with `globals: "virtual"`/);
      expect(globalsNow()).toEqual(before);
    } finally {
      vi.useRealTimers();
      putBack(before);
    }
  });

  it("a run refuses to start over a virtual global left behind by an earlier run", () => {
    const before = globalsNow();
    const kept = vgrun(function* () {
      yield;
      return setTimeout;
    });
    globalThis.setTimeout = kept; // as a fake-timer library uninstalled after that run would
    try {
      expect(() => vgrun(function* () {})).toThrow(
        new UsageError(
          'Cannot run an EventLoop with `globals: "virtual"`: setTimeout is still the virtual one of an earlier run (most likely put back by a fake-timer library that was installed during that run and uninstalled after it). Put the real setTimeout back first, and install fake timers outside runs with virtual globals.',
        ),
      );
      expect(globalThis.setTimeout).toBe(kept); // nothing was replaced
    } finally {
      putBack(before);
    }
  });

  it("fake timers installed before the run stay installed after it", () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    try {
      const fake = { setTimeout, Date };
      const seen = vgrun(function* () {
        yield wait(1000);
        return [setTimeout === fake.setTimeout, now()];
      });
      expect(seen).toEqual([false, 1]);
      expect(setTimeout).toBe(fake.setTimeout);
      expect(Date).toBe(fake.Date);
    } finally {
      vi.useRealTimers();
    }
    expect(setTimeout).toBe(nativeSetTimeout);
  });
});

describe('globals: "virtual" against Node', () => {
  // The same callback code on real timers and on the loop's: the same events in the same order, at
  // the same times (exactly on the loop; real ones a little late, and far enough apart for that).
  function workload(log: [string, number][], done: () => void): void {
    const start = Date.now();
    const at = (event: string) => log.push([event, Date.now() - start]);
    let n = 0;
    const interval = setInterval(() => {
      at(`interval ${++n}`);
      if (n === 3) clearInterval(interval);
    }, 30);
    const cancelled = setTimeout(() => at("never"), 45);
    setTimeout(() => clearTimeout(cancelled), 15);
    setTimeout(() => at("timeout"), 150);
    setTimeout(() => {
      at("last");
      done();
    }, 180);
  }

  it("gives the same result as real timers", async () => {
    const real: [string, number][] = [];
    await new Promise<void>((resolve) => workload(real, resolve));
    const virtual: [string, number][] = [];
    vgrun(function* () {
      yield { then: (resolve: () => void) => workload(virtual, resolve) };
    });
    expect(virtual).toEqual([["interval 1", 30], ["interval 2", 60], ["interval 3", 90], ["timeout", 150], ["last", 180]]);
    expect(real.map(([event]) => event)).toEqual(virtual.map(([event]) => event));
    real.forEach(([, ms], i) => {
      expect(ms).toBeGreaterThanOrEqual(virtual[i]![1] - 1);
      expect(ms).toBeLessThan(virtual[i]![1] + 50);
    });
  });
});

describe("types", () => {
  it("take the globals option on run() and new EventLoop()", () => {
    expectTypeOf<RunOptions["globals"]>().toEqualTypeOf<GlobalsOption | undefined>();
    expectTypeOf<EventLoopOptions["globals"]>().toEqualTypeOf<GlobalsOption | undefined>();
    expectTypeOf<{ mode: "virtual"; now: Date }>().toMatchTypeOf<GlobalsOption>();
  });
});
