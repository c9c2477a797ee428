/**
 * trace-preload.ts: what `handloop trace` (cli.ts) loads into the traced program's process, before
 * the program. It watches every loop the program makes (loop-watcher.ts): gives it a virtual
 * clock in place of a real one (unless --real) and starts a recorder on it. When the process
 * exits, however it exits (the program ends, throws, or calls process.exit), it writes what the
 * command line asked for from the first loop that recorded anything.
 *
 * Its settings come from the HANDLOOP_TRACE environment variable (JSON, set by cli.ts).
 */

import { writeFileSync } from "node:fs";
import { timeline } from "./timeline.js";
import { timelineSVG } from "./timeline-svg.js";
import { writeChromeTrace } from "./trace.js";
import { RealClock, VirtualClock } from "./index.js";
import type { EventLoop } from "./loop.js";
import { watchLoops } from "./loop-watcher.js";
import type { Recording } from "./trace-schema.js";

/** @internal The settings cli.ts passes in HANDLOOP_TRACE. */
export interface TraceSettings {
  out?: string;
  svg?: string;
  jsonl?: string;
  timeline: boolean;
  real: boolean;
  width: number;
  /** The program's name, for the SVG's title. */
  title: string;
}

interface Recorded extends Recording {
  toJSONL(): string;
}

const settings = JSON.parse(process.env.HANDLOOP_TRACE ?? "null") as TraceSettings | null;
if (settings === null) throw new Error("handloop's trace preload runs under `handloop trace` only: run `npx handloop trace <file>`.");
const recordings: Recorded[] = [];

watchLoops({
  options(asked) {
    if (settings.real || (asked.clock !== undefined && !(asked.clock instanceof RealClock))) return asked;
    return { ...asked, clock: new VirtualClock() };
  },
  created(loop: EventLoop) {
    const record = (loop as unknown as { record?(options: { limit?: number }): Recorded }).record;
    if (typeof record !== "function") throw new Error("This copy of handloop has no recorder (loop.record()): update handloop.");
    recordings.push(record.call(loop, { limit: 1_000_000 }));
  },
});

process.on("exit", () => {
  const used = recordings.filter((recording) => recording.events.length > 0);
  const recording = used[0];
  if (recording === undefined) {
    process.stderr.write("handloop trace: the program ran no handloop loop, so there is nothing to draw.\n");
    return;
  }
  if (used.length > 1) process.stderr.write(`handloop trace: the program ran ${used.length} loops; these pictures are of the first.\n`);
  if (settings.out !== undefined) writeChromeTrace(recording, settings.out, { time: settings.real ? "wall" : "virtual" });
  if (settings.svg !== undefined) writeFileSync(settings.svg, timelineSVG(recording, { title: settings.title, time: "virtual" }));
  if (settings.jsonl !== undefined) writeFileSync(settings.jsonl, recording.toJSONL());
  if (settings.timeline) process.stdout.write("\n" + timeline(recording, { width: settings.width }));
});
