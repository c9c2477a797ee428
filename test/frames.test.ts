"use handloop";
// Frame mode: a loop on a FrameClock, driven one frame at a time by loop.advance(dt). This file is
// compiled by handloop/vite, so the async functions below run on the loop, as a game's would.
import { afterEach, describe, expect, expectTypeOf, it } from "vitest";
import {
  animate,
  asleep,
  asleepRealtime,
  coroutine,
  createFuture,
  currentLoop,
  EventLoop,
  FrameClock,
  frames,
  LoopPromise,
  nextFrame,
  run,
  UsageError,
  VirtualClock,
  type AdvanceResult,
} from "../src/index.js";
import { withoutMicrotasks } from "./helpers.js";

// Frame loops take the jobs of promises settled between frames: close each, so none outlives its test.
const loops: EventLoop[] = [];
afterEach(() => {
  for (const loop of loops.splice(0)) loop.close();
});

function frameLoop(clock = new FrameClock()): { loop: EventLoop; clock: FrameClock } {
  const loop = new EventLoop({ clock });
  loops.push(loop);
  return { loop, clock };
}

/** Advances `loop` by `seconds` in frames of 1/fps (`seconds * fps` frames, rounded). */
function play(loop: EventLoop, seconds: number, fps: number): void {
  for (let i = Math.round(seconds * fps); i > 0; i--) loop.advance(1 / fps);
}

const now = () => currentLoop().time();

