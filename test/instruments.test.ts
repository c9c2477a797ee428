// Instruments (src/instrument.ts): which hooks fire, in the documented order, with what; and
// Trio's rules: a hook that throws removes its instrument with one warning, and changes made
// during a hook take effect from the next event.
import { afterEach, describe, expect, expectTypeOf, it, vi } from "vitest";
import {
  asleep,
  coroutine,
  EventLoop,
  Event,
  FrameClock,
  VirtualClock,
  type Instrument,
  type NextKind,
  type Outcome,
  type StepNext,
  type Task,
  type TimerInfo,
  type Wake,
  type WakeKind,
} from "../src/index.js";

// Task names without their number (ids are handed out process-wide, so they depend on test order).
const n = (t: Task<unknown> | undefined) => (t === undefined ? "-" : t.name.replace(/-\d+$/, ""));

/** An instrument that logs every hook, one line each. */
function logger(log: string[]): Instrument {
  return {
    beforeRun: () => log.push("beforeRun"),
    afterRun: () => log.push("afterRun"),
    taskSpawned: (t, parent) => log.push(`spawned ${n(t)} parent=${n(parent)}`),
    taskScheduled: (t, w) => log.push(`scheduled ${n(t)} ${w.kind} by=${n(w.by)}`),
    beforeStep: (t) => log.push(`beforeStep ${n(t)}`),
    afterStep: (t, next) =>
      log.push(`afterStep ${n(t)} ${next.kind}${next.deadline >= 0 ? ` until=${next.deadline}` : ""}${next.target ? ` target=${n(next.target)}` : ""}`),
    taskCancelled: (t, by) => log.push(`cancelled ${n(t)} by=${n(by)}`),
    taskExited: (t, outcome) => log.push(`exited ${n(t)} ${outcome}`),
    timerAdded: (i) => log.push(`timerAdded #${i.id} at ${i.deadline} for ${n(i.task)}`),
    timerFired: (i) => log.push(`timerFired #${i.id}`),
    timerCancelled: (i) => log.push(`timerCancelled #${i.id}`),
    clockJumped: (from, to) => log.push(`clockJumped ${from}->${to}`),
  };
}

function watchedLoop(log: string[]): EventLoop {
  return new EventLoop({ clock: new VirtualClock(), instruments: [logger(log)] });
}

afterEach(() => vi.restoreAllMocks());

