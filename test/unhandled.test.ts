import { describe, expect, it, vi } from "vitest";
import {
  asleep,
  coroutine,
  currentLoop,
  EventLoop,
  gather,
  LoopPromise,
  race,
  run,
  shield,
  sleep,
  Task,
  taskGroup,
  timeout,
  UnhandledTaskError,
  VirtualClock,
  type UnhandledErrorPolicy,
} from "../src/index.js";
import { vrun } from "./helpers.js";

const failing = (message: string, seconds = 1) =>
  coroutine(function* () {
    yield* asleep(seconds);
    throw new Error(message);
  });

function loopWith(unhandledError?: UnhandledErrorPolicy): EventLoop {
  return new EventLoop({ clock: new VirtualClock(), unhandledError });
}

describe("unhandled task errors", () => {
  it("are not reported when then() is called on the failed task in the turn it failed, before the reaction runs", () => {
    const loop = loopWith();
    const seen: string[] = [];
    const failer = loop.createTask(
      coroutine(function* () {
        throw new Error("failed at once");
      })(),
    );
    // Runs in the same turn as the failer's first step, after it: the end-of-turn check for
    // unhandled failures comes before the reaction, which runs on the next turn.
    loop.callSoon(() => {
      failer.then(undefined, (error: unknown) => seen.push(`handled: ${(error as Error).message}`));
    });
    loop.runForever();
    expect(seen).toEqual(["handled: failed at once"]);
  });

  it("end the run with an UnhandledTaskError by default, at the end of the turn they happened in", () => {
    const loop = loopWith();
    const lost = loop.createTask(failing("nobody looked")(), { name: "lost" });
    const bystander = loop.createTask(sleep(5, "later"));
    let error: unknown;
    try {
      loop.runForever();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UnhandledTaskError);
    expect((error as UnhandledTaskError).message).toBe(
      'Task "lost" failed and nothing observed it: Error: nobody looked. Await the task, gather it, or give the loop an unhandledError policy.',
    );
    expect((error as UnhandledTaskError).cause).toEqual(new Error("nobody looked"));
    expect((error as UnhandledTaskError).tasks).toEqual([lost]);
    expect(loop.time()).toBe(1);
    // Nothing else is lost: the loop can go on, and the bystander finishes.
    expect(loop.runUntilComplete(bystander)).toBe("later");
  });

  it("are not reported when the failed task is awaited or caught", () => {
    const loop = loopWith();
    const awaited = loop.createTask(failing("awaited")());
    const lookedAt = loop.createTask(failing("looked at")());
    loop.createTask(
      coroutine(function* () {
        try {
          yield awaited;
        } catch {
          // handled
        }
      })(),
    );
    lookedAt.catch(() => "handled by catch");
    loop.runForever();
    expect(awaited.exception()).toEqual(new Error("awaited"));
  });

  it("are reported once, through a warning line on stderr with the warn policy", () => {
    const spy = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      const loop = loopWith("warn");
      loop.createTask(failing("first")(), { name: "a" });
      loop.createTask(failing("second", 2)(), { name: "b" });
      loop.runForever();
      loop.runForever();
      expect(spy.mock.calls).toEqual([
        ['handloop: task "a" failed and nothing observed it: Error: first'],
        ['handloop: task "b" failed and nothing observed it: Error: second'],
      ]);
    } finally {
      spy.mockRestore();
    }
  });

  it("go to a function policy with the error and the task", () => {
    const seen: [unknown, Task<unknown> | LoopPromise<unknown>][] = [];
    const loop = loopWith((error, task) => seen.push([error, task]));
    const task = loop.createTask(failing("to the handler")());
    loop.runForever();
    expect(seen).toEqual([[new Error("to the handler"), task]]);
  });

  it("are not raised for cancellations", () => {
    const loop = loopWith();
    const task = loop.createTask(sleep(5));
    loop.callLater(1, () => task.cancel());
    loop.runForever();
    expect(task.cancelled()).toBe(true);
  });

  it("outrank main's own error in run(), which keeps main's outcome on the error", () => {
    let error: unknown;
    try {
      run(
        function* () {
          coroutine(function* () {
            throw new Error("background");
          })();
          yield* asleep(1);
          throw new Error("main failed too");
        },
        { clock: new VirtualClock() },
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UnhandledTaskError);
    expect((error as UnhandledTaskError).cause).toEqual(new Error("background"));
    const main = (error as UnhandledTaskError).main!;
    expect(main.name).toBe("main");
    expect(main.done()).toBe(true);
  });

  it("include a failure in the cleanup that run() waits for", () => {
    expect(() =>
      run(
        function* () {
          coroutine(function* () {
            try {
              yield* asleep(10);
            } finally {
              // eslint-disable-next-line no-unsafe-finally
              throw new Error("cleanup failed");
            }
          })();
          yield* asleep(1);
          return "main done";
        },
        { clock: new VirtualClock() },
      ),
    ).toThrow(/failed and nothing observed it: Error: cleanup failed/);
  });

  it("include an error raised while gather cancels the other children, which gather does not return", () => {
    const warnings: string[] = [];
    const loop = loopWith((error, task) => warnings.push(`${(task as Task<unknown>).name}: ${(error as Error).message}`));
    const failsInCleanup = coroutine(function* () {
      try {
        yield* asleep(10);
      } finally {
        // eslint-disable-next-line no-unsafe-finally
        throw new Error("cleanup failed");
      }
    })();
    failsInCleanup.name = "cleaner";
    expect(() => loop.runUntilComplete(gather(failing("first")(), failsInCleanup))).toThrow("first");
    expect(warnings).toEqual(["cleaner: cleanup failed"]);
  });

  it("rejects an unknown policy", () => {
    expect(() => loopWith("ignore" as never)).toThrow(
      new TypeError('Expected `unhandledError` of new EventLoop() to be "throw", "warn" or a function, got "ignore".'),
    );
  });
});

