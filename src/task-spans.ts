/**
 * task-spans.ts: what each task was doing when, read from a recording. The one reading of the
 * event stream that every picture shares (Chrome trace, terminal timeline, SVG), so they cannot
 * disagree about a task's state at a moment.
 *
 * It owns the states (`running`, `ready`, `sleeping`, `awaiting`), the position of every event on
 * the three time axes, and the arrows (who spawned whom, who woke whom). It reads only the
 * `Recording` interface (trace-schema.ts) and uses no Node API, so it runs in a browser.
 *
 * Positions. Each event gets a `Mark`: its virtual `time` (seconds), its `wall` time (ms), and its
 * `step` position: step number k (0-based, in the order steps began) spans [k, k + 1); an event
 * inside a step (a spawn, a wake-up by the stepping task) sits at k + 0.5; an event between steps
 * sits at the number of steps finished. Positions never decrease along the recording.
 *
 * Invariants: a task's spans are in order and do not overlap (each starts where the previous one
 * ended, or later when the recording missed events); a span never has end before start.
 */

import { describe } from "./describe.js";
import type { NextKind, Outcome, Recording, TraceEvent } from "./trace-schema.js";

/** Where an event happened, on each of the three axes a picture may use. */
export interface Mark {
  /** The loop's clock, in seconds. */
  time: number;
  /** Real milliseconds since the recording began. */
  wall: number;
  /** Position among steps: step k spans [k, k + 1). */
  step: number;
}

/** What a task does during a span. */
export type SpanState = "running" | "ready" | "sleeping" | "awaiting";

/** A stretch of one task's life in one state. */
export interface Span {
  state: SpanState;
  start: Mark;
  end: Mark;
  /** What it waits on (`asleep(1)`, `task "worker"`), or why it is ready (`timer`, `task "a"`); "" when unknown. */
  detail: string;
}

/** One task's row of a picture. */
export interface TaskLane {
  id: number;
  name: string;
  parent: number;
  spans: Span[];
  /** When `cancel()` was asked of it. */
  cancels: Mark[];
  /** How it ended, or undefined when it had not ended when the recording stopped. */
  exit: { mark: Mark; outcome: Outcome; error: string } | undefined;
  /** Its state when the recording stopped, when it had not ended. */
  last: { state: SpanState; detail: string; next: NextKind | "" } | undefined;
}

/** An arrow between two tasks: `from` spawned `to`, or woke it. */
export interface Arrow {
  kind: "spawn" | "wake";
  from: number;
  to: number;
  /** Where it happened (inside a step of `from`). */
  at: Mark;
  /** The step of `to` that it led to (its next step's start), or undefined when none was recorded. */
  lands: Mark | undefined;
}

/** A point event of the loop: timers, cancellations, clock jumps. */
export interface Instant {
  kind: "cancel" | "timer-add" | "timer-fire" | "timer-cancel";
  task: number;
  at: Mark;
  /** A short description (`Timer #3 for 1.5 s`, `cancel by #2`). */
  label: string;
}

/** Everything a picture needs, in axis-independent form. */
export interface TaskSpans {
  lanes: TaskLane[];
  arrows: Arrow[];
  instants: Instant[];
  /** The loop's runs (`run-begin` to `run-end`). */
  runs: { start: Mark; end: Mark }[];
  /** Clock jumps: the loop waited, nothing to do, from `start` to `end`. */
  jumps: { start: Mark; end: Mark }[];
  /** The first and last marks of the recording. */
  start: Mark;
  end: Mark;
  /** How many events the recording dropped before its first. */
  dropped: number;
  /** How many steps the recording holds. */
  steps: number;
}

/** Which axis a picture is drawn on. */
export type TimeAxis = "virtual" | "wall" | "steps";

/** A mark's position on `axis`: seconds for "virtual" and "wall", steps for "steps". */
export function position(mark: Mark, axis: TimeAxis): number {
  return axis === "virtual" ? mark.time : axis === "wall" ? mark.wall / 1000 : mark.step;
}

const WAITING: Record<NextKind, SpanState | undefined> = {
  ready: "ready",
  exit: undefined,
  sleep: "sleeping",
  task: "awaiting",
  event: "awaiting",
  host: "awaiting",
};

/** The lane being built, with the span in progress. */
interface Open {
  lane: TaskLane;
  state: SpanState | undefined;
  since: Mark;
  detail: string;
  next: NextKind | "";
}

/**
 * Checks what a renderer or lint() was handed (as `call`): a Recording, or a TypeError that says
 * what to pass. The loop itself is the likely mistake (taskTree and taskTable take a loop).
 */