describe("instruments", () => {
  it("see a created task spawned and scheduled, then stepped, parked on a sleep, woken by its timer, and exit", () => {
    const log: string[] = [];
    const loop = watchedLoop(log);
    const nap = coroutine(function* () {
      yield* asleep(2);
    });
    const task = loop.createTask(nap(), { name: "nap" });
    loop.runUntilComplete(task);
    expect(log).toEqual([
      "spawned nap parent=-",
      "scheduled nap spawn by=-",
      "beforeRun",
      "beforeStep nap",
      "timerAdded #0 at 2 for nap",
      "afterStep nap sleep until=2",
      "clockJumped 0->2",
      "timerFired #0",
      "scheduled nap timer by=-",
      "beforeStep nap",
      "exited nap ok",
      "afterStep nap exit",
      "afterRun",
    ]);
  });

  it("see a task started by a call run its first step inside its parent's, and the parent woken by its end", () => {
    const log: string[] = [];
    const loop = watchedLoop(log);
    const child = coroutine(function* child() {
      yield;
      return 1;
    });
    const main = coroutine(function* () {
      yield* child();
    });
    loop.runUntilComplete(loop.createTask(main(), { name: "main" }));
    expect(log).toEqual([
      "spawned main parent=-",
      "scheduled main spawn by=-",
      "beforeRun",
      "beforeStep main",
      "spawned child parent=main",
      "beforeStep child",
      "scheduled child yield by=child",
      "afterStep child ready",
      "afterStep main task target=child",
      "beforeStep child",
      "exited child ok",
      "scheduled main task by=child",
      "afterStep child exit",
      "beforeStep main",
      "exited main ok",
      "afterStep main exit",
      "afterRun",
    ]);
  });

  it("see a cancel: who asked, the timer disarmed, the wake, and the cancelled exit; an event's wake names its setter", () => {
    const log: string[] = [];
    const loop = watchedLoop(log);
    const ready = new Event();
    const sleeper = coroutine(function* () {
      yield* asleep(10);
    });
    const waiter = coroutine(function* () {
      yield* ready.wait();
    });
    const main = coroutine(function* () {
      const s = loop.createTask(sleeper(), { name: "sleeper" });
      loop.createTask(waiter(), { name: "waiter" });
      yield;
      s.cancel();
      ready.set();
      yield;
    });
    log.length = 0;
    loop.runUntilComplete(loop.createTask(main(), { name: "main" }));
    const from = log.indexOf("cancelled sleeper by=main");
    expect(log.slice(from)).toEqual([
      "cancelled sleeper by=main",
      "timerCancelled #0",
      "scheduled sleeper cancel by=main",
      "scheduled waiter event by=main",
      "scheduled main yield by=main",
      "afterStep main ready",
      "beforeStep sleeper",
      "exited sleeper cancelled",
      "afterStep sleeper exit",
      "beforeStep waiter",
      "exited waiter ok",
      "afterStep waiter exit",
      "beforeStep main",
      "exited main ok",
      "afterStep main exit",
      "afterRun",
    ]);
  });

  it("pass a cancel on to the awaited task, and wake the awaiter once that one ended", () => {
    const log: string[] = [];
    const loop = watchedLoop(log);
    const inner = coroutine(function* inner() {
      yield* asleep(5);
    });
    const outer = coroutine(function* outer() {
      yield* inner(); // a call starts at once: inner sleeps before outer's first step ends
    });
    const main = coroutine(function* main() {
      const o = outer();
      yield* asleep(1);
      o.cancel();
      yield* asleep(1);
    });
    loop.runUntilComplete(loop.createTask(main(), { name: "main" }));
    expect(log.filter((l) => l.startsWith("timerAdded"))).toEqual([
      "timerAdded #0 at 5 for inner",
      "timerAdded #1 at 1 for main",
      "timerAdded #2 at 2 for main",
    ]);
    const from = log.indexOf("cancelled outer by=main");
    expect(log.slice(from)).toEqual([
      "cancelled outer by=main",
      "cancelled inner by=main",
      "timerCancelled #0",
      "scheduled inner cancel by=main",
      "timerAdded #2 at 2 for main",
      "afterStep main sleep until=2",
      "beforeStep inner",
      "exited inner cancelled",
      "scheduled outer task by=inner",
      "afterStep inner exit",
      "beforeStep outer",
      "exited outer cancelled",
      "afterStep outer exit",
      "clockJumped 1->2",
      "timerFired #2",
      "scheduled main timer by=-",
      "beforeStep main",
      "exited main ok",
      "afterStep main exit",
      "afterRun",
    ]);
  });

  it("remove an instrument whose hook throws, with one warning naming it, the hook and the error, and the run finishes", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const log: string[] = [];
    const broken: Instrument = {
      name: "broken",
      beforeStep() {
        throw new Error("boom");
      },
    };
    const loop = new EventLoop({ clock: new VirtualClock(), instruments: [broken, { beforeStep: (t) => log.push(t.name) }] });
    const work = coroutine(function* () {
      yield* asleep(1);
      yield* asleep(1);
      return "done";
    });
    expect(loop.runUntilComplete(loop.createTask(work(), { name: "work" }))).toBe("done");
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]![0]).toBe(
      'handloop: instrument "broken" threw in its beforeStep hook (Error: boom), so it was removed from the loop and will not be called again; the loop goes on. Fix the hook (or catch inside it) and add the instrument again with loop.addInstrument().',
    );
    expect(loop.instruments).toHaveLength(1);
    expect(log).toEqual(["work", "work", "work"]); // the other instrument saw every step
  });

  it("take an instrument added or removed during a hook into account from the next event on", () => {
    const log: string[] = [];
    const loop = new EventLoop({ clock: new VirtualClock() });
    const late: Instrument = { beforeStep: (t) => log.push(`late ${t.name}`), afterStep: (t) => log.push(`late after ${t.name}`) };
    const first: Instrument = {
      beforeStep(t) {
        log.push(`first ${t.name}`);
        loop.addInstrument(late);
        loop.removeInstrument(first);
      },
    };
    loop.addInstrument(first);
    const work = coroutine(function* () {
      yield;
    });
    loop.runUntilComplete(loop.createTask(work(), { name: "w" }));
    expect(log).toEqual(["first w", "late after w", "late w", "late after w"]);
  });

  it("still tell the other instruments a sleep's deadline when one is removed while that step runs", () => {
    vi.spyOn(console, "warn").mockImplementation(() => {});
    const log: string[] = [];
    const broken: Instrument = {
      timerAdded() {
        throw new Error("boom");
      },
    };
    const loop = new EventLoop({ clock: new VirtualClock(), instruments: [broken, logger(log)] });
    const work = coroutine(function* () {
      yield* asleep(1);
    });
    loop.runUntilComplete(loop.createTask(work(), { name: "work" }));
    expect(loop.instruments).toHaveLength(1);
    expect(log).toContain("afterStep work sleep until=1");
  });

  it("are checked when added: a hook that is not a function is a TypeError, and one instrument is added once", () => {
    const loop = new EventLoop({ clock: new VirtualClock() });
    expect(() => loop.addInstrument({ beforeStep: 3 } as unknown as Instrument)).toThrow(
      new TypeError("Expected `beforeStep` of the instrument given to addInstrument() to be a function, got number."),
    );
    const i: Instrument = {};
    loop.addInstrument(i);
    loop.addInstrument(i);
    expect(loop.instruments).toEqual([i]);
    expect(loop.removeInstrument(i)).toBe(true);
    expect(loop.removeInstrument(i)).toBe(false);
  });

  it("see callback timers armed, cancelled and fired", () => {
    const log: string[] = [];
    const loop = watchedLoop(log);
    loop.callLater(1, () => log.push("callback"));
    loop.callLater(2, () => {}).cancel();
    loop.runForever();
    expect(log).toEqual([
      "timerAdded #0 at 1 for -",
      "timerAdded #1 at 2 for -",
      "timerCancelled #1",
      "beforeRun",
      "clockJumped 0->1",
      "timerFired #0",
      "callback",
      "afterRun",
    ]);
  });
});