describe("loop.advance()", () => {
  it.each([60, 144, 30, 165, 240])("wakes asleep(0.1) in a loop 100 times in 10 s at %d fps, each at its own instant", (fps) => {
    const { loop } = frameLoop();
    const wakes: number[] = [];
    async function physics(): Promise<void> {
      for (;;) {
        await asleep(0.1);
        wakes.push(now());
      }
    }
    loop.createTask(physics());
    play(loop, 10, fps);
    expect(wakes).toHaveLength(100);
    // The same instants, to the bit, as a virtual clock gives: each sleep counted from the last wake-up.
    const expected: number[] = [];
    for (let t = 0, i = 0; i < 100; i++) expected.push((t += 0.1));
    expect(wakes).toEqual(expected);
  });

  it.each([144, 165])("keeps the count exact for an hour at %d fps: 36,000 wake-ups of asleep(0.1)", (fps) => {
    const { loop, clock } = frameLoop();
    let wakes = 0;
    loop.createTask(
      coroutine(function* () {
        for (;;) {
          yield* asleep(0.1);
          wakes++;
        }
      })(),
    );
    play(loop, 3600, fps);
    expect(wakes).toBe(36_000);
    expect(clock.realtime()).toBe(3600); // frame time is summed with compensation: no drift
  });

  it("runs the work due at each instant inside a frame, in order, before time moves on", () => {
    const { loop, clock } = frameLoop();
    const log: string[] = [];
    async function walker(): Promise<void> {
      for (let i = 0; i < 3; i++) {
        await asleep(0.25);
        log.push(`step ${i} at ${now()}`);
        loop.callSoon(() => log.push(`after step ${i} at ${now()}`));
      }
    }
    loop.createTask(walker());
    loop.callLater(0.5, () => log.push(`timer at ${now()}`));
    expect(loop.advance(1)).toEqual<AdvanceResult>({ steps: 7, pending: false });
    expect(log).toEqual([
      "step 0 at 0.25",
      "after step 0 at 0.25",
      "timer at 0.5", // armed before the walker's second sleep: first at 0.5
      "step 1 at 0.5",
      "after step 1 at 0.5",
      "step 2 at 0.75",
      "after step 2 at 0.75",
    ]);
    expect(clock.now()).toBe(1);
    expect(clock.realtime()).toBe(1);
  });

  it("counts frames in loop.frame, the current one included", () => {
    const { loop } = frameLoop();
    const seen: number[] = [];
    expect(loop.frame).toBe(0);
    loop.callSoon(() => seen.push(loop.frame));
    loop.advance(0.1);
    loop.advance(0);
    expect(loop.frame).toBe(2);
    expect(seen).toEqual([1]);
    expect(new EventLoop({ clock: new VirtualClock() }).frame).toBe(0);
  });

  it("stops at maxSteps with the clock where it got to, owes the rest of the frame, and catches up on the next advance", () => {
    const { loop, clock } = frameLoop();
    const wakes: number[] = [];
    async function physics(): Promise<void> {
      for (;;) {
        await asleep(0.1);
        wakes.push(now());
      }
    }
    loop.createTask(physics());
    expect(loop.advance(1, { maxSteps: 4 })).toEqual({ steps: 4, pending: true });
    // The first turn started the task; three wake-ups later the clock stays at the third, 0.7 s owed.
    expect(wakes).toHaveLength(3);
    expect(clock.now()).toBe(wakes[2]);
    expect(clock.lag).toBeCloseTo(0.7, 12);
    expect(loop.advance(0)).toEqual({ steps: 7, pending: false });
    expect(wakes).toHaveLength(10);
    expect(clock.lag).toBe(0);
    expect(clock.now()).toBe(1);
  });

  it("bounds a task that never stops yielding with maxSteps, and time does not move past its instant", () => {
    const { loop, clock } = frameLoop();
    let spins = 0;
    async function spinner(): Promise<never> {
      for (;;) {
        spins++;
        await asleep(0);
      }
    }
    loop.createTask(spinner());
    expect(loop.advance(0.1, { maxSteps: 50 })).toEqual({ steps: 50, pending: true });
    expect(spins).toBe(50);
    expect(clock.now()).toBe(0);
    expect(clock.lag).toBe(0.1);
  });

  it("starts no new turn once budgetMs of real time is spent, but always runs the first", () => {
    const { loop } = frameLoop();
    const busy = (ms: number) => {
      const until = performance.now() + ms;
      while (performance.now() < until);
    };
    async function heavy(): Promise<never> {
      for (;;) {
        busy(2);
        await asleep(0);
      }
    }
    loop.createTask(heavy());
    expect(loop.advance(0.1, { budgetMs: 0 })).toEqual({ steps: 1, pending: true });
    const { steps, pending } = loop.advance(0.1, { budgetMs: 3 });
    expect(pending).toBe(true);
    expect(steps).toBeGreaterThanOrEqual(1);
    expect(steps).toBeLessThanOrEqual(2); // each turn takes 2 ms: the budget is spent after the second
  });

  it("ends an advance at stop(), with its work pending", () => {
    const { loop, clock } = frameLoop();
    loop.callLater(0.2, () => loop.stop());
    loop.callLater(0.4, () => {});
    expect(loop.advance(1)).toEqual({ steps: 1, pending: true });
    expect(clock.now()).toBe(0.2);
    expect(loop.advance(0)).toEqual({ steps: 1, pending: false });
    expect(clock.now()).toBe(1);
  });

  it("gives a fixed-step simulation the same event log at 60 and at 144 fps", () => {
    const logAt = (fps: number) => {
      const { loop } = frameLoop();
      const log: string[] = [];
      async function ball(id: number, vy: number): Promise<void> {
        let y = 0;
        for (let step = 0; step < 40; step++) {
          await asleep(0.1);
          vy -= 9.81 * 0.1;
          y += vy * 0.1;
          if (y < 0) (y = -y), (vy = -vy * 0.8);
        }
        log.push(`ball ${id} y=${y} vy=${vy} at ${now()}`);
      }
      async function spawner(): Promise<void> {
        for (let id = 0; id < 5; id++) {
          loop.createTask(ball(id, 5 + id));
          await asleep(0.35);
          log.push(`spawned ${id} at ${now()}`);
        }
      }
      loop.createTask(spawner());
      play(loop, 6, fps);
      return log;
    };
    const at60 = logAt(60);
    expect(at60).toHaveLength(10);
    expect(logAt(144)).toEqual(at60);
  });
});

