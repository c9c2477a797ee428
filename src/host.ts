/**
 * host.ts: host mode. The loop's turns are called by the host's own event loop (Node's, a
 * browser's) instead of a synchronous run, so real I/O, native timers and native Promises go on
 * while tasks wait for them. The turn is the loop's own (`_hostTurn`, the same #turn and
 * #pickNext a synchronous run takes); this file only decides who calls the next one, and how the
 * loop waits when nothing is ready.
 *
 * Who calls the next turn (HostDriver):
 * - A wake from outside a turn (a native promise settled, a host callback made a task ready)
 *   queues the turn as a microtask: the loop answers before the host takes up other work, as a
 *   native await would.
 * - A turn that leaves work ready queues the next as a host task (Node: `setImmediate`), behind
 *   the I/O callbacks that are due: an `asleep(0)` loop lets the host's I/O through between every
 *   two turns, where a chain of native awaits lets none through.
 * - At most MAX_MICROTASK_TURNS turns run from microtasks in a row (counted since the last turn a
 *   host task or timer ran); the next goes through a host task, so host code that keeps waking
 *   the loop from microtasks cannot starve I/O either.
 * - Idle: at most one host timer, for the earliest deadline, re-armed when that changes. Host
 *   timers may fire early (Node's up to about a millisecond: it counts from the time cached when
 *   its loop iteration began), so the turn checks the deadline on the loop's clock, and the driver
 *   re-arms for what is left: never early, late by the host timer's granularity. A VirtualClock is
 *   not waited on: it jumps to the deadline, at once (after a host task) when no host wait is
 *   pending, and otherwise once the host has been silent for VIRTUAL_PATIENCE_MS (virtual time
 *   stands still while the host answers, as it would in a simulation; but a native Promise may
 *   itself wait for a virtual timer, with `globals: "virtual"`, so the wait cannot be forever).
 *
 * When it ends (HostRun): a run settles its native Promise when its task is done (`runAsync()`
 * first cancels what is left and waits for its cleanup, as asyncio.run does), when its signal
 * aborts (once the task has ended), when a failure nobody observed ends it ("throw" policy), or
 * on a DeadlockError: nothing ready, no timer, no host wait pending (a host thenable whose `then`
 * was called, see task.ts), and nobody holding `attach()`. Failures and deadlocks are looked at
 * from a host task once the loop is idle, after the host's microtasks have run: a native
 * reaction on its way to wake a task is not taken for a deadlock.
 *
 * What keeps a Node process alive: the driver's queued callbacks while there is work, the host
 * timer while timers are armed (unref'd when only unref'd virtual timers are), and nothing else.
 * A pending host wait keeps the process alive only through whatever the host does for it (a
 * socket for a fetch): a native promise that nothing will ever settle does not.
 *
 * Invariants:
 * - A loop has at most one driver, attached while someone holds it (`attach()`) or a run is
 *   pending; the loop is the thread's running loop exactly while it is attached.
 * - At most one turn callback is queued (`#queued`), and at most one host timer armed.
 */

import { VirtualClock } from "./clock.js";
import { describe } from "./describe.js";
import { DeadlockError, UnhandledTaskError, UsageError } from "./errors.js";
import type { AwaitableLike, Driver, EventLoop } from "./loop.js";
import type { AbortSignalLike } from "./interop.js";
import { isNativePromise } from "./native.js";
import { Task } from "./task.js";

/**
 * What a loop needs of its host to run in host mode: four calls that every JavaScript host has
 * in some form. handloop uses Node's event loop unless told otherwise (`runAsync(main, { host })`,
 * `loop.attach(host)`); a browser's is the same with `MessageChannel` for `queueTask`.
 *
 * @example
 * ```ts
 * const host: Host = {
 *   queueMicrotask: (callback) => queueMicrotask(callback),
 *   queueTask: (callback) => void setImmediate(callback),
 *   setTimer: (callback, ms, keepAlive) => { const t = setTimeout(callback, ms); if (!keepAlive) t.unref(); return t; },
 *   clearTimer: (timer) => clearTimeout(timer as NodeJS.Timeout),
 * };
 * ```
 */
