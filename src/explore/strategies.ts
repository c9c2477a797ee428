/**
 * explore/strategies.ts: who answers the decisions of each run (an Oracle per run), and how the
 * answers change from run to run.
 *
 * - `fifo`: every answer 0, the loop's own order. The first run of a portfolio.
 * - `random`: every decision uniform among its choices (`chance(p)` with odds p).
 * - `pct`: probabilistic concurrency testing (Burckhardt et al., ASPLOS 2010), as shuttle's
 *   `PctScheduler` does it (after Coyote): every item gets a distinct priority, a new one by a
 *   random swap with a known one (or the lowest); the highest-priority ready item runs; at `depth - 1`
 *   change points, drawn among the steps of the longest run seen so far (see `createStrategy`), the
 *   item that ran last drops to the lowest priority. Run 0 is FIFO. A bug of depth d is then found with probability at least
 *   1/(n k^(d-1)) per run. Only decisions with two or more choices count as steps. Draws other than
 *   picks are random.
 * - `dfs`: every schedule whose decisions differ from FIFO's at most `maxDeviations` times, in
 *   lexicographic order of their choices, each once: loom's preemption bound, over decisions. Ends
 *   when they are all run (stateless model checking: a run is replayed from its prefix, so the
 *   program must be deterministic given its decisions).
 * - `portfolio` (the default): FIFO first, then pct, random and dfs in turn, starting at a place
 *   the seed gives; dfs drops out once exhausted.
 *
 * Discussion: FIFO first because most bugs that any order shows, FIFO shows, and it is the order
 * the program runs in outside the explorer; pct next because it finds bugs of small depth with a
 * guarantee; random for breadth; dfs because it is exhaustive near FIFO, where shrunk failures are.
 * https://github.com/awslabs/shuttle/blob/main/src/scheduler/pct.rs
 */

import type { Runnable } from "../ready-queue.js";
import { Random, runSeed } from "./random.js";
import type { Oracle, ReadyItems, Scheduler } from "./scheduler.js";
import type { DecisionKind } from "./token.js";

/** The strategies `explore()` knows. */
export type StrategyName = "random" | "pct" | "dfs" | "portfolio";

/** @internal A strategy across runs: an Oracle for each run, told how each run went. */
export interface Strategy {
  /** The oracle of run `run`, and the name of the strategy behind it; null once exhausted. */
  next(run: number): { oracle: Oracle; name: string } | null;
  /** How run's decisions went (for dfs's next prefix and pct's step bound). */
  finished(scheduler: Scheduler): void;
}

/** @internal */
export const FIFO: Oracle = {
  pick: () => 0,
  draw: () => 0,
};

class RandomOracle implements Oracle {
  readonly #rng: Random;
  constructor(seed: number) {
    this.#rng = new Random(seed);
  }
  pick(ready: ReadyItems): number {
    return this.#rng.int(ready.length);
  }
  draw(kind: DecisionKind, n: number, _index: number, p: number): number {
    return kind === "d" && n === 2 ? +(this.#rng.next() < p) : this.#rng.int(n);
  }
}

class PctOracle implements Oracle {
  readonly #rng: Random;
  readonly #priorities = new Map<Runnable, number>(); // lower runs first; all distinct
  readonly #known: Runnable[] = [];
  readonly #changePoints: Set<number>;
  #nextPriority = 0;
  #steps = 0;
  readonly #draws: RandomOracle;

