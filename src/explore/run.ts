/**
 * explore/run.ts: one run of a program under a chooser: a fresh EventLoop on a VirtualClock with
 * virtual globals, exactly as `run()` runs a program (main, then the shutdown that cancels what is
 * left), but with the Scheduler plugged in and the outcome caught rather than thrown.
 *
 * Escapes: while a run lasts, `Math.random` is wrapped to note that it was read (a run that reads
 * it is not a function of its decisions alone); a task waiting on a native Promise at the end is
 * noted too. Timers and `Date` need no watching: virtual globals make them the loop's.
 */

import { nativePromiseError } from "../adopt.js";
import { DeadlockError, EventLoop, UnhandledTaskError, VirtualClock, currentLoop, type AwaitableLike } from "../index.js";
import { isNativePromise } from "../native.js";
import { setActiveRun } from "./draws.js";
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
}

function* callProgram<T>(program: Program<T>): Generator<unknown, T, unknown> {
  const work = program();
  if (isNativePromise(work)) throw nativePromiseError(work, "explore() was given a program that returned");
  return (yield currentLoop().createTask(work)) as T;
}

/** @internal Runs `program` once with `oracle` answering its decisions. A ReplayError is thrown. */
export function runOnce<T>(program: Program<T>, oracle: Oracle, limits: RunLimits, trace: boolean): RunOutcome<T> {
  const loop = new EventLoop({ clock: new VirtualClock(), globals: { mode: "virtual", now: 0 } });
  const scheduler = new Scheduler(oracle, limits, loop, trace);
  loop._chooser = scheduler;
  const random = Math.random;
  Math.random = function random_() {
    scheduler.escapes.add("Math.random");
    return random();
  };
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
    Math.random = random;
    loop._chooser = null;
    loop.close();
    scheduler.finish();
  }
  return { failed: error !== NONE, error: error === NONE ? undefined : error, result, scheduler };
}

const NONE = Symbol("none");

/**
 * @internal What makes two failures the same for shrinking: the error's class and message, with
 * run-dependent task numbers (`withdraw-17`) made alike; for a deadlock, its shape: which tasks
 * wait, where, and on what.
 */
export function signature(error: unknown): string {
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
