/**
 * conformance/suite.ts: what the test262 runner reads. Where the suite is, which of its tests are
 * the async part, what each test's front matter asks for (INTERPRETING.md), and the expectations
 * file that lists every test not expected to pass, with its reason.
 *
 * Nothing here runs a test: realm.ts does, in a fresh realm per test; test262.ts drives both.
 */

import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve, sep } from "node:path";

/** A test's front matter: the keys of INTERPRETING.md the runner acts on. */
export interface FrontMatter {
  flags: string[];
  includes: string[];
  features: string[];
  negative: { phase: string; type: string } | null;
}

/** One way to run a test (INTERPRETING.md, "Strict Mode"): with or without a "use strict" prologue. */
export type Scenario = "strict" | "sloppy" | "raw";

/** Where the suite is: `TEST262_DIR`, else `../shared/test262` beside the project. */
export function locateSuite(projectRoot: string): { dir: string; found: boolean; tried: string } {
  const fromEnv = process.env.TEST262_DIR;
  const dir = fromEnv !== undefined && fromEnv !== "" ? resolve(fromEnv) : resolve(projectRoot, "../shared/test262");
  return { dir, found: existsSync(join(dir, "test")) && existsSync(join(dir, "harness", "assert.js")), tried: dir };
}

/**
 * The async part of test262, as folders under `test/`: what handloop's compiler lowers (async
 * functions, arrows and methods, async generators, `for await`, `await`) and the built-ins those
 * produce. `built-ins/Promise` is not in it (see PROMISE_FOLDER): the runner runs it too by default.
 */
export const ASYNC_FOLDERS = [
  "language/expressions/async-arrow-function",
  "language/expressions/async-function",
  "language/expressions/async-generator",
  "language/expressions/await",
  "language/expressions/class/async-gen-method",
  "language/expressions/class/async-gen-method-static",
  "language/expressions/class/async-method",
  "language/expressions/class/async-method-static",
  "language/statements/async-function",
  "language/statements/async-generator",
  "language/statements/class/async-gen-method",
  "language/statements/class/async-gen-method-static",
  "language/statements/class/async-method",
  "language/statements/class/async-method-static",
  "language/statements/for-await-of",
  "built-ins/AsyncFromSyncIteratorPrototype",
  "built-ins/AsyncFunction",
  "built-ins/AsyncGeneratorFunction",
  "built-ins/AsyncGeneratorPrototype",
  "built-ins/AsyncIteratorPrototype",
];

/**
 * The tests that judge LoopPromise, handloop's Promise: in compiled runs they run with it as the
 * realm's global `Promise` (realm.ts), and they have an expectations file of their own.
 */
export const PROMISE_FOLDER = "built-ins/Promise";

/** Whether `file` (a path under `test/`) is one of the tests of PROMISE_FOLDER. */
export function isPromiseTest(file: string): boolean {
  return file === PROMISE_FOLDER || file.startsWith(`${PROMISE_FOLDER}/`);
}

/** Test files (paths relative to `test/`, with `/`) under `folders`; fixtures are not tests. */
export function listTests(suiteDir: string, folders: readonly string[]): string[] {
  const root = join(suiteDir, "test");
  const out = new Set<string>();
  for (const folder of folders) {
    const path = join(root, folder);
    if (!existsSync(path)) continue;
    if (path.endsWith(".js")) {
      out.add(folder);
      continue;
    }
    for (const entry of readdirSync(path, { recursive: true }) as string[]) {
      if (!entry.endsWith(".js") || entry.includes("_FIXTURE")) continue;
      out.add(relative(root, join(path, entry)).split(sep).join("/"));
    }
  }
  return [...out].sort();
}

/** Reads the `/*--- ... ---*\/` block: the subset of YAML test262 writes there. */
export function parseFrontMatter(source: string): FrontMatter {
  const match = /\/\*---([\s\S]*?)---\*\//.exec(source);
  const meta: FrontMatter = { flags: [], includes: [], features: [], negative: null };
  if (match === null) return meta;
  const lines = match[1]!.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const key = /^(\w+):\s*(.*)$/.exec(line);
    if (key === null) continue;
    const [, name, rest] = key as unknown as [string, string, string];
    if (name === "flags" || name === "includes" || name === "features") {
      meta[name] = readList(rest, lines, i);
    } else if (name === "negative") {
      const negative = { phase: "", type: "" };
      for (let j = i + 1; j < lines.length && /^\s+\S/.test(lines[j]!); j++) {
        const entry = /^\s+(phase|type):\s*(\S+)/.exec(lines[j]!);
        if (entry !== null) negative[entry[1] as "phase" | "type"] = entry[2]!;
      }
      meta.negative = negative;
    }
  }
  return meta;
}

/** `[a, b]` on the key's line, or `- a` items on the lines below it. */
function readList(rest: string, lines: readonly string[], at: number): string[] {
  const inline = /^\[(.*)\]\s*$/.exec(rest.trim());
  if (inline !== null) {
    return inline[1]!
      .split(",")
      .map((item) => item.trim())
      .filter((item) => item !== "");
  }
  const items: string[] = [];
  for (let j = at + 1; j < lines.length; j++) {
    const item = /^\s*-\s*(\S+)/.exec(lines[j]!);
    if (item === null) break;
    items.push(item[1]!);
  }
  return items;
}