describe("nextFrame() and frames()", () => {
  it("releases nextFrame() at the frame's end, after the frame's timers, with the frame's number", () => {
    const { loop } = frameLoop();
    const log: string[] = [];
    async function drawer(): Promise<void> {
      for (let i = 0; i < 3; i++) {
        const frame = await nextFrame();
        log.push(`draw frame ${frame} at ${now()}`);
      }
    }
    loop.createTask(drawer());
    loop.callLater(0.5, () => log.push(`timer at ${now()}`));
    loop.advance(0.5);
    loop.advance(0.25);
    loop.advance(0);
    loop.advance(0.25);
    expect(log).toEqual(["timer at 0.5", "draw frame 1 at 0.5", "draw frame 2 at 0.75", "draw frame 3 at 0.75"]);
  });

  it("resumes frames(3) at the third frame end, counted from the frame it was awaited in", () => {
    const { loop } = frameLoop();
    const log: string[] = [];
    const waiter = coroutine(function* () {
      yield* asleep(0.05); // inside frame 1 (0 to 0.1 s)
      log.push(`waiting in frame ${loop.frame}`);
      const frame = yield* frames(3);
      log.push(`resumed in frame ${frame} at ${now()}`);
    });
    loop.createTask(waiter());
    for (let i = 0; i < 5; i++) loop.advance(0.1);
    expect(log).toEqual(["waiting in frame 1", `resumed in frame 3 at ${0.1 + 0.1 + 0.1}`]);
  });

  it("lets the other ready tasks run once on frames(0), as asleep(0)", () => {
    const { loop } = frameLoop();
    const log: string[] = [];
    async function a(): Promise<void> {
      log.push("a1");
      expect(await frames(0)).toBe(1);
      log.push("a2");
    }
    async function b(): Promise<void> {
      log.push("b1");
      await asleep(0);
      log.push("b2");
    }
    loop.createTask(a());
    loop.createTask(b());
    loop.advance(0);
    expect(log).toEqual(["a1", "b1", "a2", "b2"]);
  });

  it("shares one promise between the tasks awaiting the same frame end", () => {
    const { loop } = frameLoop();
    const promises: LoopPromise<number>[] = [];
    loop.callSoon(() => promises.push(nextFrame(), nextFrame()));
    loop.advance(0.1);
    loop.callSoon(() => promises.push(nextFrame()));
    loop.advance(0.1);
    expect(promises[0]).toBe(promises[1]);
    expect(promises[2]).not.toBe(promises[0]);
    expect(promises[0]).toBeInstanceOf(LoopPromise);
  });

  it("keeps waiters of a frame whose end a bound kept it from reaching until a frame end is reached", () => {
    const { loop } = frameLoop();
    const log: string[] = [];
    async function drawer(): Promise<void> {
      log.push(`frame ${await nextFrame()} at ${now()}`);
    }
    loop.createTask(drawer());
    loop.callLater(0.05, () => log.push("busy"));
    expect(loop.advance(0.1, { maxSteps: 2 })).toEqual({ steps: 2, pending: true });
    expect(log).toEqual(["busy"]);
    loop.advance(0.1);
    expect(log).toEqual(["busy", "frame 2 at 0.2"]);
  });
});

describe("FrameClock.timeScale and asleepRealtime()", () => {
  it("pauses timers and sleeps at timeScale 0, while asleepRealtime and nextFrame go on", () => {
    const { loop, clock } = frameLoop();
    const log: string[] = [];
    async function game(): Promise<void> {
      for (;;) {
        await asleep(1);
        log.push(`game at ${clock.now()}/${clock.realtime()}`);
      }
    }
    async function menu(): Promise<void> {
      for (;;) {
        await asleepRealtime(1);
        log.push(`menu at ${clock.now()}/${clock.realtime()}`);
      }
    }
    let drawn = 0;
    async function drawer(): Promise<void> {
      for (;;) {
        await nextFrame();
        drawn++;
      }
    }
    loop.createTask(game());
    loop.createTask(menu());
    loop.createTask(drawer());
    loop.callLater(1.5, () => log.push(`timer at ${clock.now()}`));
    play(loop, 1, 4);
    clock.timeScale = 0;
    play(loop, 2, 4);
    expect(log).toEqual(["menu at 1/1", "game at 1/1", "menu at 1/2", "menu at 1/3"]);
    clock.timeScale = 1;
    play(loop, 1, 4);
    expect(log.slice(4)).toEqual(["timer at 1.5", "menu at 2/4", "game at 2/4"]);
    expect(drawn).toBe(16);
  });

  it("runs scaled time at timeScale against frame time, from the instant it is changed", () => {
    const { loop, clock } = frameLoop(new FrameClock({ timeScale: 0.5 }));
    const log: string[] = [];
    async function sleeper(): Promise<void> {
      await asleep(1);
      log.push(`woke at ${clock.now()}/${clock.realtime()}`);
      clock.timeScale = 2; // mid-frame: from here on
      await asleep(1);
      log.push(`woke at ${clock.now()}/${clock.realtime()}`);
    }
    loop.createTask(sleeper());
    loop.advance(3);
    expect(log).toEqual(["woke at 1/2", "woke at 2/2.5"]);
    expect(clock.now()).toBe(3);
  });

  it("cancels a task in asleepRealtime(), running its finally, and the sleep never fires", () => {
    const { loop } = frameLoop();
    const log: string[] = [];
    async function napper(): Promise<void> {
      try {
        await asleepRealtime(1);
        log.push("woke");
      } finally {
        log.push(`finally at ${now()}`);
      }
    }
    const task = loop.createTask(napper());
    loop.advance(0.5);
    task.cancel();
    loop.advance(0.25);
    expect(task.cancelled()).toBe(true);
    loop.advance(1);
    expect(log).toEqual(["finally at 0.5"]);
  });

  it("types what asleepRealtime() and frames() give", () => {
    expectTypeOf(asleepRealtime(1)).resolves.toEqualTypeOf<undefined>();
    expectTypeOf(asleepRealtime(1, "x")).resolves.toEqualTypeOf<string>();
    expectTypeOf(frames(2)).resolves.toEqualTypeOf<number>();
    expectTypeOf(nextFrame).returns.toEqualTypeOf<LoopPromise<number>>();
  });
});

