// The renderers of a recording: toChromeTrace, timeline, timelineSVG. Each is pinned by golden
// files under test/golden/render/ for hand-built recordings of the virtual clock (regenerate them
// with UPDATE_GOLDEN=1 npx vitest run test/render.test.ts, then read the diff), and the Chrome
// export is checked against the rules of the Trace Event Format that viewers rely on.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  asleep,
  CancelledError,
  coroutine,
  Event,
  EventLoop,
  parseTrace,
  timeline,
  timelineSVG,
  toChromeTrace,
  VirtualClock,
  type ChromeTrace,
  type Recording,
} from "../src/index.js";
import { postDemo, RecordingBuilder, renumbered, spawnWakeCancel } from "./recording-builder.js";
import { checkChromeTrace } from "./chrome-trace-check.js";

const GOLDEN = new URL("./golden/render/", import.meta.url);

function golden(name: string, actual: string): void {
  const file = new URL(name, GOLDEN);
  if (process.env.UPDATE_GOLDEN === "1" || !existsSync(file)) {
    mkdirSync(GOLDEN, { recursive: true });
    writeFileSync(file, actual);
    if (process.env.UPDATE_GOLDEN !== "1") throw new Error(`Golden file ${name} was missing: written now, check it and run again.`);
  }
  expect(actual).toBe(readFileSync(file, "utf8"));
}

/** A run stopped halfway: a task still sleeps, another awaits it, and the first events were dropped. */
function unfinished(): RecordingBuilder {
  const b = new RecordingBuilder();
  b.runBegin()
    .spawn(1, "waiter")
    .step(1, "task", 'task "napper"', () => b.spawn(2, "napper"), { target: 2 })
    .sleepStep(2, 10, 1)
    .jump(2)
    .runEnd();
  return b.dropFirst(2);
}

/**
 * A real program recorded by the loop (not hand-built): main starts a sleeper, a slow sleeper and
 * a task waiting on an Event; when the first wakes, main sets the Event, cancels the slow one
 * and awaits the rest. Its events are in the recorder's own order, nested steps and all.
 */
function recorded(): Recording {
  const loop = new EventLoop({ clock: new VirtualClock() });
  const recorder = loop.record();
  const sleeper = coroutine(function* (seconds: number) {
    yield* asleep(seconds);
  });
  const go = new Event();
  const waiter = coroutine(function* () {
    yield* go.wait();
    yield* asleep(0.5);
  });
  const main = coroutine(function* () {
    const quick = loop.createTask(sleeper(1), { name: "quick" });
    const slow = loop.createTask(sleeper(5), { name: "slow" });
    const waiting = loop.createTask(waiter(), { name: "waiter" });
    yield* quick;
    go.set();
    slow.cancel();
    try {
      yield* slow;
    } catch (error) {
      if (!(error instanceof CancelledError)) throw error;
    }
    yield* waiting;
  });
  loop.runUntilComplete(loop.createTask(main(), { name: "main" }));
  // Through JSON Lines and back: what a saved recording draws is what the live one draws.
  const saved = parseTrace(recorder.toJSONL());
  expect(timeline(saved)).toBe(timeline(recorder));
  return renumbered(saved);
}

const SCENARIOS: [string, () => Recording][] = [
  ["post-demo", postDemo],
  ["spawn-wake-cancel", spawnWakeCancel],
  ["unfinished", unfinished],
  ["recorded", recorded],
];

