/**
 * chrome-trace.ts: a recording as Chrome Trace Event JSON, the format ui.perfetto.dev and
 * chrome://tracing open (https://docs.google.com/document/d/1CvAClvFfyA5R-PhYUmn5OOQtYMH4h6I0nSsKchNAySU).
 *
 * One process (pid 1) whose threads are the loop (tid 0: its runs and the clock's jumps) and one
 * track per task (tid = task id), named and ordered by `M` metadata events. A task's track holds
 * its life as complete (`X`) slices that follow each other without overlap: running, ready,
 * sleeping, awaiting. Cancellations and timers are instant (`i`) events on the task's track; a
 * spawn and an "A woke B" are flow arrows (`s` inside A's step, `f` bound to B's next step).
 *
 * The time axis. Under a virtual clock every step takes no time at all, so a trace drawn on
 * virtual time alone would be made of zero-width slices. `time: "virtual"` (the default) stretches
 * it: ts (µs) = virtual seconds * 1e6 + step position * `stepWidth` (1 µs by default), so one
 * virtual second still reads as one second and every step is `stepWidth` wide, in the order the
 * steps ran. `"steps"` drops time: ts = step position (one µs per step). `"wall"` uses the real
 * time the recording measured (ts = wall ms * 1000), where steps have their true duration.
 *
 * Pure and browser-safe: `writeChromeTrace` (node:fs) is in trace.ts.
 */

import type { Recording } from "./trace-schema.js";
import { checkRecording, laneEnding, taskSpans, type Mark, type Span } from "./task-spans.js";

/** Options of `toChromeTrace`. */
export interface ChromeTraceOptions {
  /**
   * The time axis: `"virtual"` (default) is the loop's clock with every step stretched to
   * `stepWidth` µs so it stays visible; `"wall"` real time; `"steps"` one µs per step.
   */
  time?: "virtual" | "wall" | "steps";
  /** Under `time: "virtual"`, how many µs each step adds to the axis (default 1). */
  stepWidth?: number;
}

/** One event of the Trace Event Format, as this exporter writes them. */
export interface ChromeTraceEvent {
  /** Phase: `X` complete slice, `i` instant, `s`/`f` flow start/end, `M` metadata. */
  ph: "X" | "i" | "s" | "f" | "M";
  name: string;
  cat?: string;
  pid: number;
  tid: number;
  /** Microseconds. */
  ts?: number;
  /** `X` only: duration in µs, never negative. */
  dur?: number;
  /** `i` only: the instant's scope (`t`, its thread). */
  s?: "t" | "p" | "g";
  /** `s`/`f` only: pairs a flow's start with its end. */
  id?: number;
  /** `f` only: `e` binds the end to the slice that encloses it. */
  bp?: "e";
  args?: Record<string, string | number>;
}

/** A Chrome trace: the JSON object format (`traceEvents` and friends). */
export interface ChromeTrace {
  traceEvents: ChromeTraceEvent[];
  displayTimeUnit: "ms" | "ns";
  metadata: Record<string, string | number>;
}

const PID = 1;
const LOOP_TID = 0;

/**
 * A recording as a Chrome trace object: `JSON.stringify` it into a file and open that in
 * ui.perfetto.dev or chrome://tracing. One track per task with its running, ready, sleeping and
 * awaiting slices, instants for cancellations and timers, arrows for spawns and wake-ups.
 *
 * @example
 * ```ts
 * const recorder = loop.record();
 * loop.runUntilComplete(main());
 * const json = JSON.stringify(toChromeTrace(recorder, { time: "virtual" }));
 * ```
 */
