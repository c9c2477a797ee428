/**
 * conformance/realm.ts: a worker thread that runs test262 tests, each in a realm of its own.
 *
 * The runner (test262.ts) keeps `--jobs` of these workers and sends each a stream of jobs. Every
 * job gets a fresh realm (`vm.createContext()`), so no test sees another's globals, with the
 * host-defined `print` and `$262` of INTERPRETING.md, then the harness files, then the test as
 * global code, all under a time limit (a hang is a failure; the runner replaces a worker that
 * stops answering).
 *
 * Compiled (the default): handloop itself is loaded *into the test's realm* (a bundle of its
 * source, built once by the runner), so the errors it throws, the generators it steps and the
 * objects it makes are that realm's, as they are a program's. For the tests of built-ins/Promise,
 * the realm's global `Promise` is then handloop's LoopPromise, as compiled code will see it. The
 * harness runs as plain global code; then the test, compiled by handloop as a classic script, runs as global code *inside a
 * turn of a running loop*: `loop.callSoon(runTheScript)`, then `loop.runForever()`. Its
 * top-level async calls start at once, as they do natively, and all they start runs on the loop;
 * the run ends when no task, timer or callback is left. The clock is virtual, and unhandled
 * failures are ignored, as a test262 host ignores unhandled rejections. A DeadlockError at the
 * end is not a failure by itself (tasks left pending forever are only garbage natively); it
 * matters when the test had not called `$DONE`, and says whether a native Promise was what
 * nothing could settle.
 *
 * Host mode (`--host`): the same compiled test, evaluated as `main` of `runAsync()` on the
 * realm's handloop, with the worker's own event loop as the host: native Promises settle between
 * the loop's turns, as in a program run that way. An async test's `main` waits for `$DONE`; the
 * run still ends on a DeadlockError when nothing can make progress, and is aborted at the time
 * limit.
 *
 * Native (`--native`): the same harness and test, uncompiled, on the engine's own Promises,
 * whose jobs the realm's own microtask queue runs after each evaluation.
 *
 * This file has no `async` function: handloop's compile() strips its types for the worker, and
 * it must not depend on the loop it tests.
 */

import { promiseHooks } from "node:v8";
import vm from "node:vm";
import { parentPort, workerData } from "node:worker_threads";

/** What the runner gives every worker once. */
export interface WorkerSetup {
  /** handloop as one classic script that defines the global `runtimeGlobal` (compiled runs). */
  bundle: string;
  runtimeGlobal: string;
  /** Time limit of one test, in milliseconds. */
  timeoutMs: number;
}

/** One test, one scenario, ready to evaluate. */
export interface Job {
  id: number;
  file: string;
  native: boolean;
  /** Harness files, evaluated first as global code, in order. */
  harness: { file: string; code: string }[];
  /** The test's code: compiled already in compiled mode, with its "use strict" prologue if any. */
  code: string;
  async: boolean;
  negative: { phase: string; type: string } | null;
  /**
   * Compiled runs only: the realm's global `Promise` is handloop's LoopPromise, bound before the
   * harness runs, as compiled code sees it (the tests of built-ins/Promise, which judge it).
   */
  loopPromise: boolean;
  /** Compiled runs only: run the test under `runAsync()`, the worker's event loop its host. */
  host: boolean;
}

/** What the worker posts back for a job. */
export interface Outcome {
  pass: boolean;
  message: string;
  /**
   * The test relied on native Promises: the run deadlocked on one before the test finished, or
   * native Promise reactions were still waiting when the synchronous run was over.
   */
  nativePromise?: boolean;
}

const setup = workerData as WorkerSetup;
const bundle = new vm.Script(setup.bundle, { filename: "handloop.bundle.js" });
const harnessScripts = new Map<string, vm.Script>();

function harnessScript(file: string, code: string): vm.Script {
  let script = harnessScripts.get(file);
  if (script === undefined) harnessScripts.set(file, (script = new vm.Script(code, { filename: file })));
  return script;
}

function describeError(error: unknown): string {
  if (error !== null && typeof error === "object") {
    const e = error as { constructor?: { name?: unknown }; message?: unknown };
    const name = typeof e.constructor?.name === "string" ? e.constructor.name : "Object";
    return `${name}: ${String(e.message)}`;
  }
  return `${typeof error} ${String(error)}`;
}

