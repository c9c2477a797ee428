// handloop/explore: exploration finds the planted bugs FIFO order misses, shrinks each to its
// fewest deviations, and replays it from its token; seeds, dfs's enumeration, draws, livelocks,
// escapes and the environment variables. The planted bugs are in test/fixtures/explore-bugs.ts.
import { afterEach, describe, expect, it } from "vitest";
import { asleep, coroutine, currentLoop, DeadlockError, EventLoop, LoopPromise, run, timeline, UsageError, VirtualClock } from "../src/index.js";
import { chance, check, choose, explore, LivelockError, replay, ReplayError, ScheduleFailure } from "../src/explore.js";
import { VERSION } from "../src/version.js";
import { checkThenAct, lockOrder, lostUpdate, lostUpdateFixed, lostUpdateTen } from "./fixtures/explore-bugs.js";

const BUGS = [
  ["a lost update across an await (two withdrawals)", lostUpdate, 1, "Error: Lost update: one withdrawal overwrote the other."],
  ["an order-dependent deadlock between two locks", lockOrder, 2, "DeadlockError"],
  ["a check-then-act on a queue", checkThenAct, 1, "QueueEmptyError"],
] as const;

function failureOf(result: ReturnType<typeof check>): ScheduleFailure {
  expect(result.ok).toBe(false);
  return result.failure!;
}