describe("toChromeTrace()", () => {
  for (const [name, make] of SCENARIOS) {
    for (const time of ["virtual", "steps", "wall"] as const) {
      it(`writes ${name} on the ${time} axis as a trace viewers accept`, () => {
        const trace = toChromeTrace(make(), { time });
        expect(checkChromeTrace(trace)).toEqual([]);
        // Real wall times differ from run to run: no golden file for them.
        if (name !== "recorded" || time !== "wall") golden(`${name}.${time}.chrome.json`, JSON.stringify(trace, null, 1) + "\n");
      });
    }
  }

  it("gives every step a width on the virtual axis, and keeps virtual seconds as seconds", () => {
    const trace = toChromeTrace(postDemo(), { time: "virtual" });
    const runs = trace.traceEvents.filter((e) => e.ph === "X" && e.name === "running");
    expect(runs.length).toBe(4 + 4 + 13); // three sleeps or twelve, and the step that returns
    for (const run of runs) expect(run.dur).toBe(1);
    // The last of the 21 steps starts at 3 s plus 20 µs, one per step before it.
    expect(Math.max(...runs.map((r) => r.ts!))).toBe(3e6 + 20);
  });

  it("draws an arrow from the task that woke another to the step it woke it into", () => {
    const trace = toChromeTrace(spawnWakeCancel(), { time: "steps" });
    const flows = trace.traceEvents.filter((e) => e.ph === "s" || e.ph === "f").map((e) => `${e.ph} ${e.name} #${e.tid} @${e.ts}`);
    expect(flows).toEqual([
      "s spawn #1 @0.5",
      "f spawn #2 @1.5",
      "s spawn #1 @0.5",
      "f spawn #3 @2.5",
      "s wake #1 @3.5",
      "f wake #2 @4.5",
      "s wake #1 @3.5",
      "f wake #3 @5.5",
      "s wake #2 @4.5",
      "f wake #1 @6.5",
    ]);
  });

  it("refuses an unknown axis, saying which ones there are", () => {
    expect(() => toChromeTrace(postDemo(), { time: "cpu" as "wall" })).toThrow(
      new TypeError('Expected `time` of toChromeTrace() to be "virtual", "wall" or "steps", got "cpu".'),
    );
  });

  it("has a schema check that catches what viewers choke on", () => {
    const trace: ChromeTrace = toChromeTrace(postDemo());
    const broken: ChromeTrace = { ...trace, traceEvents: [...trace.traceEvents] };
    const first = broken.traceEvents.findIndex((e) => e.ph === "X" && e.tid === 1);
    broken.traceEvents[first] = { ...broken.traceEvents[first]!, dur: 2e6 }; // runs into the next slice
    broken.traceEvents.push({ ph: "s", name: "wake", cat: "flow", id: 99, pid: 1, tid: 7, ts: 0 });
    expect(checkChromeTrace(broken)).toEqual([
      "tid 1: slice running [0, 2000000] overlaps sleeping [1000007, 2000012] partly",
      "flow 99 starts but never ends",
      "tid 7 has no thread_name metadata",
    ]);
  });
});

describe("the renderers", () => {
  it.each([
    ["timeline", (r: unknown) => timeline(r as Recording)],
    ["timelineSVG", (r: unknown) => timelineSVG(r as Recording)],
    ["toChromeTrace", (r: unknown) => toChromeTrace(r as Recording)],
  ])("%s() refuses a loop in place of its recording, saying what to pass", (name, render) => {
    const loop = new EventLoop({ clock: new VirtualClock() });
    loop.record();
    expect(() => render(loop)).toThrow(
      new TypeError(
        `Expected the recording given to ${name}() to be a Recording (the recorder that loop.record() returns, or what parseTrace() reads), got an instance of EventLoop. Pass the recorder: const recorder = loop.record(); ... ${name}(recorder).`,
      ),
    );
  });
});

