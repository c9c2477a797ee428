// A schema check of a Chrome trace: the rules of the Trace Event Format that ui.perfetto.dev and
// chrome://tracing rely on, as problems in words (an empty list: the trace is sound).
//   - every event has a known phase, pid, tid, and (but metadata) a finite ts >= 0
//   - every complete (X) event has a finite dur >= 0
//   - slices on one track nest: two slices either do not overlap or one holds the other
//   - every flow start (s) has exactly one end (f) with the same id, not before it
//   - metadata names every tid used (thread_name)
import type { ChromeTrace } from "../src/index.js";

const EPSILON = 1e-6; // µs: rounding of ts + dur

export function checkChromeTrace(trace: ChromeTrace): string[] {
  const problems: string[] = [];
  if (!Array.isArray(trace.traceEvents)) return ["traceEvents is not an array"];
  const named = new Set<number>();
  const used = new Set<number>();
  const slices = new Map<number, { name: string; start: number; end: number }[]>();
  const flows = new Map<number, { s: number[]; f: number[] }>();
  for (const e of trace.traceEvents) {
    if (!["X", "i", "s", "f", "M"].includes(e.ph)) problems.push(`unknown phase ${e.ph}`);
    if (!Number.isInteger(e.pid) || !Number.isInteger(e.tid)) problems.push(`${e.ph} ${e.name}: pid/tid not integers`);
    if (e.ph === "M") {
      if (e.name === "thread_name") named.add(e.tid);
      continue;
    }
    used.add(e.tid);
    if (!(typeof e.ts === "number" && Number.isFinite(e.ts) && e.ts >= 0)) problems.push(`${e.ph} ${e.name}: ts ${e.ts}`);
    if (e.ph === "X") {
      if (!(typeof e.dur === "number" && Number.isFinite(e.dur) && e.dur >= 0)) problems.push(`X ${e.name}: dur ${e.dur}`);
      const track = slices.get(e.tid) ?? [];
      track.push({ name: e.name, start: e.ts!, end: e.ts! + (e.dur ?? 0) });
      slices.set(e.tid, track);
    }
    if (e.ph === "s" || e.ph === "f") {
      if (typeof e.id !== "number") problems.push(`${e.ph} ${e.name}: no id`);
      const flow = flows.get(e.id!) ?? { s: [], f: [] };
      flow[e.ph].push(e.ts!);
      flows.set(e.id!, flow);
    }
  }
  for (const [tid, track] of slices) {
    // Sorted by start, longest first: each slice must fit inside every open slice that it overlaps.
    track.sort((a, b) => a.start - b.start || b.end - a.end);
    const open: { name: string; start: number; end: number }[] = [];
    for (const slice of track) {
      while (open.length > 0 && open[open.length - 1]!.end <= slice.start + EPSILON) open.pop();
      const parent = open[open.length - 1];
      if (parent !== undefined && slice.end > parent.end + EPSILON) {
        problems.push(`tid ${tid}: slice ${parent.name} [${parent.start}, ${parent.end}] overlaps ${slice.name} [${slice.start}, ${slice.end}] partly`);
      }
      open.push(slice);
    }
  }
  for (const [id, flow] of flows) {
    if (flow.s.length !== 1 || flow.f.length > 1) problems.push(`flow ${id} has ${flow.s.length} starts and ${flow.f.length} ends`);
    else if (flow.f.length === 0) problems.push(`flow ${id} starts but never ends`);
    else if (flow.f[0]! < flow.s[0]!) problems.push(`flow ${id} ends before it starts`);
  }
  for (const tid of [...used].sort((a, b) => a - b)) if (!named.has(tid)) problems.push(`tid ${tid} has no thread_name metadata`);
  return problems;
}