export interface Host {
  /** Calls `callback` once the current host job is over, before the host takes up other work. */
  queueMicrotask(callback: () => void): void;
  /** Calls `callback` as a task of its own, after the I/O callbacks already due (Node: `setImmediate`). */
  queueTask(callback: () => void): void;
  /**
   * Calls `callback` once `ms` milliseconds have passed (early or late by the host's granularity:
   * the loop checks its clock). With `keepAlive` false, the timer does not keep the process alive.
   */
  setTimer(callback: () => void, ms: number, keepAlive: boolean): unknown;
  /** Stops a timer `setTimer` gave, before it fires. */
  clearTimer(timer: unknown): void;
}

/** Options of `loop.runAsync()`. */
export interface RunAsyncLoopOptions {
  /**
   * Cancels the work when aborted; the Promise then rejects with `signal.reason` once the work
   * has ended (its `finally` blocks have run). Aborted already: rejects at once, nothing runs.
   */
  signal?: AbortSignalLike;
  /** The host to run on if the loop is not attached yet; Node's event loop unless given. */
  host?: Host;
}

// The host's own functions, as they were when handloop loaded: `globals: "virtual"` replaces the
// globals during runs, and the driver must still reach the real ones.
const hostGlobals = globalThis as {
  setImmediate?: (callback: () => void) => unknown;
  setTimeout?: (callback: () => void, ms: number) => { unref?: () => unknown };
  clearTimeout?: (timer: unknown) => void;
  queueMicrotask?: (callback: () => void) => void;
};
const { setImmediate: nodeSetImmediate, setTimeout: nodeSetTimeout, clearTimeout: nodeClearTimeout } = hostGlobals;
const nodeQueueMicrotask = hostGlobals.queueMicrotask?.bind(globalThis);

/** Node's event loop: microtasks, `setImmediate`, `setTimeout` (unref'd when it must not keep the process alive). */
const nodeHost: Host | null =
  typeof nodeSetImmediate === "function" && typeof nodeSetTimeout === "function" && nodeQueueMicrotask !== undefined
    ? {
        queueMicrotask: nodeQueueMicrotask,
        queueTask: (callback) => void nodeSetImmediate(callback),
        setTimer(callback, ms, keepAlive) {
          const timer = nodeSetTimeout(callback, ms);
          if (!keepAlive) timer.unref?.();
          return timer;
        },
        clearTimer: (timer) => nodeClearTimeout!(timer),
      }
    : null;

/**
 * A browser's event loop: microtasks, a `MessageChannel` message as the task (it runs after the
 * input and network events already queued, with none of the 4 ms clamp nested `setTimeout`s get),
 * `setTimeout`. A page has no process to keep alive, so `keepAlive` changes nothing.
 */
const browserHost: Host | null = (() => {
  const { MessageChannel: Channel } = globalThis as unknown as { MessageChannel?: new () => { port1: { onmessage: (() => void) | null }; port2: { postMessage(message: null): void } } };
  if (nodeHost !== null || typeof Channel !== "function" || typeof nodeSetTimeout !== "function" || nodeQueueMicrotask === undefined) return null;
  // One channel, and a FIFO of callbacks its messages run: one message per queued task.
  const channel = new Channel();
  const tasks: (() => void)[] = [];
  let head = 0;
  channel.port1.onmessage = () => {
    const callback = tasks[head];
    tasks[head++] = undefined as unknown as () => void;
    if (head === tasks.length) tasks.length = head = 0;
    callback?.();
  };
  return {
    queueMicrotask: nodeQueueMicrotask,
    queueTask(callback) {
      tasks.push(callback);
      channel.port2.postMessage(null);
    },
    setTimer: (callback, ms) => nodeSetTimeout(callback, ms),
    clearTimer: (timer) => nodeClearTimeout!(timer),
  };
})();

// Turns run from microtasks in a row before one goes through a host task (see the top).
const MAX_MICROTASK_TURNS = 64;
// How long, in real milliseconds, a VirtualClock waits for a silent host before it jumps anyway.
const VIRTUAL_PATIENCE_MS = 10;
// setTimeout's longest delay: a longer one fires at once in Node. A deadline further off is
// reached by re-arming.
const MAX_TIMER_MS = 2 ** 31 - 1;

// What `#queued` says is coming to run the next turn.
const NONE = 0;
const MICROTASK = 1;
const TASK = 2;

const drivers = new WeakMap<EventLoop, HostDriver>();
const NativePromise = Promise;
const nativeReject = Promise.reject.bind(Promise) as (reason: unknown) => Promise<never>;
const NO_FAILURE = Symbol("none");