  constructor(seed: number, depth: number, maxSteps: number) {
    this.#rng = new Random(seed);
    this.#draws = new RandomOracle(seed ^ 0x5bd1e995);
    // depth - 1 distinct change points among steps 1..maxSteps (none at step 0: the random
    // priorities already choose who goes first). shuttle draws them among 1..maxSteps - 1, which
    // on a program of two or three decisions puts one at every step, every run, and so never
    // runs the schedules that need none (a bug of depth 1): here one may fall past the end.
    const points = new Set<number>();
    const count = Math.min(depth - 1, Math.max(0, maxSteps - 1));
    while (points.size < count) points.add(1 + this.#rng.int(maxSteps));
    this.#changePoints = points;
  }

  pick(ready: ReadyItems, _index: number, _scheduler: Scheduler, last: Runnable | null): number {
    const priorities = this.#priorities;
    const n = ready.length;
    for (let i = 0; i < n; i++) {
      const item = ready.at(i)!;
      if (!priorities.has(item)) this.#add(item);
    }
    if (this.#changePoints.has(this.#steps) && last !== null && priorities.has(last)) {
      priorities.set(last, this.#nextPriority++);
    }
    this.#steps++;
    let best = 0;
    let bestPriority = Number.POSITIVE_INFINITY;
    for (let i = 0; i < n; i++) {
      const priority = priorities.get(ready.at(i)!)!;
      if (priority < bestPriority) (best = i), (bestPriority = priority);
    }
    return best;
  }

  draw(kind: DecisionKind, n: number, index: number, p: number): number {
    return this.#draws.draw(kind, n, index, p);
  }

  /** A new item takes a random known item's priority, which drops to the lowest; or the lowest. */
  #add(item: Runnable): void {
    const known = this.#known;
    const target = this.#rng.int(known.length + 1);
    if (target === known.length) {
      this.#priorities.set(item, this.#nextPriority++);
    } else {
      const other = known[target]!;
      this.#priorities.set(item, this.#priorities.get(other)!);
      this.#priorities.set(other, this.#nextPriority++);
    }
    known.push(item);
  }
}

/** @internal Follows `prefix`, then FIFO: dfs's runs, and a fast-check schedule's. */
export class PrefixOracle implements Oracle {
  readonly #prefix: readonly number[];
  constructor(prefix: readonly number[]) {
    this.#prefix = prefix;
  }
  pick(ready: ReadyItems, index: number): number {
    return Math.min(this.#prefix[index] ?? 0, ready.length - 1);
  }
  draw(_kind: DecisionKind, n: number, index: number): number {
    return Math.min(this.#prefix[index] ?? 0, n - 1);
  }
}

/** @internal Depth-first over the schedules with at most `maxDeviations` non-FIFO decisions. */
class Dfs {
  #prefix: number[] | null = [];
  readonly #maxDeviations: number;
  constructor(maxDeviations: number) {
    this.#maxDeviations = maxDeviations;
  }
  get exhausted(): boolean {
    return this.#prefix === null;
  }
  oracle(): Oracle | null {
    return this.#prefix === null ? null : new PrefixOracle(this.#prefix);
  }
  /**
   * The next schedule: the last decision that can take its next choice within the bound does, the
   * ones before it stay, the ones after it go back to FIFO.
   */
  finished(scheduler: Scheduler): void {
    const { ns, choices } = scheduler;
    let deviations = 0;
    for (const c of choices) if (c !== 0) deviations++;
    for (let i = choices.length - 1; i >= 0; i--) {
      const c = choices[i]!;
      if (c !== 0) deviations--; // the deviations before i
      if (c + 1 < ns[i]! && deviations + 1 <= this.#maxDeviations) {
        this.#prefix = [...choices.slice(0, i), c + 1];
        return;
      }
    }
    this.#prefix = null;
  }
}

/** @internal Options a strategy reads. */
export interface StrategyOptions {
  seed: number;
  depth: number;
  maxDeviations: number;
}

/** @internal */
export function createStrategy(name: StrategyName, options: StrategyOptions): Strategy {
  const { seed, depth, maxDeviations } = options;
  // pct's step bound k: the most steps any run took so far, every pick counted, not only those
  // with a choice (shuttle's max_steps counts decisions). A run that lets one task get far ahead
  // makes more decisions than the runs before it: bounded by their decisions, the change points
  // all fall early, before it can get there, and pct never finds a bug that needs a task to win
  // six picks in a row (bench W12's deep variants). Steps bound the decisions of runs of the
  // same work from above, as the paper's k is meant to.
  let maxSteps = 0;
  const seen = (scheduler: Scheduler): void => {
    if (scheduler.steps > maxSteps) maxSteps = scheduler.steps;
  };
  const pct = (run: number): Oracle => new PctOracle(runSeed(seed, run), depth, Math.max(maxSteps, 2));
  const random = (run: number): Oracle => new RandomOracle(runSeed(seed, run));
  switch (name) {
    case "random":
      return { next: (run) => ({ oracle: random(run), name }), finished: () => {} };
    case "pct":
      // Run 0 is FIFO, as in shuttle: it measures how many steps a run has.
      return { next: (run) => ({ oracle: run === 0 ? FIFO : pct(run), name }), finished: seen };
    case "dfs": {
      const dfs = new Dfs(maxDeviations);
      return {
        next: () => {
          const oracle = dfs.oracle();
          return oracle === null ? null : { oracle, name };
        },
        finished: (s) => dfs.finished(s),
      };
    }
    case "portfolio": {
      // dfs's first schedule is FIFO's, which run 0 is: dfs goes on from there.
      const dfs = new Dfs(maxDeviations);
      const offset = seed % 3;
      let feedDfs = false;
      return {
        next: (run) => {
          feedDfs = run === 0;
          if (run === 0) return { oracle: FIFO, name: "fifo" };
          let turn = (run - 1 + offset) % 3;
          if (turn === 2 && dfs.exhausted) turn = run % 2;
          if (turn === 0) return { oracle: pct(run), name: "pct" };
          if (turn === 1) return { oracle: random(run), name: "random" };
          feedDfs = true;
          return { oracle: dfs.oracle()!, name: "dfs" };
        },
        finished: (s) => {
          seen(s);
          if (feedDfs) dfs.finished(s);
        },
      };
    }
  }
}