/** The runs a test asks for (INTERPRETING.md): both modes unless a flag picks one. */
export function scenariosOf(meta: FrontMatter): Scenario[] {
  if (meta.flags.includes("raw")) return ["raw"];
  if (meta.flags.includes("onlyStrict") || meta.flags.includes("module")) return ["strict"];
  if (meta.flags.includes("noStrict")) return ["sloppy"];
  return ["strict", "sloppy"];
}

/** The harness files to evaluate before a test, in the order INTERPRETING.md gives. */
export function harnessOf(meta: FrontMatter): string[] {
  if (meta.flags.includes("raw")) return [];
  const files = ["assert.js", "sta.js"];
  if (meta.flags.includes("async")) files.push("doneprintHandle.js");
  for (const include of meta.includes) if (!files.includes(include)) files.push(include);
  return files;
}

// ---- The expectations file ---------------------------------------------------------------------

/**
 * Why a test is not expected to pass. A small, fixed set: each is a documented difference or a
 * limit of the run (see the README's "Conformance" section), never "not investigated".
 */
export const CATEGORIES: Record<string, string> = {
  "native-promise":
    "needs a native Promise in a synchronous run: the test awaits or chains one, and nothing settles it while the loop blocks the thread",
  "task-not-promise":
    "a compiled async function returns a Task, not a native Promise: prototype, constructor and instanceof checks against Promise",
  "function-metadata":
    "function metadata: a compiled async function is an ordinary function whose body is a generator (its [[Prototype]], `prototype`, constructor, toString), and an async generator's objects inherit handloop's prototype, not the engine's %AsyncGeneratorPrototype%",
  "refused-yield-name":
    "compile() refuses `yield` used as a name inside a sloppy-mode async function (its body becomes a generator, where `yield` is a keyword) with a SyntaxError saying so",
  "host-engine": "Node's own engine does not implement this yet (native runs only: the harness's check)",
  proposal:
    "a TC39 proposal, not (yet) ECMA-262 (Await Dictionary: Promise.allKeyed, Promise.allSettledKeyed); LoopPromise has what the language's Promise has, so code that tests for a method behaves the same compiled and native",
  "function-realm":
    "needs GetFunctionRealm, the realm a function was made in, which JavaScript cannot find: a NewTarget of another realm whose `prototype` is not an object gives this realm's Promise.prototype",
};

/** One line of the expectations file: a test (or one scenario of it) and why it fails. */
export interface Expectation {
  /** `path` for every scenario of the test, `path:strict` / `path:sloppy` for one. */
  key: string;
  category: string;
  note: string;
}

/**
 * Reads the expectations file: `<path>[:<scenario>]  <category>  [note]` per line; `#` starts a
 * comment. An unknown category is an error: the list says why each test fails, or nothing.
 */
export function readExpectations(file: string): Map<string, Expectation> {
  const map = new Map<string, Expectation>();
  if (!existsSync(file)) return map;
  const lines = readFileSync(file, "utf8").split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = raw.replace(/#.*$/, "").trim();
    if (line === "") return;
    const [key, category, ...note] = line.split(/\s+/);
    if (category === undefined || !(category in CATEGORIES || category === "uninvestigated")) {
      throw new Error(
        `${file}:${index + 1}: "${category ?? ""}" is not a category of the expectations file; use one of: ${Object.keys(CATEGORIES).join(", ")}.`,
      );
    }
    map.set(key!, { key: key!, category, note: note.join(" ") });
  });
  return map;
}

/**
 * Writes an expectations file: a header that explains it, the categories, then the entries. One
 * file per suite (the async suite, or built-ins/Promise with `promise`) and per kind of run.
 */
export function formatExpectations(entries: readonly Expectation[], native: boolean, promise = false, host = false): string {
  const suite = promise ? "built-ins/Promise" : "the async suite";
  const command = `npm run test262${native ? " -- --native" : host ? " -- --host" : ""}`;
  const header = [
    native
      ? `# test262 expectations for Node's own ${promise ? "Promise" : "async/await"} (\`${command}\`), the harness's check.`
      : promise
        ? `# test262 expectations for handloop's LoopPromise (\`${command}\`), the realm's global Promise in these tests${host ? ", each test run under runAsync() (host mode)" : ""}.`
        : `# test262 expectations for handloop's compiled code (\`${command}\`)${host ? ", each test run under runAsync() (host mode), where native Promises settle" : ""}.`,
    "#",
    native
      ? `# Every test of ${suite} that Node itself does not pass, one per line:`
      : `# Every test of ${suite} that is not expected to pass when compiled by handloop and run on its loop, one per line:`,
    "# `<path under test/>[:strict|:sloppy]  <category>  [note]`.",
    "# A test that fails and is not listed, or passes and is listed, fails the run.",
    `# \`npm run test262 -- ${native ? "--native " : host ? "--host " : ""}--update\` rewrites this file from a run, keeping each category.`,
    "#",
    "# Categories:",
    ...Object.entries(CATEGORIES).map(([id, text]) => `#   ${id.padEnd(20)} ${text}`),
    "",
  ];
  const width = Math.max(0, ...entries.map((e) => e.key.length)) + 2;
  const body = [...entries]
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((e) => `${e.key.padEnd(width)}${e.category}${e.note === "" ? "" : `  ${e.note}`}`.trimEnd());
  return `${[...header, ...body].join("\n")}\n`;
}
