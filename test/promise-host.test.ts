// LoopPromise with no loop running: its jobs are microtasks, and a rejection nobody handles is the
// host's to report, as a native promise's is (Node: the unhandledRejection machinery).
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { LoopPromise, run, VirtualClock } from "../src/index.js";

const root = fileURLToPath(new URL("..", import.meta.url));

/** Runs `code` (an ES module importing handloop from ./src) in a fresh Node process. */
function node(code: string) {
  return spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", code], {
    cwd: root,
    encoding: "utf8",
    timeout: 20_000,
  });
}

describe("LoopPromise with no loop running", () => {
  it("runs its jobs as microtasks, never synchronously", async () => {
    const log: string[] = [];
    const done = LoopPromise.resolve("outside").then((v) => log.push(v));
    log.push("after then()");
    await Promise.resolve();
    expect(log).toEqual(["after then()", "outside"]);
    expect(done).toBeInstanceOf(LoopPromise);
  });

  it("gives an unhandled rejection to the host, which reports it as it reports a native promise's", () => {
    const { stderr, status } = node(`
      import { LoopPromise } from "./src/index.ts";
      LoopPromise.reject(new Error("nobody handled me"));
    `);
    expect(status).toBe(1);
    expect(stderr).toContain("Error: nobody handled me");
  });

  it("keeps the host quiet when a handler comes before microtasks drain, or in a run that follows", () => {
    const { stdout, stderr, status } = node(`
      import { LoopPromise, run, VirtualClock } from "./src/index.ts";
      process.on("rejectionHandled", () => console.log("rejectionHandled"));
      const caughtLater = LoopPromise.reject(new Error("a"));
      queueMicrotask(() => caughtLater.catch((e) => console.log("caught", e.message)));
      const awaitedInARun = LoopPromise.reject(new Error("b"));
      console.log(run(function* () {
        try { yield awaitedInARun; } catch (e) { return "run caught " + e.message; }
      }, { clock: new VirtualClock() }));
    `);
    expect(stderr).toBe("");
    expect(status).toBe(0);
    expect(stdout).toBe("run caught b\ncaught a\n");
  });

  it("gives the host a future rejected with no loop running and never awaited, as it gives a promise", () => {
    const lost = node(`
      import { createFuture } from "./src/index.ts";
      createFuture().reject(new Error("rejected between runs"));
    `);
    expect(lost.status).toBe(1);
    expect(lost.stderr).toContain("Error: rejected between runs");
    const awaited = node(`
      import { createFuture, run, VirtualClock } from "./src/index.ts";
      const fut = createFuture();
      fut.reject(new Error("awaited by the next run"));
      console.log(run(function* () {
        try { yield* fut; } catch (e) { return "caught " + e.message; }
      }, { clock: new VirtualClock() }));
    `);
    expect(awaited.stderr).toBe("");
    expect(awaited.stdout).toBe("caught awaited by the next run\n");
  });

  it("still reports, in a run, what the run leaves unhandled, and the host nothing", () => {
    let error: unknown;
    try {
      run(
        function* () {
          LoopPromise.reject(new Error("in the run"));
          yield;
        },
        { clock: new VirtualClock() },
      );
    } catch (e) {
      error = e;
    }
    expect((error as Error).message).toMatch(/^A LoopPromise was rejected and nothing handled it: Error: in the run\./);
  });
});