// ---- No error is lost: each error reaches one receiver or the policy, never both, never neither ----

/** Runs `main` with a policy that records what it reports; gives the reports and main's outcome. */
function runRecording(main: () => Generator<unknown, unknown, unknown>): { reported: string[]; outcome: string } {
  const reported: string[] = [];
  let outcome: string;
  try {
    outcome = `returned ${String(
      run(main, { clock: new VirtualClock(), unhandledError: (error) => reported.push((error as Error).message) }),
    )}`;
  } catch (error) {
    outcome = `threw ${(error as Error).name}: ${(error as Error).message}`;
  }
  return { reported, outcome };
}

const failsAtOnce = coroutine(function* (message: string) {
  throw new Error(message);
});

/** Sleeps `seconds`; when cancelled, its cleanup takes a second and then throws `message`. */
const failsInCleanup = coroutine(function* (message: string, seconds: number = 10) {
  try {
    yield* asleep(seconds);
  } finally {
    yield* asleep(1);
    // eslint-disable-next-line no-unsafe-finally
    throw new Error(message);
  }
});

/** Sleeps `seconds`, then runs a second of cleanup when cancelled, and records when it ended. */
const slowToStop = coroutine(function* (ended: string[], name: string, seconds: number = 10) {
  try {
    yield* asleep(seconds);
  } finally {
    try {
      yield* asleep(1);
    } finally {
      ended.push(`${name}@${currentLoop().time()}`);
    }
  }
});

describe("no error is lost: thrown and reported", () => {
  it("gather of a child that already failed, while another still runs, throws the error and does not report it", () => {
    const outcome = run(
      function* () {
        try {
          yield* gather(failsAtOnce("at once"), sleep(5));
        } catch (error) {
          return `caught ${(error as Error).message}`;
        }
      },
      { clock: new VirtualClock() },
    );
    expect(outcome).toBe("caught at once");
  });

  it("race of a child that already failed, while another still runs, throws the error and does not report it", () => {
    const outcome = run(
      function* () {
        try {
          yield* race(failsAtOnce("at once"), sleep(5));
        } catch (error) {
          return `caught ${(error as Error).message}`;
        }
      },
      { clock: new VirtualClock() },
    );
    expect(outcome).toBe("caught at once");
  });
});

