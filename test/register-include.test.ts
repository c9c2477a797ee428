// handloop/register's include list: where it is read from, and included packages, ES modules and
// CommonJS, compiled by Node's hook in child processes run in test/fixtures/include.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { readIncludeConfig, splitIncludeList } from "../src/compile/include.js";
import { cacheKey } from "../src/register-hooks.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const fixture = join(root, "test/fixtures/include");
const manifest = join(fixture, "package.json");

/** Node with handloop/register (the build, as installed) in the fixture project. */
function node(file: string, env: Record<string, string> = {}) {
  const { HANDLOOP_INCLUDE: _, ...rest } = process.env;
  return spawnSync(process.execPath, ["--import", "handloop/register", file], {
    cwd: fixture,
    encoding: "utf8",
    env: { ...rest, HANDLOOP_CACHE_DIR: mkdtempSync(join(tmpdir(), "handloop-cache-")), ...env },
  });
}

describe("handloop/register's include list", () => {
  it("is HANDLOOP_INCLUDE when set, even to nothing, else the nearest package.json's handloop.include", () => {
    const project = mkdtempSync(join(tmpdir(), "handloop-include-"));
    writeFileSync(join(project, "package.json"), JSON.stringify({ handloop: { include: ["p-limit", "/^p-/"] } }));
    mkdirSync(join(project, "src/deep"), { recursive: true });
    const where = `"handloop.include" in ${join(project, "package.json")}`;
    expect(readIncludeConfig({}, join(project, "src/deep"))).toEqual({ where, entries: ["p-limit", "/^p-/"] });
    expect(readIncludeConfig({ HANDLOOP_INCLUDE: "async-mutex" }, project)).toEqual({ where: "HANDLOOP_INCLUDE", entries: ["async-mutex"] });
    expect(readIncludeConfig({ HANDLOOP_INCLUDE: "" }, project)).toEqual({ where: "HANDLOOP_INCLUDE", entries: [] });
    writeFileSync(join(project, "package.json"), JSON.stringify({ name: "no-field" }));
    expect(readIncludeConfig({}, project).entries).toEqual([]);
  });

  it("splits HANDLOOP_INCLUDE at commas, except inside a regular expression", () => {
    expect(splitIncludeList("async-mutex, p-limit,,/^p-/i, /a{1,2}[,/]b/ ,@scope/name,")).toEqual([
      "async-mutex",
      "p-limit",
      "/^p-/i",
      "/a{1,2}[,/]b/",
      "@scope/name",
    ]);
  });

  it("says what is wrong with a malformed handloop field", () => {
    const project = mkdtempSync(join(tmpdir(), "handloop-include-"));
    const file = join(project, "package.json");
    writeFileSync(file, JSON.stringify({ handloop: ["p-limit"] }));
    expect(() => readIncludeConfig({}, project)).toThrow(
      new TypeError(`Expected the "handloop" field of ${file} to be an object such as { "include": ["p-limit"] }, got an array.`),
    );
    writeFileSync(file, JSON.stringify({ handloop: { include: ["p-limit", 3] } }));
    expect(() => readIncludeConfig({}, project)).toThrow(
      new TypeError(`Expected "handloop.include" in ${file} to be an array of strings (package names, or regular expressions written "/^p-/"), got an array.`),
    );
  });

  it("puts the compile options in the cache key, so a change of option never reads a stale entry", () => {
    const key = (promise: "loop" | "native", commonjs: boolean) => cacheKey("source", "/a.js", { promise, commonjs });
    expect(new Set([key("loop", false), key("native", false), key("loop", true), key("native", true)]).size).toBe(4);
  });
});

describe("handloop/register with included packages", () => {
  it("compiles the packages package.json names, ES modules and CommonJS, and leaves the others native", () => {
    const { stdout, stderr, status } = node("app.mjs");
    expect(stderr).toBe("");
    expect(status).toBe(0);
    expect(stdout.split("\n")).toEqual([
      JSON.stringify({ nap: true, snooze: true, twice: true, later: true, native: false }),
      JSON.stringify({ result: [5, "snoozed 2", 2, "later"], time: 9 }),
      "",
    ]);
  });

  it("takes HANDLOOP_INCLUDE instead of package.json when it is set", () => {
    const { stdout } = node("app.mjs", { HANDLOOP_INCLUDE: "sleepy, /^@fixture\\//" });
    expect(stdout.split("\n")[0]).toBe(JSON.stringify({ nap: true, snooze: true, twice: false, later: false, native: false }));
  });

  it("fails at startup on a bad entry, naming it", () => {
    const { stdout, stderr, status } = node("app.mjs", { HANDLOOP_INCLUDE: "sleepy,./lib" });
    expect(status).not.toBe(0);
    expect(stdout).toBe("");
    expect(stderr).toContain(
      'TypeError: Expected each entry of HANDLOOP_INCLUDE to be a package name (such as "p-limit" or "@scope/name") or a regular expression ' +
        '(/^p-/, or the string "/^p-/" where only strings can be written), got "./lib": name the package, not a path in it.\n',
    );
  });

  it("refuses an included CommonJS package that require() loads past the hooks, saying how to load it", () => {
    const { stdout, stderr, status } = node("required.cjs");
    expect(status).not.toBe(0);
    expect(stdout).toBe("");
    expect(stderr).toContain(
      `UsageError: handloop/register cannot compile ${join(fixture, "node_modules/cjs-sleepy/index.js")}, a file of "cjs-sleepy" ` +
        `(named in "handloop.include" in ${manifest}): it was loaded by require() from code that Node loaded without module hooks ` +
        `(a CommonJS entry point, or createRequire), so Node ${process.version} did not pass it to handloop. ` +
        `Load "cjs-sleepy" with import from an ES module (import ... from "cjs-sleepy", or await import("cjs-sleepy")), ` +
        `or take it out of "handloop.include" in ${manifest}.\n`,
    );
  });

  it("lets require() load a package that is not included", () => {
    const { stdout, stderr, status } = node("required.cjs", { HANDLOOP_INCLUDE: "sleepy" });
    expect(stderr).toBe("");
    expect(status).toBe(0);
    expect(stdout).toBe("function\n");
  });
});