describe("explore() on planted bugs", () => {
  it.each(BUGS)("FIFO order misses %s", (_, program) => {
    expect(check(program, { strategy: "dfs", maxDeviations: 0 })).toMatchObject({ ok: true, runs: 1, distinct: 1 });
  });

  it.each(BUGS)("finds %s within the default runs, under every seed tried", (_, program) => {
    for (let seed = 0; seed < 20; seed++) {
      const result = check(program, { seed });
      expect(result.ok).toBe(false);
      expect(result.runs).toBeLessThan(20);
    }
  });

  it.each(BUGS)("shrinks %s to its fewest deviations, under each strategy", (_, program, fewest) => {
    for (const strategy of ["random", "pct", "dfs", "portfolio"] as const) {
      for (let seed = 0; seed < 5; seed++) {
        const failure = failureOf(check(program, { strategy, seed }));
        expect([strategy, seed, failure.deviations]).toEqual([strategy, seed, fewest]);
        expect(failure.replayable).toBe(true);
      }
    }
  });

  it.each(BUGS)("replays %s from its token: the same failure", (_, program, _fewest, error) => {
    const failure = failureOf(check(program, { strategy: "random", seed: 3 }));
    expect(String(failure.cause)).toContain(error);
    let again: unknown;
    try {
      replay(program, failure.token);
    } catch (e) {
      again = e;
    }
    expect(again).toBeInstanceOf(ScheduleFailure);
    expect((again as ScheduleFailure).token).toBe(failure.token);
    // The same error, but for the task numbers, which count up through the process.
    const plain = (error: unknown) => String(error).replace(/-\d+"/g, '-#"');
    expect(plain((again as ScheduleFailure).cause)).toBe(plain(failure.cause));
  });

  it("throws the ScheduleFailure from explore(), with the cause, the seed and the token", () => {
    let thrown: unknown;
    try {
      explore(lockOrder, { seed: 9 });
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(ScheduleFailure);
    const failure = thrown as ScheduleFailure;
    expect(failure.cause).toBeInstanceOf(DeadlockError);
    expect(failure.seed).toBe(9);
    expect(failure.token).toMatch(/^hl1:[^:]+:\w+:9:\d+p\d=worker-2,\d+p\d=worker-2$/);
  });

  it("gives the failing run's recording: both withdrawals read before either writes", () => {
    const failure = failureOf(check(lostUpdate, { seed: 5 }));
    const recording = failure.recording!;
    expect(recording).not.toBeNull();
    const withdrawals = [...recording.tasks.values()].filter((t) => t.name.startsWith("withdraw")).map((t) => t.id);
    expect(withdrawals).toHaveLength(2);
    // Each withdrawal's steps, by sequence number: its read is its next-to-last step, its write its last.
    const steps = withdrawals.map((id) => recording.events.filter((e) => e.type === "step" && e.task === id).map((e) => e.seq));
    const reads = steps.map((s) => s[s.length - 2]!);
    const writes = steps.map((s) => s[s.length - 1]!);
    expect(Math.max(...reads)).toBeLessThan(Math.min(...writes));
    // And it draws: a row for each withdrawal.
    expect(timeline(recording, { width: 40 }).match(/^withdraw\S* #\d+ /gm)).toHaveLength(2);
  });

  it("keeps the host's globals outside its runs: onFailure sees them, and each run's timer ids count from 1", () => {
    const hostSetTimeout = globalThis.setTimeout;
    const HostDate = Date;
    const ids: number[] = [];
    let seen: unknown[] = [];
    const result = check(
      () =>
        coroutine(function* () {
          ids.push(+setTimeout(() => {}, 1)); // the run's virtual setTimeout
          yield* asleep(0.002);
          if (choose(2) === 1) throw new Error("the second choice fails");
        })(),
      { seed: 1, onFailure: () => (seen = [globalThis.setTimeout === hostSetTimeout, Date === HostDate, typeof Date.now()]) },
    );
    expect(result.ok).toBe(false);
    expect(seen).toEqual([true, true, "number"]);
    expect(ids.length).toBeGreaterThan(1);
    expect(new Set(ids)).toEqual(new Set([1]));
    expect(globalThis.setTimeout).toBe(hostSetTimeout);
  });

  it("passes the fixed program: every run, and the buggy one's token", () => {
    expect(explore(lostUpdateFixed, { seed: 1, runs: 300 })).toMatchObject({ ok: true, runs: 300 });
    const token = failureOf(check(lostUpdate, { seed: 1 })).token;
    expect(replay(lostUpdateFixed, token)).toBeUndefined();
  });

  it("reports the failure: what failed, seed, token, shrinking, the deviations with their ready sets, one lane per task", () => {
    const failure = failureOf(check(lostUpdate, { strategy: "random", seed: 5 }));
    const token = `hl1:${VERSION}:random:5:0p1=withdraw-2`;
    expect(failure.token).toBe(token);
    expect(failure.message).toBe(
      [
        `explore() found a failing schedule on run 3 (strategy "random", seed 5).`,
        "  Error: Lost update: one withdrawal overwrote the other.",
        "Seed: 5 (HANDLOOP_SEED=5 runs this exploration again).",
        `Replay: HANDLOOP_REPLAY='${token}', or replay(program, "${token}").`,
        "",
        "Deviations from FIFO (what ran instead of the head of the ready queue):",
        '  at 0s: ran "withdraw-2" instead of "withdraw-1"; ready: withdraw-1, withdraw-2',
        "",
        "Tasks (one lane each: each step's virtual time, then what the task did or waits on next):",
        '  main       | 0s waits on task "transfer-1" | 0s failed: Error: Lost update: one withdrawal overwrote the other.',
        "  withdraw-2 | *0s yields (ready again) | 0s done",
        "  withdraw-1 | 0s done",
        "  gather-1   | 0s done",
        "  transfer-1 | 0s failed: Error: Lost update: one withdrawal overwrote the other.",
        "  (* marks a step run out of FIFO order)",
      ].join("\n"),
    );
    expect(failure.steps.filter((s) => s.deviation)).toEqual([
      { time: 0, label: "withdraw-2", deviation: true, ready: ["withdraw-1", "withdraw-2"], after: "yields (ready again)" },
    ]);
  });
});

describe("explore()'s onFailure", () => {
  it("is called with the failure, whose steps a trace writer can draw, before check() returns it", () => {
    const seen: ScheduleFailure[] = [];
    const result = check(lostUpdate, { seed: 5, strategy: "random", onFailure: (failure) => seen.push(failure) });
    expect(seen).toEqual([result.failure]);
    expect(seen[0]!.steps.map((s) => `${s.time}s ${s.label}${s.deviation ? "*" : ""}: ${s.after}`)).toEqual([
      'main: waits on task "transfer-1"',
      "withdraw-2*: yields (ready again)",
      "withdraw-1: done",
      "withdraw-2: done",
      "gather-1: done",
      "transfer-1: failed: Error: Lost update: one withdrawal overwrote the other.",
      "main: failed: Error: Lost update: one withdrawal overwrote the other.",
    ].map((line) => `0s ${line}`));
  });
});

describe("explore()'s strategies", () => {
  /** The program's order of steps, one log per run: two workers of two steps, awaited in turn. */
  function twoWorkers(logs: string[]) {
    return () => {
      const log: string[] = [];
      const worker = coroutine(function* worker(name: string) {
        log.push(`${name}1`);
        yield* asleep(0);
        log.push(`${name}2`);
      });
      return coroutine(function* body() {
        const a = worker("a"); // runs to its first await at once, as b does
        const b = worker("b");
        yield a;
        log.push("m");
        yield b;
        logs.push(log.join(" "));
      })();
    };
  }

  it("dfs with maxDeviations 1 runs exactly the schedules at most one pick away from FIFO, then stops", () => {
    // After a1 and b1, a and b are ready. FIFO runs a2, which wakes body: b and body are ready,
    // b2 runs, then m. One deviation: b2 first (then a2, m), or, after a2, body first (m, b2).
    const logs: string[] = [];
    expect(check(twoWorkers(logs), { strategy: "dfs", maxDeviations: 1, runs: 100 })).toMatchObject({ ok: true, runs: 3, distinct: 3 });
    expect(logs).toEqual(["a1 b1 a2 b2 m", "a1 b1 a2 m b2", "a1 b1 b2 a2 m"]);
  });

  it("dfs with maxDeviations 0 runs FIFO alone", () => {
    const logs: string[] = [];
    expect(check(twoWorkers(logs), { strategy: "dfs", maxDeviations: 0 })).toMatchObject({ ok: true, runs: 1 });
    expect(logs).toEqual(["a1 b1 a2 b2 m"]);
  });

  it.each(["random", "pct", "portfolio"] as const)("%s runs the same schedules for the same seed, and others for another", (strategy) => {
    const runs = (seed: number) => {
      const logs: string[] = [];
      check(twoWorkers(logs), { strategy, seed, runs: 40 });
      return logs;
    };
    expect(runs(11)).toEqual(runs(11));
    const failure = (seed: number) => failureOf(check(() => lostUpdateTen(), { strategy, seed, shrink: false }));
    expect([failure(11).run, failure(11).token]).toEqual([failure(11).run, failure(11).token]);
    const orders = (seed: number) => {
      const seen: string[] = [];
      check(
        () =>
          coroutine(function* three() {
            const log: string[] = [];
            const step = coroutine(function* step(name: string) {
              for (let i = 0; i < 3; i++) log.push(name), yield* asleep(0);
            });
            const a = step("a");
            const b = step("b");
            yield a, yield b;
            seen.push(log.join(""));
          })(),
        { strategy, seed, runs: 30 },
      );
      return seen;
    };
    expect(orders(1)).toEqual(orders(1));
    expect(orders(1)).not.toEqual(orders(2));
  });

  it("stops after one run when the program never has a choice", () => {
    const program = () => coroutine(function* alone() { yield* asleep(1); yield* asleep(0); })();
    expect(check(program, { seed: 1 })).toMatchObject({ ok: true, runs: 1, distinct: 1 });
  });

  it("the portfolio runs FIFO first", () => {
    const logs: string[] = [];
    check(twoWorkers(logs), { seed: 4, runs: 1 });
    expect(logs).toEqual(["a1 b1 a2 b2 m"]);
  });

  it("counts distinct schedules apart from runs", () => {
    const result = check(twoWorkers([]), { strategy: "random", seed: 2, runs: 50 });
    expect(result.runs).toBe(50);
    expect(result.distinct).toBe(3);
  });
});

describe("explore()'s other choice points", () => {
  it("choose() and chance() are FIFO's answer outside explore(): 0 and false", () => {
    expect(choose(5)).toBe(0);
    expect(chance(1)).toBe(false);
    expect(() => choose(0)).toThrow(new RangeError("Expected `n` of choose() to be a whole number >= 1, got 0."));
    expect(() => chance(2)).toThrow(new RangeError("Expected `p` of chance() to be a number in [0, 1], got 2."));
  });

  it("explores draws, shrinks them toward 0 and replays them", () => {
    const program = () =>
      coroutine(function* draws() {
        yield* asleep(1);
        const pick = choose(4);
        if (pick >= 2 && chance(0.5)) throw new Error("drew high, then heads");
      })();
    const failure = failureOf(check(program, { seed: 3 }));
    expect(failure.token).toMatch(/:\d+:0d2,1d1$/);
    expect(failure.deviations).toBe(2);
    // The picks were FIFO's, the draws were not: the report must not say FIFO order fails.
    expect(failure.message).not.toContain("FIFO order fails");
    expect(failure.message).toContain("The tasks ran in FIFO order; the 2 decisions that differ from FIFO's are timer ties, jitters or draws");
    expect(() => replay(program, failure.token)).toThrow(ScheduleFailure);
  });

  it("explores the order of timers due at one instant with timerTies: \"explore\"", () => {
    const program = () =>
      coroutine(function* ties() {
        const log: string[] = [];
        const sleeper = coroutine(function* sleeper(name: string) {
          yield* asleep(1);
          log.push(name);
        });
        const a = sleeper("a");
        const b = sleeper("b");
        yield a, yield b;
        if (log.join("") !== "ab") throw new Error(`woke in order ${log.join("")}`);
      })();
    // Decisions: the order of the two timers due at 1 s (0), then two picks of the ready tasks.
    expect(() => replay(program, `hl1:${VERSION}:dfs;ties:1:0t1`)).toThrow("woke in order ba");
    expect(() => replay(program, `hl1:${VERSION}:dfs:1:0t1`)).toThrow(ReplayError); // no tie decisions without the flag
    const failure = failureOf(check(program, { strategy: "dfs", timerTies: "explore", seed: 1 }));
    expect(failure.token).toMatch(/;ties:1:\d[pt]1=?/);
    expect(() => replay(program, failure.token)).toThrow("woke in order ba");
  });

  it("moves timers by jitter, a decision per timer", () => {
    const program = () =>
      coroutine(function* jitter() {
        const log: string[] = [];
        const sleeper = coroutine(function* sleeper(name: string, seconds: number) {
          yield* asleep(seconds);
          log.push(name);
        });
        const a = sleeper("a", 1);
        const b = sleeper("b", 1.1);
        yield a, yield b;
        if (log.join("") !== "ab") throw new Error(`woke in order ${log.join("")}`);
      })();
    expect(check(program, { strategy: "dfs", seed: 1 }).ok).toBe(true);
    const failure = failureOf(check(program, { strategy: "dfs", jitter: 0.5, seed: 1 }));
    expect(failure.token).toMatch(/;jitter=0\.5:1:0j\d$/);
    expect(() => replay(program, failure.token)).toThrow(ScheduleFailure);
  });
});

describe("what explore() may reorder", () => {
  // Every order dfs reaches with up to three deviations, as the log strings they leave.
  function ordersOf(body: (log: string[]) => () => Generator<unknown, void, unknown>): string[] {
    const orders = new Set<string>();
    const result = check(
      () => {
        const log: string[] = [];
        const rest = body(log);
        return coroutine(function* main() {
          yield* rest();
          orders.add(log.join(","));
        })();
      },
      { strategy: "dfs", maxDeviations: 3, runs: 10_000 },
    );
    expect(result.ok).toBe(true);
    return [...orders].sort();
  }

  it("keeps promise reactions in FIFO order among themselves, and never after a later task step", () => {
    // ECMA-262 runs promise jobs in the order they were queued: a1, a2, b1 is the only order.
    const orders = ordersOf((log) => {
      const a = LoopPromise.resolve(1);
      void a.then(() => log.push("a1"));
      void a.then(() => log.push("a2"));
      void LoopPromise.resolve(2).then(() => log.push("b1"));
      return function* () {
        yield* asleep(0);
        yield* asleep(0);
      };
    });
    expect(orders).toEqual(["a1,a2,b1"]);
  });

  it("runs a then() registered before an await before the code after that await", () => {
    const orders = ordersOf((log) => {
      let resolve!: (value: number) => void;
      const p = new LoopPromise<number>((r) => (resolve = r));
      void p.then(() => log.push("then"));
      currentLoop().callLater(1, () => resolve(1));
      return function* () {
        yield p;
        log.push("after await");
        yield* asleep(1);
      };
    });
    expect(orders).toEqual(["then,after await"]);
  });

  it("keeps callSoon callbacks in their order, and timers due at one instant in arming order unless timerTies is \"explore\"", () => {
    const orders = ordersOf((log) => {
      const loop = currentLoop();
      loop.callLater(1, () => log.push("t1"));
      loop.callLater(1, () => log.push("t2"));
      loop.callSoon(() => log.push("s1"));
      loop.callSoon(() => log.push("s2"));
      return function* () {
        yield* asleep(2);
      };
    });
    expect(orders).toEqual(["s1,s2,t1,t2"]);
  });

  it("still lets a promise job or another task run before a ready task: a task's wake may come late", () => {
    const orders = ordersOf((log) => {
      const worker = coroutine(function* worker(name: string) {
        yield* asleep(1);
        log.push(name);
      });
      const a = worker("a");
      currentLoop().callLater(1, () => void LoopPromise.resolve(0).then(() => log.push("then")));
      const b = worker("b");
      return function* () {
        yield a, yield b;
        yield* asleep(1);
      };
    });
    expect(orders).toEqual(["a,b,then", "a,then,b", "b,a,then", "b,then,a", "then,a,b", "then,b,a"]);
  });
});

describe("explore()'s failures other than errors", () => {
  it("reports a deadlock", () => {
    expect(failureOf(check(lockOrder, { seed: 1 })).cause).toBeInstanceOf(DeadlockError);
  });

  it("reports a run past timeLimit of virtual time as a livelock", () => {
    const program = () =>
      coroutine(function* spin() {
        for (;;) yield* asleep(1);
      })();
    const failure = failureOf(check(program, { timeLimit: 10, seed: 1 }));
    expect(failure.cause).toBeInstanceOf(LivelockError);
    expect((failure.cause as Error).message).toBe(
      "The run went past its timeLimit of 10s of virtual time without finishing (now 11s): the tasks keep waking but never end. Raise timeLimit if the program really takes that long.",
    );
    // The token carries the limit, so the replay stops where the exploration did.
    expect(failure.token).toMatch(/:fifo;time=10:1:$/);
    let again: unknown;
    try {
      replay(program, failure.token);
    } catch (error) {
      again = error;
    }
    expect(((again as ScheduleFailure).cause as Error).message).toBe((failure.cause as Error).message);
  });

  it("reports a run past maxSteps as a livelock", () => {
    const program = () =>
      coroutine(function* spin() {
        for (;;) yield* asleep(0);
      })();
    const failure = failureOf(check(program, { maxSteps: 50, seed: 1 }));
    expect((failure.cause as Error).message).toMatch(/^The run took more than 50 steps without finishing \(maxSteps\)/);
  });

  it("shrinks a livelock to its one needed deviation, though the others change when it is reported", () => {
    // b before a makes a spin forever (one deviation); n before both doubles the spin's period,
    // which changes the virtual time the livelock is reported at, and nothing else.
    const program = () => {
      let first: string | null = null;
      let period = 1;
      const n = coroutine(function* n() {
        yield* asleep(0);
        if (first === null) period = 2;
      });
      const a = coroutine(function* a() {
        yield* asleep(0);
        first ??= "a";
        while (first === "b") yield* asleep(period);
      });
      const b = coroutine(function* b() {
        yield* asleep(0);
        first ??= "b";
      });
      const tasks = [a(), b(), n()];
      return coroutine(function* main() {
        for (const task of tasks) yield task;
      })();
    };
    for (let seed = 0; seed < 10; seed++) {
      const failure = failureOf(check(program, { strategy: "random", maxSteps: 200, seed }));
      expect(failure.cause).toBeInstanceOf(LivelockError);
      expect([seed, failure.token.split(":").pop()]).toEqual([seed, "0p1=b-1"]);
    }
  });
});

describe("replay()", () => {
  it("refuses a token whose task is not ready at its decision, naming the ready ones", () => {
    expect(() => replay(lostUpdate, `hl1:${VERSION}:random:1:0p1=deposit-1`)).toThrow(
      new ReplayError(
        'Cannot replay decision 0: the token runs task "deposit-1" there, but it is not ready; the ready ones are "withdraw-1", "withdraw-2". ' +
          "The program changed since the token was printed, or it depends on something the explorer does not control (Math.random, a native Promise, real time): run explore() again for a fresh token.",
      ),
    );
  });

  it("refuses what is not a token", () => {
    expect(() => replay(lostUpdate, "0p1=withdraw-2")).toThrow(
      new TypeError('Expected a replay token (as a ScheduleFailure prints it, "hl1:..."), got "0p1=withdraw-2": it does not start with "hl1:".'),
    );
  });

  it("refuses a token whose jitter is not a finite number of seconds, as explore() does", () => {
    for (const jitter of ["Infinity", "1e400"]) {
      expect(() => replay(lostUpdate, `hl1:${VERSION}:random;jitter=${jitter}:1:`)).toThrow(
        new TypeError(
          `Expected a replay token (as a ScheduleFailure prints it, "hl1:..."), got "hl1:${VERSION}:random;jitter=${jitter}:1:": its setting "jitter=${jitter}" is not "ties", "jitter=<seconds>", "real", "time=<seconds>" or "steps=<n>".`,
        ),
      );
    }
  });

  it("gives the program's result when the schedule passes", () => {
    expect(replay(() => coroutine(function* () { yield* asleep(2); return 42; })(), `hl1:${VERSION}:fifo:0:`)).toBe(42);
  });
});

describe("escapes", () => {
  const real = Math.random;
  afterEach(() => {
    Math.random = real;
  });

  it("flags a failure that does not replay, and names Math.random when the run read it", () => {
    let calls = 0;
    Math.random = () => (calls++ === 0 ? 0 : 0.9); // fails the first run only
    const program = () =>
      coroutine(function* coin() {
        yield* asleep(0);
        if (Math.random() < 0.5) throw new Error("tails");
      })();
    const failure = failureOf(check(program, { seed: 1 }));
    expect(failure.replayable).toBe(false);
    expect(failure.escapes).toEqual(["Math.random"]);
    expect(failure.message).toContain(
      "Not replayable: running this token again, it passed. The program read Math.random, which the explorer does not control: make it a choose()/chance() draw or a handloop awaitable, and explore again.",
    );
  });
});

describe("escapes that replay", () => {
  it("names a native Promise the run awaited, though the deadlock it makes replays", () => {
    const program = () =>
      coroutine(function* native() {
        yield* asleep(0);
        yield Promise.resolve(1); // a native Promise cannot settle during a synchronous run
      })();
    const failure = failureOf(check(program, { seed: 1 }));
    expect(failure.cause).toBeInstanceOf(DeadlockError);
    expect([failure.replayable, failure.escapes]).toEqual([true, ["a native Promise"]]);
    expect(failure.message).toContain(
      "Escapes: the run read a native Promise, which the explorer does not control; this failure replayed all the same.",
    );
  });
});

describe("environment variables", () => {
  afterEach(() => {
    delete process.env.HANDLOOP_SEED;
    delete process.env.HANDLOOP_REPLAY;
  });

  it("HANDLOOP_SEED replaces the seed", () => {
    process.env.HANDLOOP_SEED = "77";
    expect(check(lostUpdateFixed, { seed: 1, runs: 3 }).seed).toBe(77);
    expect(failureOf(check(lostUpdate, { seed: 1 })).seed).toBe(77);
  });

  it("HANDLOOP_REPLAY replays its token instead of exploring", () => {
    const token = failureOf(check(lostUpdate, { seed: 1 })).token;
    process.env.HANDLOOP_REPLAY = token;
    const result = check(lostUpdate, { seed: 1 });
    expect(result).toMatchObject({ ok: false, runs: 1 });
    expect(result.failure!.token).toBe(token);
    expect(check(lostUpdateFixed)).toMatchObject({ ok: true, runs: 1 });
  });
});

describe("explore()'s arguments", () => {
  it.each([
    [{ runs: 0 }, new RangeError("Expected `runs` of check() to be a whole number >= 1, got 0.")],
    [{ strategy: "bfs" }, new RangeError('Expected `strategy` of check() to be one of "portfolio", "random", "pct", "dfs", got "bfs".')],
    [{ timerTies: "random" }, new RangeError('Expected `timerTies` of check() to be "fifo" or "explore", got "random".')],
    [{ jitter: -1 }, new RangeError("Expected `jitter` of check() to be a finite number of seconds >= 0, got -1.")],
  ])("refuses %j", (options, error) => {
    expect(() => check(lostUpdate, options as never)).toThrow(error);
  });

  it("refuses to run inside a running loop", () => {
    let error: unknown;
    run(() => {
      try {
        check(lostUpdate);
      } catch (e) {
        error = e;
      }
      return asleep(0);
    }, { clock: new VirtualClock() });
    expect(error).toEqual(
      new UsageError(
        "Cannot call check() while an EventLoop is running on this thread: each run of the program starts a loop of its own. Call it from a test or a script, outside any run.",
      ),
    );
  });

  it("refuses a program that is not a function", () => {
    expect(() => explore(lostUpdate() as never)).toThrow(TypeError);
  });

  it("leaves the loop's FIFO alone outside explore(): callbacks too", () => {
    const loop = new EventLoop({ clock: new VirtualClock() });
    const log: string[] = [];
    for (const name of ["a", "b", "c"]) loop.callSoon(() => log.push(name));
    loop.runForever();
    expect(log).toEqual(["a", "b", "c"]);
  });
});
