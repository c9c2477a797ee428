/**
 * explore/explore.ts: `explore()`, `check()` and `replay()`: run a program under many schedules,
 * stop at the first that fails, shrink it, and report it with a token that runs it again.
 *
 * Each run is a fresh loop (run.ts) whose decisions a strategy answers (strategies.ts). The first
 * failing run is shrunk (shrink.ts), then its shrunk token is run once more, strictly and traced:
 * that run is the report's (failure.ts), and also the proof that the token replays; when it does
 * not fail the same way, the failure says so and names the escapes seen (Math.random, a native
 * Promise), rather than hand out a token that lies.
 *
 * Environment: `HANDLOOP_SEED` replaces the seed of every exploration; `HANDLOOP_REPLAY` makes
 * every `explore()` / `check()` replay that token instead of exploring.
 */

import { UsageError } from "../index.js";
import { running } from "../running.js";
import { VERSION } from "../version.js";
import { ReplayError } from "./errors.js";
import { ScheduleFailure, formatReport, stepsOf, taskLabels } from "./failure.js";
import { FollowOracle } from "./follow.js";
import { runOnce, signature, beginRuns, type Program, type RunOutcome } from "./run.js";
import type { RunLimits } from "./scheduler.js";
import { shrink } from "./shrink.js";
import { createStrategy, PrefixOracle, type StrategyName } from "./strategies.js";
import { DEFAULT_MAX_STEPS, decodeToken, encodeToken, type Deviation, type Token } from "./token.js";

/** Options of `explore()` and `check()`. */
export interface ExploreOptions {
  /** How many schedules to run at most; 1000 unless told otherwise. */
  runs?: number;
  /** The seed of the exploration (a whole number); random unless given. `HANDLOOP_SEED` overrides it. */
  seed?: number;
  /** `"portfolio"` (the default: FIFO, then pct, random and dfs in turn), `"random"`, `"pct"` or `"dfs"`. */
  strategy?: StrategyName;
  /** pct's bug depth d: how many priority changes a run may have, plus one; 3 unless told otherwise. */
  depth?: number;
  /** dfs's bound: the most decisions a schedule may take that differ from FIFO's; 2 unless told otherwise. */
  maxDeviations?: number;
  /** `"explore"`: the order of timers due at the same instant is a decision too; `"fifo"` (the default): arming order. */
  timerTies?: "fifo" | "explore";
  /** Seconds of jitter a timer may get (0, a quarter, half, three quarters or all of it): a decision per timer; 0 (the default) is none. */
  jitter?: number;
  /** Steps a run may take before it counts as a livelock; 100,000 unless told otherwise. */
  maxSteps?: number;
  /** Virtual seconds a run may last before it counts as a livelock; no limit unless given. */
  timeLimit?: number;
  /**
   * The globals of each run: `"virtual"` (the default: `setTimeout`, `Date`, `performance.now()`
   * follow the run's loop and virtual clock, see `EventLoop`'s `globals`) or `"real"` (the host's
   * own, left in place: runs are faster, and a run that reads them is flagged as an escape).
   */
  globals?: "virtual" | "real";
  /** Whether to shrink the failing schedule; true unless told otherwise. */
  shrink?: boolean;
  /** Called with the failure before `explore()` throws it or `check()` returns it (to write a trace of `failure.steps`, say). */
  onFailure?: (failure: ScheduleFailure) => void;
}

/** What `check()` gives: whether every run passed, how many ran, how many distinct schedules they were. */
export interface CheckResult {
  readonly ok: boolean;
  /** Runs made (shrinking's not counted). */
  readonly runs: number;
  /** Distinct schedules among them: runs whose decisions differ. */
  readonly distinct: number;
  /** The exploration's seed. */
  readonly seed: number;
  /** The first failure, shrunk; null when `ok`. */
  readonly failure: ScheduleFailure | null;
}

const STRATEGIES: readonly StrategyName[] = ["portfolio", "random", "pct", "dfs"];

interface Settings {
  runs: number;
  seed: number;
  strategy: StrategyName;
  depth: number;
  maxDeviations: number;
  limits: RunLimits;
  shrink: boolean;
  onFailure: ((failure: ScheduleFailure) => void) | undefined;
}

function wholeNumber(value: unknown, name: string, call: string, min: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min) {
    throw new RangeError(`Expected \`${name}\` of ${call} to be a whole number >= ${min}, got ${String(value)}.`);
  }
  return value;
}

