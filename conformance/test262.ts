/**
 * conformance/test262.ts: `npm run test262`, the async part of test262 compiled by handloop and
 * run on its loop, and built-ins/Promise with handloop's LoopPromise as the global Promise. The
 * suite is the judge of whether compiled code means what the language says.
 *
 *   npm run test262                                   # both, each against its expectations file
 *   npm run test262 -- language/statements/for-await-of   # some folders or files only
 *   npm run test262 -- built-ins/Promise              # LoopPromise only
 *   npm run test262 -- --native                       # the same tests on Node's own async: checks the harness
 *   npm run test262 -- --host                         # compiled, each test under runAsync(): host mode, native Promises settle
 *   npm run test262 -- --update                       # rewrite the expectations files from this run
 *   npm run test262 -- --list                         # print every failure with its message
 *
 * Each test runs as INTERPRETING.md says: its front matter picks the harness files, the strict
 * and sloppy runs (`"use strict";` prepended for the strict one), the `async` protocol (`$DONE`)
 * and the expected error of a `negative` test (a parse-phase one passes when compile() reports
 * the SyntaxError). The test is compiled here, as a classic script; a worker thread per test
 * and scenario runs it in a fresh realm (realm.ts), at most `--jobs` at a time, and is stopped at
 * the time limit. The suite is read where it is (TEST262_DIR, or ../shared/test262), never copied.
 */

import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { compile } from "../src/compile/index.js";
import type { Job, Outcome, WorkerSetup } from "./realm.js";
import {
  ASYNC_FOLDERS,
  formatExpectations,
  harnessOf,
  isPromiseTest,
  listTests,
  locateSuite,
  parseFrontMatter,
  PROMISE_FOLDER,
  readExpectations,
  scenariosOf,
  type Expectation,
  type FrontMatter,
  type Scenario,
} from "./suite.js";

const root = fileURLToPath(new URL("..", import.meta.url));
/**
 * The expectations file of the async suite, or of built-ins/Promise (`promise`): compiled,
 * `native`, or compiled in host mode, whose own file (`.host`) is read only where one exists (its
 * results differ from a synchronous run's), and is what `--update` writes.
 */
function expectationsFile(native: boolean, promise: boolean, host: boolean, writing = false): string {
  const file = (variant: string) => join(root, "conformance", `test262-expectations${promise ? ".promise" : ""}${variant}.txt`);
  if (native) return file(".native");
  if (host && (writing || existsSync(file(".host")))) return file(".host");
  return file("");
}
const RUNTIME_GLOBAL = "$handloop";
const UNINVESTIGATED = "uninvestigated";

// ---- Options ------------------------------------------------------------------------------------

const args = process.argv.slice(2);
const flag = (name: string) => args.includes(name);
const option = (name: string, fallback: number) => {
  const i = args.indexOf(name);
  if (i === -1) return fallback;
  const value = Number(args[i + 1]);
  if (!Number.isFinite(value) || value <= 0) {
    console.error(`${name} needs a positive number, got ${JSON.stringify(args[i + 1])}.`);
    process.exit(2);
  }
  return value;
};
const native = flag("--native");
const host = flag("--host");
if (native && host) {
  console.error("--native and --host cannot go together: --host runs the compiled tests under runAsync(), --native runs them uncompiled.");
  process.exit(2);
}
const update = flag("--update");
const listAll = flag("--list");
const jobs = option("--jobs", Math.min(2, availableParallelism()));
const timeoutMs = option("--timeout", 10) * 1000;
const paths = args.filter((a, i) => !a.startsWith("--") && !["--jobs", "--timeout"].includes(args[i - 1] ?? ""));

const suite = locateSuite(root);
if (!suite.found) {
  console.error(
    `test262 was not found at ${suite.tried}.\n` +
      "Point TEST262_DIR at a checkout of https://github.com/tc39/test262 (its test/ and harness/ folders are what is read),\n" +
      "for example: git clone --depth 1 https://github.com/tc39/test262 ../test262 && TEST262_DIR=../test262 npm run test262",
  );
  process.exit(2);
}

