"use handloop";
/**
 * Host mode with real I/O: the demo starts a loopback HTTP server whose pages answer after 50 ms
 * to 2 s, then fetches them all at once on handloop's loop under `runAsync`, each inside
 * `timeout(0.5, ...)`. `fetch` gets the task's own `currentSignal()`, so a timeout that cancels
 * the task aborts the request too: the server sees those connections close, long before it would
 * have answered. Node's event loop keeps serving the server while the tasks wait.
 *
 *   npx tsx demos/fetch-with-timeouts.ts [--virtual]
 *
 * A real server needs the real clock, so `--virtual` is accepted, as by every demo, and changes
 * nothing.
 */

import { createServer } from "node:http";
import { currentSignal, gather, isCompiled, RealClock, runAsync, timeout, TimeoutError } from "../src/index.js";
import { demoCommandLine } from "./cli.js";

demoCommandLine(
  "npx tsx demos/fetch-with-timeouts.ts [--virtual]\n  --virtual  accepted, as by every demo: a real server needs the real clock",
  ["virtual"],
);

const PAGES: Record<string, number> = { "/fast": 50, "/medium": 300, "/slow": 1200, "/stuck": 2000 }; // ms to answer
const LIMIT = 0.5; // seconds each fetch may take

async function fetchPage(base: string, path: string): Promise<string> {
  // The task's own signal: aborted with the TimeoutError that cancels this task.
  const response = await fetch(base + path, { signal: currentSignal() });
  return await response.text();
}

async function main(base: string, started: number): Promise<void> {
  const at = () => `${String(Math.round((performance.now() - started) / 50) * 50).padStart(5)} ms`;
  await gather(
    ...Object.keys(PAGES).map(async (path) => {
      try {
        const text = await timeout(LIMIT, fetchPage(base, path));
        console.log(`${at()}  client: ${path} -> "${text}"`);
      } catch (error) {
        if (!(error instanceof TimeoutError)) throw error;
        console.log(`${at()}  client: ${path} timed out after ${LIMIT} s; its request is aborted`);
      }
    }),
  );
}

if (isCompiled(fetchPage)) {
  let started = 0;
  const aborted: string[] = [];
  const server = createServer((request, response) => {
    const path = request.url ?? "/";
    const answer = setTimeout(() => response.end(`page ${path}`), PAGES[path] ?? 0);
    // A client that gave up closes its connection before the answer: the server stops working on it.
    response.on("close", () => {
      if (response.writableFinished) return;
      clearTimeout(answer);
      aborted.push(path);
      console.log(`${String(Math.round((performance.now() - started) / 50) * 50).padStart(5)} ms  server: ${path} closed by the client before its answer`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  started = performance.now();
  await runAsync(() => main(`http://127.0.0.1:${port}`, started), { clock: new RealClock() });
  // Give the server's close events of the aborted requests a moment to arrive, then stop.
  await new Promise((resolve) => setTimeout(resolve, 100));
  server.close();
  console.log(`aborted on the server: ${aborted.sort().join(", ") || "none"}`);
} else {
  const { importCompiled } = await import("../src/register.js");
  await importCompiled(import.meta.url);
}
