// The flight recorder (src/record.ts): events of a known virtual program against a golden file,
// the ring's limit, and JSON Lines both ways. Regenerate the golden files with
// `UPDATE_GOLDEN=1 npx vitest run test/record.test.ts` and review the diff.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  asleep,
  coroutine,
  EventLoop,
  Event,
  gather,
  parseTrace,
  Recorder,
  run,
  runAsync,
  TRACE_SCHEMA_VERSION,
  UsageError,
  VirtualClock,
  type Recording,
  type TraceEvent,
} from "../src/index.js";

const golden = (name: string) => fileURLToPath(new URL(`golden/record/${name}`, import.meta.url));

/** Compares `text` with the golden file `name`, or writes it under UPDATE_GOLDEN=1. */
function expectGolden(name: string, text: string): void {
  const path = golden(name);
  if (process.env.UPDATE_GOLDEN === "1" || !existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  }
  expect(text).toBe(readFileSync(path, "utf8"));
}

/** The recording as JSON Lines with wall times zeroed and task ids renumbered from 1 (they are process-wide). */
function stable(recording: Recording): string {
  const ids = new Map<number, number>([[-1, -1]]);
  for (const id of [...recording.tasks.keys()].sort((a, b) => a - b)) ids.set(id, ids.size);
  const id = (x: number) => ids.get(x) ?? x;
  const rename = (name: string) => name.replace(/-(\d+)$/, (_, d: string) => `-${id(Number(d))}`);
  const tasks = [...recording.tasks.values()].map((t) => ({ id: id(t.id), name: rename(t.name), parent: id(t.parent), site: t.site }));
  const events = recording.events.map((e) => {
    const copy = { ...e, wall: 0, task: id(e.task) } as Record<string, unknown>;
    for (const key of ["parent", "by", "target"]) if (typeof copy[key] === "number") copy[key] = id(copy[key] as number);
    for (const key of ["name", "on", "object"]) if (typeof copy[key] === "string") copy[key] = (copy[key] as string).replace(/"(.*)-(\d+)"/, (_, a: string, d: string) => `"${a}-${ids.has(Number(d)) ? id(Number(d)) : "N"}"`);
    return JSON.stringify(copy);
  });
  return `${JSON.stringify({ schema: "handloop-trace", version: recording.version, dropped: recording.dropped, tasks })}\n${events.join("\n")}\n`;
}

/** Three workers: one sleeps, one waits for an Event the other sets, one fails; main gathers them. */
function program(loop: EventLoop) {
  const opened = new Event();
  const sleeper = coroutine(function* sleeper() {
    yield* asleep(1.5);
    opened.set();
    return "slept";
  });
  const waiter = coroutine(function* waiter() {
    yield* opened.wait();
    return "opened";
  });
  const failer = coroutine(function* failer() {
    yield* asleep(0.5);
    throw new RangeError("out of range");
  });
  const main = coroutine(function* main() {
    const results = yield* gather(sleeper(), waiter(), failer().catch(() => "caught"));
    return results;
  });
  return loop.createTask(main(), { name: "main" });
}

describe("loop.record()", () => {
  it("records spawns, steps, parks, wakes, timers, clock jumps and exits of a virtual program (golden)", () => {
    const loop = new EventLoop({ clock: new VirtualClock() });
    const recorder = loop.record();
    expect(loop.runUntilComplete(program(loop))).toEqual(["slept", "opened", "caught"]);
    recorder.stop();
    expect(recorder.dropped).toBe(0);
    expect(recorder.events.map((e) => e.seq)).toEqual(recorder.events.map((_, i) => i));
    expectGolden("program.jsonl", stable(recorder));
  });

  it("keeps the newest `limit` events and counts the dropped ones, numbering them across the gap", () => {
    const loop = new EventLoop({ clock: new VirtualClock() });
    const full = loop.record();
    const small = loop.record({ limit: 5 });
    loop.runUntilComplete(program(loop));
    expect(small.dropped).toBe(full.events.length - 5);
    expect(small.events).toEqual(full.events.slice(-5).map((e, i) => ({ ...e, wall: small.events[i]!.wall })));
    expect(small.events[0]!.seq).toBe(small.dropped);
    expect([...small.tasks.keys()]).toEqual([...full.tasks.keys()]); // every task seen, even with its events gone
  });

  it("stops recording at stop(), and what it recorded stays readable", () => {
    const loop = new EventLoop({ clock: new VirtualClock() });
    const recorder = loop.record();
    loop.runUntilComplete(program(loop));
    recorder.stop();
    const count = recorder.events.length;
    loop.runUntilComplete(program(loop));
    expect(recorder.events.length).toBe(count);
    expect(loop.instruments).toEqual([]);
  });

  it("grows past its first arrays and wraps around in order", () => {
    const loop = new EventLoop({ clock: new VirtualClock() });
    const recorder = loop.record({ limit: 140_000 }); // first arrays: 131,072 events
    const spin = coroutine(function* spin() {
      for (let i = 0; i < 24_000; i++) yield* asleep(0.001); // six events each
    });
    loop.runUntilComplete(loop.createTask(spin()));
    const events = recorder.events;
    expect(events).toHaveLength(140_000);
    expect(recorder.dropped).toBeGreaterThan(1000);
    for (let i = 1; i < events.length; i++) expect(events[i]!.seq).toBe(events[i - 1]!.seq + 1);
    expect(events.at(-1)!.type).toBe("run-end");
  });

  it("stamps the events of a recorder started inside a step with the time it started, not 0", () => {
    const loop = new EventLoop({ clock: new VirtualClock() });
    let recorder: Recorder | undefined;
    const child = coroutine(function* child() {
      yield* asleep(2);
    });
    const main = coroutine(function* main() {
      yield* asleep(1);
      recorder = loop.record(); // from a task: the step under way was not seen beginning
      yield* child();
    });
    loop.runUntilComplete(loop.createTask(main()));
    const events = recorder!.events;
    expect(events[0]).toMatchObject({ type: "spawn", name: expect.stringMatching(/^child/), time: 1 });
    const times = events.map((e) => e.time);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(times[0]).toBe(1);
  });

  it("refuses a limit that is not a whole number >= 1", () => {
    const loop = new EventLoop({ clock: new VirtualClock() });
    expect(() => loop.record({ limit: 0 })).toThrow(new RangeError("Expected `limit` of record() to be a whole number from 1 to 2^30, got 0."));
    expect(loop.instruments).toEqual([]);
  });
});