describe("instruments on a FrameClock loop", () => {
  it("see the clock move through each deadline of a frame and to its end", () => {
    const jumps: string[] = [];
    const loop = new EventLoop({ clock: new FrameClock(), instruments: [{ clockJumped: (from, to) => jumps.push(`${from}->${to}`) }] });
    loop.createTask(
      coroutine(function* () {
        yield* asleep(0.25);
      })(),
    );
    loop.advance(1);
    expect(jumps).toEqual(["0->0.25", "0.25->1"]);
  });
});

describe("Instrument (types)", () => {
  it("types each hook's arguments from the trace schema's vocabulary", () => {
    expectTypeOf<Parameters<NonNullable<Instrument["taskScheduled"]>>[1]["kind"]>().toEqualTypeOf<WakeKind>();
    expectTypeOf<Parameters<NonNullable<Instrument["afterStep"]>>[1]>().toEqualTypeOf<StepNext>();
    expectTypeOf<StepNext["kind"]>().toEqualTypeOf<NextKind>();
    expectTypeOf<Parameters<NonNullable<Instrument["taskExited"]>>[1]>().toEqualTypeOf<Outcome>();
    expectTypeOf<Parameters<NonNullable<Instrument["timerAdded"]>>[0]>().toEqualTypeOf<TimerInfo>();
    expectTypeOf<Wake["by"]>().toEqualTypeOf<Task<unknown> | undefined>();
  });
});
