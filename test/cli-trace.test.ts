// `handloop trace <file>`: runs a program with a recorder on its loops and writes the pictures
// asked for. Spawned as a user runs it (src/cli.ts through tsx, as the built dist/cli.js runs).
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { checkChromeTrace } from "./chrome-trace-check.js";
import type { ChromeTrace } from "../src/index.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), "handloop-cli-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function handloop(...args: string[]) {
  const { status, stdout, stderr } = spawnSync(process.execPath, ["--import", "tsx", "src/cli.ts", ...args], {
    cwd: root,
    encoding: "utf8",
    timeout: 60_000,
  });
  return { status, stdout, stderr };
}

describe("handloop trace", () => {
  it("runs the program on a virtual clock and prints its timeline after its output", () => {
    const { status, stdout, stderr } = handloop("trace", "test/fixtures/trace/naps.ts", "--timeline", "--width", "20");
    expect(stderr).toBe("");
    expect(status).toBe(0);
    const lines = stdout.split("\n");
    expect(lines[0]).toBe("naps: a b");
    // main awaits; a sleeps 1 s, b 2 s: a 2 s axis although the program asked for a real clock.
    expect(stdout).toContain("2s\n");
    expect(lines.find((line) => line.startsWith("main #1"))).toMatch(/^main #1 +█┄+█┄+█ +done$/);
    expect(lines.filter((line) => / #\d+ /.test(line))).toHaveLength(3);
  });

  it("prints the timeline when no output is named", () => {
    const { status, stdout } = handloop("trace", "test/fixtures/trace/naps.ts");
    expect(status).toBe(0);
    expect(stdout).toContain("█ running");
  });

  it("writes a Chrome trace, an SVG and the recording as JSON Lines", () => {
    const out = join(scratch, "trace.json");
    const svg = join(scratch, "t.svg");
    const jsonl = join(scratch, "rec.jsonl");
    const { status, stdout, stderr } = handloop("trace", "test/fixtures/trace/naps.ts", "--out", out, "--svg", svg, "--jsonl", jsonl);
    expect(stderr).toBe("");
    expect(status).toBe(0);
    expect(stdout).toBe("naps: a b\n");
    const trace = JSON.parse(readFileSync(out, "utf8")) as ChromeTrace;
    expect(checkChromeTrace(trace)).toEqual([]);
    expect(trace.traceEvents.filter((e) => e.name === "thread_name").map((e) => e.args?.name)).toEqual([
      "loop",
      "main #1",
      "Task-2 #2",
      "Task-3 #3",
    ]);
    expect(readFileSync(svg, "utf8")).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"[^]*>naps\.ts<\/text>[^]*<\/svg>\n$/);
    const records = readFileSync(jsonl, "utf8").trimEnd().split("\n").map((line) => JSON.parse(line) as { type?: string });
    expect(records.some((record) => record.type === "clock-jump")).toBe(true);
  });

  it("passes the program's arguments after -- and its exit status on, and still writes the trace", () => {
    const out = join(scratch, "failed.json");
    const { status, stderr } = handloop("trace", "test/fixtures/trace/naps.ts", "--out", out, "--", "fail");
    expect(status).toBe(1);
    expect(stderr).toContain("Error: failed on purpose");
    const trace = JSON.parse(readFileSync(out, "utf8")) as ChromeTrace;
    expect(trace.traceEvents.some((e) => e.ph === "i" && e.name === "failed: Error: failed on purpose")).toBe(true);
  });

  it("keeps the program's real clock with --real", () => {
    const { status, stdout } = handloop("trace", "test/fixtures/trace/naps.ts", "--real", "--timeline", "--", "--short");
    expect(status).toBe(0);
    // 10 ms and 20 ms of real sleep: an axis of a few hundredths of a second.
    expect(stdout).toMatch(/ 0\.\d+s\n/);
  });

  it("compiles a program that opts in with \"use handloop\": the post's demo, in virtual time", () => {
    const { status, stdout, stderr } = handloop("trace", "demos/print-every-period.ts", "--timeline");
    expect(stderr).toBe("");
    expect(status).toBe(0);
    expect(stdout).toContain("[ 'Print 1 over', 'Print 1 over', 'Print 0.25 over' ]");
    expect(stdout).toMatch(/\n\s+0\.0 +0\.5 .* 3\.0s\n/);
  });

  const USAGE = "\n\nUsage: handloop trace <file> [options] [-- program arguments]\n";
  it.each([
    [["trace"], "No program to trace: name its file, as in `npx handloop trace app.ts --timeline`."],
    [["trace", "missing.ts"], `Cannot find the program "missing.ts" (looked for ${join(root, "missing.ts")}).`],
    [["trace", "test/fixtures/trace/naps.ts", "--virtual"], "Unknown option --virtual. Options for the program itself go after `--`: handloop trace app.ts -- --virtual"],
    [["trace", "test/fixtures/trace/naps.ts", "--width", "4"], 'Expected --width to be a whole number >= 10, got "4".'],
    [["trace", "test/fixtures/trace/naps.ts", "--out"], "Option '--out <value>' argument missing."],
    [["draw"], 'Unknown command "draw": handloop has one, `trace`.'],
    // Checked before the program runs: a missing directory used to surface only at exit, as a
    // stack trace from the exit handler, after the whole run, with the other pictures unwritten.
    [
      ["trace", "test/fixtures/trace/naps.ts", "--out", "no-such-dir/trace.json", "--timeline"],
      `Cannot write --out to ${JSON.stringify(join(root, "no-such-dir/trace.json"))}: the directory ${JSON.stringify(join(root, "no-such-dir"))} does not exist. Create it first, or name a file in an existing directory.`,
    ],
    [
      ["trace", "test/fixtures/trace/naps.ts", "--svg", "test"],
      `Cannot write --svg to ${JSON.stringify(join(root, "test"))}: it is a directory. Name a file, as in --svg ${JSON.stringify(join(root, "test", "timeline.svg"))}.`,
    ],
  ])("refuses %j, saying what to do, with the usage", (args, problem) => {
    const { status, stdout, stderr } = handloop(...args);
    expect(status).toBe(2);
    expect(stdout).toBe("");
    expect(stderr.startsWith(problem + USAGE)).toBe(true);
  });
});