const DEADLOCK_ADVICE =
  "\nIn host mode a wait for a native Promise or another thenable of the host's, or through fromPromise(), keeps a run going; a LoopPromise, Future or Event that only host code settles (a native setTimeout's callback, an event listener) does not. Await such a one through fromPromise(), sleep with asleep() (or run with globals: \"virtual\", whose setTimeout is the loop's), or hold loop.attach() while host code may settle it.";

/** One `runAsync()` or `loop.runAsync()` waiting for its task, and the native Promise it settles. */
class HostRun {
  readonly task: Task<unknown>;
  // runAsync(): when the task is done, cancel what is left, wait for its cleanup, close the loop.
  readonly shutdown: boolean;
  readonly #resolve: (value: unknown) => void;
  readonly #reject: (error: unknown) => void;
  readonly #signal: AbortSignalLike | undefined;
  readonly #onAbort: (() => void) | null = null;
  draining = false;
  failure: unknown = NO_FAILURE;
  // The driver's runs are a list of their own (see HostDriver#runs).
  next: HostRun | null = null;
  #aborted = false;

  constructor(
    task: Task<unknown>,
    shutdown: boolean,
    signal: AbortSignalLike | undefined,
    resolve: (value: unknown) => void,
    reject: (error: unknown) => void,
  ) {
    this.task = task;
    this.shutdown = shutdown;
    this.#signal = signal;
    this.#resolve = resolve;
    this.#reject = reject;
    if (signal !== undefined) {
      // One listener per run, removed when it settles: a long-lived signal collects none.
      this.#onAbort = () => {
        if (this.draining || task.done()) return; // its work has ended already
        this.#aborted = true;
        task._cancelWith(`The AbortSignal given to ${shutdown ? "runAsync()" : "loop.runAsync()"} was aborted.`, signal.reason);
      };
      signal.addEventListener("abort", this.#onAbort, { once: true });
    }
  }

