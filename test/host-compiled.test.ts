"use handloop";
// Host mode from compiled async code (this file is compiled by handloop's Vite plugin): `Promise`
// here is LoopPromise, and `await fetch(...)` waits for a native Promise while Node goes on. The
// test callbacks are not async functions: compiled, those would be tasks that no loop starts.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import {
  asleep,
  currentSignal,
  DeadlockError,
  EventLoop,
  fromPromise,
  isCompiled,
  runAsync,
  Task,
  timeout,
  TimeoutError,
  toPromise,
} from "../src/index.js";

const closers: (() => PromiseLike<void>)[] = [];
afterEach(() => Promise.all(closers.splice(0).map((close) => close())));

/**
 * An HTTP server on a free loopback port, closed after the test. `listen` calls back as host code,
 * so the LoopPromise it settles is awaited through fromPromise() (see the deadlock test below).
 */
function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  const server = createServer(handler);
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  return new Promise<string>((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`)),
  );
}

async function download(url: string): Promise<string> {
  const response = await fetch(url, { signal: currentSignal() });
  return await response.text();
}

describe("compiled async code in host mode", () => {
  it("is compiled, so its Promise is the loop's", () => {
    expect(isCompiled(download)).toBe(true);
  });

  it("awaits fetch() and native timers between its own awaits", () =>
    runAsync(async () => {
      const url = await fromPromise(serve((_req, res) => setTimeout(() => res.end("hello"), 20)));
      const [a, b] = await Promise.all([download(url), download(url)]); // LoopPromise adopting native ones
      await asleep(0.001);
      expect([a, b]).toEqual(["hello", "hello"]);
    }));

  it("times out a fetch: the signal aborts with the TimeoutError, and the server sees the request close", () =>
    runAsync(async () => {
      let seen!: () => void;
      const closed = new Promise<void>((resolve) => (seen = resolve));
      const url = await fromPromise(serve((_req, res) => res.on("close", () => res.writableFinished || seen())));
      let reason: unknown;
      const error = await timeout(
        0.05,
        (async () => {
          currentSignal().addEventListener("abort", function (this: AbortSignal) {
            reason = this.reason;
          });
          return await download(url);
        })(),
      ).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TimeoutError);
      expect(reason).toBe(error);
      await fromPromise(closed); // settled by the server's callback: host code
    }));

  it("takes a LoopPromise that only a native timer settles for a deadlock, unless awaited through fromPromise", () =>
    runAsync(async () => {
      await new Promise((resolve) => setTimeout(resolve, 10)); // a native timer the loop cannot see
    })
      .catch((e: unknown) => e)
      .then((error) => {
        expect(error).toBeInstanceOf(DeadlockError);
        return runAsync(async () => await fromPromise(new Promise((resolve) => setTimeout(() => resolve("timer fired"), 10))));
      })
      .then((value) => expect(value).toBe("timer fired")));

  it("serves compiled async functions that an HTTP handler calls, on the attached loop", () => {
    const loop = new EventLoop();
    const detach = loop.attach();
    const handled: Task<void>[] = [];
    async function handle(res: ServerResponse): Promise<void> {
      await asleep(0.002);
      res.end("handled on the loop");
    }
    // Host code from here on: the loop is attached, so the compiled function starts on it at once.
    const text = loop.runAsync(
      (async () => {
        const url = await fromPromise(serve((_req, res) => void handled.push(Task.from(handle(res)))));
        return await fromPromise(fetch(url).then((r) => r.text()));
      })(),
    );
    return toPromise(text)
      .then((body) => {
        expect(body).toBe("handled on the loop");
        expect(handled).toHaveLength(1);
        expect(handled[0]!.done()).toBe(true);
      })
      .finally(detach);
  });
});