export function checkRecording(recording: unknown, call: string): void {
  const r = recording as Partial<Recording> | null;
  if (typeof r === "object" && r !== null && Array.isArray(r.events) && typeof r.tasks?.get === "function") return;
  throw new TypeError(
    `Expected the recording given to ${call} to be a Recording (the recorder that loop.record() returns, or what parseTrace() reads), got ${describe(recording)}. Pass the recorder: const recorder = loop.record(); ... ${call.replace("()", "")}(recorder).`,
  );
}

/** Reads `recording` into spans, arrows and instants. */
export function taskSpans(recording: Recording): TaskSpans {
  const events = recording.events;
  const first = events[0];
  const zero: Mark = { time: first?.time ?? 0, wall: first?.wall ?? 0, step: 0 };
  const open = new Map<number, Open>();
  const lanes: TaskLane[] = [];
  const arrows: Arrow[] = [];
  const pendingArrows = new Map<number, Arrow[]>(); // by target task: arrows waiting for its next step
  const instants: Instant[] = [];
  const runs: { start: Mark; end: Mark }[] = [];
  const jumps: { start: Mark; end: Mark }[] = [];
  let runStart: Mark | undefined;
  let steps = 0;
  // The tasks whose steps are in progress, innermost last: a coroutine called from a running
  // task takes its first step inside its caller's step.
  const stepping: number[] = [];
  let mark = zero;

  const laneOf = (id: number): Open => {
    let entry = open.get(id);
    if (entry === undefined) {
      const known = recording.tasks.get(id);
      const lane: TaskLane = {
        id,
        name: known?.name ?? `task-${id}`,
        parent: known?.parent ?? -1,
        spans: [],
        cancels: [],
        exit: undefined,
        last: undefined,
      };
      lanes.push(lane);
      entry = { lane, state: undefined, since: zero, detail: "", next: "" };
      open.set(id, entry);
    }
    return entry;
  };
  const enter = (entry: Open, state: SpanState | undefined, at: Mark, detail: string): void => {
    // Ready twice over (parked "ready", then scheduled by its yield) is one span.
    if (state === "ready" && entry.state === "ready") return;
    if (entry.state !== undefined) entry.lane.spans.push({ state: entry.state, start: entry.since, end: at, detail: entry.detail });
    entry.state = state;
    entry.since = at;
    entry.detail = detail;
  };

  for (const event of events) {
    const inside = stepping.length > 0 && event.type !== "parked";
    mark = { time: event.time, wall: event.wall, step: event.type === "step" ? steps : inside ? steps - 0.5 : steps };
    switch (event.type) {
      case "run-begin":
        runStart = mark;
        break;
      case "run-end":
        runs.push({ start: runStart ?? zero, end: mark });
        runStart = undefined;
        break;
      case "spawn": {
        const entry = laneOf(event.task);
        entry.lane.name = event.name;
        entry.lane.parent = event.parent;
        if (event.parent >= 0) addArrow("spawn", event.parent, event.task, mark);
        break;
      }
      case "scheduled": {
        const entry = laneOf(event.task);
        const why = event.object !== "" ? event.object : event.wake;
        // Scheduled again during its own step (a bare yield): its `parked` event says "ready".
        if (!stepping.includes(event.task)) enter(entry, "ready", mark, why);
        if (event.by >= 0 && event.by !== event.task && event.wake !== "spawn") addArrow("wake", event.by, event.task, mark);
        break;
      }
      case "step": {
        const entry = laneOf(event.task);
        enter(entry, "running", mark, "");
        for (const arrow of pendingArrows.get(event.task) ?? []) arrow.lands = mark;
        pendingArrows.delete(event.task);
        stepping.push(event.task);
        steps++;
        break;
      }
      case "parked": {
        const entry = laneOf(event.task);
        const at = stepping.lastIndexOf(event.task);
        if (at !== -1) stepping.splice(at, 1);
        // Its step began before the recording did (dropped events): it ran from the start.
        if (entry.state !== "running" && entry.lane.exit === undefined) enter(entry, "running", entry.state === undefined ? zero : mark, "");
        enter(entry, WAITING[event.next], mark, event.next === "sleep" && event.on === "" ? `until ${event.until}` : event.on);
        entry.next = event.next;
        break;
      }
      case "cancel": {
        const entry = laneOf(event.task);
        entry.lane.cancels.push(mark);
        instants.push({ kind: "cancel", task: event.task, at: mark, label: event.by >= 0 ? `cancel by #${event.by}` : "cancel" });
        break;
      }
      case "exit": {
        const entry = laneOf(event.task);
        // Told inside the step that ended it: the step's span ends at its `parked` event. A task
        // that exits outside a step of its own (a compiled body's thenable settled) ends here.
        if (!stepping.includes(event.task)) enter(entry, undefined, mark, "");
        entry.lane.exit = { mark, outcome: event.outcome, error: event.error };
        break;
      }
      case "timer-add":
        instants.push({ kind: "timer-add", task: event.task, at: mark, label: `Timer #${event.timer} for ${event.deadline}` });
        break;
      case "timer-fire":
        instants.push({ kind: "timer-fire", task: event.task, at: mark, label: `Timer #${event.timer} fired` });
        break;
      case "timer-cancel":
        instants.push({ kind: "timer-cancel", task: event.task, at: mark, label: `Timer #${event.timer} cancelled` });
        break;
      case "clock-jump":
        jumps.push({ start: { ...mark, time: event.from }, end: { ...mark, time: event.to } });
        break;
      default:
        unknownEvent(event);
    }
  }
  const end = mark;
  for (const entry of open.values()) {
    if (entry.state === undefined) continue;
    if (entry.lane.exit === undefined) entry.lane.last = { state: entry.state, detail: entry.detail, next: entry.next };
    enter(entry, undefined, end, "");
  }
  if (runStart !== undefined) runs.push({ start: runStart, end });
  // Tasks the recording knows but saw no event of (their events were all dropped) get no lane.
  return { lanes: treeOrder(lanes), arrows, instants, runs, jumps, start: zero, end, dropped: recording.dropped, steps };

  function addArrow(kind: Arrow["kind"], from: number, to: number, at: Mark): void {
    const arrow: Arrow = { kind, from, to, at, lands: undefined };
    arrows.push(arrow);
    const waiting = pendingArrows.get(to);
    if (waiting === undefined) pendingArrows.set(to, [arrow]);
    else waiting.push(arrow);
  }
}

