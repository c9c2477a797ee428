// taskTree() and taskTable() (src/tree.ts), and the tree in a DeadlockError. Regenerate the golden
// files with `UPDATE_GOLDEN=1 npx vitest run test/tree.test.ts` and review the diff.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { asleep, coroutine, createFuture, DeadlockError, Event, EventLoop, Lock, taskTable, taskTree, VirtualClock } from "../src/index.js";
import * as crawler from "./fixtures/tree/crawler.loop.js";

function expectGolden(name: string, text: string): void {
  const path = fileURLToPath(new URL(`golden/tree/${name}`, import.meta.url));
  if (process.env.UPDATE_GOLDEN === "1" || !existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  }
  expect(text).toBe(readFileSync(path, "utf8"));
}

/** Task numbers (process-wide) as N, and the fixture's absolute path as the file's name. */
function stable(text: string): string {
  return text.replace(/-\d+"/g, '-N"').replace(/[^\s(]*\/(crawler\.loop\.ts:\d+:\d+)/g, "$1");
}

/** The crawler 1.5 s into its crawl (started at 1): main awaits crawl, which gathers two fetches. */
function crawlerAt(recording: boolean): EventLoop {
  const loop = new EventLoop({ clock: new VirtualClock() });
  if (recording) loop.record();
  const go = new Event();
  loop.createTask(crawler.main(go), { name: "main" });
  loop.callLater(1, () => go.set());
  loop.runUntilComplete(asleep(2.5));
  return loop;
}

describe("taskTree()", () => {
  it("draws who started whom as asyncio pstree does, with Go's [wait reason, duration] and the await sites (golden)", () => {
    const text = stable(taskTree(crawlerAt(true)));
    expectGolden("crawler.txt", text);
    expect(text).toContain('(T) task "fetchPage-N" [sleep asleep(2), 1.5s]');
    expect(text).toContain("at async fetchPage (crawler.loop.ts:5:3)");
  });

  it("hangs tasks under the task awaiting them, without durations, when nothing was recorded", () => {
    const text = stable(taskTree(crawlerAt(false)));
    expectGolden("crawler-unrecorded.txt", text);
    expect(text).not.toMatch(/\ds\]/);
  });

  it("says running for the task that asks, and is empty when no task is alive", () => {
    const loop = new EventLoop({ clock: new VirtualClock() });
    expect(taskTree(loop)).toBe("");
    const seen = loop.runUntilComplete(
      loop.createTask(
        coroutine(function* () {
          yield;
          return taskTree(loop);
        })(),
        { name: "self" },
      ),
    );
    expect(seen).toBe('└── (T) task "self" [running]\n');
  });
});

describe("taskTable()", () => {
  it("lists live tasks as asyncio ps does, with who awaits them and their busy/scheduled/idle split from the recording", () => {
    const loop = crawlerAt(true);
    const lines = stable(taskTable(loop)).split("\n");
    expect(lines[0]).toMatch(/^tid\s+name\s+coroutine\s+awaits at\s+awaited by\s+state\s+busy ms\s+sched ms\s+idle ms\s+steps$/);
    const row = (name: string) => lines.find((l) => l.includes(` ${name} `))!.split(/\s{2,}/);
    const main = row("main");
    expect(main.slice(1, 4)).toEqual(["main", "main", "crawler.loop.ts:15:17"]);
    expect(main.at(-1)).toBe("2"); // steps: its first, and the one after the Event was set
    const fetch = lines.filter((l) => / fetchPage-\d+ /.test(l));
    expect(fetch).toHaveLength(2);
    expect(fetch.every((l) => / sleep asleep\(\d\), 1\.5s /.test(l))).toBe(true);
  });

  it("names the first few of many tasks awaiting one, so the table stays a table", () => {
    // 2,000 awaiters of one task: listing them all made that column 10,000 characters wide,
    // every row padded to it (20,000 of them overflowed the string: a RangeError).
    const loop = new EventLoop({ clock: new VirtualClock() });
    const go = new Event();
    const shared = loop.createTask(coroutine(function* shared() {
      yield* go.wait();
    })(), { name: "shared" });
    const awaiter = coroutine(function* awaiter() {
      yield* shared;
    });
    let table = "";
    const main = coroutine(function* main() {
      const waiting = Array.from({ length: 2000 }, () => awaiter());
      table = taskTable(loop);
      go.set();
      for (const w of waiting) yield* w;
    });
    loop.runUntilComplete(loop.createTask(main(), { name: "main" }));
    const lines = table.trimEnd().split("\n");
    expect(lines).toHaveLength(1 + 2 + 2000);
    const ids = lines.slice(3, 8).map((l) => l.split(/\s+/)[0]);
    expect(lines.find((l) => / shared /.test(l))).toContain(` ${ids.join(",")} and 1995 more `);
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThan(160);
  });

  it("shows - for the statistics when nothing was recorded", () => {
    const lines = taskTable(crawlerAt(false)).trimEnd().split("\n");
    expect(lines.slice(1).every((l) => /-\s+-\s+-\s+-$/.test(l))).toBe(true);
  });
});

describe("DeadlockError", () => {
  it("calls a Future a future in its list, as its tree does", () => {
    const loop = new EventLoop({ clock: new VirtualClock() });
    const never = createFuture<number>({ name: "never" });
    const main = coroutine(function* main() {
      yield* never;
    });
    let error: unknown;
    try {
      loop.runUntilComplete(loop.createTask(main(), { name: "main" }));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DeadlockError);
    const message = stable((error as Error).message);
    expect(message).toContain('  - task "main" waits on future "never"');
    expect(message).toContain('└── (T) task "main" [wait future "never"]');
  });

  it("draws the waiting tasks as taskTree does, with how long each has waited when a recorder is on", () => {
    const loop = new EventLoop({ clock: new VirtualClock() });
    loop.record();
    const lock = new Lock();
    const never = new Event();
    const holder = coroutine(function* holder() {
      yield* lock.acquire();
      yield* asleep(1);
      yield* never.wait();
    });
    const waiter = coroutine(function* waiter() {
      yield* asleep(3);
      yield* lock.acquire();
    });
    const main = coroutine(function* main() {
      const h = holder();
      const w = waiter();
      yield* w;
      yield* h;
    });
    let error: unknown;
    try {
      loop.runUntilComplete(loop.createTask(main(), { name: "main" }));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DeadlockError);
    expect(stable((error as Error).message)).toBe(
      [
        "No task can make progress: nothing is ready, no timer is pending, and 3 waits cannot end:",
        '  - task "main" waits on task "waiter-N"',
        '  - task "holder-N" waits on an Event to be set',
        '  - task "waiter-N" waits on a Lock to be released',
        "The waiting tasks, as taskTree() draws them:",
        '└── (T) task "main" [await task "waiter-N", 3s]',
        '    ├── (T) task "holder-N" [wait an Event to be set, 2s]',
        '    └── (T) task "waiter-N" [wait a Lock to be released, 0s]',
      ].join("\n"),
    );
  });
});
