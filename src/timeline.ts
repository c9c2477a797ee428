/**
 * timeline.ts: a recording as a terminal picture. One row per task over one time axis, a legend,
 * and at each row's end how the task ended or what it still waits on.
 *
 * Each column is a slice of time; it shows the most telling state the task was in during that
 * slice: running over cancelled over ready over awaiting over sleeping. Under a virtual clock a
 * step takes no time, so a step is drawn in the column of its instant (a task that ran shows it).
 * Plain characters unless `color: true` asks for ANSI colours; browser-safe (no Node API).
 */

import type { Recording } from "./trace-schema.js";
import { checkRecording, formatTick, instantTick, laneEnding, oneLine, position, taskSpans, tickStep, type SpanState, type TimeAxis } from "./task-spans.js";

/** Options of `timeline`. */
export interface TimelineOptions {
  /** Columns of the time axis (default 60, at least 10). Names and endings come on top. */
  width?: number;
  /** The axis: the loop's clock (`"virtual"`, default), real time (`"wall"`), or one column per step (`"steps"`). */
  time?: TimeAxis;
  /** ANSI colours for the states (default false: plain characters). */
  color?: boolean;
}

type Cell = SpanState | "cancelled" | "none";

const GLYPH: Record<Cell, string> = {
  running: "█",
  cancelled: "✕",
  ready: "▒",
  awaiting: "┄",
  sleeping: "─",
  none: " ",
};
// Which state a column shows when several happened in it: a cancellation is rare and telling.
const RANK: Record<Cell, number> = { cancelled: 6, running: 5, ready: 3, awaiting: 2, sleeping: 1, none: 0 };
const ANSI: Record<Cell, string> = {
  running: "\x1b[1;34m",
  cancelled: "\x1b[1;31m",
  ready: "\x1b[33m",
  awaiting: "\x1b[35m",
  sleeping: "\x1b[36m",
  none: "",
};
const RESET = "\x1b[0m";
const NAME_MAX = 24;
const ENDING_MAX = 48;

/**
 * A recording as a terminal picture: one row per task over time (running `█`, ready `▒`,
 * sleeping `─`, awaiting `┄`, cancelled `✕`), a time axis, a legend, and at each row's end how the
 * task ended (`done`, `cancelled`, `failed: ...`) or what it still waits on.
 *
 * @example
 * ```ts
 * const recorder = loop.record();
 * loop.runUntilComplete(main());
 * console.log(timeline(recorder, { width: 60 }));
 * ```
 */
export function timeline(recording: Recording, options: TimelineOptions = {}): string {
  checkRecording(recording, "timeline()");
  const width = options.width ?? 60;
  if (!Number.isInteger(width) || width < 10) {
    throw new TypeError(`Expected \`width\` of timeline() to be an integer >= 10, got ${String(width)}.`);
  }
  const axis = options.time ?? "virtual";
  if (axis !== "virtual" && axis !== "wall" && axis !== "steps") {
    throw new TypeError(`Expected \`time\` of timeline() to be "virtual", "wall" or "steps", got ${JSON.stringify(axis)}.`);
  }
  const paint = (cell: Cell, text: string): string => (options.color && cell !== "none" ? `${ANSI[cell]}${text}${RESET}` : text);
  const spans = taskSpans(recording);
  const from = position(spans.start, axis);
  const to = Math.max(position(spans.end, axis), from);
  const range = to - from;
  // Column c covers [from + c * per, from + (c + 1) * per); the last one also holds `to`.
  const per = range > 0 ? range / width : 1;
  const column = (value: number): number => Math.min(width - 1, Math.max(0, Math.floor((value - from) / per)));

  const labels = spans.lanes.map((lane) => truncate(`${oneLine(lane.name)} #${lane.id}`, NAME_MAX));
  const labelWidth = Math.max(4, ...labels.map((label) => label.length));
  const lines: string[] = [];
  const unit = axis === "steps" ? "steps" : "s";
  const ticks = axisTicks(from, range, width, column);
  lines.push(`${" ".repeat(labelWidth)}  ${axisLabels(ticks, width, unit)}`);
  lines.push(`${" ".repeat(labelWidth)}  ${axisRule(ticks, width)}`);
  spans.lanes.forEach((lane, i) => {
    const cells: Cell[] = new Array<Cell>(width).fill("none");
    const put = (c: number, cell: Cell): void => {
      if (RANK[cell] > RANK[cells[c]!]) cells[c] = cell;
    };
    for (const span of lane.spans) {
      const a = position(span.start, axis);
      const b = position(span.end, axis);
      const first = column(a);
      // A span that ends exactly on a column's start does not reach into that column.
      const last = b > a ? Math.max(first, Math.ceil((b - from) / per) - 1) : first;
      for (let c = first; c <= Math.min(last, width - 1); c++) put(c, span.state);
    }
    for (const mark of lane.cancels) put(column(position(mark, axis)), "cancelled");
    let row = "";
    for (const cell of cells) row += paint(cell, GLYPH[cell]);
    lines.push(`${labels[i]!.padEnd(labelWidth)}  ${row}  ${truncate(oneLine(laneEnding(lane)), ENDING_MAX)}`.trimEnd());
  });
  const legend = (["running", "ready", "sleeping", "awaiting", "cancelled"] as const)
    .map((cell) => `${paint(cell, GLYPH[cell])} ${cell}`)
    .join("  ");
  lines.push("");
  lines.push(`${" ".repeat(labelWidth)}  ${legend}  (blank: not started or done)`);
  if (spans.dropped > 0) lines.push(`${" ".repeat(labelWidth)}  (the recording dropped its first ${spans.dropped} events)`);
  return lines.join("\n") + "\n";
}

/** The axis' round values and the column of each (about one per 10 columns). */
function axisTicks(from: number, range: number, width: number, column: (value: number) => number): { label: string; column: number }[] {
  if (range <= 0) return [{ label: instantTick(from), column: 0 }];
  const step = tickStep(range, Math.max(1, Math.floor(width / 10)));
  const ticks: { label: string; column: number }[] = [];
  for (let k = Math.ceil(from / step - 1e-9); k * step <= from + range + 1e-9; k++) {
    ticks.push({ label: formatTick(k * step, step), column: column(k * step) });
  }
  return ticks;
}

/** The tick labels above the rule, each starting at its tick's column, none running into the next. */
function axisLabels(ticks: { label: string; column: number }[], width: number, unit: string): string {
  const chars = new Array<string>(width + 12).fill(" ");
  let free = 0;
  for (const [i, tick] of ticks.entries()) {
    const label = i === ticks.length - 1 || ticks.length === 1 ? `${tick.label}${unit}` : tick.label;
    if (tick.column < free) continue;
    for (let j = 0; j < label.length && tick.column + j < chars.length; j++) chars[tick.column + j] = label[j]!;
    free = tick.column + label.length + 1;
  }
  return chars.join("").trimEnd();
}

/** The rule under the labels: `┬` at each tick, `─` between. */
function axisRule(ticks: { column: number }[], width: number): string {
  const chars = new Array<string>(width).fill("─");
  for (const tick of ticks) chars[tick.column] = "┬";
  return chars.join("");
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