// ---- Building the jobs --------------------------------------------------------------------------

// By default the async suite and built-ins/Promise: LoopPromise's 729 tests add about 15 s.
const folders = paths.length > 0 ? paths.map((p) => p.replace(/^test\//, "").replace(/\/$/, "")) : [...ASYNC_FOLDERS, PROMISE_FOLDER];
const files = listTests(suite.dir, folders);
if (files.length === 0) {
  console.error(`No test262 tests under ${folders.join(", ")} in ${suite.dir}/test.`);
  process.exit(2);
}

const harnessCache = new Map<string, string>();
function harnessFile(name: string): { file: string; code: string } {
  let code = harnessCache.get(name);
  if (code === undefined) {
    code = readFileSync(join(suite.dir, "harness", name), "utf8");
    harnessCache.set(name, code);
  }
  return { file: `harness/${name}`, code };
}

// The worker runs plain JavaScript: strip realm.ts's types with handloop's own compiler.
const generated = join(root, "conformance", ".generated");
mkdirSync(generated, { recursive: true });
const realmSource = join(root, "conformance", "realm.ts");
const workerFile = join(generated, "realm.mjs");
writeFileSync(workerFile, compile(readFileSync(realmSource, "utf8"), { filename: realmSource }).code);

interface Run {
  file: string;
  scenario: Scenario;
  outcome: Outcome;
}

/** Compiles one scenario of a test, or decides it without running when compile() refuses it. */
function prepare(id: number, file: string, source: string, meta: FrontMatter, scenario: Scenario): Job | Outcome {
  const text = scenario === "strict" ? `"use strict";\n${source}` : source;
  let code = text;
  if (!native) {
    try {
      code = compile(text, { filename: file, sourceType: "script", runtime: RUNTIME_GLOBAL }).code;
    } catch (error) {
      const name = error instanceof Error ? error.constructor.name : typeof error;
      const message = error instanceof Error ? error.message.split("\n")[0]! : String(error);
      if (meta.negative?.phase === "parse" && name === meta.negative.type) return { pass: true, message: "" };
      return { pass: false, message: `compile() threw ${name}: ${message}` };
    }
  }
  return {
    id,
    file,
    native,
    harness: harnessOf(meta).map(harnessFile),
    code,
    async: meta.flags.includes("async"),
    negative: meta.negative,
    loopPromise: !native && isPromiseTest(file),
    host,
  };
}

const setup: WorkerSetup = { bundle: native ? "" : await bundleHandloop(), runtimeGlobal: RUNTIME_GLOBAL, timeoutMs };

/**
 * handloop's source as one classic script that defines the global RUNTIME_GLOBAL, so each test's
 * realm can load its own copy (vite, already a dev dependency, does the bundling).
 */
async function bundleHandloop(): Promise<string> {
  const { build } = await import("vite");
  // The API the runner drives the loop with and the helpers compiled code calls, as one global.
  const bundleEntry = join(generated, "handloop-entry.ts");
  writeFileSync(
    bundleEntry,
    `export * from ${JSON.stringify(join(root, "src", "index.ts"))};\nexport * from ${JSON.stringify(join(root, "src", "runtime.ts"))};\n`,
  );
  const result = await build({
    configFile: false,
    logLevel: "silent",
    build: {
      write: false,
      minify: false,
      lib: { entry: bundleEntry, formats: ["iife"], name: RUNTIME_GLOBAL, fileName: () => "handloop.js" },
    },
  });
  const output = (Array.isArray(result) ? result[0] : result) as { output: { code?: string }[] };
  const code = output.output[0]?.code;
  const prefix = `var ${RUNTIME_GLOBAL} = `;
  if (typeof code !== "string" || !code.startsWith(prefix)) throw new Error("Bundling handloop for the test realms failed.");
  // A non-enumerable global, as the host's own `print` and `$262` are; strict code, as the ES
  // modules it was bundled from are (an IIFE bundle loses that).
  const iife = code.slice(prefix.length).trimEnd().replace(/;$/, "");
  return `Object.defineProperty(globalThis, ${JSON.stringify(RUNTIME_GLOBAL)}, { value: (function () { "use strict"; return ${iife}; })(), writable: true, configurable: true });`;
}

/** A worker and the job it is on. Replaced when a job outlives the time limit by far. */
class Slot {
  #worker!: Worker;
  #pending: { resolve: (o: Outcome) => void; timer: NodeJS.Timeout } | null = null;
  constructor() {
    this.#spawn();
  }
  #spawn(): void {
    this.#worker = new Worker(workerFile, { workerData: setup });
    this.#worker.on("message", (message: { outcome: Outcome }) => this.#settle(message.outcome));
    this.#worker.on("error", (error) => this.#settle({ pass: false, message: `the worker died: ${error.message.split("\n")[0]}` }, true));
    this.#worker.on("exit", () => this.#settle({ pass: false, message: "the worker exited" }, true));
  }
  #settle(outcome: Outcome, dead = false): void {
    const pending = this.#pending;
    if (pending !== null) {
      this.#pending = null;
      clearTimeout(pending.timer);
      pending.resolve(outcome);
    }
    if (dead) {
      this.#worker.removeAllListeners();
      this.#spawn();
    }
  }
  run(job: Job): Promise<Outcome> {
    return new Promise((resolve) => {
      // vm's own limit stops a runaway test; this is for one it cannot stop.
      const timer = setTimeout(() => {
        const worker = this.#worker;
        this.#settle({ pass: false, message: `timed out after ${timeoutMs / 1000} s` }, true);
        void worker.terminate();
      }, timeoutMs + 5000);
      this.#pending = { resolve, timer };
      this.#worker.postMessage(job);
    });
  }
  close(): void {
    this.#worker.removeAllListeners();
    void this.#worker.terminate();
  }
}