describe("no error is lost: an error its awaiter, cancelled, did not receive is reported", () => {
  it("when the awaited task fails in the cleanup the cancellation started", () => {
    expect(
      runRecording(function* () {
        const awaiter = coroutine(function* () {
          yield* failsInCleanup("cleanup failed");
        })();
        yield* asleep(1);
        awaiter.cancel();
        try {
          yield awaiter;
        } catch (error) {
          return (error as Error).name;
        }
      }),
    ).toEqual({ reported: ["cleanup failed"], outcome: "returned CancelledError" });
  });

  it("when the awaited task had just failed and the awaiter is cancelled before it resumes", () => {
    expect(
      runRecording(function* () {
        const failing = coroutine(function* () {
          yield* asleep(1);
          throw new Error("failed at 1");
        })();
        const awaiter = coroutine(function* () {
          yield* failing;
        })();
        currentLoop().callLater(1, () => awaiter.cancel()); // after `failing` woke it, before it ran
        try {
          yield awaiter;
        } catch (error) {
          return (error as Error).name;
        }
      }),
    ).toEqual({ reported: ["failed at 1"], outcome: "returned CancelledError" });
  });

  it("through timeout() cancelled from outside", () => {
    expect(
      runRecording(function* () {
        const timed = timeout(5, failsInCleanup("cleanup failed"));
        yield* asleep(1);
        timed.cancel();
        try {
          yield timed;
        } catch (error) {
          return (error as Error).name;
        }
      }),
    ).toEqual({ reported: ["cleanup failed"], outcome: "returned CancelledError" });
  });

  it("through an awaited taskGroup, whose TaskGroupError is reported", () => {
    const { reported, outcome } = runRecording(function* () {
      const awaiter = coroutine(function* () {
        yield* taskGroup(function* (group) {
          group.spawn(failsInCleanup("child cleanup failed"));
          yield* asleep(10);
        });
      })();
      yield* asleep(1);
      awaiter.cancel();
      try {
        yield awaiter;
      } catch (error) {
        return (error as Error).name;
      }
    });
    expect(reported).toEqual(["1 task in the group failed; the first: Error: child cleanup failed"]);
    expect(outcome).toBe("returned CancelledError");
  });

  it("through gather, cancelled after a child failed and before it resumed", () => {
    expect(
      runRecording(function* () {
        const gathered = gather(
          coroutine(function* () {
            yield* asleep(1);
            throw new Error("child failed at 1");
          })(),
          sleep(5),
        );
        currentLoop().callLater(1, () => gathered.cancel());
        try {
          yield gathered;
        } catch (error) {
          return (error as Error).name;
        }
      }),
    ).toEqual({ reported: ["child failed at 1"], outcome: "returned CancelledError" });
  });

  it("through race, cancelled after the first to finish failed and before it resumed", () => {
    expect(
      runRecording(function* () {
        const raced = race(
          coroutine(function* () {
            yield* asleep(1);
            throw new Error("winner failed at 1");
          })(),
          sleep(5),
        );
        currentLoop().callLater(1, () => raced.cancel());
        try {
          yield raced;
        } catch (error) {
          return (error as Error).name;
        }
      }),
    ).toEqual({ reported: ["winner failed at 1"], outcome: "returned CancelledError" });
  });

  it("through shield, cancelled after the work failed and before it resumed", () => {
    expect(
      runRecording(function* () {
        const shielded = shield(
          coroutine(function* () {
            yield* asleep(1);
            throw new Error("work failed at 1");
          })(),
        );
        currentLoop().callLater(1, () => shielded.cancel());
        try {
          yield shielded;
        } catch (error) {
          return (error as Error).name;
        }
      }),
    ).toEqual({ reported: ["work failed at 1"], outcome: "returned CancelledError" });
  });
});

describe("no error is lost: reported once", () => {
  it("an error reported once is not reported again when a task that awaited its task late fails with it", () => {
    expect(
      runRecording(function* () {
        const failed = coroutine(function* () {
          throw new Error("failed at once");
        })();
        yield* asleep(1); // reported at the end of the turn it failed in: nobody looked
        const late = coroutine(function* () {
          yield* failed; // receives it, and fails with the same error
        })();
        void late;
        yield* asleep(1);
        return "main done";
      }),
    ).toEqual({ reported: ["failed at once"], outcome: "returned main done" });
  });
});

