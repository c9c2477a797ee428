/**
 * explore/failure.ts: ScheduleFailure, what `explore()` throws (and `check()` returns) for the
 * first schedule that fails, and the report its message is: what failed, the seed, the replay
 * token, how far it shrank, the deviations from FIFO with the ready set at each, and one lane per
 * task of what each step did at what virtual time.
 *
 * The report is built from the trace of one last run of the shrunk token (explore.ts), which is
 * also how the failure is checked to replay identically. `steps` keeps that trace, in a plain
 * form, for tools that draw it (a Chrome trace writer can read it in `onFailure`).
 */

import { Task, type Recording } from "../index.js";
import type { Runnable } from "../ready-queue.js";
import type { Scheduler } from "./scheduler.js";

/** One step of the failing run, as `ScheduleFailure.steps` lists them. */
export interface FailureStep {
  /** Virtual time of the step, in seconds. */
  readonly time: number;
  /** The label of what ran: a task's name made run-relative (`withdraw-1`), or `callback-2`. */
  readonly label: string;
  /** Whether this step was run instead of FIFO's choice. */
  readonly deviation: boolean;
  /** For a deviation, the labels of the ready items, in queue order (FIFO's choice first). */
  readonly ready: readonly string[];
  /** What the step ended with: `done`, `failed: ...`, or what the task waits on next. */
  readonly after: string;
}

/**
 * The first schedule under `explore()` that failed (with an error, a deadlock or a livelock),
 * shrunk, with what it takes to run it again: `token` for `replay()` or `HANDLOOP_REPLAY`, and
 * `seed` for the whole exploration (`HANDLOOP_SEED`). Its message is the report: the failure, the
 * deviations from FIFO with the ready tasks at each, and one lane per task.
 *
 * @example
 * ```ts
 * try { explore(program); } catch (error) {
 *   if (error instanceof ScheduleFailure) console.log(error.token, error.deviations);
 * }
 * ```
 */
export class ScheduleFailure extends Error {
  override name = "ScheduleFailure";
  /** The replay token of the shrunk schedule: `replay(program, token)` runs it again. */
  readonly token: string;
  /** The exploration's seed: `HANDLOOP_SEED=<seed>` runs the same exploration again. */
  readonly seed: number;
  /** Which run (0 is the first) failed, and under which strategy. */
  readonly run: number;
  readonly strategy: string;
  /** Decisions that differ from FIFO: after shrinking, and as found. */
  readonly deviations: number;
  readonly shrunkFrom: number;
  /** False when running the token again did not fail the same way; `escapes` says what may be why. */
  readonly replayable: boolean;
  /** What the run read that the explorer does not control: `Math.random`, `a native Promise`. */
  readonly escapes: readonly string[];
  /** The steps of the failing run, in order. */
  readonly steps: readonly FailureStep[];
  /**
   * The failing run as the loop recorded it (`loop.record()`), for `timeline()`, `timelineSVG()`
   * or `writeChromeTrace()` from `handloop/trace`; null if the failure could not be run again.
   */
  readonly recording: Recording | null;

  /** @internal */
  constructor(
    message: string,
    fields: {
      cause: unknown;
      token: string;
      seed: number;
      run: number;
      strategy: string;
      deviations: number;
      shrunkFrom: number;
      replayable: boolean;
      escapes: readonly string[];
      steps: readonly FailureStep[];
      recording: Recording | null;
    },
  ) {
    super(message, { cause: fields.cause });
    this.token = fields.token;
    this.seed = fields.seed;
    this.run = fields.run;
    this.strategy = fields.strategy;
    this.deviations = fields.deviations;
    this.shrunkFrom = fields.shrunkFrom;
    this.replayable = fields.replayable;
    this.escapes = fields.escapes;
    this.steps = fields.steps;
    this.recording = fields.recording;
  }
}

/** @internal The steps of a traced run, labelled. */
export function stepsOf(scheduler: Scheduler): FailureStep[] {
  const label = (item: Runnable): string => scheduler.labelIfPicked(item);
  const names = scheduler.labelsByName();
  const relabel = (text: string): string => text.replace(/"([^"]+)"/g, (quoted, name: string) => (names.has(name) ? `"${names.get(name)}"` : quoted));
  return (scheduler.trace ?? []).map((s) => ({
    time: s.time,
    label: label(s.item),
    deviation: s.ready !== null,
    ready: s.ready === null ? [] : s.ready.map(label),
    after: relabel(s.after),
  }));
}

/** @internal What a failure's message says. */
export interface Report {
  headline: string;
  error: unknown;
  seed: number;
  token: string;
  deviations: number;
  shrunkFrom: number;
  steps: readonly FailureStep[];
  replayNote: string;
  tasks: readonly string[];
}

// A lane shows this many of a task's last steps.
const LANE_STEPS = 8;

/** @internal The report, as the message of a ScheduleFailure. */
export function formatReport(r: Report): string {
  const lines = [r.headline, `  ${describeError(r.error)}`];
  lines.push(`Seed: ${r.seed} (HANDLOOP_SEED=${r.seed} runs this exploration again).`);
  lines.push(`Replay: HANDLOOP_REPLAY='${r.token}', or replay(program, "${r.token}").`);
  if (r.shrunkFrom !== r.deviations) lines.push(`Shrunk: ${plural(r.shrunkFrom, "deviation")} -> ${r.deviations}.`);
  if (r.replayNote !== "") lines.push(r.replayNote);
  const deviations = r.steps.filter((s) => s.deviation);
  if (deviations.length === 0) {
    // The token may still deviate, in its timer ties, jitters or draws rather than its picks.
    lines.push(
      "",
      r.deviations === 0
        ? "FIFO order fails: no deviation is needed."
        : `The tasks ran in FIFO order; the ${plural(r.deviations, "decision")} that differ from FIFO's are timer ties, jitters or draws (choose(), chance()): see the token.`,
    );
  } else {
    lines.push("", "Deviations from FIFO (what ran instead of the head of the ready queue):");
    for (const s of deviations) {
      lines.push(`  at ${s.time}s: ran "${s.label}" instead of "${s.ready[0]}"; ready: ${s.ready.join(", ")}`);
    }
  }
  const lanes = new Map<string, FailureStep[]>();
  for (const s of r.steps) {
    if (!r.tasks.includes(s.label)) continue;
    let lane = lanes.get(s.label);
    if (lane === undefined) lanes.set(s.label, (lane = []));
    lane.push(s);
  }
  if (lanes.size > 0) {
    lines.push("", "Tasks (one lane each: each step's virtual time, then what the task did or waits on next):");
    const width = Math.max(...[...lanes.keys()].map((k) => k.length));
    for (const [name, steps] of lanes) {
      const shown = steps.slice(-LANE_STEPS).map((s) => `${s.deviation ? "*" : ""}${s.time}s ${s.after}`);
      if (steps.length > LANE_STEPS) shown.unshift(`(${steps.length - LANE_STEPS} earlier steps)`);
      lines.push(`  ${name.padEnd(width)} | ${shown.join(" | ")}`);
    }
    lines.push("  (* marks a step run out of FIFO order)");
  }
  return lines.join("\n");
}

/** @internal The labels of the tasks among a run's steps. */
export function taskLabels(scheduler: Scheduler): string[] {
  const labels = new Set<string>();
  for (const s of scheduler.trace ?? []) if (s.item instanceof Task) labels.add(scheduler.labelIfPicked(s.item));
  return [...labels];
}

function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message.split("\n").join("\n  ")}`;
  return `thrown: ${String(error)}`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}