function settingsOf(options: ExploreOptions | undefined, call: string): Settings {
  if (options !== undefined && (options === null || typeof options !== "object")) {
    throw new TypeError(`Expected the options of ${call} to be an object, got ${String(options)}.`);
  }
  const o = options ?? {};
  const strategy = o.strategy ?? "portfolio";
  if (!STRATEGIES.includes(strategy)) {
    throw new RangeError(`Expected \`strategy\` of ${call} to be one of ${STRATEGIES.map((s) => `"${s}"`).join(", ")}, got ${JSON.stringify(strategy)}.`);
  }
  const ties = o.timerTies ?? "fifo";
  if (ties !== "fifo" && ties !== "explore") throw new RangeError(`Expected \`timerTies\` of ${call} to be "fifo" or "explore", got ${JSON.stringify(ties)}.`);
  const jitter = o.jitter ?? 0;
  if (typeof jitter !== "number" || !(jitter >= 0 && jitter < Number.POSITIVE_INFINITY)) {
    throw new RangeError(`Expected \`jitter\` of ${call} to be a finite number of seconds >= 0, got ${String(jitter)}.`);
  }
  const globals = o.globals ?? "virtual";
  if (globals !== "virtual" && globals !== "real") throw new RangeError(`Expected \`globals\` of ${call} to be "virtual" or "real", got ${JSON.stringify(globals)}.`);
  const timeLimit = o.timeLimit ?? Number.POSITIVE_INFINITY;
  if (typeof timeLimit !== "number" || !(timeLimit > 0)) throw new RangeError(`Expected \`timeLimit\` of ${call} to be a number of seconds > 0, got ${String(timeLimit)}.`);
  if (o.onFailure !== undefined && typeof o.onFailure !== "function") {
    throw new TypeError(`Expected \`onFailure\` of ${call} to be a function, got ${String(o.onFailure)}.`);
  }
  const envSeed = env("HANDLOOP_SEED");
  let seed: number;
  if (envSeed !== undefined && envSeed !== "") {
    if (!/^\d+$/.test(envSeed.trim())) throw new RangeError(`Expected HANDLOOP_SEED to be a whole number, got ${JSON.stringify(envSeed)}.`);
    seed = Number(envSeed.trim()) >>> 0;
  } else if (o.seed !== undefined) {
    seed = wholeNumber(o.seed, "seed", call, 0) >>> 0;
  } else {
    seed = Math.floor(Math.random() * 4294967296);
  }
  return {
    runs: wholeNumber(o.runs ?? 1000, "runs", call, 1),
    seed,
    strategy,
    depth: wholeNumber(o.depth ?? 3, "depth", call, 1),
    maxDeviations: wholeNumber(o.maxDeviations ?? 2, "maxDeviations", call, 0),
    limits: { maxSteps: wholeNumber(o.maxSteps ?? DEFAULT_MAX_STEPS, "maxSteps", call, 1), timeLimit, ties: ties === "explore", jitter, globals },
    shrink: o.shrink ?? true,
    onFailure: o.onFailure,
  };
}

