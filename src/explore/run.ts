/**
 * explore/run.ts: one run of a program under a chooser: a fresh EventLoop on a VirtualClock with
 * virtual globals, exactly as `run()` runs a program (main, then the shutdown that cancels what is
 * left), but with the Scheduler plugged in and the outcome caught rather than thrown.
 *
 * Escapes: while an exploration lasts, `Math.random` is wrapped to note that a run read it (a run
 * that reads it is not a function of its decisions alone); a task waiting on a native Promise at
 * the end is noted too. With virtual globals (the default), timers and `Date` need no watching:
 * they are the loop's. With real ones (faster: no globals to swap per run), `Date.now`, the timer
 * functions and `queueMicrotask` are watched too.
 */

import { nativePromiseError } from "../adopt.js";
import { DeadlockError, EventLoop, UnhandledTaskError, VirtualClock, currentLoop, type AwaitableLike, type Recording } from "../index.js";
import { VirtualGlobals } from "../globals.js";
import { isNativePromise } from "../native.js";
import { activeRun, setActiveRun } from "./draws.js";
import { LivelockError, ReplayError } from "./errors.js";
import { Scheduler, type Oracle, type RunLimits } from "./scheduler.js";

/** What `explore()` runs: a function that builds fresh state and gives the work to run. */
export type Program<T> = () => AwaitableLike<T>;

/** @internal How one run ended. */
export interface RunOutcome<T> {
  failed: boolean;
  error: unknown;
  result: T | undefined;
  scheduler: Scheduler;
  /** A traced run's recording (loop.record()), for the pictures of the failure; null otherwise. */
  recording: Recording | null;
}

function* callProgram<T>(program: Program<T>): Generator<unknown, T, unknown> {
  const work = program();
  if (isNativePromise(work)) throw nativePromiseError(work, "explore() was given a program that returned");
  return (yield currentLoop().createTask(work)) as T;
}

/** @internal Runs `program` once with `oracle` answering its decisions. A ReplayError is thrown. */
export function runOnce<T>(program: Program<T>, oracle: Oracle, limits: RunLimits, trace: boolean): RunOutcome<T> {
  // (The session's VirtualGlobals, already installed, serve this run's loop: see beginRuns.)
  const globals = limits.globals === "virtual" ? (session ?? VIRTUAL) : "real";
  const loop = new EventLoop({ clock: new VirtualClock(), globals: globals as typeof VIRTUAL });
  const scheduler = new Scheduler(oracle, limits, loop, trace);
  loop._chooser = scheduler;
  // The traced run is the one a failure reports: its recording is what timelines and traces draw.
  const recorder = trace ? loop.record() : null;
  setActiveRun(scheduler);
  let error: unknown = NONE;
  let result: T | undefined;
  try {
    const task = loop.createTask(callProgram(program));
    task.name = "main";
    try {
      result = loop.runUntilComplete(task);
    } catch (e) {
      error = e;
    }
    if (error instanceof ReplayError) throw error;
    if (!(error instanceof DeadlockError || error instanceof LivelockError)) {
      try {
        loop._shutdown();
      } catch (e) {
        if (e instanceof ReplayError) throw e;
        if (error === NONE || e instanceof UnhandledTaskError) error = e;
      }
    }
    if (loop._hostWaits > 0 || (error instanceof DeadlockError && error.message.includes("a native Promise"))) {
      scheduler.escapes.add("a native Promise");
    }
  } finally {
    setActiveRun(null);
    loop._chooser = null;
    recorder?.stop();
    loop.close();
    scheduler.finish();
  }
  return { failed: error !== NONE, error: error === NONE ? undefined : error, result, scheduler, recording: recorder };
}

const NONE = Symbol("none");
const VIRTUAL = { mode: "virtual", now: 0 } as const;

/** The globals watched as escapes: always Math.random; with real globals, the host's time and timers too. */
const WATCHED_REAL: readonly (readonly [object, string, string])[] = [
  [Date, "now", "Date.now"],
  [globalThis, "setTimeout", "setTimeout"],
  [globalThis, "setInterval", "setInterval"],
  [globalThis, "setImmediate", "setImmediate"],
  [globalThis, "queueMicrotask", "queueMicrotask"],
];

// The virtual globals of the runs under way (beginRuns), installed once for them all.
let session: VirtualGlobals | null = null;

/**
 * @internal Begins a series of runs (an exploration, a replay); gives the function that ends it.
 * Wraps the globals a run may read outside the explorer's control, so that a run that reads one
 * notes it (escapes): once for the whole series, not per run, as a wrapper only looks at which run
 * is active. With virtual globals, one VirtualGlobals serves every run's fresh loop in turn and
 * stays installed meanwhile: making and installing them per run was half the time of a run. No
 * code of the user's but the program runs between the two (onFailure is called after the end).
 */
export function beginRuns(globals: "virtual" | "real"): () => void {
  const endEscapes = watchEscapes(globals);
  if (globals !== "virtual" || session !== null) return endEscapes;
  const shared = new VirtualGlobals(new EventLoop({ clock: new VirtualClock() }), VIRTUAL.now);
  try {
    shared.pin();
  } catch (error) {
    endEscapes();
    throw error;
  }
  session = shared;
  return () => {
    session = null;
    try {
      shared.unpin();
    } finally {
      endEscapes();
    }
  };
}

function watchEscapes(globals: "virtual" | "real"): () => void {
  const watched: (readonly [object, string, string])[] = [[Math, "random", "Math.random"]];
  if (globals === "real") watched.push(...WATCHED_REAL);
  const saved: [object, string, PropertyDescriptor][] = [];
  for (const [target, key, name] of watched) {
    const descriptor = Object.getOwnPropertyDescriptor(target, key);
    const original = descriptor?.value as unknown;
    if (descriptor === undefined || typeof original !== "function" || !descriptor.writable) continue;
    const fn = original as (...args: unknown[]) => unknown;
    saved.push([target, key, descriptor]);
    (target as Record<string, unknown>)[key] = {
      [key](this: unknown, ...args: unknown[]): unknown {
        activeRun()?.escapes.add(name);
        return fn.apply(this, args);
      },
    }[key];
  }
  return () => {
    for (const [target, key, descriptor] of saved) Object.defineProperty(target, key, descriptor);
  };
}

/**
 * @internal What makes two failures the same for shrinking: the error's class and message, with
 * run-dependent task numbers (`withdraw-17`) made alike; for a deadlock, its shape: which tasks
 * wait, where, and on what.
 */
export function signature(error: unknown): string {
  // A livelock is the same livelock whenever it hits the same bound: the virtual time or step
  // count its message gives depends on the schedule (a deviation that changes a sleep changes it)
  // and would keep shrinking from dropping deviations that do not matter.
  if (error instanceof LivelockError) return `LivelockError: ${error.message.replace(/\d+(\.\d+)?(e[+-]?\d+)?s\b/g, "#s")}`;
  if (error instanceof DeadlockError) {
    const shape = error.waiting.map((t) => `${normalize(t.name)} at ${t._site} on ${normalize(t._describeWait())}`).sort();
    return `DeadlockError: ${shape.join("; ")}`;
  }
  if (error instanceof Error) return `${error.constructor.name}: ${normalize(error.message)}`;
  return `thrown ${typeof error}: ${normalize(String(error))}`;
}

function normalize(text: string): string {
  return text.replace(/([A-Za-z_$][\w$]*)-\d+/g, "$1-#");
}
