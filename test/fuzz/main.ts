/**
 * test/fuzz/main.ts: `npm run fuzz -- --runs N [--seed S] [--path P]`: the fuzzer of
 * test/fuzz.test.ts with as many programs as asked, reporting how many ran clean and how long it
 * took. A failure prints the shrunk program as pseudo-code, its broken rules and event log, and
 * the seed and path that replay it (`--seed S --path P`).
 */

import fc from "fast-check";
import { parseArgs } from "node:util";
import { holds } from "./holds.js";
import { programArbitrary } from "./program.js";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "10000" },
    seed: { type: "string" },
    path: { type: "string" },
  },
});
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) {
  console.error(`Expected --runs to be a whole number >= 1, got ${values.runs}.`);
  process.exit(2);
}
const seed = values.seed === undefined ? Date.now() ^ (Math.random() * 0x7fffffff) : Number(values.seed);

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
