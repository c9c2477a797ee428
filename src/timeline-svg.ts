/**
 * timeline-svg.ts: a recording as a standalone SVG picture, the terminal timeline's twin for a
 * browser or a README. Rows of tasks with coloured bars per state, a legend, a time axis with
 * ticks and grid lines, each row's ending on its right, and arrows from the task that woke another
 * (or spawned it) to the task it woke.
 *
 * Written by hand (no dependency): it is a few rects, lines and texts. Steps, which take no
 * virtual time, are drawn at least `MIN_STEP` pixels wide so every one shows. Every mark has a
 * `<title>`, which a browser shows on hover. Browser-safe (no Node API); the output depends only on
 * the recording and the options, so a golden file can pin it.
 */

import type { Recording } from "./trace-schema.js";
import { checkRecording, formatTick, instantTick, laneEnding, position, taskSpans, tickStep, type Mark, type SpanState, type TimeAxis } from "./task-spans.js";

/** Options of `timelineSVG`. */
export interface TimelineSVGOptions {
  /** The picture's width in pixels (default 900, at least 300). */
  width?: number;
  /** The axis: the loop's clock (`"virtual"`, default), real time (`"wall"`), or steps (`"steps"`). */
  time?: TimeAxis;
  /** A title above the picture (default none). */
  title?: string;
  /**
   * Arrows from the task that woke another to the step it woke it into (default true); `"all"`
   * adds an arrow from each task's parent to its first step (a spawn).
   */
  arrows?: boolean | "all";
}

const COLOR: Record<SpanState | "cancelled", string> = {
  running: "#e8590c",
  ready: "#fab005",
  sleeping: "#a5d8ff",
  awaiting: "#d0bfff",
  cancelled: "#e03131",
};
const FONT = "ui-sans-serif, system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif";
// Row and bar heights: roomy for a few tasks, compact past COMPACT tasks.
const COMPACT = 16;
const MIN_STEP = 3;
const STEP_PX = 3;
const PAD = 16;
const NAME_MAX = 32; // characters of a task's name in its row's label
const ENDING_MAX = 40; // characters of a row's ending (how the task ended, what it waits on)
const CHAR = 7.2; // average width of a 12px character, to size the text columns

/**
 * A recording as a standalone SVG document (a string: write it to a `.svg` file and open it in a
 * browser): a row per task with its running, ready, sleeping and awaiting bars on one time axis, a
 * legend, each task's ending, and arrows from waker to woken.
 *
 * @example
 * ```ts
 * const recorder = loop.record();
 * loop.runUntilComplete(main());
 * const svg = timelineSVG(recorder, { title: "my program", width: 900 });
 * ```
 */
