"use handloop";
/**
 * A simulated web crawler, in virtual time unless told otherwise: 20 pages with latencies drawn from a seeded generator,
 * at most 4 fetches at a time (a Semaphore), a 2 s timeout on each fetch, results flowing through
 * a Queue to a consumer, everything inside one task group. Prints what happened with virtual
 * timestamps and a summary; the output is identical on every run. `--real` runs the same crawl on
 * the real clock: about 4.5 s, with real timestamps. `--timeline` records the crawl and prints its
 * timeline at the end: a row per task, the fetchers waiting on the semaphore, sleeping, timing out.
 *
 *   npx tsx demos/crawler.ts [--virtual | --real] [--timeline]
 */

import {
  asleep,
  currentLoop,
  isCompiled,
  Queue,
  RealClock,
  run,
  Semaphore,
  taskGroup,
  timeout,
  timeline,
  TimeoutError,
  VirtualClock,
  type Recording,
  type TaskGroup,
} from "../src/index.js";
import { importCompiled } from "../src/register.js";
import { demoCommandLine, usageError } from "./cli.js";

const USAGE = `npx tsx demos/crawler.ts [--virtual | --real] [--timeline]
  --virtual   on a virtual clock (the default): instant, the same output on every run
  --real      on the real clock: about 4.5 s
  --timeline  print the crawl's timeline at the end`;
const { flags } = demoCommandLine(USAGE, ["virtual", "real", "timeline"]);
if (flags.virtual && flags.real) usageError(USAGE, "Give --virtual or --real, not both.");
const real = flags.real;
const PAGES = 20;
const CONCURRENCY = 4;
const TIMEOUT = 2; // seconds per fetch

interface Result {
  url: string;
  outcome: "fetched" | "timed out";
  kilobytes: number;
  seconds: number;
}

/** mulberry32: a small seeded generator, so every run draws the same latencies. */
function seeded(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const random = seeded(2015);
const pages = Array.from({ length: PAGES }, (_, i) => ({
  url: `/page/${i + 1}`,
  latency: 0.2 + 2.8 * random() ** 2, // mostly quick, a few slow
  kilobytes: Math.round(5 + 95 * random()),
}));

let started = 0;
const stamp = () => `[${(currentLoop().time() - started).toFixed(3).padStart(7)}s]`;

async function fetchPage(page: (typeof pages)[number]): Promise<number> {
  await asleep(page.latency);
  return page.kilobytes;
}

async function fetchOne(page: (typeof pages)[number], slots: Semaphore, results: Queue<Result>): Promise<void> {
  await slots.acquire();
  const began = currentLoop().time();
  try {
    console.log(`${stamp()} start   ${page.url}`);
    const kilobytes = await timeout(TIMEOUT, fetchPage(page));
    await results.put({ url: page.url, outcome: "fetched", kilobytes, seconds: currentLoop().time() - began });
  } catch (error) {
    if (!(error instanceof TimeoutError)) throw error;
    await results.put({ url: page.url, outcome: "timed out", kilobytes: 0, seconds: TIMEOUT });
  } finally {
    slots.release();
  }
}

async function consume(results: Queue<Result>): Promise<{ fetched: number; timedOut: number; kilobytes: number }> {
  const summary = { fetched: 0, timedOut: 0, kilobytes: 0 };
  for await (const result of results) {
    if (result.outcome === "fetched") {
      summary.fetched++;
      summary.kilobytes += result.kilobytes;
      console.log(`${stamp()} fetched ${result.url} (${result.kilobytes} kB in ${result.seconds.toFixed(2)} s)`);
    } else {
      summary.timedOut++;
      console.log(`${stamp()} TIMEOUT ${result.url} (gave up after ${TIMEOUT} s)`);
    }
  }
  return summary;
}

let recorder: Recording | undefined;

async function crawl() {
  // From the main task's first step: what comes before it is the loop starting.
  if (flags.timeline) recorder = currentLoop().record();
  started = currentLoop().time();
  const slots = new Semaphore(CONCURRENCY);
  const results = new Queue<Result>();
  return taskGroup(async (group: TaskGroup) => {
    const consumer = group.spawn(consume(results), { name: "consumer" });
    const fetchers = pages.map((page) => group.spawn(fetchOne(page, slots, results), { name: `fetch ${page.url}` }));
    for (const fetcher of fetchers) await fetcher;
    results.shutdown(); // no more results: the consumer's for-await ends
    return await consumer;
  });
}

if (isCompiled(crawl)) {
  const clock = real ? new RealClock() : new VirtualClock();
  const summary = run(crawl, { clock });
  const elapsed = clock.now() - started;
  console.log(
    `\nfetched ${summary.fetched} pages (${summary.kilobytes} kB), timed out ${summary.timedOut}, ` +
      `${real ? "real" : "virtual"} time ${elapsed.toFixed(3)} s`,
  );
  if (recorder !== undefined) console.log(`\n${timeline(recorder, { width: 60 })}`);
} else {
  await importCompiled(import.meta.url);
}
