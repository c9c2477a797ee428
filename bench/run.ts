/**
 * `npm run bench [-- <workload>...] [--only <system prefix>] [--runs <n>]`: runs every benchmark in
 * bench/ (files named w<N>-*.ts), each in its own Node process so one cannot warm up or pollute
 * another, or only those named; `--only` and `--runs` are handed to each (see harness.ts).
 *
 * Each workload prints its figures on stdout as before. On stderr: which workload runs (n of N),
 * a line as each system finishes (harness.ts's `progress`), and how long the workload took. At the
 * end, one table of every target of every workload that ran, met or missed: each workload's
 * `target()` calls write their verdicts to a file named by HANDLOOP_BENCH_TARGETS, read here.
 */

import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { since, TARGETS_ENV, type Verdict } from "./harness.js";

const dir = fileURLToPath(new URL(".", import.meta.url));
const all = readdirSync(dir).filter((f) => /^w\d+-.*\.ts$/.test(f));
const USAGE = "npm run bench [-- <workload>...] [--only <system prefix>] [--runs <n>]   (workloads: w1 ... w13)";

function fail(problem: string): never {
  console.error(`${problem}\nUsage: ${USAGE}`);
  process.exit(2);
}

const wanted: string[] = [];
const passed: string[] = []; // flags handed to every workload
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i++) {
  const arg = args[i]!;
  if (arg === "--only" || arg === "--runs") {
    const value = args[++i];
    if (value === undefined) fail(`${arg} needs a value.`);
    if (arg === "--runs" && !/^[1-9]\d*$/.test(value)) fail(`Expected \`--runs\` to be a whole number >= 1, got ${JSON.stringify(value)}.`);
    passed.push(arg, value);
  } else if (arg.startsWith("-")) {
    fail(`Unknown option ${arg}.`);
  } else {
    wanted.push(arg.toLowerCase());
  }
}

const number = (f: string) => Number(/^w(\d+)/.exec(f)![1]);
const files = all
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.startsWith(`${w}-`) || f === w || f === `${w}.ts`))
  .sort((a, b) => number(a) - number(b));
if (files.length === 0) {
  console.error(`No benchmark matches ${wanted.join(", ")}; the workloads are: ${all.join(", ")}.`);
  process.exit(1);
}

interface Outcome {
  workload: string;
  verdicts: Verdict[];
  /** Set when the workload's process failed. */
  failure?: string;
}

const records = mkdtempSync(join(tmpdir(), "handloop-bench-"));
const outcomes: Outcome[] = [];
const started = performance.now();
console.log(`Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`);
for (const [i, file] of files.entries()) {
  const workload = `W${number(file)}`;
  const record = join(records, `${workload}.jsonl`);
  process.stderr.write(`\n[${i + 1}/${files.length}] ${workload}: bench/${file}\n`);
  const began = performance.now();
  const result = spawnSync(process.execPath, ["--import", "tsx", `${dir}${file}`, ...passed], {
    stdio: "inherit",
    env: { ...process.env, [TARGETS_ENV]: record },
  });
  const verdicts = existsSync(record)
    ? readFileSync(record, "utf8").trim().split("\n").map((line) => JSON.parse(line) as Verdict)
    : [];
  const outcome: Outcome = { workload, verdicts };
  if (result.status !== 0) {
    outcome.failure = result.signal ? `killed by ${result.signal}` : `exit ${result.status}`;
    process.exitCode = 1;
  }
  outcomes.push(outcome);
  const tally = verdicts.length === 0 ? "no target" : `${verdicts.length} target${verdicts.length === 1 ? "" : "s"}, ${tallyOf(verdicts)}`;
  process.stderr.write(`[${i + 1}/${files.length}] ${workload} ${outcome.failure ? `FAILED (${outcome.failure})` : "done"} in ${since(began)}: ${tally}\n`);
}
rmSync(records, { recursive: true, force: true });
console.log(summary(outcomes, since(started)));

/** "2 met, 1 missed", and how many were not measured, if any. */
function tallyOf(verdicts: readonly Verdict[]): string {
  const count = (verdict: Verdict["verdict"]) => verdicts.filter((v) => v.verdict === verdict).length;
  const counts = [`${count("met")} met`, `${count("MISSED")} missed`];
  if (count("not measured") > 0) counts.push(`${count("not measured")} not measured`);
  return counts.join(", ");
}

/** One table of every target, in workload order, with a count of each verdict. */
function summary(outcomes: readonly Outcome[], took: string): string {
  const rows: string[][] = [["", "target", "measured", "limit", ""]];
  const notes: string[] = [];
  for (const { workload, verdicts, failure } of outcomes) {
    for (const v of verdicts) rows.push([workload, v.what, v.shown, v.bound, v.verdict]);
    if (failure) notes.push(`${workload} failed (${failure}): its targets${verdicts.length ? " after the failure" : ""} were not measured.`);
    else if (verdicts.length === 0) notes.push(`${workload} has no target: its figures are above.`);
  }
  const all = outcomes.flatMap((o) => o.verdicts);
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const table = rows.map((r) => `  ${r.map((cell, c) => cell.padEnd(widths[c]!)).join("  ")}`.trimEnd());
  return [
    "",
    `Summary of ${outcomes.length} workload${outcomes.length === 1 ? "" : "s"} (${took}): ${all.length} targets, ${tallyOf(all)}`,
    ...table,
    ...notes.map((note) => `  ${note}`),
  ].join("\n");
}