describe("between frames", () => {
  it("runs the tasks and promise jobs that settlements from outside made ready at the start of the next advance, before time moves", () => {
    const { loop } = frameLoop();
    const log: string[] = [];
    const click = createFuture<string>();
    let press!: (key: string) => void;
    async function player(): Promise<void> {
      const key = new LoopPromise<string>((resolve) => (press = resolve));
      key.then((k) => log.push(`then ${k} at ${now()} in frame ${loop.frame}`));
      log.push(`clicked ${await click} at ${now()} in frame ${loop.frame}`);
    }
    loop.createTask(player());
    loop.advance(0.5);
    withoutMicrotasks(() => {
      press("space"); // an input handler, between frames
      click.resolve("button");
    });
    expect(log).toEqual([]);
    withoutMicrotasks(() => loop.advance(0.5));
    expect(log).toEqual(["then space at 0.5 in frame 2", "clicked button at 0.5 in frame 2"]);
  });

  it("reports a promise rejected between frames with nothing to handle it to the loop's policy, on the next advance", () => {
    const reported: unknown[] = [];
    const loop = new EventLoop({ clock: new FrameClock(), unhandledError: (error) => reported.push(error) });
    loops.push(loop);
    let fail!: (error: Error) => void;
    loop.callSoon(() => void new LoopPromise((_, reject) => (fail = reject)));
    loop.advance(0.1);
    const error = new Error("lost");
    withoutMicrotasks(() => fail(error));
    expect(reported).toEqual([]);
    loop.advance(0.1);
    expect(reported).toEqual([error]);
  });
});

describe("frame mode misuse", () => {
  it("refuses advance() on a loop of another clock, and names it", () => {
    const loop = new EventLoop({ clock: new VirtualClock() });
    expect(() => loop.advance(0.1)).toThrow(
      new UsageError(
        "Cannot call advance() on a loop whose clock is an instance of VirtualClock: advance() drives a loop made with new EventLoop({ clock: new FrameClock() }).",
      ),
    );
  });

  it("refuses advance() from inside the loop's own run", () => {
    const { loop } = frameLoop();
    const inside = loop.createTask(
      coroutine(function* () {
        yield* asleep(0.05);
        try {
          loop.advance(0.1);
        } catch (error) {
          return error;
        }
      })(),
      { name: "cheater" },
    );
    loop.advance(0.1);
    expect(inside.result()).toEqual(
      new UsageError(
        'Cannot call advance() while this EventLoop is running (in task "cheater"): the host calls advance() between frames. In a task, await nextFrame() or asleep() instead.',
      ),
    );
    expect(loop.time()).toBe(0.1);
  });

  it("refuses runUntilComplete(), runForever() and run() on a FrameClock loop, saying to use advance()", () => {
    const { loop } = frameLoop();
    const advice = "its time moves only in loop.advance(dt). Create its tasks with loop.createTask(), then call loop.advance(dt) once per frame.";
    expect(() => loop.runUntilComplete(asleep(1))).toThrow(
      new UsageError(`Cannot call runUntilComplete() on a loop driven by a FrameClock: ${advice}`),
    );
    expect(() => loop.runForever()).toThrow(new UsageError(`Cannot call runForever() on a loop driven by a FrameClock: ${advice}`));
    expect(() => run(async () => {}, { clock: new FrameClock() })).toThrow(UsageError);
    expect(() => new FrameClock().sleepUntil(1)).toThrow(
      new UsageError("A FrameClock cannot wait until 1: its time moves only in loop.advance(dt). Drive its loop with advance(), once per frame."),
    );
  });

  it("refuses nextFrame(), frames() and asleepRealtime() outside a frame loop", () => {
    expect(() => nextFrame()).toThrow(
      new UsageError(
        "nextFrame() was called with no EventLoop running; call it in a task of a loop driven by a FrameClock (loop.advance(dt) runs them).",
      ),
    );
    const messages = run(async () => {
      const refused: string[] = [];
      for (const wait of [() => nextFrame(), () => frames(2), () => asleepRealtime(1)]) {
        try {
          await wait();
        } catch (error) {
          refused.push((error as Error).message);
        }
      }
      return refused;
    }, { clock: new VirtualClock() });
    const onVirtual =
      'was called (in task "t") on a loop whose clock is an instance of VirtualClock; frames exist only on a loop made with new EventLoop({ clock: new FrameClock() }) and driven by loop.advance(dt).';
    expect(messages.map((message) => message.replace(/task "[^"]*"/, 'task "t"'))).toEqual([
      `nextFrame() ${onVirtual}`,
      `frames(2) ${onVirtual}`,
      `asleepRealtime(1) ${onVirtual}`,
    ]);
  });

  it("refuses one FrameClock for two loops, and a closed loop", () => {
    const { loop, clock } = frameLoop();
    loop.advance(0);
    const other = frameLoop(clock).loop;
    expect(() => other.advance(0)).toThrow(
      new UsageError("Cannot call advance() with a FrameClock that already drives another EventLoop; give each loop a FrameClock of its own."),
    );
    loop.close();
    expect(() => loop.advance(0)).toThrow(new UsageError("Cannot call advance() on a closed EventLoop; create a new EventLoop."));
  });

  it("refuses bad frame lengths, bounds and time scales with the value", () => {
    const { loop, clock } = frameLoop();
    expect(() => loop.advance(-1)).toThrow(new RangeError("Expected `dt` of advance() to be a finite number >= 0, got -1."));
    expect(() => loop.advance(Number.NaN)).toThrow(RangeError);
    expect(() => loop.advance(0.1, { maxSteps: 0 })).toThrow(
      new RangeError("Expected `maxSteps` of advance() to be a whole number >= 1, got 0."),
    );
    expect(() => loop.advance(0.1, { maxSteps: 2.5 })).toThrow(RangeError);
    expect(() => loop.advance(0.1, { budgetMs: "4" as unknown as number })).toThrow(
      new TypeError('Expected `budgetMs` of advance() to be a finite number >= 0, got "4".'),
    );
    expect(() => (clock.timeScale = -1)).toThrow(
      new RangeError("Expected `timeScale` of FrameClock.timeScale to be a finite number >= 0, got -1."),
    );
    expect(() => new FrameClock({ timeScale: Number.POSITIVE_INFINITY })).toThrow(RangeError);
    expect(() => frames(1.5)).toThrow(new RangeError("Expected `n` of frames() to be a whole number >= 0, got 1.5."));
    expect(() => asleepRealtime(-1)).toThrow(RangeError);
    expect(loop.frame).toBe(0); // nothing refused began a frame
  });
});