describe("no error is lost: asking too early is not looking", () => {
  it("a failure is reported although result() and exception() were asked while the task was pending", () => {
    expect(
      runRecording(function* () {
        const task = coroutine(function* () {
          yield* asleep(1);
          throw new Error("failed later");
        })();
        expect(() => task.result()).toThrow(/still pending/);
        expect(() => task.exception()).toThrow(/still pending/);
        yield* asleep(2);
        return "main done";
      }),
    ).toEqual({ reported: ["failed later"], outcome: "returned main done" });
  });
});

describe("no error is lost: an observer that stopped caring no longer counts", () => {
  it("a cancelled gather: a child that fails in its cleanup is reported", () => {
    expect(
      runRecording(function* () {
        const gathered = gather(failsInCleanup("cleanup failed"), sleep(10));
        yield* asleep(1);
        gathered.cancel();
        try {
          yield gathered;
        } catch (error) {
          return (error as Error).name;
        }
      }),
    ).toEqual({ reported: ["cleanup failed"], outcome: "returned CancelledError" });
  });

  it("a gather that found a child already failed: a later child that fails in its cleanup is reported", () => {
    expect(
      runRecording(function* () {
        try {
          yield* gather(failsAtOnce("at once"), failsInCleanup("cleanup failed"));
        } catch (error) {
          return (error as Error).message;
        }
      }),
    ).toEqual({ reported: ["cleanup failed"], outcome: "returned at once" });
  });

  it("a race that found a child already settled: a later child that fails in its cleanup is reported", () => {
    expect(
      runRecording(function* () {
        const done = coroutine(function* () {
          return "first";
        })();
        return yield* race(done, failsInCleanup("cleanup failed"));
      }),
    ).toEqual({ reported: ["cleanup failed"], outcome: "returned first" });
  });

  it("a cancelled shield: the work failing in the same turn, before the shield's next step, is reported", () => {
    expect(
      runRecording(function* () {
        const shielded = shield(
          coroutine(function* () {
            yield* asleep(1);
            throw new Error("work failed at 1");
          })(),
        );
        // Scheduled before the work's own timer fires: the cancel comes first in that turn.
        currentLoop().callAt(1, () => shielded.cancel());
        try {
          yield shielded;
        } catch (error) {
          return (error as Error).name;
        }
      }),
    ).toEqual({ reported: ["work failed at 1"], outcome: "returned CancelledError" });
  });
});

describe("no error is lost: a combinator returns only after every child ended", () => {
  it("gather cancelled again while it waits for the children's cleanup", () => {
    const ended: string[] = [];
    const outcome = runRecording(function* () {
      const gathered = gather(slowToStop(ended, "a"), slowToStop(ended, "b"));
      yield* asleep(1);
      gathered.cancel();
      yield* asleep(0.5);
      gathered.cancel(); // both children are in their cleanup, due to end at 2
      try {
        yield gathered;
      } catch (error) {
        ended.push(`gather ${(error as Error).name}@${currentLoop().time()}`);
      }
    });
    expect(outcome.reported).toEqual([]);
    // The second cancel is passed on: it interrupts the children's cleanup, which still ends first.
    expect(ended).toEqual(["a@1.5", "b@1.5", "gather CancelledError@1.5"]);
  });

  it("gather cancelled while it waits for the cleanup after a failure", () => {
    const ended: string[] = [];
    const outcome = runRecording(function* () {
      const gathered = gather(
        coroutine(function* () {
          yield* asleep(1);
          throw new Error("failed at 1");
        })(),
        slowToStop(ended, "slow"),
      );
      currentLoop().callLater(1.5, () => gathered.cancel());
      currentLoop().callLater(1.6, () => gathered.cancel());
      try {
        yield gathered;
      } catch (error) {
        ended.push(`gather ${(error as Error).message}@${currentLoop().time()}`);
      }
    });
    expect(outcome.reported).toEqual([]);
    expect(ended).toEqual(["slow@1.5", "gather failed at 1@1.5"]);
  });

  it("race cancelled again while it waits for the losers' cleanup", () => {
    const ended: string[] = [];
    const outcome = runRecording(function* () {
      const raced = race(sleep(1, "winner"), slowToStop(ended, "loser"));
      currentLoop().callLater(1.5, () => raced.cancel());
      const result = yield raced;
      ended.push(`race ${String(result)}@${currentLoop().time()}`);
    });
    expect(outcome.reported).toEqual([]);
    expect(ended).toEqual(["loser@1.5", "race winner@1.5"]);
  });
});