/**
 * Lanes in the order of the task tree: each task right under its parent (and the parent's
 * earlier children's subtrees), siblings and roots by id. A task whose parent has no lane is a root.
 */
function treeOrder(lanes: TaskLane[]): TaskLane[] {
  const byId = new Map(lanes.map((lane) => [lane.id, lane]));
  const children = new Map<number, TaskLane[]>();
  const roots: TaskLane[] = [];
  for (const lane of [...lanes].sort((a, b) => a.id - b.id)) {
    const parent = byId.has(lane.parent) && lane.parent !== lane.id ? lane.parent : undefined;
    if (parent === undefined) roots.push(lane);
    else {
      const siblings = children.get(parent);
      if (siblings === undefined) children.set(parent, [lane]);
      else siblings.push(lane);
    }
  }
  const ordered: TaskLane[] = [];
  // Iterative, so a deep chain of tasks cannot overflow the stack.
  const stack = roots.reverse();
  while (stack.length > 0) {
    const lane = stack.pop()!;
    ordered.push(lane);
    const below = children.get(lane.id) ?? [];
    for (let i = below.length - 1; i >= 0; i--) stack.push(below[i]!);
  }
  return ordered;
}

function unknownEvent(event: never): void {
  // A newer minor version may add event types: a renderer skips what it does not know.
  void (event as TraceEvent);
}

/** A lane's last words: how it ended, or what it was doing when the recording stopped. */
export function laneEnding(lane: TaskLane): string {
  if (lane.exit !== undefined) {
    if (lane.exit.outcome === "ok") return "done";
    if (lane.exit.outcome === "cancelled") return "cancelled";
    return lane.exit.error === "" ? "failed" : `failed: ${lane.exit.error}`;
  }
  const last = lane.last;
  if (last === undefined) return "";
  const verb = last.state === "sleeping" ? "sleeps" : last.state === "awaiting" ? "awaits" : last.state;
  return last.detail === "" || last.state === "ready" || last.state === "running" ? verb : `${verb} ${last.detail}`;
}

/**
 * A round step for axis ticks: 1, 2 or 5 times a power of ten, so that `range` holds about
 * `count` of them.
 */
export function tickStep(range: number, count: number): number {
  if (!(range > 0) || !(count > 0)) return 1;
  const raw = range / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const scaled = raw / power;
  return (scaled <= 1 ? 1 : scaled <= 2 ? 2 : scaled <= 5 ? 5 : 10) * power;
}

/** The one label of an axis with no width (a recording of a single instant): `value` itself, not rounded to a step. */
export function instantTick(value: number): string {
  return String(Number(value.toPrecision(12)));
}

/**
 * `text` on one line: a task's name or an error message may hold line breaks (and other control
 * characters), which would break a picture's rows apart; each run of them becomes one space.
 */
export function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, " ");
}

/** `value` as an axis label: no float noise (0.30000000000000004 is "0.3"). */
export function formatTick(value: number, step: number): string {
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  return value.toFixed(Math.min(decimals, 9));
}
