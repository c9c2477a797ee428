// Every demo runs as a user would run it (through tsx), on the virtual clock, and says what it should.
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));
function demo(name: string, ...args: string[]): string[] {
  const out = execFileSync(process.execPath, ["--import", "tsx", `demos/${name}.ts`, ...args], {
    cwd: root,
    encoding: "utf8",
  });
  return out.trimEnd().split("\n");
}

// The post's bonus output: 18 lines, the 0.25 s task printing between the 1 s ones.
const postLines = [
  ...["...", "...", "..."],
  ...["First message!", "Second message!", "...", "...", "...", "..."],
  ...["First message!", "Second message!", "...", "...", "...", "..."],
  ...["First message!", "Second message!", "..."],
];

describe("demos", () => {
  it("print-every-period prints the post's 18 lines in the post's order, then the results", () => {
    const lines = demo("print-every-period", "--virtual");
    expect(lines.slice(0, 18)).toEqual(postLines);
    expect(lines.slice(18)).toEqual(["[ 'Print 1 over', 'Print 1 over', 'Print 0.25 over' ]"]);
  });

  it("print-every-period-generators, the same coroutines in emitted form, prints the same", () => {
    const lines = demo("print-every-period-generators", "--virtual");
    expect(lines.slice(0, 18)).toEqual(postLines);
    expect(lines.slice(18)).toEqual(["[ 'Print 1 over', 'Print 1 over', 'Print 0.25 over' ]"]);
  });

  it("await-depth completes a million-deep recursive await, natively and on handloop", () => {
    const lines = demo("await-depth");
    expect(lines).toEqual([
      expect.stringMatching(/^native +1000000 awaits deep in +\d+ ms$/),
      expect.stringMatching(/^handloop +1000000 awaits deep in +\d+ ms$/),
    ]);
  });

  it("crawler bounds concurrency to 4, times out slow pages, and prints the same on every run", () => {
    const lines = demo("crawler");
    expect(demo("crawler")).toEqual(lines);
    expect(lines.at(-1)).toBe("fetched 18 pages (796 kB), timed out 2, virtual time 4.518 s");
    // Each fetch holds a slot from its start for its duration: at no instant are more than 4 held.
    const startedAt = new Map<string, number>();
    const spans: [number, number][] = [];
    for (const line of lines) {
      const start = /^\[ *([\d.]+)s\] start +(\S+)/.exec(line);
      if (start) startedAt.set(start[2]!, Number(start[1]));
      // The consumer reports a result at the virtual instant the fetch ended.
      const done = /^\[ *([\d.]+)s\] (?:fetched|TIMEOUT) +(\S+)/.exec(line);
      if (done) spans.push([startedAt.get(done[2]!)!, Number(done[1])]);
    }
    const most = Math.max(...spans.map(([t]) => spans.filter(([a, b]) => a <= t && t < b - 1e-9).length));
    expect(spans).toHaveLength(20);
    expect(most).toBe(4);
    expect(lines.filter((line) => line.includes("TIMEOUT"))).toHaveLength(2);
    expect(lines.filter((line) => line.includes("] start"))).toHaveLength(20);
  });

  it("sleep-order finishes the post's sleeps in completion order and reports its times", () => {
    const lines = demo("sleep-order", "--virtual");
    expect(lines[0]).toBe("[ 'Sleep 1 over', 'Sleep 2 over', 'Sleep 3 over', 'Sleep 4 over' ]");
    expect(lines[1]).toMatch(/^CPU times: user [\d.]+ ms, sys: [\d.]+ ms, total: [\d.]+ ms$/);
    expect(lines[2]).toMatch(/^Wall time: [\d.]+ s \(virtual time: 4 s\)$/);
  });

  it("toy-loop reproduces the post's polling loop and its output", () => {
    const lines = demo("toy-loop", "--virtual");
    expect(lines[0]).toBe("[ 'Sleep 1 over', 'Sleep 2 over', 'Sleep 3 over', 'Sleep 4 over' ]");
    expect(lines[1]).toBe("Loop time: 4.00 s");
    expect(lines.slice(2, 20)).toEqual(postLines);
    expect(lines.at(-1)).toMatch(/^The toy loop resumed tasks \d+ times for 18 prints\.$/);
  });
});
