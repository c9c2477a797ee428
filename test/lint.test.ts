// lint() (src/lint.ts) on recordings of small programs, with the problems planted: wall times
// are set by hand where a lint reads them, so nothing waits in real time.
import { describe, expect, it } from "vitest";
import { asleep, coroutine, DeadlockError, Event, EventLoop, lint, VirtualClock, type Recording, type Task, type TraceEvent } from "../src/index.js";

/** Runs `main` on a recorded virtual loop (a DeadlockError is caught) and gives the recording. */
function record(main: (loop: EventLoop) => Task<unknown>): Recording {
  const loop = new EventLoop({ clock: new VirtualClock() });
  const recorder = loop.record();
  try {
    loop.runUntilComplete(main(loop));
  } catch (error) {
    if (!(error instanceof DeadlockError)) throw error;
  }
  recorder.stop();
  return recorder;
}

/** `recording` with every wall time 0, except the steps of task `name` (their `n`th, from 1) taking `ms`. */
function plant(recording: Recording, name: string, nth: number, ms: number): Recording {
  const id = [...recording.tasks.values()].find((t) => t.name === name)!.id;
  let steps = 0;
  let open = false;
  const events = recording.events.map((e): TraceEvent => {
    if (e.task === id && e.type === "step") open = ++steps === nth;
    const wall = open && e.task === id && e.type === "parked" ? ms : 0;
    if (e.task === id && e.type === "parked") open = false;
    return { ...e, wall };
  });
  return { version: recording.version, dropped: recording.dropped, tasks: recording.tasks, events };
}

describe("lint()", () => {
  it("finds a slow step, naming the task and how long it ran", () => {
    const recording = record((loop) =>
      loop.createTask(
        coroutine(function* () {
          yield* asleep(1);
          yield* asleep(1);
        })(),
        { name: "cruncher" },
      ),
    );
    expect(lint(plant(recording, "cruncher", 2, 25))).toEqual([
      {
        kind: "slow-step",
        task: expect.any(Number),
        name: "cruncher",
        seq: expect.any(Number),
        message: 'A step of task "cruncher" at 1s ran 25.0 ms without giving way (the threshold is 10 ms); nothing else ran meanwhile.',
      },
    ]);
    expect(lint(plant(recording, "cruncher", 2, 25), { slowStepMs: 30 })).toEqual([]);
  });

  it("finds a task that ran start to end in one slow step while others waited", () => {
    const recording = record((loop) =>
      loop.createTask(
        coroutine(function* () {
          // (Generators, which start on a later turn: a coroutine call would start at once.)
          loop.createTask((function* () {})(), { name: "hog" });
          loop.createTask((function* () {})(), { name: "patient" });
          yield* asleep(1);
        })(),
        { name: "main" },
      ),
    );
    const findings = lint(plant(recording, "hog", 1, 30));
    expect(findings.map((f) => [f.kind, f.name])).toEqual([["never-parked", "hog"]]);
    expect(findings[0]!.message).toBe(
      'Task "hog" ran from its start to its end in one step of 30.0 ms without giving way, while 1 other task was ready and waited; await asleep(0) now and then in long work, or move it off the loop.',
    );
    expect(lint(plant(recording, "hog", 1, 5))).toEqual([]); // quick: fine
  });

  it("finds a task that only ever wakes itself, and not one woken by a timer", () => {
    const recording = record((loop) =>
      loop.createTask(
        coroutine(function* () {
          const poller = loop.createTask(
            coroutine(function* () {
              for (let i = 0; i < 4; i++) yield;
            })(),
            { name: "poller" },
          );
          for (let i = 0; i < 4; i++) yield* asleep(0.5);
          yield* poller;
        })(),
        { name: "sleeper" },
      ),
    );
    const findings = lint(recording);
    expect(findings.map((f) => [f.kind, f.name])).toEqual([["self-wake", "poller"]]);
    expect(findings[0]!.message).toBe(
      'Task "poller" was woken 4 times, each time by itself (a bare yield or asleep(0)), and never by a timer, a task or an event: it polls. Await what it polls for (an Event, a Future, a Queue) instead; a task that yields on purpose, to let others run between its pieces of work, can ignore this.',
    );
  });

  it("finds the waits of a deadlock: nothing left could wake them", () => {
    const never = new Event();
    const recording = record((loop) =>
      loop.createTask(
        coroutine(function* () {
          yield* asleep(2);
          yield* never.wait();
        })(),
        { name: "stuck" },
      ),
    );
    expect(lint(recording).map((f) => f.message)).toEqual([
      'Task "stuck" waits on an Event to be set since 2s, and nothing left can wake it: no task is ready, no timer is armed and no host wait is pending.',
    ]);
  });

  it("finds tasks awaiting each other in a cycle even while a timer is still armed", () => {
    const recording = record((loop) => {
      const tasks: Task<unknown>[] = [];
      const waitFor = (i: number) =>
        coroutine(function* () {
          yield* tasks[i]!;
        })();
      tasks.push(loop.createTask(waitFor(1), { name: "a" }), loop.createTask(waitFor(0), { name: "b" }));
      loop.createTask(asleep(10), { name: "later" }); // still armed when the recording ends
      return loop.createTask(asleep(3), { name: "timer" });
    });
    expect(lint(recording).map((f) => f.message)).toEqual([
      'Task "a" waits on task "b" since 0s in a cycle of tasks awaiting each other, which none of them can end.',
      'Task "b" waits on task "a" since 0s in a cycle of tasks awaiting each other, which none of them can end.',
    ]);
  });

  it("finds nothing in a program that only sleeps and awaits", () => {
    const recording = record((loop) =>
      loop.createTask(
        coroutine(function* () {
          const child = coroutine(function* () {
            yield* asleep(1);
          })();
          yield* child;
        })(),
      ),
    );
    expect(lint(recording)).toEqual([]);
  });

  it("does not call a wait unsatisfiable while the task that may satisfy it is still stepping", () => {
    // lint() from inside a task, as a watchdog would: the consumer waits for an Event the
    // running task is about to set.
    const loop = new EventLoop({ clock: new VirtualClock() });
    const recorder = loop.record();
    const go = new Event();
    let findings: ReturnType<typeof lint> = [];
    const consumer = coroutine(function* consumer() {
      yield* go.wait();
    });
    const main = coroutine(function* main() {
      const c = consumer();
      yield* asleep(1);
      findings = lint(recorder);
      go.set();
      yield* c;
    });
    loop.runUntilComplete(loop.createTask(main()));
    expect(findings).toEqual([]);
  });

  it("refuses a loop in place of its recording, saying what to pass", () => {
    const loop = new EventLoop({ clock: new VirtualClock() });
    expect(() => lint(loop as unknown as Recording)).toThrow(
      new TypeError(
        "Expected the recording given to lint() to be a Recording (the recorder that loop.record() returns, or what parseTrace() reads), got an instance of EventLoop. Pass the recorder: const recorder = loop.record(); ... lint(recorder).",
      ),
    );
  });

  it("refuses a threshold that is not a number >= 0", () => {
    const recording = record((loop) => loop.createTask(asleep(0)));
    expect(() => lint(recording, { slowStepMs: -1 })).toThrow(new RangeError("Expected `slowStepMs` of lint() to be a number >= 0, got -1."));
  });
});