describe("unhandled task errors are looked at once the ready queue drains", () => {
  it("are not reported for two failures awaited one after the other, both failed in one step", () => {
    const seen: string[] = [];
    run(
      function* () {
        // Both fail in the same turn, at t = 1; main awaits `a` first and reaches `b` on a later turn.
        const a = failing("a")();
        const b = failing("b")();
        try {
          yield* a;
        } catch (error) {
          seen.push((error as Error).message);
        }
        yield; // and one more turn before it looks at b: still before the queue drains
        try {
          yield* b;
        } catch (error) {
          seen.push((error as Error).message);
        }
      },
      { clock: new VirtualClock() },
    );
    expect(seen).toEqual(["a", "b"]);
  });

  it("are reported before the clock moves on: a failure nobody awaits ends the run at its own instant", () => {
    const loop = loopWith();
    loop.createTask(failing("lost", 1)(), { name: "lost" });
    const later = loop.createTask(sleep(5, "later"));
    // Work that stays ready for a while after the failure delays the check, not the clock.
    loop.createTask(
      coroutine(function* () {
        yield* asleep(1);
        for (let i = 0; i < 10; i++) yield;
      })(),
    );
    expect(() => loop.runForever()).toThrow(UnhandledTaskError);
    expect(loop.time()).toBe(1);
    expect(later.done()).toBe(false);
  });

  it("are still reported when the run ends before the queue drained", () => {
    const loop = loopWith();
    const main = loop.createTask(
      coroutine(function* () {
        loop.createTask(
          coroutine(function* () {
            throw new Error("lost at once");
          })(),
        );
        // Keeps the queue from draining after main is done.
        loop.createTask(
          coroutine(function* () {
            for (let i = 0; i < 5; i++) yield;
          })(),
        );
        yield;
        yield;
        return "main done";
      })(),
    );
    let error: unknown;
    try {
      loop.runUntilComplete(main);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UnhandledTaskError);
    expect(((error as UnhandledTaskError).cause as Error).message).toBe("lost at once");
    expect(main.result()).toBe("main done");
  });
});