function errorName(error: unknown): string | undefined {
  if (error === null || (typeof error !== "object" && typeof error !== "function")) return undefined;
  const name = (error as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === "string" ? name : undefined;
}

function defineGlobal(target: object, name: string, value: unknown): void {
  Object.defineProperty(target, name, { value, writable: true, configurable: true, enumerable: false });
}

/**
 * A new realm with INTERPRETING.md's host-defined `print` and `$262`. A native run gives it a
 * microtask queue of its own, drained after each evaluation. A compiled run must not have one:
 * a drain after the test's top-level code would settle native Promises in the middle of the
 * synchronous run, which a program's run never sees. Its realm shares the worker's queue, which
 * runs only once the job is over.
 */
function newRealm(print: (message: unknown) => void, native: boolean, loopPromise = false): vm.Context {
  const context = vm.createContext({}, native ? { microtaskMode: "afterEvaluate" } : {});
  const global = vm.runInContext("globalThis", context) as Record<string, unknown>;
  if (!native) {
    // handloop is the realm's own (see the top of this file); with `loopPromise`, its LoopPromise
    // is the realm's global Promise, a data property as the built-in one is.
    bundle.runInContext(context);
    if (loopPromise) defineGlobal(global, "Promise", (global[setup.runtimeGlobal] as Handloop).LoopPromise);
  }
  defineGlobal(global, "print", print);
  defineGlobal(global, "$262", {
    global,
    evalScript: (source: unknown) => vm.runInContext(String(source), context),
    createRealm: () => vm.runInContext("$262", newRealm(print, native, loopPromise)) as object,
    detachArrayBuffer: (buffer: ArrayBuffer) => {
      structuredClone(buffer, { transfer: [buffer] });
    },
    gc: () => {
      throw new Error("$262.gc() is not available: the runner does not expose the garbage collector.");
    },
    agent: {},
  });
  return context;
}

interface Handloop {
  EventLoop: new (options: { clock: unknown; unhandledError: () => void }) => {
    callSoon(fn: () => void): unknown;
    runForever(): void;
    stop(): void;
  };
  VirtualClock: new () => unknown;
  DeadlockError: new (...args: never[]) => Error;
  LoopPromise: unknown;
  runAsync(main: () => unknown, options: { clock: unknown; unhandledError: () => void; host: unknown; signal: AbortSignal }): Promise<unknown>;
  createFuture(): { resolve(value: unknown): boolean };
  asleep(seconds: number): unknown;
}

/** The worker's own event loop, as the Host of a realm's handloop (a realm has no timers of its own). */
const workerHost = {
  queueMicrotask: (callback: () => void) => queueMicrotask(callback),
  queueTask: (callback: () => void) => void setImmediate(callback),
  setTimer: (callback: () => void, ms: number) => setTimeout(callback, ms),
  clearTimer: (timer: unknown) => clearTimeout(timer as NodeJS.Timeout),
};

/** A host-mode run's outcome comes later, through a promise of the realm's (not this file's). */
interface Later {
  then(onOutcome: (outcome: Outcome) => void, onError: (error: unknown) => void): unknown;
}

function runJob(job: Job): Outcome | Later {
  const printed: string[] = [];
  let onDone: (() => void) | null = null;
  const print = (message: unknown) => {
    const line = String(message);
    printed.push(line);
    if (onDone !== null && line.startsWith("Test262:AsyncTest")) onDone();
  };
  const context = newRealm(print, job.native, job.loopPromise);
  const limit = { timeout: setup.timeoutMs };

  try {
    for (const { file, code } of job.harness) harnessScript(file, code).runInContext(context, limit);
  } catch (error) {
    return { pass: false, message: `the harness failed before the test ran: ${describeError(error)}` };
  }

  let script: vm.Script;
  try {
    script = new vm.Script(job.code, { filename: job.file });
  } catch (error) {
    const expected = job.negative?.phase === "parse" && errorName(error) === job.negative.type;
    if (job.native) return expected ? { pass: true, message: "" } : thrownVerdict(job, error);
    // Compiled, this is reached only when compile() accepted the source.
    return {
      pass: false,
      message: `${expected ? "compile() accepted it; " : ""}Node's parser rejected the compiled code: ${describeError(error)}`,
    };
  }

  if (job.native) {
    try {
      script.runInContext(context, limit); // the realm's microtasks run right after, within the limit
    } catch (error) {
      return thrownVerdict(job, error);
    }
    if (!job.async) return completedVerdict(job);
    const done = printed.find((line) => line.startsWith("Test262:AsyncTest"));
    return done === undefined ? { pass: false, message: "the test never called $DONE" } : asyncVerdict(done);
  }

  const global = vm.runInContext("globalThis", context) as Record<string, unknown>;
  const handloop = global[setup.runtimeGlobal] as Handloop;
  if (job.host) {
    const done = handloop.createFuture();
    onDone = () => done.resolve(undefined);
    const main = () => {
      script.runInContext(context, limit);
      return job.async ? done : handloop.asleep(0);
    };
    const options = { clock: new handloop.VirtualClock(), unhandledError: () => {}, host: workerHost, signal: AbortSignal.timeout(setup.timeoutMs) };
    return handloop.runAsync(main, options).then(
      (): Outcome => (job.async ? asyncVerdictOf(printed) : completedVerdict(job)),
      (error: unknown): Outcome => {
        if (error instanceof handloop.DeadlockError) return stuckVerdict(job, printed, error);
        if (error instanceof DOMException && error.name === "TimeoutError") {
          return { pass: false, message: `timed out after ${setup.timeoutMs / 1000} s` }; // the signal's
        }
        return thrownVerdict(job, error);
      },
    );
  }
  let thrown: { error: unknown } | null = null;
  let deadlock: Error | null = null;
  // The loop is made by the realm's own handloop; this function only starts it, inside the limit.
  defineGlobal(global, "$drive", () => {
    const loop = new handloop.EventLoop({ clock: new handloop.VirtualClock(), unhandledError: () => {} });
    loop.callSoon(() => {
      try {
        script.runInContext(context);
      } catch (error) {
        thrown = { error };
        loop.stop();
      }
    });
    try {
      loop.runForever();
    } catch (error) {
      if (error instanceof handloop.DeadlockError) deadlock = error;
      else thrown ??= { error };
    }
  });
  try {
    vm.runInContext("$drive()", context, limit);
  } catch (error) {
    thrown ??= { error };
  }
  const threw = thrown as { error: unknown } | null;
  if (threw !== null) return thrownVerdict(job, threw.error);
  return stuckVerdict(job, printed, deadlock as Error | null);
}

/** An async test's verdict from what it printed: passed or failed through $DONE, or never called it. */
function asyncVerdictOf(printed: string[]): Outcome {
  const done = printed.find((line) => line.startsWith("Test262:AsyncTest"));
  return done === undefined ? { pass: false, message: "the test never called $DONE" } : asyncVerdict(done);
}

/** The verdict of a run that ended, perhaps on a DeadlockError (`stuck`), without an error of the test's. */
function stuckVerdict(job: Job, printed: string[], stuck: Error | null): Outcome {
  if (!job.async) return completedVerdict(job);
  const done = printed.find((line) => line.startsWith("Test262:AsyncTest"));
  if (done !== undefined) return asyncVerdict(done);
  return {
    pass: false,
    message: `the test never called $DONE${stuck === null ? "" : `: ${stuck.message.replace(/\s+/g, " ")}`}`,
    nativePromise: stuck !== null && stuck.message.includes("native Promise"),
  };
}

function asyncVerdict(line: string): Outcome {
  if (line === "Test262:AsyncTestComplete") return { pass: true, message: "" };
  return { pass: false, message: line.replace(/^Test262:AsyncTestFailure:/, "") };
}

function thrownVerdict(job: Job, error: unknown): Outcome {
  const negative = job.negative;
  if (negative !== null && negative.phase === "runtime") {
    return errorName(error) === negative.type
      ? { pass: true, message: "" }
      : { pass: false, message: `expected a ${negative.type} at runtime, got ${describeError(error)}` };
  }
  return { pass: false, message: describeError(error) };
}

function completedVerdict(job: Job): Outcome {
  if (job.negative !== null) {
    return { pass: false, message: `expected a ${job.negative.type} in phase ${job.negative.phase}, but the test completed` };
  }
  return { pass: true, message: "" };
}

// A test262 host ignores unhandled rejections (HostPromiseRejectionTracker has no effect on a
// test's result); Node would end the worker for one.
process.on("unhandledRejection", () => {});
// Nor warns when one is handled later (host mode lets native rejections be seen, then handled).
process.on("rejectionHandled", () => {});

parentPort!.on("message", (job: Job) => {
  let outcome: Outcome | Later;
  try {
    outcome = runJob(job);
  } catch (error) {
    outcome = { pass: false, message: `the runner failed: ${describeError(error)}` };
  }
  if ("then" in outcome) {
    outcome.then(
      (settled) => report(job, settled),
      (error: unknown) => report(job, { pass: false, message: `the runner failed: ${describeError(error)}` }),
    );
  } else report(job, outcome);
});

function report(job: Job, outcome: Outcome): void {
  if (outcome.pass || job.native || job.host || outcome.nativePromise) {
    parentPort!.postMessage({ id: job.id, outcome });
    return;
  }
  // A compiled run failed: were native Promise reactions left waiting when it ended? They run
  // now, on the worker's microtask queue, before the next macrotask.
  let reactions = 0;
  const stop = promiseHooks.onBefore(() => reactions++);
  setImmediate(() => {
    stop();
    if (reactions > 0) {
      outcome.nativePromise = true;
      outcome.message += ` (native Promise reactions were still waiting when the synchronous run ended)`;
    }
    parentPort!.postMessage({ id: job.id, outcome });
  });
}
