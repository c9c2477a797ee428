/**
 * trace.ts: `handloop/trace`, the Node-only side of the pictures: writing them to files. The
 * renderers themselves (toChromeTrace, timeline, timelineSVG) are pure and live in the main
 * entry, where a browser can use them too; this entry adds what needs node:fs.
 */

import { writeFileSync } from "node:fs";
import { toChromeTrace, type ChromeTraceOptions } from "./chrome-trace.js";
import type { Recording } from "./trace-schema.js";

/**
 * Writes `recording` to `file` as Chrome Trace Event JSON (see `toChromeTrace` for the time
 * axes): open the file in ui.perfetto.dev or chrome://tracing.
 *
 * @example
 * ```ts
 * import { writeChromeTrace } from "handloop/trace";
 * const recorder = loop.record();
 * loop.runUntilComplete(main());
 * writeChromeTrace(recorder, "trace.json", { time: "virtual" });
 * ```
 */
export function writeChromeTrace(recording: Recording, file: string, options: ChromeTraceOptions = {}): void {
  writeFileSync(file, JSON.stringify(toChromeTrace(recording, options)) + "\n");
}