export function timelineSVG(recording: Recording, options: TimelineSVGOptions = {}): string {
  checkRecording(recording, "timelineSVG()");
  const width = options.width ?? 900;
  if (!(typeof width === "number" && Number.isFinite(width) && width >= 300)) {
    throw new TypeError(`Expected \`width\` of timelineSVG() to be a number >= 300, got ${String(width)}.`);
  }
  const axis = options.time ?? "virtual";
  if (axis !== "virtual" && axis !== "wall" && axis !== "steps") {
    throw new TypeError(`Expected \`time\` of timelineSVG() to be "virtual", "wall" or "steps", got ${JSON.stringify(axis)}.`);
  }
  const spans = taskSpans(recording);
  const lanes = spans.lanes;
  // Clipped (the whole name in a tooltip): the label column is sized to the longest, and a
  // name wider than the picture pushed the plot off it, its axis running backwards.
  // A narrow picture (300 wide, say) clips both further, to about a third of its width each (at
  // the default 900, 32 and 40 fit): the plot keeps the rest, where unclipped text pushed it off
  // the picture, its axis running backwards.
  const narrow = Math.floor((width * 0.36 - PAD - 12) / CHAR);
  const nameMax = Math.min(NAME_MAX, Math.max(4, narrow - 4));
  const endingMax = Math.min(ENDING_MAX, Math.max(4, narrow));
  const names = lanes.map((lane) => clip(lane.name, nameMax));
  const endings = lanes.map(laneEnding);
  const left = PAD + Math.ceil(Math.max(4, ...names.map((n) => n.length + 4)) * CHAR);
  const right = PAD + 12 + Math.ceil(Math.min(endingMax, Math.max(4, ...endings.map((e) => e.length))) * CHAR);
  const ROW = lanes.length > COMPACT ? 20 : 28;
  const BAR = lanes.length > COMPACT ? 10 : 14;
  const plot = width - left - right;
  const titleHeight = options.title ? 30 : 0;
  const top = PAD + titleHeight + 28; // title, legend
  const height = top + lanes.length * ROW + 44;

  const from = position(spans.start, axis);
  const range = Math.max(position(spans.end, axis) - from, 0);
  // On a time axis every step also gets a few pixels of its own (STEP_PX, less when there are
  // many), as toChromeTrace's virtual axis does: steps at one instant then stand side by side in
  // the order they ran, and an arrow between two of them has a length.
  const stepPx = axis === "steps" || spans.steps === 0 ? 0 : Math.min(STEP_PX, (0.15 * plot) / spans.steps);
  const stretch = stepPx * spans.steps;
  const scale = range > 0 ? (plot - MIN_STEP - stretch) / range : 0;
  const x = (mark: Mark): number => left + (position(mark, axis) - from) * scale + mark.step * stepPx;
  // Where a time falls on that axis: after every step that began before it.
  const starts = spans.lanes.flatMap((lane) => lane.spans.filter((span) => span.state === "running").map((span) => span.start));
  starts.sort((a, b) => a.step - b.step);
  const xAt = (value: number): number => {
    let before = 0;
    while (before < starts.length && position(starts[before]!, axis) < value - 1e-12) before++;
    return left + (value - from) * scale + (before < starts.length ? starts[before]!.step : spans.steps) * stepPx;
  };
  const rowOf = new Map(lanes.map((lane, i) => [lane.id, i]));
  const lane = (id: number): string => lanes[rowOf.get(id) ?? -1]?.name ?? `#${id}`;
  const mid = (row: number): number => top + row * ROW + ROW / 2;
  const unit = axis === "steps" ? "" : " s";
  const at = (mark: Mark): string => (axis === "steps" ? `step ${mark.step}` : `${num(position(mark, axis), 3)} s`);

  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${FONT}" font-size="12">`,
  );
  out.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  out.push(
    `<defs><marker id="arrow" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L8,4 L0,8 z" fill="#495057"/></marker></defs>`,
  );
  if (options.title) out.push(`<text x="${PAD}" y="${PAD + 16}" font-size="16" font-weight="600" fill="#212529">${esc(options.title)}</text>`);

  // Legend.
  let lx = left;
  const ly = PAD + titleHeight + 6;
  for (const state of ["running", "ready", "sleeping", "awaiting"] as const) {
    out.push(`<rect x="${lx}" y="${ly}" width="12" height="12" rx="2" fill="${COLOR[state]}"/>`);
    out.push(`<text x="${lx + 17}" y="${ly + 10}" fill="#343a40">${state}</text>`);
    lx += 17 + state.length * CHAR + 18;
  }
  out.push(cross(lx + 6, ly + 6, 5));
  out.push(`<text x="${lx + 17}" y="${ly + 10}" fill="#343a40">cancelled</text>`);
  lx += 17 + 9 * CHAR + 18;
  if (options.arrows !== false) {
    out.push(`<line x1="${lx}" y1="${ly + 6}" x2="${lx + 22}" y2="${ly + 6}" stroke="#495057" stroke-width="1.2" marker-end="url(#arrow)"/>`);
    out.push(`<text x="${lx + 28}" y="${ly + 10}" fill="#343a40">woke</text>`);
  }

  // Rows: a band, the name, the ending.
  lanes.forEach((lane, i) => {
    const y = top + i * ROW;
    if (i % 2 === 0) out.push(`<rect x="${PAD / 2}" y="${y}" width="${width - PAD}" height="${ROW}" fill="#f8f9fa"/>`);
    out.push(`<text x="${PAD}" y="${y + ROW / 2 + 4}" fill="#212529">${esc(names[i]!)} <tspan fill="#868e96">#${lane.id}</tspan>${names[i] === lane.name ? "" : `<title>${esc(lane.name)}</title>`}</text>`);
    const ending = endings[i]!;
    const color = lane.exit?.outcome === "error" || lane.exit?.outcome === "cancelled" ? "#c92a2a" : lane.exit ? "#2b8a3e" : "#495057";
    out.push(`<text x="${left + plot + 12}" y="${y + ROW / 2 + 4}" fill="${color}">${esc(clip(ending, endingMax))}<title>${esc(ending)}</title></text>`);
  });

  // Grid and axis.
  const axisY = top + lanes.length * ROW + 6;
  out.push(`<line x1="${left}" y1="${axisY}" x2="${left + plot}" y2="${axisY}" stroke="#adb5bd"/>`);
  const step = range > 0 ? tickStep(range, Math.max(2, Math.floor(plot / 90))) : 1;
  for (let k = Math.ceil(from / step - 1e-9); range > 0 ? k * step <= from + range + 1e-9 : k === Math.ceil(from); k++) {
    const tx = round(range > 0 ? xAt(k * step) : left);
    out.push(`<line x1="${tx}" y1="${top}" x2="${tx}" y2="${axisY + 4}" stroke="#dee2e6"/>`);
    out.push(`<text x="${tx}" y="${axisY + 17}" text-anchor="middle" fill="#495057">${range > 0 ? formatTick(k * step, step) : instantTick(from)}${unit}</text>`);
  }
  const axisName = axis === "virtual" ? "virtual time" : axis === "wall" ? "real time" : "steps";
  out.push(`<text x="${left + plot}" y="${axisY + 34}" text-anchor="end" fill="#868e96">${axisName}</text>`);

  // Bars: waits first, then steps on top so that a step is never hidden.
  for (const pass of ["waits", "steps"] as const) {
    lanes.forEach((lane, i) => {
      const y = mid(i);
      for (const span of lane.spans) {
        if ((span.state === "running") !== (pass === "steps")) continue;
        const x0 = x(span.start);
        const w = Math.max(x(span.end) - x0, span.state === "running" ? MIN_STEP : 0);
        if (w <= 0) continue;
        const h = span.state === "running" ? BAR + 6 : BAR;
        const detail = span.detail === "" ? "" : ` ${span.detail}`;
        const tip = `${lane.name}: ${span.state}${detail}, ${at(span.start)}${span.state === "running" ? "" : ` to ${at(span.end)}`}`;
        out.push(
          `<rect x="${round(x0)}" y="${round(y - h / 2)}" width="${round(w)}" height="${h}" rx="${span.state === "running" ? 1 : 3}" fill="${COLOR[span.state]}"><title>${esc(tip)}</title></rect>`,
        );
      }
      for (const mark of lane.cancels) out.push(cross(x(mark) + MIN_STEP / 2, y - BAR / 2 - 4, 4, `${lane.name}: cancel asked at ${at(mark)}`));
    });
  }

  // Arrows from the waker's step down (or up) to the woken task's row.
  if (options.arrows !== false) {
    for (const arrow of spans.arrows) {
      const a = rowOf.get(arrow.from);
      const b = rowOf.get(arrow.to);
      if (a === undefined || b === undefined || arrow.lands === undefined) continue;
      if (arrow.kind === "spawn" && options.arrows !== "all") continue;
      const x1 = round(x(arrow.at) + MIN_STEP / 2);
      const x2 = round(x(arrow.lands) + MIN_STEP / 2);
      const down = b > a ? 1 : -1;
      const y1 = mid(a) + (down * (BAR + 6)) / 2;
      const y2 = mid(b) - (down * (BAR + 10)) / 2;
      // Bowed to the right: under a virtual clock both ends are often at one instant, and a
      // straight arrow would hide in the step marks.
      const bow = round(Math.max(x1, x2) + 10 + Math.min(Math.abs(b - a), 4) * 3);
      const dash = arrow.kind === "spawn" ? ` stroke-dasharray="3 2"` : "";
      out.push(
        `<path d="M${x1},${y1} Q${bow},${round((y1 + y2) / 2)} ${x2},${y2}" fill="none" stroke="#495057" stroke-opacity="0.55" stroke-width="1"${dash} marker-end="url(#arrow)"><title>${esc(`${lane(arrow.from)} ${arrow.kind === "spawn" ? "spawned" : "woke"} ${lane(arrow.to)}`)}</title></path>`,
      );
    }
  }
  if (spans.dropped > 0) {
    out.push(`<text x="${PAD}" y="${height - 8}" fill="#868e96">The recording dropped its first ${spans.dropped} events.</text>`);
  }
  out.push(`</svg>`);
  return out.join("\n") + "\n";
}

function cross(cx: number, cy: number, r: number, tip?: string): string {
  const title = tip === undefined ? "" : `<title>${esc(tip)}</title>`;
  return `<path d="M${round(cx - r)},${round(cy - r)} L${round(cx + r)},${round(cy + r)} M${round(cx - r)},${round(cy + r)} L${round(cx + r)},${round(cy - r)}" stroke="${COLOR.cancelled}" stroke-width="2" stroke-linecap="round">${title}</path>`;
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

function num(value: number, decimals: number): string {
  return value.toFixed(decimals).replace(/\.?0+$/, "") || "0";
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