  /** Settles the native Promise: the signal's reason, the run's failure, or the task's outcome. */
  settle(): void {
    if (this.#onAbort !== null) this.#signal!.removeEventListener("abort", this.#onAbort);
    const failure = this.failure;
    if (this.#aborted) this.#reject(this.#signal!.reason);
    else if (failure !== NO_FAILURE) {
      if (failure instanceof UnhandledTaskError && this.shutdown) failure.main = this.task;
      this.#reject(failure);
    } else {
      let value: unknown;
      try {
        value = this.task.result();
      } catch (error) {
        this.#reject(error);
        return;
      }
      this.#resolve(value);
    }
  }
}

/** Drives one loop from the host's callbacks while it is attached (see the top of this file). */
class HostDriver implements Driver {
  readonly loop: EventLoop;
  readonly host: Host;
  readonly #virtual: boolean;
  #holds = 0;
  // The runs pending, oldest first, linked through `next`: no Array, whose methods and iterator
  // the program may have replaced (test262 does), is used on the way to a run's end.
  #runs: HostRun | null = null;
  #attached = true;
  #queued = NONE;
  #jump = false; // the queued host task jumps the virtual clock to the next deadline first
  #microtaskTurns = 0; // turns run from microtasks since one ran from a host task or timer
  #timer: unknown = null;
  #timerDeadline = Number.POSITIVE_INFINITY;
  #timerKeepsAlive = true;
  #idleCheck = false; // a host task is queued to look at the idle loop (failures, deadlock)
  #turning = false; // in the loop's turn: detaching waits for its end
  // Made once: no closure per turn.
  readonly #onMicrotask = (): void => {
    if (this.#queued !== MICROTASK) return; // stale: the driver let go meanwhile
    this.#queued = NONE;
    this.#microtaskTurns++;
    this.#turn();
  };
  readonly #onTask = (): void => {
    if (this.#queued !== TASK) return;
    this.#queued = NONE;
    this.#microtaskTurns = 0;
    if (this.#jump) {
      this.#jump = false;
      if (this.loop._hostWaits === 0) this.#jumpClock();
    }
    this.#turn();
  };
  readonly #onTimer = (): void => {
    this.#timer = null;
    this.#timerDeadline = Number.POSITIVE_INFINITY;
    this.#microtaskTurns = 0;
    if (!this.#attached || this.#queued !== NONE) return; // (a queued turn fires due timers too)
    if (this.#virtual) this.#jumpClock(); // the host was silent for VIRTUAL_PATIENCE_MS
    this.#turn();
  };
  readonly #onIdle = (): void => {
    this.#idleCheck = false;
    if (!this.#attached || this.#queued !== NONE || this.loop._hasReady) return; // busy: looked at when idle again
    this.#checkIdle();
  };

  constructor(loop: EventLoop, host: Host, call: string) {
    this.loop = loop;
    this.host = host;
    this.#virtual = loop.clock instanceof VirtualClock;
    loop._attachDriver(this, call);
    drivers.set(loop, this);
    this.#queueTurn(MICROTASK); // a first look: work may be waiting already, and timers to arm
  }

  /** Moves a VirtualClock to the next deadline, unless work came meanwhile. */
  #jumpClock(): void {
    const loop = this.loop;
    if (!loop._hasReady) loop.clock.sleepUntil(loop._nextDeadline());
  }

  /** The loop woke from idle: something reached it from outside a turn. */
  _wake(): void {
    this.#queueTurn(MICROTASK);
  }

  hold(): void {
    this.#holds++;
  }

  /** One `attach()` lets go; the last one detaches unless runs are pending. */
  release(): void {
    this.#holds--;
    if (this.#turning) return; // called by a task: #turn detaches once the turn is over
    const error = this.letGoIfUnused();
    if (error !== NO_FAILURE) throw error;
  }

  /** Starts waiting for `run`'s task; the first turn comes in a microtask. */
  start(run: HostRun): void {
    if (this.#runs === null) this.#runs = run;
    else {
      let last = this.#runs;
      while (last.next !== null) last = last.next;
      last.next = run;
    }
    this.#queueTurn(MICROTASK);
  }

  #queueTurn(kind: number): void {
    if (this.#queued !== NONE || !this.#attached) return;
    if (kind === MICROTASK && this.#microtaskTurns < MAX_MICROTASK_TURNS) {
      this.#queued = MICROTASK;
      this.host.queueMicrotask(this.#onMicrotask);
    } else {
      this.#queued = TASK;
      this.host.queueTask(this.#onTask);
    }
  }

  #turn(): void {
    let threw = false;
    let error: unknown;
    this.#turning = true;
    try {
      this.loop._hostTurn();
    } catch (e) {
      threw = true;
      error = e;
    } finally {
      this.#turning = false;
    }
    if (threw) this.#fail(error); // a callback threw, as it would out of a synchronous run
    if (!this.#attached) return;
    this.#progress();
    if (this.#attached && this.#holds === 0 && this.#runs === null) {
      // The last attach() let go during the turn: now that it is over, detach.
      const failure = this.#letGo();
      if (failure !== NO_FAILURE) this.#fail(failure);
    }
    if (!this.#attached) return;
    if (this.loop._hasReady) this.#queueTurn(TASK);
    else this.#wait();
  }

  /**
   * After a turn: a run whose task is done ends, or (runAsync()) starts its shutdown, which ends
   * once no task is alive and nothing is queued. Either looks at the unhandled failures first, as
   * a synchronous run does when it ends.
   */
  #progress(): void {
    const loop = this.loop;
    for (let run = this.#runs; run !== null; ) {
      const next = run.next;
      if (!run.draining && run.task.done() && run.shutdown) this.#drain(run, loop._takeUnhandled());
      if (run.draining ? loop._liveCount === 0 && !loop._hasReady : run.task.done()) this.#finish(run, loop._takeUnhandled());
      run = next;
    }
  }

  /** runAsync()'s task ended (or failed for it): cancel every task left and wait for its cleanup. */
  #drain(run: HostRun, failure: unknown): void {
    if (failure !== null && failure !== NO_FAILURE) run.failure = failure;
    run.draining = true;
    this.loop._cancelLive();
  }

  /** Ends `run`, with `failure` outranking what it had if it is an unhandled failure. */
  #finish(run: HostRun, failure: unknown): void {
    if (failure !== null && failure !== NO_FAILURE) {
      if (run.failure === NO_FAILURE || failure instanceof UnhandledTaskError) run.failure = failure;
    }
    this.#remove(run);
    let error: unknown;
    if (run.shutdown) {
      this.#holds = 0; // asyncio.run closes its loop whoever still holds it
      error = this.#letGo();
      this.loop.close();
    } else error = this.letGoIfUnused();
    if (error !== NO_FAILURE && run.failure === NO_FAILURE) run.failure = error;
    run.settle();
  }

  #remove(run: HostRun): void {
    if (this.#runs === run) this.#runs = run.next;
    else {
      let before = this.#runs;
      while (before !== null && before.next !== run) before = before.next;
      if (before !== null) before.next = run.next;
    }
    run.next = null;
  }

  /** Nothing is ready: arm the host timer for the next deadline, or jump a virtual clock there. */
  #wait(): void {
    const loop = this.loop;
    const deadline = loop._nextDeadline();
    if (!this.#virtual) this.#arm(deadline, loop._timersKeepAlive);
    else if (deadline !== Number.POSITIVE_INFINITY) {
      if (loop._hostWaits === 0) {
        this.#arm(Number.POSITIVE_INFINITY, true); // no patience timer left over
        this.#jump = true;
        this.#queueTurn(TASK); // after the host's due callbacks, which may still make work
        return;
      }
      // The host is answering: a patience timer, restarted each time the loop goes idle.
      this.#arm(Number.NaN, loop._timersKeepAlive);
    } else this.#arm(deadline, true);
    loop._idle();
    if (!this.#idleCheck && (loop._unhandledPending || this.#mayDeadlock(deadline))) {
      this.#idleCheck = true;
      this.host.queueTask(this.#onIdle);
    }
  }

  /**
   * The one host timer: for `deadline` on the loop's clock (kept if it is armed for it already),
   * none for Infinity, or a VirtualClock's patience timer for NaN (never kept: restarted).
   */
  #arm(deadline: number, keepAlive: boolean): void {
    if (this.#timer !== null) {
      if (deadline === this.#timerDeadline && keepAlive === this.#timerKeepsAlive) return;
      this.host.clearTimer(this.#timer);
      this.#timer = null;
    }
    this.#timerDeadline = deadline;
    this.#timerKeepsAlive = keepAlive;
    if (deadline === Number.POSITIVE_INFINITY) return;
    const ms =
      deadline !== deadline // NaN
        ? VIRTUAL_PATIENCE_MS
        : Math.min(MAX_TIMER_MS, Math.max(0, Math.ceil((deadline - this.loop.time()) * 1000)));
    this.#timer = this.host.setTimer(this.#onTimer, ms, keepAlive);
  }

  /** Whether nothing could wake a task any more: checked once more from a host task. */
  #mayDeadlock(deadline: number): boolean {
    return this.#holds === 0 && this.#runs !== null && deadline === Number.POSITIVE_INFINITY && this.loop._hostWaits === 0;
  }

  /** The loop is idle, and the host ran its microtasks since: report failures, or a deadlock. */
  #checkIdle(): void {
    const loop = this.loop;
    const fatal = loop._takeUnhandled();
    if (fatal !== null) {
      this.#fail(fatal);
    } else if (this.#mayDeadlock(loop._nextDeadline())) {
      for (let run = this.#runs; run !== null; ) {
        const next = run.next;
        const deadlock = loop._deadlockError(run.draining ? null : run.task);
        this.#finish(run, new DeadlockError(deadlock.message + DEADLOCK_ADVICE, deadlock.waiting));
        run = next;
      }
    }
    // What that did (a shutdown begun, a policy's callback) woke the loop if it made work.
    if (this.#attached && this.#queued === NONE && !loop._hasReady) this.#wait();
  }

  /**
   * A callback threw out of a turn, or the "throw" policy collected an unhandled failure: every
   * run ends with it (runAsync() after its shutdown), as a synchronous run would throw it. With
   * no run to tell, the host gets it, as it gets a native callback's error or rejection.
   */
  #fail(error: unknown): void {
    if (this.#runs === null) {
      if (error instanceof UnhandledTaskError) void nativeReject(error);
      else
        this.host.queueTask(() => {
          throw error;
        });
      return;
    }
    for (let run: HostRun | null = this.#runs; run !== null; ) {
      const next: HostRun | null = run.next;
      if (!run.shutdown) this.#finish(run, error);
      else if (run.draining) {
        // An unhandled failure during the cleanup is kept for its end; a throwing callback ends it.
        if (error instanceof UnhandledTaskError) run.failure = error;
        else this.#finish(run, error);
      } else this.#drain(run, error);
      run = next;
    }
  }

  /** Detaches if nobody holds the loop and no run is pending; gives what #letGo gives. */
  letGoIfUnused(): unknown {
    return this.#holds === 0 && this.#runs === null ? this.#letGo() : NO_FAILURE;
  }

  /**
   * Detaches from the loop: no more turns, no timer. Gives the UsageError of virtual globals that
   * someone replaced during the run (they are back all the same), or NO_FAILURE.
   */
  #letGo(): unknown {
    if (!this.#attached) return NO_FAILURE;
    this.#attached = false;
    this.#queued = NONE;
    this.#jump = false;
    if (this.#timer !== null) this.host.clearTimer(this.#timer);
    this.#timer = null;
    drivers.delete(this.loop);
    try {
      this.loop._detachDriver();
    } catch (error) {
      return error;
    }
    return NO_FAILURE;
  }
}

/** The host to use: `host` checked, or Node's event loop, or a browser's. */
function hostOf(host: Host | undefined, call: string): Host {
  if (host === undefined) {
    const found = nodeHost ?? browserHost;
    if (found === null) {
      throw new UsageError(
        `${call} found no host event loop to run on: this environment has neither setImmediate (Node) nor MessageChannel (browsers). Pass a host ({ host }) with queueMicrotask, queueTask, setTimer and clearTimer.`,
      );
    }
    return found;
  }
  for (const name of ["queueMicrotask", "queueTask", "setTimer", "clearTimer"] as const) {
    if (typeof (host as Partial<Host> | null)?.[name] !== "function") {
      throw new TypeError(`Expected \`host\` of ${call} to be a Host, with a ${name} method, got ${describe(host)}.`);
    }
  }
  return host;
}

/** The driver attached to `loop`, attaching one if there is none; a UsageError for another host. */
function driverOf(loop: EventLoop, host: Host | undefined, call: string): HostDriver {
  const driver = drivers.get(loop);
  if (driver === undefined) return new HostDriver(loop, hostOf(host, call), call);
  if (host !== undefined && host !== driver.host) {
    throw new UsageError(`Cannot call ${call} with a host of its own: the loop is attached to another host already. Leave \`host\` out to run on the one it has.`);
  }
  return driver;
}

function checkSignal(signal: unknown, call: string): AbortSignalLike | undefined {
  if (signal === undefined) return undefined;
  const s = signal as Partial<AbortSignalLike> | null;
  if (typeof s !== "object" || s === null || typeof s.aborted !== "boolean" || typeof s.addEventListener !== "function") {
    throw new TypeError(`Expected \`signal\` of ${call} to be an AbortSignal, got ${describe(signal)}.`);
  }
  return signal as AbortSignalLike;
}

/** @internal `loop.attach(host)`: see EventLoop#attach. */
export function attachHost(loop: EventLoop, host?: Host): () => void {
  const driver = driverOf(loop, host, "attach()");
  driver.hold();
  let held = true;
  return () => {
    if (!held) return;
    held = false;
    driver.release();
  };
}

/**
 * @internal `runAsync()` and `loop.runAsync()`: runs `work` on `loop` driven by the host; a native
 * Promise of its outcome. `shutdown`: runAsync()'s end, as asyncio.run's (see HostRun).
 */
export function runOnHost<T>(
  loop: EventLoop,
  work: AwaitableLike<T>,
  options: RunAsyncLoopOptions = {},
  shutdown = false,
): Promise<T> {
  const call = shutdown ? "runAsync()" : "loop.runAsync()";
  let signal: AbortSignalLike | undefined;
  let driver: HostDriver;
  let task: Task<T>;
  try {
    signal = checkSignal(options?.signal, call);
    if (signal?.aborted) return nativeReject(signal.reason);
    driver = driverOf(loop, options?.host, call);
    try {
      task = loop.createTask(isNativePromise(work) ? awaitNative(work) : work);
    } catch (error) {
      driver.letGoIfUnused(); // if this run was all it was attached for
      throw error;
    }
  } catch (error) {
    return nativeReject(error);
  }
  task._markObserved(); // its outcome is what the Promise gives
  return new NativePromise<T>((resolve, reject) => {
    driver.start(new HostRun(task, shutdown, signal, resolve as (value: unknown) => void, reject));
  });
}

/** A native Promise as work for the loop: waiting for it is a host wait (see task.ts). */
function* awaitNative<T>(promise: Promise<T>): Generator<Promise<T>, T, unknown> {
  return (yield promise) as T;
}
