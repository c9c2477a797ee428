/**
 * W12: exploring schedules. How many schedules handloop/explore runs a second on the lost-update
 * program (two tasks, ten awaits each, its assertion off so that every run passes), and how many
 * runs (and how much time) it takes to find each planted bug of test/fixtures/explore-bugs.ts, for
 * the random, pct and dfs strategies and the default portfolio; beside it, fast-check's
 * `fc.scheduler()` on the same bugs written with native Promises (every await a scheduled
 * promise), its runs to the first failure and its time per run.
 *
 * Runs to failure are the mean over 20 seeds (dfs has none: one figure); time to failure, the
 * mean over the seeds (median of 5 rounds), is handloop's `check()` with `shrink: false` (its
 * report, and the traced run of the token it is made from, included) against fast-check's
 * `fc.check` with `endOnFailure` (no shrinking); then the portfolio's `check()` with shrinking.
 *
 * Targets: >= 20,000 schedules a second (as 1e6 / schedules-per-second <= 50 µs a schedule);
 * handloop's portfolio finds each bug in fewer runs, and less time, than fast-check.
 *
 *   npx tsx bench/w12-explore.ts
 */

import fc from "fast-check";
import { check, type ExploreOptions } from "../src/explore.js";
import { checkThenAct, lockOrder, lostUpdate, lostUpdateTen } from "../test/fixtures/explore-bugs.js";
import { median, target } from "./harness.js";

const SEEDS = 20;
const SCHEDULES = 20_000;

// ---- Schedules per second -----------------------------------------------------------------------

function schedulesPerSecond(options: ExploreOptions): number {
  const rates: number[] = [];
  for (let i = 0; i < 3; i++) {
    const start = performance.now();
    const { runs } = check(() => lostUpdateTen(false), { ...options, runs: SCHEDULES, seed: i + 1 });
    rates.push((runs / (performance.now() - start)) * 1000);
  }
  return median(rates);
}

console.log(`W12: schedules a second on the lost-update program (two tasks, ten awaits each), median of 3 x ${SCHEDULES}`);
const rates: [string, ExploreOptions][] = [
  ["random", { strategy: "random" }],
  ["pct", { strategy: "pct" }],
  ["portfolio (default)", {}],
  ["random, globals: \"real\"", { strategy: "random", globals: "real" }],
];
let defaultRate = 0;
for (const [name, options] of rates) {
  const rate = schedulesPerSecond(options);
  if (name.startsWith("portfolio")) defaultRate = rate;
  console.log(`  ${name.padEnd(26)} ${rate.toFixed(0).padStart(7)} schedules/s  (${(1e6 / rate).toFixed(1)} µs each)`);
}

// ---- Runs to the first failure: handloop -------------------------------------------------------

interface Found {
  runs: number;
  ms: number;
}

// Time to failure is a fraction of a millisecond for the shallow bugs: each system runs all its
// seeds ROUNDS times, and the median round counts.
const ROUNDS = 5;

function handloopFinds(program: () => unknown, options: ExploreOptions, seeds: number): Found {
  const runs: number[] = [];
  const rounds: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const times: number[] = [];
    for (let seed = 0; seed < seeds; seed++) {
      const start = performance.now();
      const result = check(program as () => never, { ...options, seed, runs: 100_000 });
      times.push(performance.now() - start);
      if (round === 0) runs.push(result.ok ? Number.NaN : result.runs);
    }
    rounds.push(mean(times));
  }
  return { runs: mean(runs), ms: median(rounds) };
}

function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

// ---- The same bugs with native Promises, under fast-check's scheduler ---------------------------

type Scheduler = fc.Scheduler;
const tick = (s: Scheduler) => s.schedule(Promise.resolve());

const fcLostUpdate = (setup: number) => async (s: Scheduler): Promise<void> => {
  const account = { balance: 100 };
  async function withdraw(amount: number, setup: number) {
    for (let i = 0; i < setup; i++) await tick(s);
    const balance = account.balance;
    await tick(s);
    account.balance = balance - amount;
  }
  const all = Promise.all([withdraw(30, 0), withdraw(50, setup)]);
  await s.waitIdle();
  await all;
  if (account.balance !== 20) throw new Error("Lost update: one withdrawal overwrote the other.");
};

