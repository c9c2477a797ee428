// Host mode (src/host.ts): the loop's turns called by Node's event loop, so real I/O, native timers
// and native Promises go on while tasks wait for them. These tests run in real time: short waits,
// generous bounds (the machine is shared), and orders that do not hang on a race.
import { stat } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, expectTypeOf, it } from "vitest";
import {
  asleep,
  CancelledError,
  coroutine,
  createFuture,
  currentLoop,
  currentSignal,
  DeadlockError,
  EventLoop,
  fromPromise,
  gather,
  run,
  runAsync,
  Task,
  timeout,
  TimeoutError,
  toPromise,
  UnhandledTaskError,
  UsageError,
  VirtualClock,
  type Host,
} from "../src/index.js";

/** An HTTP server on a free loopback port, for one test; closed afterwards. */
async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections(); // keep-alive ones too, which close() alone would wait for
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** Collects what Node reports while `fn` runs: unhandled rejections and process warnings. */
async function watchProcess<T>(fn: () => Promise<T>): Promise<{ result: T; rejections: unknown[]; warnings: string[] }> {
  const rejections: unknown[] = [];
  const warnings: string[] = [];
  const onRejection = (reason: unknown) => rejections.push(reason);
  const onWarning = (warning: Error) => warnings.push(`${warning.name}: ${warning.message}`);
  process.on("unhandledRejection", onRejection);
  process.on("warning", onWarning);
  try {
    const result = await fn();
    // Node reports both on later ticks: give them a few.
    await new Promise((resolve) => setTimeout(resolve, 20));
    return { result, rejections, warnings };
  } finally {
    process.off("unhandledRejection", onRejection);
    process.off("warning", onWarning);
  }
}

/** Node's own event loop as a Host, counting what the driver asks of it and the timers armed at once. */
function countingHost() {
  const counts = { microtasks: 0, tasks: 0, timers: 0, cleared: 0, armed: 0, mostArmed: 0, delays: [] as number[] };
  const live = new Set<unknown>();
  const host: Host = {
    queueMicrotask(callback) {
      counts.microtasks++;
      queueMicrotask(callback);
    },
    queueTask(callback) {
      counts.tasks++;
      setImmediate(callback);
    },
    setTimer(callback, ms, keepAlive) {
      counts.timers++;
      counts.delays.push(ms);
      const timer = setTimeout(() => {
        live.delete(timer);
        callback();
      }, ms);
      if (!keepAlive) timer.unref();
      live.add(timer);
      counts.mostArmed = Math.max(counts.mostArmed, live.size);
      return timer;
    },
    clearTimer(timer) {
      counts.cleared++;
      live.delete(timer);
      clearTimeout(timer as NodeJS.Timeout);
    },
  };
  return { host, counts };
}