describe("unhandled LoopPromise rejections", () => {
  /** A LoopPromise rejected with `message` after `seconds` on the running loop. */
  const rejectLater = (message: string, seconds = 1) =>
    new LoopPromise<never>((_, reject) => currentLoop().callLater(seconds, () => reject(new Error(message))));

  it("end the run with an UnhandledTaskError that carries the promise, once the ready queue drains", () => {
    const loop = loopWith();
    let lost: LoopPromise<never> | undefined;
    loop.callSoon(() => {
      lost = rejectLater("nobody handled");
    });
    const bystander = loop.createTask(sleep(5, "later"));
    let error: unknown;
    try {
      loop.runForever();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UnhandledTaskError);
    expect((error as UnhandledTaskError).message).toBe(
      "A LoopPromise was rejected and nothing handled it: Error: nobody handled. Await it or give it a handler (catch()) before the ready queue drains, or give the loop an unhandledError policy.",
    );
    expect((error as UnhandledTaskError).promises).toEqual([lost]);
    expect((error as UnhandledTaskError).promises[0]).toBe(lost);
    expect((error as UnhandledTaskError).tasks).toEqual([]);
    expect(loop.time()).toBe(1);
    expect(loop.runUntilComplete(bystander)).toBe("later");
  });

  it("are not reported when a handler comes before the ready queue drains, though turns later", () => {
    const loop = loopWith();
    const seen: string[] = [];
    loop.createTask(
      coroutine(function* () {
        const rejected = LoopPromise.reject(new Error("caught late"));
        yield;
        yield;
        rejected.catch((error) => seen.push((error as Error).message));
      })(),
    );
    loop.runForever();
    expect(seen).toEqual(["caught late"]);
  });

  it("are not reported when a task awaits the promise, nor when it had been rejected before", () => {
    const seen: string[] = [];
    vrun(function* () {
      try {
        yield rejectLater("awaited while pending");
      } catch (error) {
        seen.push((error as Error).message);
      }
      const already = LoopPromise.reject(new Error("awaited once rejected"));
      yield;
      try {
        yield already;
      } catch (error) {
        seen.push((error as Error).message);
      }
    });
    expect(seen).toEqual(["awaited while pending", "awaited once rejected"]);
  });

  it("go to a function policy with the error and the promise, and to warn as one line", () => {
    const seen: [unknown, unknown][] = [];
    const loop = loopWith((error, source) => seen.push([error, source]));
    let rejected: LoopPromise<never> | undefined;
    loop.callSoon(() => {
      rejected = LoopPromise.reject(new Error("to the handler"));
    });
    loop.runForever();
    expect(seen).toEqual([[new Error("to the handler"), rejected]]);
    expect(seen[0]![1]).toBe(rejected);

    const spy = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      const warned = loopWith("warn");
      warned.callSoon(() => LoopPromise.reject(new TypeError("warned")));
      warned.runForever();
      expect(spy.mock.calls).toEqual([["handloop: a LoopPromise was rejected and nothing handled it: TypeError: warned"]]);
    } finally {
      spy.mockRestore();
    }
  });

  it("are reported once: a promise then() derived from an unhandled one rejects with the same error, not reported again", () => {
    const seen: unknown[] = [];
    const loop = loopWith((error) => seen.push(error));
    loop.callSoon(() => {
      const first = LoopPromise.reject(new Error("once"));
      first.then((v) => v); // handles first; the derived promise rejects with the same error
    });
    loop.runForever();
    expect(seen).toEqual([new Error("once")]);
  });

  it("are reported when the only task awaiting the promise is cancelled before the rejection", () => {
    const seen: unknown[] = [];
    const loop = loopWith((error) => seen.push(error));
    loop.runUntilComplete(
      coroutine(function* () {
        let reject!: (error: unknown) => void;
        const gate = new LoopPromise((_, rej) => (reject = rej));
        const waiter = loop.createTask(
          coroutine(function* () {
            yield gate;
          })(),
        );
        yield;
        yield; // the waiter awaits the gate
        waiter.cancel();
        yield;
        reject(new Error("rejected after its only awaiter left"));
        return waiter.cancelled();
      })(),
    );
    expect(seen).toEqual([new Error("rejected after its only awaiter left")]);
  });

  it("are reported when the task that was to receive the rejection is cancelled before it runs", () => {
    const seen: unknown[] = [];
    const loop = loopWith((error) => seen.push(error));
    loop.runUntilComplete(
      coroutine(function* () {
        let reject!: (error: unknown) => void;
        const gate = new LoopPromise((_, rej) => (reject = rej));
        const waiter = loop.createTask(
          coroutine(function* () {
            yield gate;
          })(),
        );
        yield;
        yield;
        reject(new Error("woke a waiter that was then cancelled"));
        waiter.cancel(); // ready to resume with the rejection, it resumes with a CancelledError instead
        yield;
        yield;
      })(),
    );
    expect(seen).toEqual([new Error("woke a waiter that was then cancelled")]);
  });

  it("mix with failed tasks in one UnhandledTaskError, in the order they failed", () => {
    const loop = loopWith();
    loop.createTask(failing("task first")(), { name: "first" });
    // Registered after the task's first step, whose sleep ends at the same instant: fires after it.
    loop.callSoon(() => loop.callLater(1, () => LoopPromise.reject(new Error("promise second"))));
    let error: unknown;
    try {
      loop.runForever();
    } catch (e) {
      error = e;
    }
    expect((error as UnhandledTaskError).message).toBe(
      'Task "first" failed and nothing observed it (and 1 more: a LoopPromise): Error: task first. Await the task, gather it, or give the loop an unhandledError policy.',
    );
    expect((error as UnhandledTaskError).tasks.map((t) => t.name)).toEqual(["first"]);
    expect((error as UnhandledTaskError).promises).toHaveLength(1);
  });
});