/**
 * Why a test cannot run here at all, or null. Module code needs a module loader in the realm
 * (none of the async suite's tests is one; they may be in a folder named on the command line),
 * and `$262.IsHTMLDDA` is a browser's `document.all`, which Node has no equivalent of.
 */
function skipReason(meta: FrontMatter): string | null {
  if (meta.flags.includes("module")) return "module code: this runner evaluates tests as scripts";
  if (meta.features.includes("IsHTMLDDA")) return "needs $262.IsHTMLDDA, which Node does not have";
  return null;
}

const runs: Run[] = [];
const skipped = new Map<string, string>();
const work: ((slot: Slot) => Promise<void>)[] = [];
let ids = 0;
for (const file of files) {
  const source = readFileSync(join(suite.dir, "test", file), "utf8");
  const meta = parseFrontMatter(source);
  const skip = skipReason(meta);
  if (skip !== null) {
    skipped.set(file, skip);
    continue;
  }
  for (const scenario of scenariosOf(meta)) {
    const id = ids++;
    work.push(async (slot) => {
      const prepared = prepare(id, file, source, meta, scenario);
      let outcome = "code" in prepared ? await slot.run(prepared) : prepared;
      if (/Script execution timed out/.test(outcome.message)) outcome = { pass: false, message: `timed out after ${timeoutMs / 1000} s` };
      runs.push({ file, scenario, outcome });
    });
  }
}

const started = performance.now();
let next = 0;
let finished = 0;
const progress = process.stderr.isTTY;
const slots = Array.from({ length: jobs }, () => new Slot());
await Promise.all(
  slots.map(async (slot) => {
    while (next < work.length) {
      await work[next++]!(slot);
      finished++;
      if (progress && finished % 50 === 0) process.stderr.write(`\r${finished}/${work.length} runs`);
    }
  }),
);
for (const slot of slots) slot.close();
if (progress) process.stderr.write("\r\x1b[K");
const seconds = (performance.now() - started) / 1000;

// ---- Results ------------------------------------------------------------------------------------

