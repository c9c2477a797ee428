// Host mode as a whole Node process sees it: what keeps the process alive, and what the host is
// told when no run is there to take an error. Each case runs in a fresh process (tsx, src/).
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));

/** Runs `code` (an ES module importing handloop from ./src) in a fresh Node process. */
function node(code: string) {
  const started = performance.now();
  const result = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", code], {
    cwd: root,
    encoding: "utf8",
    timeout: 20_000,
  });
  return { ...result, ms: performance.now() - started };
}

describe("a Node process running handloop in host mode", () => {
  it("stays alive while the loop has timers, and exits once runAsync() has settled", () => {
    const { stdout, stderr, status, ms } = node(`
      import { asleep, coroutine, runAsync } from "./src/index.ts";
      runAsync(coroutine(function* () {
        coroutine(function* () { yield* asleep(60); })(); // cancelled when main is done: its timer goes
        yield* asleep(0.05);
        return "woke";
      })).then(console.log);
    `);
    expect(stderr).toBe("");
    expect(status).toBe(0);
    expect(stdout).toBe("woke\n");
    expect(ms).toBeLessThan(15_000); // not the minute the leftover task slept for
  });

  it("does not keep the process alive for a native Promise that nothing will settle", () => {
    const { stdout, status } = node(`
      import { runAsync } from "./src/index.ts";
      runAsync(() => new Promise(() => {})).then(() => console.log("settled"), (e) => console.log("rejected", e.name));
    `);
    // Node ends a process with nothing left to do, as it would for the same native code: no
    // DeadlockError (a host wait might still settle), and no keep-alive of the loop's own.
    expect(status).toBe(0);
    expect(stdout).toBe("");
  });

  it("gives the host an error a callback throws on an attached loop, as it gives a native callback's", () => {
    const { stderr, status } = node(`
      import { EventLoop } from "./src/index.ts";
      const loop = new EventLoop();
      loop.attach();
      loop.callSoon(() => { throw new Error("callback failed"); });
    `);
    expect(status).toBe(1);
    expect(stderr).toContain("Error: callback failed");
  });

  it("gives the host an unhandled failure of a task on an attached loop, as an unhandled rejection", () => {
    const { stderr, status } = node(`
      import { coroutine, EventLoop } from "./src/index.ts";
      const loop = new EventLoop();
      loop.attach();
      coroutine(function* () { yield Promise.resolve(); throw new Error("nobody awaited me"); })();
    `);
    expect(status).toBe(1);
    expect(stderr).toContain("UnhandledTaskError");
    expect(stderr).toContain("nobody awaited me");
  });
});