describe("runAsync()", () => {
  it("gives main's result as a native Promise while Node's timers and native Promises go on", async () => {
    const log: string[] = [];
    const result = runAsync(
      coroutine(function* () {
        const fromTimer = yield new Promise<string>((resolve) => setTimeout(() => resolve("native timer"), 5));
        log.push(String(fromTimer));
        yield* asleep(0.005);
        log.push("slept on the loop");
        return (yield* fromPromise(Promise.resolve(20))) + 22;
      }),
    );
    expect(result).toBeInstanceOf(Promise);
    expect(await result).toBe(42);
    expect(log).toEqual(["native timer", "slept on the loop"]);
  });

  it("runs a native async main, whose awaits of handloop awaitables run on the loop", async () => {
    const result = await runAsync(async () => {
      await asleep(0.002);
      const child = coroutine(function* () {
        yield* asleep(0.001);
        return currentLoop() instanceof EventLoop;
      })();
      return [await child, await new Promise((resolve) => setImmediate(() => resolve("immediate")))];
    });
    expect(result).toEqual([true, "immediate"]);
  });

  it("rejects with main's error", async () => {
    const boom = new Error("boom");
    await expect(
      runAsync(
        coroutine(function* () {
          yield Promise.resolve();
          throw boom;
        }),
      ),
    ).rejects.toBe(boom);
  });

  it("cancels the tasks left when main returns, waits for their cleanup, then closes the loop", async () => {
    const log: string[] = [];
    let loop: EventLoop | null = null;
    const result = await runAsync(
      coroutine(function* () {
        loop = currentLoop();
        coroutine(function* () {
          try {
            yield new Promise(() => {}); // a host wait nothing will end
          } finally {
            log.push("cleanup started");
            yield* asleep(0.002);
            log.push("cleanup done");
          }
        })();
        yield* asleep(0.001);
        return "main done";
      }),
    );
    expect(result).toBe("main done");
    expect(log).toEqual(["cleanup started", "cleanup done"]);
    expect(loop!.isClosed()).toBe(true);
    expect(currentTaskOrNone()).toBe("none"); // the thread has no running loop any more
  });

  it("rejects with an UnhandledTaskError for a task that failed while nothing observed it", async () => {
    const error = await runAsync(
      coroutine(function* () {
        coroutine(function* () {
          yield Promise.resolve();
          throw new Error("lost");
        })();
        yield* asleep(0.05);
      }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnhandledTaskError);
    expect((error as UnhandledTaskError).cause).toEqual(new Error("lost"));
    expect((error as UnhandledTaskError).main?.name).toBe("main");
  });

  it("types its Promise from main, whatever form main takes (checked by tsc)", () => {
    // Never called: the checks are the compiler's, and calling would start runs.
    const typeChecks = () => {
      const viaCoroutine = coroutine(function* () {
        yield* asleep(0);
        return 42;
      });
      expectTypeOf(runAsync(viaCoroutine)).toEqualTypeOf<Promise<number>>();
      expectTypeOf(runAsync(async () => "native")).toEqualTypeOf<Promise<string>>();
      expectTypeOf(runAsync(asleep(0, true))).toEqualTypeOf<Promise<boolean>>();
      expectTypeOf(new EventLoop().runAsync(viaCoroutine())).toEqualTypeOf<Promise<number>>();
      expectTypeOf(fromPromise((signal) => fetch("http://127.0.0.1:9/", { signal }))).toEqualTypeOf<Task<Response>>();
      expectTypeOf(toPromise(viaCoroutine())).toEqualTypeOf<Promise<number>>();
    };
    expectTypeOf(typeChecks).toBeFunction();
  });

  it("with globals: \"virtual\", gives the program's setTimeout to the loop, so a VirtualClock skips it too", async () => {
    const clock = new VirtualClock();
    const started = performance.now();
    const at = await runAsync(
      coroutine(function* () {
        yield* fromPromise(new Promise((resolve) => setTimeout(resolve, 3_600_000))); // an hour
        return clock.now();
      }),
      { clock, globals: "virtual" },
    );
    expect(at).toBe(3600);
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(setTimeout.name).toBe("setTimeout"); // the real one is back
  });

  it("refuses to start while a loop runs, and makes the thread's sync runs wait their turn", async () => {
    const inner: unknown[] = [];
    await runAsync(
      coroutine(function* () {
        inner.push(yield* fromPromise(runAsync(coroutine(function* () {})).catch((e: unknown) => e)));
        try {
          run(coroutine(function* () {}));
        } catch (error) {
          inner.push(error);
        }
      }),
    );
    expect(inner[0]).toEqual(
      new UsageError(
        "Cannot call runAsync() while an EventLoop is running on this thread (a run, or a loop attached to the host): runAsync() starts a loop of its own. Await the work from inside the running loop instead, or use loop.runAsync() on it.",
      ),
    );
    expect(inner[1]).toBeInstanceOf(UsageError);
    // Once it settled, the thread is free again.
    expect(run(coroutine(function* () { return 1; }), { clock: new VirtualClock() })).toBe(1);
  });
});

function currentTaskOrNone(): string {
  try {
    currentLoop();
    return "a loop";
  } catch {
    return "none";
  }
}

describe("host mode scheduling", () => {
  /** Timers, native settlements and host callbacks, 25 ms apart where they are not ordered by design. */
  function scenario(): Promise<string[]> {
    const log: string[] = [];
    return runAsync(
      coroutine(function* () {
        const fromHost = createFuture<string>();
        setTimeout(() => {
          log.push("host: timeout 50 ms");
          fromHost.resolve("host value");
        }, 50);
        setImmediate(() => log.push("host: immediate"));
        const a = coroutine(function* () {
          log.push("a: start");
          yield* asleep(0.025);
          log.push("a: slept 25 ms");
          log.push(`a: ${String(yield Promise.resolve("settled native"))}`);
          yield* asleep(0);
          log.push("a: next turn");
        })();
        const b = coroutine(function* () {
          log.push("b: start");
          yield* asleep(0);
          log.push("b: next turn");
          log.push(`b: ${yield* fromHost}`);
          yield* asleep(0);
          log.push("b: next turn");
        })();
        const c = coroutine(function* () {
          const late = yield* fromPromise(new Promise<string>((resolve) => setTimeout(() => resolve("native 75 ms"), 75)));
          log.push(`c: ${late}`);
        })();
        queueMicrotask(() => log.push("host: microtask"));
        yield* gather(a, b, c);
        log.push("main: done");
        return log;
      }),
    );
  }

  it("keeps the order of mixed timers, promise settlements and host events the same across 20 runs", async () => {
    const expected = [
      "a: start",
      "b: start",
      "host: microtask", // right after the turn that queued it
      "host: immediate", // queued before the loop's next turn
      "b: next turn",
      "a: slept 25 ms",
      "a: settled native",
      "a: next turn",
      "host: timeout 50 ms",
      "b: host value",
      "b: next turn",
      "c: native 75 ms",
      "main: done",
    ];
    for (let i = 0; i < 20; i++) expect(await scenario()).toEqual(expected);
  });

  it("lets Node's I/O through between turns: an asleep(0) loop leaves room for fs.stat callbacks", async () => {
    let stats = 0;
    let going = true;
    const next = () => stat(".", () => (stats++, going && next()));
    next();
    const turns = await runAsync(
      coroutine(function* () {
        let n = 0;
        const end = performance.now() + 200;
        while (performance.now() < end) {
          yield* asleep(0);
          n++;
        }
        return n;
      }),
    );
    going = false;
    expect(turns).toBeGreaterThan(100);
    expect(stats).toBeGreaterThan(100); // about 5,000 on an idle machine; a chain of native awaits lets none through
  });

  it("never starves the host through a chain of microtask wakes: at most 64 microtask turns in a row", async () => {
    let ticks = 0;
    let going = true;
    const tick = () => (ticks++, going && setImmediate(tick));
    setImmediate(tick);
    const { host, counts } = countingHost();
    const settled = Promise.resolve();
    await runAsync(
      coroutine(function* () {
        for (let i = 0; i < 1000; i++) {
          // Host code (a native reaction) wakes the task each time, from a microtask.
          const wake = createFuture<void>();
          void settled.then(() => wake.resolve());
          yield* wake;
        }
      }),
      { host },
    );
    going = false;
    expect(counts.microtasks).toBeGreaterThan(900);
    expect(counts.tasks).toBeGreaterThanOrEqual(15); // one in every 65 turns, at least
    expect(ticks).toBeGreaterThanOrEqual(10); // natively: 0 until the chain ends
  });

  it("keeps one host timer, for the earliest deadline, re-armed when it changes", async () => {
    const { host, counts } = countingHost();
    const woke: string[] = [];
    await runAsync(
      coroutine(function* () {
        const sleeper = coroutine(function* (name: string, seconds: number) {
          yield* asleep(seconds);
          woke.push(name);
        });
        const late = sleeper("late", 0.06);
        yield new Promise((resolve) => setTimeout(resolve, 5)); // meanwhile the host timer is armed for "late"
        const early = sleeper("early", 0.01); // earlier than the armed timer: re-armed
        const crowd = Array.from({ length: 200 }, (_, i) => sleeper(`crowd-${i}`, 0.02 + (i % 10) / 1000));
        yield* gather(late, early, ...crowd);
      }),
      { host },
    );
    expect(woke[0]).toBe("early");
    expect(woke.at(-1)).toBe("late");
    expect(counts.mostArmed).toBe(1);
    expect(counts.cleared).toBeGreaterThanOrEqual(1);
    expect(counts.timers).toBeLessThan(60); // one per distinct wake-up, not one per sleeper
  });

  it("wakes 10,000 real sleepers of 5 to 30 ms, none early", async () => {
    const slept: number[] = [];
    const sleeper = coroutine(function* (ms: number) {
      const start = performance.now();
      yield* asleep(ms / 1000);
      slept.push(performance.now() - start - ms);
    });
    const started = performance.now();
    await runAsync(
      coroutine(function* () {
        const all: Task<void>[] = [];
        for (let i = 0; i < 10_000; i++) all.push(sleeper(5 + (i % 26)));
        yield* gather(...all);
      }),
    );
    expect(slept).toHaveLength(10_000);
    expect(Math.min(...slept)).toBeGreaterThanOrEqual(-1e-6); // never early (float noise aside)
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it("jumps a VirtualClock when no host wait is pending, stands still while the host answers, and jumps once it is silent", async () => {
    const clock = new VirtualClock();
    const started = performance.now();
    const times = await runAsync(
      coroutine(function* () {
        const seen: number[] = [];
        yield* asleep(3600); // an hour, at once
        seen.push(clock.now());
        const sleeping = coroutine(function* () {
          yield* asleep(60);
          return clock.now();
        })();
        yield new Promise((resolve) => setImmediate(resolve)); // the host answers at once: time stands still
        seen.push(clock.now());
        yield new Promise((resolve) => setTimeout(resolve, 100)); // silent for 10 ms: the clock jumps meanwhile
        seen.push(clock.now());
        seen.push(yield* sleeping);
        return seen;
      }),
      { clock },
    );
    expect(times).toEqual([3600, 3600, 3660, 3660]);
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});

describe("deadlocks in host mode", () => {
  it("rejects at once with a DeadlockError when nothing can wake a task any more", async () => {
    const started = performance.now();
    const error = await runAsync(
      coroutine(function* main() {
        yield* createFuture<void>({ name: "never" });
      }),
    ).catch((e: unknown) => e);
    expect(performance.now() - started).toBeLessThan(200);
    expect(error).toBeInstanceOf(DeadlockError);
    expect((error as DeadlockError).message.replace(/main-\d+/g, "main-N")).toBe(
      'No task can make progress: nothing is ready, no timer is pending, and 2 waits cannot end:\n  - task "main" waits on task "main-N"\n  - task "main-N" waits on future "never"\n' +
        'The waiting tasks, as taskTree() draws them:\n└── (T) task "main" [await task "main-N"]\n    └── (T) task "main-N" [wait future "never"]\n' +
        'In host mode a wait for a native Promise or another thenable of the host\'s, or through fromPromise(), keeps a run going; a LoopPromise, Future or Event that only host code settles (a native setTimeout\'s callback, an event listener) does not. Await such a one through fromPromise(), sleep with asleep() (or run with globals: "virtual", whose setTimeout is the loop\'s), or hold loop.attach() while host code may settle it.',
    );
  });

  it("is not a deadlock while a fetch to a slow local server is pending", async () => {
    const url = await serve((_req, res) => setTimeout(() => res.end("slow hello"), 100));
    const started = performance.now();
    const text = await runAsync(
      coroutine(function* () {
        const response = (yield fetch(url)) as Response;
        return yield response.text();
      }),
    );
    expect(text).toBe("slow hello");
    expect(performance.now() - started).toBeGreaterThanOrEqual(90);
  });

  it("is never raised while loop.attach() is held: host code may still wake any task", async () => {
    const loop = new EventLoop();
    const detach = loop.attach();
    const reply = createFuture<string>();
    const answer = loop.runAsync(coroutine(function* () { return yield* reply; })());
    setTimeout(() => reply.resolve("from host code"), 30);
    expect(await answer).toBe("from host code");
    detach();
    expect(loop.isRunning()).toBe(false);
  });
});

describe("AbortSignal", () => {
  it("currentSignal() aborts with the very CancelledError thrown into the task", async () => {
    const seen = await runAsync(
      coroutine(function* () {
        let signal: AbortSignal | undefined;
        const worker = coroutine(function* () {
          signal = currentSignal();
          expect(currentSignal()).toBe(signal); // one per task
          yield* asleep(10);
        })();
        yield* asleep(0.001);
        worker.cancel("enough");
        expect(signal!.aborted).toBe(true); // at once, not on the task's next step
        const thrown = yield* fromPromise(toPromise(worker).catch((e: unknown) => e));
        return { reason: signal!.reason as unknown, thrown };
      }),
    );
    expect(seen.reason).toBeInstanceOf(CancelledError);
    expect(seen.reason).toBe(seen.thrown);
    expect((seen.reason as Error).message).toBe("enough");
  });

  it("a timeout aborts the request: the server sees it close, and the reason is the TimeoutError thrown", async () => {
    let sawClose!: () => void;
    const closed = new Promise<void>((resolve) => (sawClose = resolve));
    const url = await serve((_req, res) => {
      res.on("close", () => res.writableFinished || sawClose());
    });
    let reason: unknown;
    const error = await runAsync(
      coroutine(function* () {
        return yield* timeout(
          0.05,
          fromPromise((signal) => {
            signal.addEventListener("abort", () => (reason = signal.reason));
            return fetch(url, { signal });
          }),
        );
      }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(reason).toBe(error);
    await closed; // the test's own timeout is the bound
  });

  it("runAsync() with an aborted signal rejects at once with its reason, and main never runs", async () => {
    const reason = new Error("not today");
    let ran = false;
    await expect(
      runAsync(
        () => {
          ran = true;
          return asleep(0);
        },
        { signal: AbortSignal.abort(reason) },
      ),
    ).rejects.toBe(reason);
    expect(ran).toBe(false);
  });

  it("an abort cancels main, its finally blocks run (and may await), then runAsync() rejects with signal.reason", async () => {
    const log: string[] = [];
    const controller = new AbortController();
    const reason = new Error("user pressed ^C");
    setTimeout(() => controller.abort(reason), 10);
    const error = await runAsync(
      coroutine(function* () {
        const signal = currentSignal();
        try {
          yield* asleep(60);
        } finally {
          log.push(`finally, signal reason is the user's: ${signal.reason === reason}`);
          yield* asleep(0.002);
          log.push("cleanup awaited");
        }
      }),
      { signal: controller.signal },
    ).catch((e: unknown) => e);
    expect(error).toBe(reason);
    expect(log).toEqual(["finally, signal reason is the user's: true", "cleanup awaited"]);
  });

  it("gives each task one controller: 100 fromPromise under one signal, no listener-leak warning, no unhandled rejection", async () => {
    const controller = new AbortController();
    const reason = new Error("stop them all");
    const { result, rejections, warnings } = await watchProcess(() => {
      const run = runAsync(
        coroutine(function* () {
          const works = Array.from({ length: 100 }, () =>
            fromPromise<never>(
              (signal) =>
                new Promise((_resolve, reject) => signal.addEventListener("abort", () => reject(signal.reason), { once: true })),
            ),
          );
          yield* gather(...works);
        }),
        { signal: controller.signal },
      );
      setTimeout(() => controller.abort(reason), 10);
      return run.catch((e: unknown) => e);
    });
    expect(result).toBe(reason);
    expect(rejections).toEqual([]);
    expect(warnings.filter((w) => w.startsWith("MaxListenersExceededWarning"))).toEqual([]);
  });
});

describe("fromPromise()", () => {
  it('"abandon": the task ends cancelled at once; a late rejection is ignored, never an unhandled rejection', async () => {
    const { result, rejections } = await watchProcess(() =>
      runAsync(
        coroutine(function* () {
          const slow = fromPromise(new Promise((_resolve, reject) => setTimeout(() => reject(new Error("too late")), 30)));
          yield* asleep(0.001);
          slow.cancel();
          const started = performance.now();
          const outcome = yield* fromPromise(toPromise(slow).catch((e: unknown) => e));
          const waited = performance.now() - started;
          yield new Promise((resolve) => setTimeout(resolve, 50)); // the rejection comes meanwhile
          return { outcome, waited };
        }),
      ),
    );
    expect(result.outcome).toBeInstanceOf(CancelledError);
    expect(result.waited).toBeLessThan(25);
    expect(rejections).toEqual([]);
  });

  it('"wait": a cancel aborts the signal and waits for the promise to settle, then ends cancelled', async () => {
    const log: string[] = [];
    const outcome = await runAsync(
      coroutine(function* () {
        const work = fromPromise(
          (signal) =>
            new Promise((_resolve, reject) =>
              signal.addEventListener("abort", () => {
                log.push("aborted");
                setTimeout(() => (log.push("work stopped"), reject(signal.reason)), 10);
              }),
            ),
          { onCancel: "wait" },
        );
        yield* asleep(0.001);
        work.cancel();
        work.cancel(); // a second cancel does not cut the wait short
        try {
          yield* work;
        } catch (error) {
          log.push(`ended: ${(error as Error).name}`);
        }
        return work.cancelled();
      }),
    );
    expect(outcome).toBe(true);
    expect(log).toEqual(["aborted", "work stopped", "ended: CancelledError"]);
  });

  it("refuses what is not a Promise, a thenable or a function returning one", async () => {
    expect(() => fromPromise(42 as never)).toThrow(
      new TypeError("Expected the argument of fromPromise() to be a Promise, another thenable, or a function returning one, got 42."),
    );
    expect(() => fromPromise(Promise.resolve(), { onCancel: "later" as never })).toThrow(
      new TypeError('Expected `onCancel` of fromPromise() to be "abandon" or "wait", got "later".'),
    );
    await expect(runAsync(fromPromise(() => 7 as never))).rejects.toThrow(
      new TypeError("The function given to fromPromise() returned 7; it must return a Promise or other thenable."),
    );
  });
});

describe("toPromise()", () => {
  it("gives a native Promise of a task's outcome, and needs a loop for anything else", async () => {
    const loop = new EventLoop();
    const detach = loop.attach();
    try {
      const task = coroutine(function* () {
        yield* asleep(0.001);
        return "done";
      })();
      const promise = toPromise(task);
      expect(promise).toBeInstanceOf(Promise);
      expect(await promise).toBe("done");
      expect(await toPromise(asleep(0.001, "slept"))).toBe("slept");
    } finally {
      detach();
    }
    expect(() => toPromise(asleep(1))).toThrow(
      new UsageError(
        "toPromise() was given an instance of ASleep, which needs a loop to run on, and no EventLoop is running: call it from a task, or from host code while runAsync() or loop.attach() gives the host a loop.",
      ),
    );
  });
});

describe("loop.attach()", () => {
  it("lets a task detach the loop it runs on: the loop lets go once the turn is over", async () => {
    const loop = new EventLoop();
    const detach = loop.attach();
    const log: string[] = [];
    await new Promise<void>((resolve) => {
      coroutine(function* () {
        yield* asleep(0.001);
        detach();
        log.push(`still running: ${currentLoop() === loop}`);
        resolve();
      })();
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(log).toEqual(["still running: true"]);
    expect(loop.isRunning()).toBe(false);
  });

  it("serves tasks that host code starts: an HTTP handler calling a coroutine", async () => {
    const loop = new EventLoop();
    const detach = loop.attach();
    const handle = coroutine(function* (res: ServerResponse) {
      yield* asleep(0.002);
      const task = currentLoop() === loop;
      res.end(`served on the attached loop: ${task}`);
    });
    const url = await serve((_req, res) => void handle(res));
    try {
      const texts = await Promise.all([1, 2, 3].map(() => fetch(url).then((r) => r.text())));
      expect(texts).toEqual(Array(3).fill("served on the attached loop: true"));
    } finally {
      detach();
      detach(); // twice is a no-op
    }
    expect(() => currentLoop()).toThrow(UsageError);
    expect(() => loop.attach({} as Host)).toThrow(
      new TypeError("Expected `host` of attach() to be a Host, with a queueMicrotask method, got a plain object."),
    );
  });
});