export function toChromeTrace(recording: Recording, options: ChromeTraceOptions = {}): ChromeTrace {
  checkRecording(recording, "toChromeTrace()");
  const axis = options.time ?? "virtual";
  if (axis !== "virtual" && axis !== "wall" && axis !== "steps") {
    throw new TypeError(`Expected \`time\` of toChromeTrace() to be "virtual", "wall" or "steps", got ${JSON.stringify(axis)}.`);
  }
  const stepWidth = options.stepWidth ?? 1;
  if (!(typeof stepWidth === "number" && Number.isFinite(stepWidth) && stepWidth > 0)) {
    throw new TypeError(`Expected \`stepWidth\` of toChromeTrace() to be a finite number > 0, got ${String(stepWidth)}.`);
  }
  // Rounded to the nanosecond so that equal marks give equal numbers and JSON stays short.
  const ts = (mark: Mark): number =>
    round(axis === "virtual" ? mark.time * 1e6 + mark.step * stepWidth : axis === "wall" ? mark.wall * 1000 : mark.step);
  const spans = taskSpans(recording);
  const events: ChromeTraceEvent[] = [];
  const meta = (tid: number, name: string, sort: number): void => {
    events.push({ ph: "M", name: "thread_name", pid: PID, tid, args: { name } });
    events.push({ ph: "M", name: "thread_sort_index", pid: PID, tid, args: { sort_index: sort } });
  };
  events.push({ ph: "M", name: "process_name", pid: PID, tid: LOOP_TID, args: { name: "handloop" } });
  meta(LOOP_TID, "loop", 0);
  for (const lane of spans.lanes) meta(lane.id, `${lane.name} #${lane.id}`, lane.id);

  const slice = (tid: number, name: string, start: Mark, end: Mark, args?: Record<string, string | number>): void => {
    const begin = ts(start);
    events.push({ ph: "X", name, cat: "loop", pid: PID, tid, ts: begin, dur: Math.max(0, round(ts(end) - begin)), ...(args && { args }) });
  };
  for (const run of spans.runs) slice(LOOP_TID, "run", run.start, run.end);
  for (const jump of spans.jumps) {
    const width = jump.end.time - jump.start.time;
    if (axis === "virtual" && width > 0) slice(LOOP_TID, "clock jump", jump.start, jump.end, { from: jump.start.time, to: jump.end.time });
    else events.push({ ph: "i", name: "clock jump", cat: "loop", pid: PID, tid: LOOP_TID, ts: ts(jump.start), s: "t", args: { from: jump.start.time, to: jump.end.time } });
  }

  // The running span that starts at a mark, per task: where a flow arrow lands.
  const landing = new Map<Mark, Span>();
  for (const lane of spans.lanes) {
    for (const span of lane.spans) {
      if (span.state === "running") landing.set(span.start, span);
      // A wait of no width on this axis says nothing and would only crowd the track.
      else if (ts(span.end) === ts(span.start)) continue;
      const args = span.detail === "" ? undefined : { [span.state === "ready" ? "woken by" : "on"]: span.detail };
      slice(lane.id, span.state, span.start, span.end, args);
    }
    if (lane.exit !== undefined) {
      const args: Record<string, string> = { outcome: lane.exit.outcome };
      if (lane.exit.error !== "") args.error = lane.exit.error;
      events.push({ ph: "i", name: laneEnding(lane), cat: "task", pid: PID, tid: lane.id, ts: ts(lane.exit.mark), s: "t", args });
    }
  }
  const tracks = new Set(spans.lanes.map((lane) => lane.id));
  for (const instant of spans.instants) {
    const tid = tracks.has(instant.task) ? instant.task : LOOP_TID;
    events.push({ ph: "i", name: instant.label, cat: instant.kind, pid: PID, tid, ts: ts(instant.at), s: "t" });
  }
  let flow = 0;
  for (const arrow of spans.arrows) {
    const span = arrow.lands && landing.get(arrow.lands);
    if (span === undefined) continue;
    const id = ++flow;
    const name = arrow.kind === "spawn" ? "spawn" : "wake";
    events.push({ ph: "s", name, cat: "flow", id, pid: PID, tid: arrow.from, ts: ts(arrow.at) });
    // The middle of the step it lands in: unambiguously inside that slice.
    events.push({ ph: "f", bp: "e", name, cat: "flow", id, pid: PID, tid: arrow.to, ts: round((ts(span.start) + ts(span.end)) / 2) });
  }
  return {
    traceEvents: events,
    displayTimeUnit: "ms",
    metadata: {
      "handloop-trace-version": recording.version,
      "time-axis":
        axis === "virtual"
          ? `virtual seconds, each step stretched to ${stepWidth} µs`
          : axis === "wall"
            ? "real time"
            : "steps: one µs per step",
      "dropped-events": recording.dropped,
    },
  };
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