describe("timeline()", () => {
  for (const [name, make] of SCENARIOS) {
    it(`draws ${name} as rows of characters`, () => {
      golden(`${name}.timeline.txt`, timeline(make(), { width: 60 }));
    });
  }

  it("draws the post's demo on the steps axis too", () => {
    golden("post-demo.steps.timeline.txt", timeline(postDemo(), { width: 40, time: "steps" }));
  });

  it("colours states only when asked", () => {
    expect(timeline(postDemo())).not.toContain("\x1b[");
    expect(timeline(postDemo(), { color: true })).toContain("\x1b[1;34m█\x1b[0m");
  });

  it("says at each row's end how the task ended or what it still waits on", () => {
    const ends = (text: string) =>
      text
        .split("\n")
        .filter((line) => /#\d/.test(line))
        .map((line) => line.split("  ").pop());
    expect(ends(timeline(spawnWakeCancel()))).toEqual(["failed: Error: boom", "done", "cancelled"]);
    expect(ends(timeline(unfinished()))).toEqual(['awaits task "napper"', "sleeps asleep(10)"]);
  });

  it("keeps each task on one row when its name or its error spans lines", () => {
    const loop = new EventLoop({ clock: new VirtualClock() });
    const recorder = loop.record();
    const failing = coroutine(function* () {
      yield* asleep(1);
      throw new Error("first line\nsecond line");
    });
    const task = loop.createTask(failing(), { name: "two\nlines\u2028here" });
    expect(() => loop.runUntilComplete(task)).toThrow("first line");
    const lines = timeline(recorder, { width: 20 }).split("\n");
    // Axis labels, rule, the task's row, a blank line, the legend, and the final newline.
    expect(lines).toHaveLength(6);
    expect(lines[2]).toMatch(/^two lines here #\d+ +█─+█ +failed: Error: first line second line$/);
  });

  it("labels a recording of a single instant with that instant, not a rounded one", () => {
    const loop = new EventLoop({ clock: new VirtualClock() });
    loop.runUntilComplete(loop.createTask(asleep(2.5)));
    const recorder = loop.record();
    loop.runUntilComplete(loop.createTask(coroutine(function* quick() {})()));
    const picture = timeline(recorder, { width: 20 });
    expect(picture.split("\n")[0]!.trim()).toBe("2.5s");
    expect(timelineSVG(recorder)).toContain(">2.5 s</text>");
  });

  it("refuses a width too narrow to draw", () => {
    expect(() => timeline(postDemo(), { width: 3 })).toThrow(new TypeError("Expected `width` of timeline() to be an integer >= 10, got 3."));
  });
});

describe("timelineSVG()", () => {
  for (const [name, make] of SCENARIOS) {
    it(`draws ${name} as a standalone SVG`, () => {
      golden(`${name}.svg`, timelineSVG(make(), { title: name }));
    });
  }

  it("is one well-formed SVG document with a row label per task", () => {
    const svg = timelineSVG(spawnWakeCancel());
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith("</svg>")).toBe(true);
    for (const name of ["main", "child", "sleeper"]) expect(svg).toContain(`>${name} <tspan`);
    // Every element that opens is closed (no dangling tag would stop a browser from drawing it).
    const opened = [...svg.matchAll(/<(\w+)[^>]*?(\/?)>/g)].filter((m) => m[2] === "").map((m) => m[1]);
    const closed = [...svg.matchAll(/<\/(\w+)>/g)].map((m) => m[1]);
    expect(opened.sort()).toEqual(closed.sort());
  });

  it("clips a very long task name, so the time axis keeps its place and direction", () => {
    const loop = new EventLoop({ clock: new VirtualClock() });
    const recorder = loop.record();
    const napper = coroutine(function* () {
      yield* asleep(1);
      yield* asleep(1);
    });
    loop.runUntilComplete(loop.createTask(napper(), { name: "n".repeat(150) }));
    const svg = timelineSVG(recorder);
    const width = Number(/^<svg [^>]*width="(\d+)"/.exec(svg)![1]);
    // The three steps, at 0, 1 and 2 s: left to right, inside the picture.
    const steps = [...svg.matchAll(/<rect x="([\d.]+)"[^>]*><title>[^<]*: running, [\d.]+ s<\/title>/g)].map((m) => Number(m[1]));
    expect(steps).toHaveLength(3);
    expect(steps).toEqual([...steps].sort((a, b) => a - b));
    expect(steps[2]!).toBeLessThan(width);
    expect(svg).toContain(`<title>${"n".repeat(150)}</title>`); // the whole name, on hover
  });

  it("keeps the plot inside a picture of the narrowest width, clipping the endings", () => {
    const loop = new EventLoop({ clock: new VirtualClock() });
    const recorder = loop.record();
    const failing = coroutine(function* () {
      yield* asleep(1);
      yield* asleep(1);
      throw new Error("the connection to the database was reset by its peer");
    });
    expect(() => loop.runUntilComplete(loop.createTask(failing(), { name: "main" }))).toThrow("reset");
    const svg = timelineSVG(recorder, { width: 300 });
    const steps = [...svg.matchAll(/<rect x="(-?[\d.]+)"[^>]*><title>main: running, [\d.]+ s<\/title>/g)].map((m) => Number(m[1]));
    expect(steps).toHaveLength(3);
    expect(steps).toEqual([...steps].sort((a, b) => a - b));
    expect(steps[0]!).toBeGreaterThan(0);
    expect(steps[2]! - steps[0]!).toBeGreaterThan(60); // 2 s drawn over a fifth of the picture at least
    expect(svg).toContain("<title>failed: Error: the connection to the database was reset by its peer</title>");
  });

  it("escapes task names", () => {
    const b = new RecordingBuilder();
    b.spawn(1, '<b>&"').finish(1);
    expect(timelineSVG(b)).toContain("&#60;b&#62;&#38;&#34;");
  });
});