describe("parseTrace()", () => {
  it("reads back what toJSONL() wrote: the same events, tasks and dropped count", () => {
    const loop = new EventLoop({ clock: new VirtualClock() });
    const recorder = loop.record({ limit: 40 });
    loop.runUntilComplete(program(loop));
    const text = recorder.toJSONL();
    expect(text.split("\n")[0]).toMatch(/^\{"schema":"handloop-trace","version":1,"dropped":\d+,"tasks":\[/);
    const back = parseTrace(text);
    expect(back.version).toBe(TRACE_SCHEMA_VERSION);
    expect(back.dropped).toBe(recorder.dropped);
    expect(back.events).toEqual(recorder.events);
    expect([...back.tasks.values()]).toEqual([...recorder.tasks.values()].map(({ id, name, parent, site }) => ({ id, name, parent, site })));
  });

  it("refuses a recording of a newer schema version, and text that is not a recording", () => {
    expect(() => parseTrace('{"schema":"handloop-trace","version":2,"dropped":0,"tasks":[]}\n')).toThrow(
      "parseTrace(): this recording has schema version 2, newer than the version 1 this copy of handloop reads. Upgrade handloop to read it.",
    );
    expect(() => parseTrace('{"hello":1}\n')).toThrow(TypeError);
    expect(() => parseTrace('{"schema":"handloop-trace","version":1,"dropped":0,"tasks":[]}\nnot json\n')).toThrow(/line 2 is not JSON/);
  });

  it("gives events typed by their `type`", () => {
    const recording = parseTrace('{"schema":"handloop-trace","version":1,"dropped":0,"tasks":[]}\n{"seq":0,"time":0,"wall":0,"task":-1,"type":"clock-jump","from":0,"to":2}\n');
    const event: TraceEvent = recording.events[0]!;
    expect(event.type === "clock-jump" && event.to).toBe(2);
  });
});

describe("loop.record() in host mode", () => {
  it("reads the wall clock afresh when host code wakes a task between turns", async () => {
    const loop = new EventLoop();
    const recorder = loop.record();
    const main = coroutine(function* main() {
      yield new Promise<void>((resolve) => setTimeout(resolve, 5)); // a host wait, 5 real ms
    });
    await loop.runAsync(main());
    recorder.stop();
    const events = recorder.events;
    const parked = events.find((e) => e.type === "parked" && e.next === "host")!;
    const woken = events.find((e) => e.type === "scheduled" && e.wake === "host")!;
    const step = events.find((e) => e.type === "step" && e.seq > woken.seq)!;
    expect(woken.wall - parked.wall).toBeGreaterThanOrEqual(4);
    expect(step.wall).toBeGreaterThanOrEqual(woken.wall);
    expect(events.map((e) => e.type)).toEqual(["run-begin", "spawn", "scheduled", "step", "parked", "scheduled", "step", "exit", "parked", "run-end"]);
  });
});

describe("a Recorder handed to run()", () => {
  const nap = coroutine(function* (seconds: number) {
    yield* asleep(seconds);
    return seconds;
  });

  it("records the whole run: main, its children's sleeps and the run's end", () => {
    const recorder = new Recorder();
    const result = run(() => gather(nap(1), nap(2)), { clock: new VirtualClock(), instruments: [recorder] });
    expect(result).toEqual([1, 2]);
    const sleeps = recorder.events.filter((e) => e.type === "parked" && e.next === "sleep").map((e) => e.type === "parked" && e.until);
    expect(sleeps).toEqual([1, 2]);
    // The naps, gather's task and main all end: the naps at 1 and 2 s, the other two at 2 s.
    const exits = recorder.events.filter((e) => e.type === "exit").map((e) => e.type === "exit" && [e.outcome, e.time]);
    expect(exits).toEqual([["ok", 1], ["ok", 2], ["ok", 2], ["ok", 2]]);
    expect(recorder.events.at(-1)!.type).toBe("run-end");
  });

  it("records a runAsync() the same way", async () => {
    const recorder = new Recorder();
    expect(await runAsync(() => nap(3), { clock: new VirtualClock(), instruments: [recorder] })).toBe(3);
    expect(recorder.events.filter((e) => e.type === "parked" && e.next === "sleep").map((e) => e.type === "parked" && e.until)).toEqual([3]);
  });

  it("refuses a second loop with a UsageError that says to make a new Recorder", () => {
    const recorder = new Recorder();
    run(() => nap(1), { clock: new VirtualClock(), instruments: [recorder] });
    const events = recorder.events.length;
    expect(() => run(() => nap(1), { clock: new VirtualClock(), instruments: [recorder] })).toThrow(
      new UsageError(
        "Cannot attach this Recorder to a second EventLoop: a recorder records one loop, and it records another already. Make a new Recorder for this loop (or call loop.record()).",
      ),
    );
    expect(recorder.events.length).toBe(events); // what it recorded is kept
  });
});