/** Outcomes by test, then by scenario. */
const byTest = new Map<string, Map<Scenario, Outcome>>();
for (const run of runs) {
  let scenarios = byTest.get(run.file);
  if (scenarios === undefined) byTest.set(run.file, (scenarios = new Map()));
  scenarios.set(run.scenario, run.outcome);
}

/** The folder a test is counted under in the summary: the feature's folder, not its subfolders. */
function groupOf(file: string): string {
  const parts = file.split("/");
  if (parts[0] === "built-ins") return parts.slice(0, 2).join("/");
  return parts.slice(0, parts[2] === "class" ? 4 : 3).join("/");
}

/** What failed, as expectation keys: the test when every scenario failed, else each scenario. */
function failures(file: string, scenarios: Map<Scenario, Outcome>): { key: string; outcome: Outcome }[] {
  const failed = [...scenarios].filter(([, o]) => !o.pass);
  if (failed.length === 0) return [];
  if (failed.length === scenarios.size) return [{ key: file, outcome: failed[0]![1] }];
  return failed.map(([scenario, outcome]) => ({ key: `${file}:${scenario}`, outcome }));
}

const groups = new Map<string, { tests: number; passed: number; skipped: number }>();
for (const file of skipped.keys()) {
  const group = groups.get(groupOf(file)) ?? { tests: 0, passed: 0, skipped: 0 };
  groups.set(groupOf(file), group);
  group.skipped++;
}
// Counted per suite too: the async suite's figures and LoopPromise's are read apart.
const counts = { all: { tests: 0, passed: 0, native: 0 }, async: { tests: 0, passed: 0, native: 0 }, promise: { tests: 0, passed: 0, native: 0 } };
const failing: { key: string; file: string; outcome: Outcome }[] = [];
for (const [file, scenarios] of byTest) {
  const group = groups.get(groupOf(file)) ?? { tests: 0, passed: 0, skipped: 0 };
  groups.set(groupOf(file), group);
  group.tests++;
  const failed = failures(file, scenarios);
  const tallies = [counts.all, isPromiseTest(file) ? counts.promise : counts.async];
  for (const tally of tallies) tally.tests++;
  if (failed.length === 0) {
    group.passed++;
    for (const tally of tallies) tally.passed++;
  } else if (failed.some((f) => f.outcome.nativePromise)) for (const tally of tallies) tally.native++;
  for (const f of failed) failing.push({ ...f, file });
}
const passed = counts.all.passed;

const pct = (n: number, of: number) => (of === 0 ? "-" : `${((100 * n) / of).toFixed(1)}%`);
const title = native
  ? "run natively on Node's own async/await"
  : host
    ? "compiled by handloop, run on its loop under runAsync() (host mode)"
    : "compiled by handloop, run on its loop";
const which = [...byTest.keys()].every(isPromiseTest) ? "built-ins/Promise" : [...byTest.keys()].some(isPromiseTest) ? "async suite and built-ins/Promise" : "async suite";
console.log(`test262, ${which}, ${title}: ${byTest.size} tests (${runs.length} runs) from ${suite.dir}, in ${seconds.toFixed(0)} s\n`);
const width = Math.max(...[...groups.keys()].map((g) => g.length));
const row = (name: string, tests: number, ok: number, skips: number) =>
  console.log(
    `${name.padEnd(width)}  ${String(tests).padStart(5)}  ${String(ok).padStart(6)}  ${String(tests - ok).padStart(6)}  ${String(skips).padStart(7)}`,
  );
