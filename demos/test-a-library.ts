"use handloop";
/**
 * Testing real code in virtual time: code of yours that uses two unmodified libraries from npm
 * (p-limit for concurrency, p-retry for retries with backoff) against a flaky fake server built on
 * `new Promise` and `setTimeout`, run on handloop's loop. The libraries are compiled too (named in
 * HANDLOOP_INCLUDE), and `globals: "virtual"` makes their `setTimeout`, `Date` and
 * `performance.now()` follow the loop's clock: 5.7 seconds of retries, timeouts and backoff run in
 * a few milliseconds, with the same timestamps on every run. `--real` runs the same on the real
 * clock, in 5.7 real seconds.
 *
 *   npx tsx demos/test-a-library.ts [--virtual | --real]
 *
 * What to opt in, in a project of your own: the Vite/Vitest plugin's `include` (or, with
 * `handloop/register`, HANDLOOP_INCLUDE or a "handloop" field in package.json) for the libraries,
 * the "use handloop" directive for your files, and `globals: "virtual"` for the run.
 */

import { performance as realPerformance } from "node:perf_hooks";
import { isCompiled, RealClock, run, VirtualClock } from "../src/index.js";
import { demoCommandLine, usageError } from "./cli.js";

const USAGE = `npx tsx demos/test-a-library.ts [--virtual | --real]
  --virtual  on a virtual clock (the default): instant, the same output on every run
  --real     on the real clock: about 5.7 s`;
const { flags } = demoCommandLine(USAGE, ["virtual", "real"]);
if (flags.virtual && flags.real) usageError(USAGE, "Give --virtual or --real, not both.");

// ---- The code under test: it knows nothing of handloop ------------------------------------------

/** How the fake server answers each path: its latency in ms, and how many calls fail first. */
const SERVER: Record<string, { latency: number; failures: number }> = {
  "/users": { latency: 300, failures: 0 },
  "/orders": { latency: 250, failures: 2 },
  "/stock": { latency: 400, failures: 1 },
  "/prices": { latency: 150, failures: 3 },
};

type Log = (line: string) => void;

function fakeServer(log: Log) {
  const calls = new Map<string, number>();
  return (path: string) =>
    new Promise<string>((resolve, reject) => {
      const call = (calls.get(path) ?? 0) + 1;
      calls.set(path, call);
      const { latency, failures } = SERVER[path]!;
      log(`GET ${path} (call ${call})`);
      setTimeout(() => {
        if (call <= failures) return reject(new Error(`503 from ${path}`));
        log(`200 from ${path}`);
        resolve(`200 from ${path}`);
      }, latency);
    });
}

/** Fetches every path, two at a time, each retried up to three times with exponential backoff. */
async function fetchAll(paths: string[], get: (path: string) => Promise<string>, log: Log): Promise<string[]> {
  const { default: pLimit } = libraries!.pLimit;
  const { default: pRetry } = libraries!.pRetry;
  const limit = pLimit(2);
  return Promise.all(
    paths.map((path) =>
      limit(() =>
        pRetry(() => get(path), {
          retries: 3,
          minTimeout: 500,
          factor: 2,
          randomize: false,
          onFailedAttempt: ({ error, attemptNumber, retriesLeft }) =>
            log(`${error.message}: attempt ${attemptNumber} failed, ${retriesLeft} ${retriesLeft === 1 ? "retry" : "retries"} left`),
        }),
      ),
    ),
  );
}

// ---- The run ---------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const start = Date.now();
  const log: Log = (line) => console.log(`${new Date().toISOString().slice(11, 23)} +${String(Date.now() - start).padStart(4)} ms  ${line}`);
  const results = await fetchAll(Object.keys(SERVER), fakeServer(log), log);
  log(`done: ${results.length} of ${Object.keys(SERVER).length} paths fetched`);
}

// The libraries are loaded only by the compiled pass, after the hook is registered: a module is
// loaded once per process, and the uncompiled pass must not load them natively first.
type Libraries = { pLimit: typeof import("p-limit"); pRetry: typeof import("p-retry") };
let libraries: Libraries | undefined;

if (isCompiled(main)) {
  libraries = { pLimit: await import("p-limit"), pRetry: await import("p-retry") };
  const began = realPerformance.now();
  run(main, {
    clock: flags.real ? new RealClock() : new VirtualClock(),
    globals: { mode: "virtual", now: new Date("2030-01-01T09:00:00Z") },
  });
  const took = realPerformance.now() - began;
  console.log(`\n${flags.real ? "real" : "virtual"} clock: ${took < 1000 ? `${Math.max(1, Math.round(took))} ms` : `${(took / 1000).toFixed(1)} s`} of real time`);
} else {
  // Run by plain tsx: name the libraries to compile, register the hook, and run this file compiled.
  process.env.HANDLOOP_INCLUDE ??= "p-limit,p-retry";
  const { importCompiled } = await import("../src/register.js");
  await importCompiled(import.meta.url);
}
