/**
 * W10: does a busy loop let the host's I/O through? For 200 ms a task yields in a loop
 * (`asleep(0)`, or natively `await undefined`) while four `fs.stat` calls are kept in flight;
 * counted: how many of their callbacks Node runs meanwhile. A chain of native awaits never leaves
 * the microtask queue, so Node's I/O waits (0); a synchronous run blocks the thread (0); under
 * `runAsync` the loop hands turns back to Node through `setImmediate` (see src/host.ts). The
 * issue's goal: at least 5,000.
 *
 *   npx tsx bench/w10-host-io.ts
 */

import { stat } from "node:fs";
import { fileURLToPath } from "node:url";
import { asleep, coroutine, RealClock, run, runAsync } from "../src/index.js";
import { median } from "./harness.js";

const WINDOW_MS = 200;
const TRIALS = 5;
const file = fileURLToPath(import.meta.url);

/** Keeps four fs.stat calls in flight until `stop()`; counts their callbacks. */
function statsInFlight(): { stop(): number } {
  let count = 0;
  let stopped = false;
  const again = (): void => {
    stat(file, () => {
      count++;
      if (!stopped) again();
    });
  };
  for (let i = 0; i < 4; i++) again();
  return {
    stop() {
      stopped = true;
      return count;
    },
  };
}

const spin = coroutine(function* () {
  const end = performance.now() + WINDOW_MS;
  while (performance.now() < end) yield* asleep(0);
});

async function nativeSpin(): Promise<void> {
  const end = performance.now() + WINDOW_MS;
  while (performance.now() < end) await undefined;
}

async function trial(kind: "native" | "sync" | "host"): Promise<number> {
  const stats = statsInFlight();
  if (kind === "native") await nativeSpin();
  else if (kind === "sync") run(() => spin(), { clock: new RealClock() });
  else await runAsync(() => spin(), { clock: new RealClock() });
  const counted = stats.stop();
  await new Promise((resolve) => setTimeout(resolve, 20)); // let the calls in flight finish
  return counted;
}

const rows: [string, "native" | "sync" | "host"][] = [
  ["native async/await", "native"],
  ["handloop run()", "sync"],
  ["handloop runAsync()", "host"],
];
console.log(`W10: fs.stat callbacks during a ${WINDOW_MS} ms yielding loop (median of ${TRIALS})`);
for (const [name, kind] of rows) {
  const counts: number[] = [];
  for (let i = 0; i < TRIALS; i++) counts.push(await trial(kind));
  console.log(`  ${name.padEnd(22)} ${String(median(counts)).padStart(7)}`);
}