console.log(`${"folder".padEnd(width)}  tests  passed  failed  skipped`);
for (const [group, { tests, passed: ok, skipped: skips }] of [...groups].sort()) row(group, tests, ok, skips);
const total = byTest.size;
row("total", total, passed, skipped.size);
for (const [file, reason] of skipped) console.log(`skipped ${file}: ${reason}`);
console.log(`\npassed: ${passed} of ${total} (${pct(passed, total)})`);
for (const [name, tally] of [["async suite", counts.async], ["built-ins/Promise", counts.promise]] as const) {
  if (tally.tests === 0 || tally.tests === total) continue;
  console.log(`  ${name}: ${tally.passed} of ${tally.tests} (${pct(tally.passed, tally.tests)})`);
}
if (!native && !host) {
  const runnable = total - counts.all.native;
  console.log(
    `passed of the tests that can run in a synchronous run: ${passed} of ${runnable} (${pct(passed, runnable)}); ` +
      `${counts.all.native} need a native Promise`,
  );
  if (counts.async.tests > 0 && counts.async.tests < total) {
    const asyncRunnable = counts.async.tests - counts.async.native;
    console.log(`  async suite: ${counts.async.passed} of ${asyncRunnable} (${pct(counts.async.passed, asyncRunnable)})`);
  }
}

if (listAll) {
  for (const f of failing) console.log(`FAIL ${f.key}: ${f.outcome.message}`);
}

// ---- Against the expectations files ---------------------------------------------------------------

// Each test is judged by one file: built-ins/Promise (LoopPromise) by its own, the rest by the
// async suite's. A run that selected tests of both checks both; --update rewrites the entries of
// the tests it ran, in each, and keeps the others.
let ok = true;
for (const promiseSuite of [false, true]) {
  const owned = (file: string) => isPromiseTest(file) === promiseSuite;
  if (![...byTest.keys()].some(owned)) continue;
  const file = expectationsFile(native, promiseSuite, host);
  const expected = readExpectations(file);
  const selected = (key: string) => byTest.has(key.replace(/:(strict|sloppy)$/, ""));
  const isExpected = (key: string, file: string) => expected.has(key) || expected.has(file);
  const suiteFailing = failing.filter((f) => owned(f.file));
  const unexpectedFailures = suiteFailing.filter((f) => !isExpected(f.key, f.file));
  const failingKeys = new Set(suiteFailing.map((f) => f.key));
  const failingFiles = new Set(suiteFailing.map((f) => f.file));
  const unexpectedPasses = [...expected.keys()].filter(
    (key) => selected(key) && !(key.includes(":") ? failingKeys.has(key) : failingKeys.has(key) || failingFiles.has(key)),
  );

  if (update) {
    const kept = [...expected.values()].filter((e) => !selected(e.key));
    const entries: Expectation[] = [...kept];
    for (const f of suiteFailing) {
      const before = expected.get(f.key) ?? expected.get(f.file);
      const category = before?.category ?? (f.outcome.nativePromise ? "native-promise" : UNINVESTIGATED);
      const note = before?.note ?? (category === UNINVESTIGATED ? f.outcome.message.slice(0, 160) : "");
      entries.push({ key: f.key, category, note });
    }
    const target = expectationsFile(native, promiseSuite, host, true);
    writeFileSync(target, formatExpectations(entries, native, promiseSuite, host));
    console.log(`\nwrote ${entries.length} entries to ${target}`);
    continue;
  }

  const uninvestigated = [...expected.values()].filter((e) => e.category === UNINVESTIGATED);
  if (unexpectedFailures.length > 0) {
    ok = false;
    console.log(`\n${unexpectedFailures.length} unexpected failures (not in ${file}):`);
    for (const f of unexpectedFailures.slice(0, 100)) console.log(`  ${f.key}: ${f.outcome.message}`);
  }
  if (unexpectedPasses.length > 0) {
    ok = false;
    console.log(`\n${unexpectedPasses.length} tests pass but are listed as expected to fail in ${file}; remove them (npm run test262 -- --update):`);
    for (const key of unexpectedPasses.slice(0, 100)) console.log(`  ${key}`);
  }
  if (uninvestigated.length > 0) {
    ok = false;
    console.log(`\n${uninvestigated.length} entries of ${file} are "${UNINVESTIGATED}": find out why each fails and give it a category.`);
  }
}
if (update) process.exit(0);
console.log(ok ? "\nmatches the expectations files" : "\nDOES NOT match the expectations files");
process.exit(ok ? 0 : 1);