/** A FIFO lock of native Promises. */
class NativeLock {
  #held = false;
  #waiters: (() => void)[] = [];
  async acquire(): Promise<void> {
    if (!this.#held) {
      this.#held = true;
      return;
    }
    await new Promise<void>((resolve) => this.#waiters.push(resolve));
  }
  release(): void {
    const next = this.#waiters.shift();
    if (next) next();
    else this.#held = false;
  }
}

const fcLockOrder = (setup: number) => async (s: Scheduler): Promise<void> => {
  const a = new NativeLock();
  const b = new NativeLock();
  async function worker(first: NativeLock, second: NativeLock, setup: number) {
    for (let i = 0; i < setup; i++) await tick(s);
    await first.acquire();
    await tick(s);
    await second.acquire();
    second.release();
    first.release();
  }
  let done = false;
  void Promise.all([worker(a, b, 0), worker(b, a, setup)]).then(() => (done = true));
  await s.waitIdle();
  await Promise.resolve();
  if (!done) throw new Error("Deadlock: both workers wait on a lock.");
};

const fcCheckThenAct = (setup: number) => async (s: Scheduler): Promise<void> => {
  const queue = [1];
  async function consumer(setup: number) {
    for (let i = 0; i < setup; i++) await tick(s);
    if (queue.length === 0) return "nothing";
    await tick(s);
    if (queue.length === 0) throw new Error("QueueEmptyError: the queue is empty.");
    return `took ${queue.shift()}`;
  }
  const all = Promise.all([consumer(0), consumer(setup)]);
  await s.waitIdle();
  await all;
};

async function fastCheckFinds(body: (s: Scheduler) => Promise<void>, seeds: number): Promise<Found> {
  const runs: number[] = [];
  const rounds: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const times: number[] = [];
    for (let seed = 0; seed < seeds; seed++) {
      const start = performance.now();
      const details = await fc.check(fc.asyncProperty(fc.scheduler(), body), { numRuns: 100_000, seed, endOnFailure: true });
      times.push(performance.now() - start);
      if (round === 0) runs.push(details.failed ? details.numRuns : Number.NaN);
    }
    rounds.push(mean(times));
  }
  return { runs: mean(runs), ms: median(rounds) };
}

async function fastCheckPerRun(): Promise<number> {
  const n = 2000;
  const start = performance.now();
  await fc.check(fc.asyncProperty(fc.scheduler(), (s) => fcLostUpdateTen(s)), { numRuns: n, seed: 1 });
  return ((performance.now() - start) * 1000) / n;
}

/** The W12 program with native Promises, every run passing (its assertion off). */
async function fcLostUpdateTen(s: Scheduler): Promise<void> {
  const account = { balance: 100 };
  async function early(amount: number) {
    const balance = account.balance;
    for (let i = 0; i < 10; i++) await tick(s);
    account.balance = balance - amount;
  }
  async function late(amount: number) {
    for (let i = 0; i < 10; i++) await tick(s);
    account.balance -= amount;
  }
  const all = Promise.all([early(30), late(50)]);
  await s.waitIdle();
  await all;
}

// The planted bugs as the tests have them, then deeper: the second task must win DEEP picks in a row.
const DEEP = 6;
const bugs: [string, () => unknown, (s: Scheduler) => Promise<void>][] = [
  ["lost update", () => lostUpdate(), fcLostUpdate(1)],
  ["lock-order deadlock", () => lockOrder(), fcLockOrder(2)],
  ["check-then-act on a queue", () => checkThenAct(), fcCheckThenAct(1)],
  [`lost update, ${DEEP} awaits of setup`, () => lostUpdate(DEEP), fcLostUpdate(DEEP)],
  [`lock-order deadlock, ${DEEP} awaits of setup`, () => lockOrder(DEEP), fcLockOrder(DEEP)],
  [`check-then-act, ${DEEP} awaits of setup`, () => checkThenAct(DEEP), fcCheckThenAct(DEEP)],
];

// Warm both up, so that the first seeds do not pay for the JIT.
for (const [, program, native] of bugs) {
  handloopFinds(program, { shrink: false }, 3);
  await fastCheckFinds(native, 3);
}
const perRun = await fastCheckPerRun();
console.log(`\n  fast-check scheduler() on the same program: ${perRun.toFixed(1)} µs a run (${(1e6 / perRun).toFixed(0)} schedules/s)`);
console.log(
  `\nRuns to the first failure (mean of ${SEEDS} seeds; dfs, which has no seed: one) and time to it, without shrinking (fast-check: endOnFailure); then the portfolio's time with shrinking and the report`,
);
for (const [name, program, native] of bugs) {
  console.log(`  ${name}`);
  const noShrink: ExploreOptions = { shrink: false };
  const rows: [string, Found][] = [
    ["handloop random", handloopFinds(program, { ...noShrink, strategy: "random" }, SEEDS)],
    ["handloop pct", handloopFinds(program, { ...noShrink, strategy: "pct" }, SEEDS)],
    ["handloop dfs", handloopFinds(program, { ...noShrink, strategy: "dfs", maxDeviations: DEEP + 1 }, 1)],
    ["handloop portfolio", handloopFinds(program, noShrink, SEEDS)],
    ["fast-check scheduler()", await fastCheckFinds(native, SEEDS)],
    ["handloop portfolio, shrunk", handloopFinds(program, {}, SEEDS)],
  ];
  for (const [system, found] of rows) {
    console.log(`    ${system.padEnd(28)} ${found.runs.toFixed(1).padStart(7)} runs ${found.ms.toFixed(2).padStart(8)} ms`);
  }
  const portfolio = rows[3]![1];
  const fast = rows[4]![1];
  target(`${name}: portfolio's runs to failure / fast-check's`, portfolio.runs / fast.runs, 1);
  target(`${name}: portfolio's time to failure / fast-check's`, portfolio.ms / fast.ms, 1);
}
console.log("");
target("µs a schedule, portfolio (>= 20,000 schedules/s)", 1e6 / defaultRate, 50, "µs");