describe("animate(loop): frame mode driven by requestAnimationFrame", () => {
  /** A hand-cranked requestAnimationFrame: `tick(ms)` calls back what was requested, at `ms`. */
  function fakeFrames() {
    let next: ((timestamp: number) => void) | null = null;
    let cancelled = 0;
    return {
      requestAnimationFrame: (callback: (timestamp: number) => void) => {
        next = callback;
        return 1;
      },
      cancelAnimationFrame: () => {
        next = null;
        cancelled++;
      },
      tick(ms: number) {
        const callback = next;
        next = null;
        callback?.(ms);
      },
      get cancelled() {
        return cancelled;
      },
    };
  }

  it("advances by the time between animation frames, the first frame only starting the count", () => {
    const host = fakeFrames();
    const clock = new FrameClock();
    const loop = new EventLoop({ clock });
    const dts: number[] = [];
    animate(loop, { ...host, onFrame: (_, dt) => dts.push(dt) });
    host.tick(1000);
    host.tick(1016);
    host.tick(1050);
    expect(loop.frame).toBe(2);
    expect(dts).toEqual([0.016, 0.034]);
    expect(clock.now()).toBeCloseTo(0.05, 12);
  });

  it("advances a long gap (a hidden tab) as maxDt, and stops when told", () => {
    const host = fakeFrames();
    const clock = new FrameClock();
    const loop = new EventLoop({ clock });
    const stop = animate(loop, { ...host, maxDt: 0.1 });
    host.tick(0);
    host.tick(60_000);
    expect(clock.now()).toBe(0.1);
    stop();
    host.tick(60_016);
    expect(loop.frame).toBe(1);
    expect(host.cancelled).toBe(1);
  });

  it("says what to do where there is no requestAnimationFrame", () => {
    const loop = new EventLoop({ clock: new FrameClock() });
    expect(() => animate(loop)).toThrow(
      new TypeError(
        "animate() needs requestAnimationFrame, which this host does not have (it is a browser's); pass `requestAnimationFrame` and `cancelAnimationFrame` in its options, or call loop.advance(dt) from your own frame loop.",
      ),
    );
  });
});