/** An environment variable, where there is an environment (Node; not a browser). */
function env(name: string): string | undefined {
  return (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.[name];
}

function checkProgram(program: unknown, call: string): void {
  if (running.loop !== null) {
    throw new UsageError(
      `Cannot call ${call} while an EventLoop is running on this thread: each run of the program starts a loop of its own. Call it from a test or a script, outside any run.`,
    );
  }
  if (typeof program !== "function") {
    throw new TypeError(
      `Expected the program of ${call} to be a function that builds fresh state and returns the work to run, got ${String(program)}; wrap it: ${call.slice(0, -1)}() => work()).`,
    );
  }
}

/**
 * Runs `program` under up to `runs` schedules, synchronously, each on a fresh loop in virtual
 * time, and gives `{ ok, runs, distinct, seed, failure }`: `failure` is the first schedule that
 * failed (an error, a deadlock, a livelock), shrunk, as a ScheduleFailure, or null.
 *
 * @example
 * ```ts
 * const result = check(() => transfer(), { runs: 200, seed: 7 });
 * if (!result.ok) console.log(result.failure!.message);
 * ```
 */
export function check<T>(program: Program<T>, options?: ExploreOptions): CheckResult {
  checkProgram(program, "check()");
  const settings = settingsOf(options, "check()");
  const token = env("HANDLOOP_REPLAY");
  if (token !== undefined && token !== "") {
    const decoded = decodeToken(token);
    const out = follow(program, decoded);
    const failure = out.failed ? report(out, -1, decoded, decoded.deviations.length, true, "", "HANDLOOP_REPLAY ran the token's schedule, and it failed.") : null;
    if (failure !== null) settings.onFailure?.(failure);
    return { ok: failure === null, runs: 1, distinct: 1, seed: decoded.seed, failure };
  }
  const restore = beginRuns(settings.limits.globals);
  let result: CheckResult;
  try {
    result = explorePrograms(program, settings);
  } finally {
    restore();
  }
  if (result.failure !== null) settings.onFailure?.(result.failure); // with the host's globals back
  return result;
}

function explorePrograms<T>(program: Program<T>, settings: Settings): CheckResult {
  const strategy = createStrategy(settings.strategy, settings);
  const distinct = new Set<string>();
  let run = 0;
  for (; run < settings.runs; run++) {
    const next = strategy.next(run);
    if (next === null) break;
    const out = runOnce(program, next.oracle, settings.limits, false);
    strategy.finished(out.scheduler);
    distinct.add(scheduleKey(out.scheduler.deviations));
    if (out.failed) {
      const failure = explain(program, out, run, next.name, settings);
      return { ok: false, runs: run + 1, distinct: distinct.size, seed: settings.seed, failure };
    }
    // A run that met no decision at all is every run: nothing is left to explore.
    if (out.scheduler.ns.length === 0) return { ok: true, runs: run + 1, distinct: 1, seed: settings.seed, failure: null };
  }
  return { ok: true, runs: run, distinct: distinct.size, seed: settings.seed, failure: null };
}

/**
 * Runs `program` under many schedules, as `check()`, and throws the first failing one, shrunk, as
 * a ScheduleFailure whose message is the report (seed, replay token, deviations, one lane per
 * task). A program is a function that builds fresh state and returns the work: it runs once per
 * schedule. The choices explored are exactly: which ready task runs next (any task ready then,
 * one made ready meanwhile too, but never ahead of a promise job or callback queued before it:
 * those keep their FIFO order, as the language's job queue does), the order of timers due at one instant (`timerTies: "explore"`),
 * timer jitter (`jitter`), and the program's `choose()` / `chance()`. Time never reorders across
 * instants. Returns what `check()` gives when every run passes.
 *
 * @example
 * ```ts
 * explore(() => {
 *   const account = { balance: 100 };
 *   return gather(withdraw(account, 80), withdraw(account, 80)); // throws when overdrawn
 * });
 * ```
 */
export function explore<T>(program: Program<T>, options?: ExploreOptions): CheckResult {
  checkProgram(program, "explore()");
  const result = check(program, options);
  if (result.failure !== null) throw result.failure;
  return result;
}

/**
 * Runs `program` once under the schedule `token` names (as a ScheduleFailure prints it) and gives
 * its result, or throws the ScheduleFailure of the run. A ReplayError when the token does not fit
 * the program: the task it names is not ready at that decision.
 *
 * @example
 * ```ts
 * replay(() => transfer(), "hl1:0.1.0:pct:7:3p1=withdraw-2"); // the failing run, again
 * ```
 */
export function replay<T>(program: Program<T>, token: string): T {
  checkProgram(program, "replay()");
  const decoded = decodeToken(token);
  const out = follow(program, decoded);
  if (out.failed) throw report(out, -1, decoded, decoded.deviations.length, true, "", "replay() ran the token's schedule, and it failed.");
  return out.result as T;
}

/**
 * @internal One run whose decisions follow `choices` (each clamped to the choices there (a larger one is the last), then
 * FIFO once they run out): a fast-check schedule's. Gives the token of the run and the program's
 * result, or the run's ScheduleFailure (not shrunk: fast-check shrinks the choices).
 */
export function runChoices<T>(program: Program<T>, choices: readonly number[]): { token: string; result: T | undefined; failure: ScheduleFailure | null } {
  checkProgram(program, "HlSchedule.run()");
  const limits: RunLimits = { maxSteps: DEFAULT_MAX_STEPS, timeLimit: Number.POSITIVE_INFINITY, ties: false, jitter: 0, globals: "virtual" };
  const restore = beginRuns("virtual");
  let out: RunOutcome<T>;
  try {
    out = runOnce(program, new PrefixOracle(choices), limits, true);
  } finally {
    restore();
  }
  const about: Token = { format: 1, version: VERSION, strategy: "fast-check", ...limits, seed: 0, deviations: out.scheduler.deviations };
  const token = encodeToken(about);
  if (!out.failed) return { token, result: out.result, failure: null };
  const failure = report(out, -1, about, out.scheduler.deviations.length, true, "", "A schedule fast-check drew fails.");
  return { token, result: undefined, failure };
}

/** Runs the token's schedule, strictly and traced. */
function follow<T>(program: Program<T>, token: Token): RunOutcome<T> {
  const { maxSteps, timeLimit, ties, jitter, globals } = token;
  const limits: RunLimits = { maxSteps, timeLimit, ties, jitter, globals };
  const restore = beginRuns(token.globals);
  try {
    return runOnce(program, new FollowOracle(token.deviations, true), limits, true);
  } catch (error) {
    if (error instanceof ReplayError && token.version !== VERSION) {
      error.message += ` (The token was printed by handloop ${token.version}; this is ${VERSION}.)`;
    }
    throw error;
  } finally {
    restore();
  }
}

/** Shrinks the failing run, replays the shrunk token traced, and builds the failure. */
function explain<T>(program: Program<T>, found: RunOutcome<T>, run: number, strategy: string, settings: Settings): ScheduleFailure {
  const target = signature(found.error);
  const deviations = found.scheduler.deviations;
  const shrunk = settings.shrink ? shrink(program, deviations, target, settings.limits) : deviations;
  let final: RunOutcome<T> | null = null;
  let note = "";
  try {
    final = runOnce(program, new FollowOracle(shrunk, true), settings.limits, true);
    if (!final.failed) note = "it passed";
    else if (signature(final.error) !== target) note = `it failed differently (${signature(final.error)})`;
  } catch (error) {
    note = `it could not be followed (${(error as Error).message})`;
  }
  const escapes = new Set([...found.scheduler.escapes, ...(final?.scheduler.escapes ?? [])]);
  if (note !== "") {
    note =
      `Not replayable: running this token again, ${note}. ` +
      (escapes.size > 0
        ? `The program read ${[...escapes].join(" and ")}, which the explorer does not control: make it a choose()/chance() draw or a handloop awaitable, and explore again.`
        : "No escape was seen (Math.random, a native Promise): the program may keep state across runs; build all of it inside the program function.");
  }
  if (note === "" && escapes.size > 0) {
    note = `Escapes: the run read ${[...escapes].join(" and ")}, which the explorer does not control; this failure replayed all the same.`;
  }
  const source = final !== null && !note.startsWith("Not replayable") ? final : found;
  const headline = `explore() found a failing schedule on run ${run + 1} (strategy "${strategy}", seed ${settings.seed}).`;
  const token: Token = { format: 1, version: VERSION, strategy, ...settings.limits, seed: settings.seed, deviations: source.scheduler.deviations };
  return report(source, run, token, deviations.length, !note.startsWith("Not replayable"), note, headline, escapes);
}

/** The failure of run `out`, whose deviations (with `about`'s settings) make the token. */
function report<T>(
  out: RunOutcome<T>,
  run: number,
  about: Token,
  shrunkFrom: number,
  replayable: boolean,
  note: string,
  headline: string,
  escapes: Set<string> = out.scheduler.escapes,
): ScheduleFailure {
  const error = out.error;
  const deviations = out.scheduler.deviations;
  const token = encodeToken({ ...about, version: VERSION, deviations });
  const steps = stepsOf(out.scheduler);
  const message = formatReport({
    headline,
    error,
    seed: about.seed,
    token,
    deviations: deviations.length,
    shrunkFrom,
    steps,
    replayNote: note,
    tasks: taskLabels(out.scheduler),
  });
  return new ScheduleFailure(message, {
    cause: error,
    token,
    seed: about.seed,
    run,
    strategy: about.strategy,
    deviations: deviations.length,
    shrunkFrom,
    replayable,
    escapes: [...escapes],
    steps,
    recording: out.recording,
  });
}

function scheduleKey(deviations: readonly Deviation[]): string {
  let key = "";
  for (const d of deviations) key += `${d.index}${d.kind}${d.choice},`;
  return key;
}
