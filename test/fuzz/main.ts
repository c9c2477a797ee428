/**
 * test/fuzz/main.ts: `npm run fuzz -- --runs N [--seed S] [--path P]`: the fuzzer of
 * test/fuzz.test.ts with as many programs as asked, reporting how many ran clean and how long it
 * took. A failure prints the shrunk program as pseudo-code, its broken rules and event log, and
 * the seed and path that replay it (`--seed S --path P`).
 */

import fc from "fast-check";
import { parseArgs } from "node:util";
import { holds } from "./holds.js";
import { runProgram } from "./interpret.js";
import { programArbitrary } from "./program.js";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "10000" },
    seed: { type: "string" },
    path: { type: "string" },
    stats: { type: "boolean", default: false },
  },
});
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) {
  console.error(`Expected --runs to be a whole number >= 1, got ${values.runs}.`);
  process.exit(2);
}
const seed = values.seed === undefined ? Date.now() ^ (Math.random() * 0x7fffffff) : Number(values.seed);

if (values.stats) printStats(seed);

const started = performance.now();
const details = fc.check(fc.property(programArbitrary(), holds), {
  numRuns: runs,
  seed,
  ...(values.path === undefined ? {} : { path: values.path }),
});
const seconds = ((performance.now() - started) / 1000).toFixed(1);
if (details.failed) {
  console.error(fc.defaultReportMessage(details));
  const error = details.errorInstance;
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
}
console.log(`${details.numRuns} programs ran clean in ${seconds} s (seed ${seed}), each run twice with the same log.`);

/** How many programs, of 2,000, reach each situation (read from their event logs). */
function printStats(seed: number): void {
  const situations: [string, RegExp][] = [
    ["a cancel() that returned true", / cancels t\d+: true/],
    ["a cancel() while the task was in a finally", /finally-cancel/],
    ["a swallowed cancellation", /swallows a CancelledError/],
    ["an error received by a catch", / receives (E\d+|TimeoutError)/],
    ["an error reported by the policy", /policy reports/],
    ["a TimeoutError", /TimeoutError/],
    ["an item put and got", / got \d+ from/],
    ["a put that raised", /put-raised/],
    ["the watchdog cancelling a stuck task", /watchdog cancels t\d+: true/],
  ];
  const counts = situations.map(() => 0);
  const programs = fc.sample(programArbitrary(), { numRuns: 2000, seed });
  for (const program of programs) {
    const log = runProgram(program).log.join("\n");
    situations.forEach(([, pattern], i) => {
      if (pattern.test(log)) counts[i]!++;
    });
  }
  console.log("Programs (of 2,000) that reach each situation:");
  situations.forEach(([name], i) => console.log(`  ${String(counts[i]).padStart(5)}  ${name}`));
}
