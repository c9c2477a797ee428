// Every demo runs as a user would run it (through tsx), on the virtual clock, and says what it should;
// a bad argument gets the demo's usage. The crawler also runs once on the real clock (4.5 s).
import { execFileSync, spawnSync } from "node:child_process";
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

/** A demo run that is expected to fail: its exit status and both outputs. */
function failing(name: string, ...args: string[]) {
  const { status, stdout, stderr } = spawnSync(process.execPath, ["--import", "tsx", `demos/${name}.ts`, ...args], {
    cwd: root,
    encoding: "utf8",
  });
  return { status, stdout, stderr };
}

const DEMOS = ["print-every-period", "print-every-period-generators", "sleep-order", "toy-loop", "await-depth", "crawler", "test-a-library", "fetch-with-timeouts", "echo-server", "frames", "find-the-race"];

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

  it("print-every-period --timeline ends with the run's timeline: three rows on a 3 s axis", () => {
    const lines = demo("print-every-period", "--virtual", "--timeline");
    expect(lines.slice(0, 18)).toEqual(postLines);
    const rows = lines.filter((line) => /^printEveryPeriod-\d #\d/.test(line));
    expect(rows).toHaveLength(3);
    // The 0.25 s task wakes 12 times, at every fifth column of 60 over 3 s.
    expect(rows[2]).toMatch(/ (█────){11}█───█ +done$/);
    expect(lines.at(-1)).toContain("█ running  ▒ ready  ─ sleeping  ┄ awaiting  ✕ cancelled");
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

  it("await-depth accepts --virtual, as every demo does, and a depth", () => {
    expect(demo("await-depth", "--virtual", "1000")).toEqual([
      expect.stringMatching(/^native +1000 awaits deep in +\d+ ms$/),
      expect.stringMatching(/^handloop +1000 awaits deep in +\d+ ms$/),
    ]);
  });

  it.each(DEMOS)("%s prints its usage and exits 2 on an unknown option, before doing any work", (name) => {
    const { status, stdout, stderr } = failing(name, "--bogus");
    expect(stdout).toBe("");
    expect(stderr).toMatch(new RegExp(`^Unknown option --bogus\\.\n\nUsage: npx tsx demos/${name}\\.ts .*\\[--virtual[ \\]]`));
    expect(status).toBe(2);
  });

  it.each([
    ["await-depth", ["abc"], "Expected `depth` to be a whole number >= 0, got \"abc\"."],
    ["await-depth", ["-5"], "Unknown option -5."],
    ["await-depth", ["10", "20"], "Unexpected argument \"20\"."],
    ["crawler", ["--real", "--virtual"], "Give --virtual or --real, not both."],
    ["crawler", ["--real=yes"], "Option '--real' does not take an argument."],
    ["sleep-order", ["4"], "Unexpected argument \"4\"."],
    ["frames", ["60", "5"], "Expected `fps` to be a whole number from 11 to 1000, got \"5\"."],
  ])("%s %j is refused with its usage", (name, args, problem) => {
    const { status, stdout, stderr } = failing(name, ...args);
    expect(stdout).toBe("");
    expect(stderr.split("\n\n")[0]).toBe(problem);
    expect(stderr).toContain(`\n\nUsage: npx tsx demos/${name}.ts`);
    expect(status).toBe(2);
  });

  it("crawler --timeline ends with a row per task: the two timed-out fetches cancelled", () => {
    const lines = demo("crawler", "--timeline");
    expect(lines).toContain("fetched 18 pages (796 kB), timed out 2, virtual time 4.518 s");
    expect(lines.filter((line) => / #\d+ .* cancelled$/.test(line))).toHaveLength(2);
    expect(lines.filter((line) => / #\d+ .* done$/.test(line)).length).toBeGreaterThan(40);
  });

  it("crawler --real takes the real time it reports", { timeout: 30_000 }, () => {
    const started = performance.now();
    const lines = demo("crawler", "--real");
    const wall = (performance.now() - started) / 1000;
    expect(lines.at(-1)).toMatch(/^fetched 18 pages \(796 kB\), timed out 2, real time 4\.5\d\d s$/);
    expect(wall).toBeGreaterThan(4.518);
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

  it("test-a-library retries and limits with unmodified libraries, in exact virtual time, the same on every run", () => {
    const lines = demo("test-a-library");
    const timeline = lines.slice(0, -2); // the last line says how much real time it took
    expect(demo("test-a-library").slice(0, -2)).toEqual(timeline);
    expect(timeline[0]).toBe("09:00:00.000 +   0 ms  GET /users (call 1)");
    // p-retry's backoff, 500 ms doubling, counted from each failure: /prices fails at 1.75 s, 2.4 s, 3.55 s.
    expect(timeline.filter((line) => line.includes("/prices"))).toEqual([
      "09:00:01.600 +1600 ms  GET /prices (call 1)",
      "09:00:01.750 +1750 ms  503 from /prices: attempt 1 failed, 3 retries left",
      "09:00:02.250 +2250 ms  GET /prices (call 2)",
      "09:00:02.400 +2400 ms  503 from /prices: attempt 2 failed, 2 retries left",
      "09:00:03.400 +3400 ms  GET /prices (call 3)",
      "09:00:03.550 +3550 ms  503 from /prices: attempt 3 failed, 1 retry left",
      "09:00:05.550 +5550 ms  GET /prices (call 4)",
      "09:00:05.700 +5700 ms  200 from /prices",
    ]);
    expect(timeline.at(-1)).toBe("09:00:05.700 +5700 ms  done: 4 of 4 paths fetched");
    // p-limit's concurrency of two: never more than two requests in flight.
    let inFlight = 0;
    let most = 0;
    for (const line of timeline) {
      if (/ GET /.test(line)) most = Math.max(most, ++inFlight);
      if (/ (?:200|503) from /.test(line)) inFlight--;
    }
    expect(most).toBe(2);
    expect(lines.at(-1)).toMatch(/^virtual clock: \d+ ms of real time$/);
  });

  it("fetch-with-timeouts fetches from its own server under runAsync, and a timeout aborts the request on the server", () => {
    const lines = demo("fetch-with-timeouts");
    const events = lines.map((line) => line.replace(/^ *\d+ ms {2}/, "")).sort();
    expect(events).toEqual(
      [
        'client: /fast -> "page /fast"',
        'client: /medium -> "page /medium"',
        "client: /slow timed out after 0.5 s; its request is aborted",
        "client: /stuck timed out after 0.5 s; its request is aborted",
        "server: /slow closed by the client before its answer",
        "server: /stuck closed by the client before its answer",
        "aborted on the server: /slow, /stuck",
      ].sort(),
    );
    // Aborted at the timeout, not when the server would have answered (1.2 s and 2 s).
    for (const line of lines.filter((l) => / ms {2}server:/.test(l))) expect(Number(/^ *(\d+) ms/.exec(line)![1])).toBeLessThan(1100);
  });

  it("echo-server echoes over TCP under runAsync, a task per connection, and closes a quiet one after its idle timeout", () => {
    const lines = demo("echo-server").map((line) => line.replace(/^ *\d+ ms {2}/, ""));
    expect(lines[0]).toMatch(/^server: listening on port \d+$/);
    expect(lines.filter((line) => line.startsWith("chatty"))).toEqual([
      'chatty: sent "one", got "one" back',
      'chatty: sent "two", got "two" back',
      'chatty: sent "three", got "three" back',
      "chatty: the server closed the connection",
    ]);
    expect(lines).toContain('brief: sent "ping", got "ping" back');
    expect(lines).toContain("server: brief hung up");
    expect(lines).toContain("server: chatty quiet for 0.3 s: closing it");
    expect(lines.at(-1)).toBe("done: every connection's task has ended");
  });

  it("sleep-order finishes the post's sleeps in completion order and reports its times", () => {
    const lines = demo("sleep-order", "--virtual");
    expect(lines[0]).toBe("[ 'Sleep 1 over', 'Sleep 2 over', 'Sleep 3 over', 'Sleep 4 over' ]");
    expect(lines[1]).toMatch(/^CPU times: user [\d.]+ ms, sys: [\d.]+ ms, total: [\d.]+ ms$/);
    expect(lines[2]).toMatch(/^Wall time: [\d.]+ s \(virtual time: 4 s\)$/);
  });

  it("frames plays one fixed-step world at 60 and 144 fps, alike to the last bit, stepping 100 times in 10 s at each", () => {
    const lines = demo("frames", "--virtual");
    expect(lines[0]).toBe("Fixed 0.1 s physics steps in tasks, enemies spawned by timers; the host calls loop.advance(1/fps).");
    // Each checkpoint: a heading, then the world at each rate, which reads the same after the frame number.
    const checkpoints = ["t = 1 s", "t = 2.5 s", "t = 5 s", "t = 10 s"];
    const frames = [[60, 144], [150, 360], [300, 720], [600, 1440]];
    for (const [i, heading] of checkpoints.entries()) {
      const at = lines.indexOf(heading);
      const [at60, at144] = [lines[at + 1]!, lines[at + 2]!];
      expect(at60).toMatch(new RegExp(`^ +60 fps, frame +${frames[i]![0]}: balls #1 \\(`));
      expect(at144).toMatch(new RegExp(`^ +144 fps, frame +${frames[i]![1]}: `));
      expect(at144.split(": ")[1]).toBe(at60.split(": ")[1]);
    }
    expect(lines.slice(-4)).toEqual([
      "Knock-outs: enemy #1 by ball #3 at 3.3 s, enemy #2 by ball #3 at 3.6 s, enemy #3 by ball #4 at 3.9 s, enemy #4 by ball #4 at 4.2 s",
      "At 60, 144 fps the worlds agree to the last bit, at every checkpoint and every knock-out.",
      "0.1 s steps in 10 s, on asleep(): 100 at 60 fps, 100 at 144 fps",
      "on a timer checked once a frame: 85 at 60 fps, 96 at 144 fps",
    ]);
  });

  it("frames takes the frame rates to compare", () => {
    const lines = demo("frames", "30", "165", "240");
    expect(lines.at(-3)).toBe("At 30, 165, 240 fps the worlds agree to the last bit, at every checkpoint and every knock-out.");
    expect(lines.at(-2)).toBe("0.1 s steps in 10 s, on asleep(): 100 at 30 fps, 100 at 165 fps, 100 at 240 fps");
  });

  it("find-the-race: FIFO passes, check() finds the lost update and shrinks it to one pick, replay() reproduces it, the Lock fixes it", () => {
    const lines = demo("find-the-race");
    const token = "hl1:" + /hl1:([^:]+):/.exec(lines.join("\n"))![1] + ":random:42:0p1=authenticate-1";
    expect(lines).toEqual([
      "1. One run, in FIFO order: passes.",
      "2. check() under schedules, seed 42: run 3 fails. Its report:",
      "",
      '   | explore() found a failing schedule on run 3 (strategy "random", seed 42).',
      "   |   Error: Lost update: the balance is 50, not 20.",
      "   | Seed: 42 (HANDLOOP_SEED=42 runs this exploration again).",
      `   | Replay: HANDLOOP_REPLAY='${token}', or replay(program, "${token}").`,
      "   | Shrunk: 2 deviations -> 1.",
      "   | ",
      "   | Deviations from FIFO (what ran instead of the head of the ready queue):",
      '   |   at 0.01s: ran "authenticate-1" instead of "writeAuditLog-1"; ready: writeAuditLog-1, authenticate-1',
      "   | ",
      "   | Tasks (one lane each: each step's virtual time, then what the task did or waits on next):",
      '   |   main            | 0s waits on task "Task-1" | 0.02s failed: Error: Lost update: the balance is 50, not 20.',
      "   |   authenticate-1  | *0.01s done",
      "   |   writeAuditLog-1 | 0.01s done",
      '   |   withdraw-1      | 0.01s waits on task "writeAuditLog-2" at demos/find-the-race.ts:41:5 | 0.02s done',
      "   |   withdraw-2      | 0.01s done",
      "   |   writeAuditLog-2 | 0.02s done",
      "   |   gather-1        | 0.02s done",
      "   |   Task-1          | 0.02s failed: Error: Lost update: the balance is 50, not 20.",
      "   |   (* marks a step run out of FIFO order)",
      "",
      `3. Shrunk: 2 deviations -> 1. Token: ${token}`,
      "4. replay(program, token): fails the same way: Error: Lost update: the balance is 50, not 20.",
      "5. With a Lock: every schedule passes (500 runs, 6 distinct schedules).",
    ]);
  });

  it("toy-loop reproduces the post's polling loop and its output", () => {
    const lines = demo("toy-loop", "--virtual");
    expect(lines[0]).toBe("[ 'Sleep 1 over', 'Sleep 2 over', 'Sleep 3 over', 'Sleep 4 over' ]");
    expect(lines[1]).toBe("Loop time: 4.00 s");
    expect(lines.slice(2, 20)).toEqual(postLines);
    expect(lines.at(-1)).toMatch(/^The toy loop resumed tasks \d+ times for 18 prints\.$/);
  });
});
