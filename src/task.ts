/**
 * task.ts: one coroutine's life, and the stepper that drives it.
 *
 * A Task owns a coroutine (an iterator that yields requests, see awaitable.ts) and the stack of
 * awaitable iterators it has delegated into. `drive` is the only code in handloop that calls
 * `next`/`throw` on a coroutine: resumption, errors and cancellation all pass through it. It
 * reads what the iterator yields and either continues at once (delegation into an awaitable, a
 * task that already settled, a protocol error to throw back) or parks the task: on the loop's
 * timer heap (`NotReady`, `asleep`), at the back of the ready queue (`undefined`, plain values in
 * compiled bodies), on another task's waiter list, in a primitive's waiter queue (a WaitOp, see
 * wait.ts), in a LoopPromise's reactions (promise.ts: the task is its own reaction job), or on a
 * foreign thenable, adopted through a ThenableJob as native `await` adopts one. A ThenableJob whose
 * thenable is the host's (a native Promise, another library's) counts as a *host wait* on its
 * loop from the moment its `then` is called until it calls back or its task stops waiting: in
 * host mode (host.ts) that is what may still wake a task when nothing on the loop can, and a
 * late call after a cancel is ignored (it was given our callbacks, so its rejection is handled).
 *
 * Cancellation and AbortSignal: `currentSignal()` makes a task's AbortController, once; from then
 * on `cancel()` aborts it at once, with the CancelledError the task will be thrown (made then and
 * kept for its step), or with the reason the canceller gave (`_cancelWith`: a timeout's
 * TimeoutError), which a task awaiting another passes on when it cancels that one.
 *
 * A Task with no coroutine is a *future*: it is settled from outside (by `then` reactions, by
 * combinators such as `gather`, by a Future's `resolve`). Both kinds are custom thenables whose
 * callbacks the loop calls, and instances of LoopPromise (without its slots).
 *
 * Invariants:
 * - A live task is in at most one of: its loop's ready queue (READY), the timer heap (WAITING on
 *   a timer, `#waitingOn` holding its stamp), one task's waiter list, one primitive's waiter
 *   queue, one LoopPromise's reactions (FROM_PROMISE), or one thenable's callbacks (WAITING).
 * - A failed task's error is delivered once: to whoever receives it (an awaiter resuming with it,
 *   `result()`, `exception()`, a `then` reaction, a combinator passing it on), or, if nobody does,
 *   to its loop's unhandled-error policy (with no loop running, to the host); never to both, never
 *   to neither. A waiter that observes the outcome holds a *claim* on the failure from the moment
 *   it settles (so the check for unhandled failures does not report it while the waiter is on its
 *   way) until it receives it or gives it up (`_decline`): a failure whose last claim is given up
 *   unreceived is reported.
 * - Awaits never grow the JavaScript stack: delegation is kept in `delegations`, and a settling
 *   task wakes its waiters by queueing them, never by stepping them.
 *
 * Size matters here: a program may hold 100,000 tasks, and the collector copies each one. So a
 * Task is eight fields: state and flags share one, rare things (the delegation stack, a cancel
 * message) live in side tables, and the stepper's methods are TypeScript-`private` rather than
 * `#private`, since a `#method` costs a brand slot in every instance.
 */

import { ASleep } from "./asleep.js";
import {
  __await__,
  NOT_READY_REQUEST,
  PROMISE_REQUEST,
  REQUEST,
  SLEEP_REQUEST,
  TASK_REQUEST,
  WAIT_REQUEST,
  markRequest,
  type Awaitable,
  type NotReady,
} from "./awaitable.js";
import { describe } from "./describe.js";
import { fire, type MutableStepNext, type StepNext } from "./instrument.js";
import { CancelledError, UsageError } from "./errors.js";
import type { EventLoop } from "./loop.js";
import { ignoreOutcome, isNativePromise, notCompiledAdvice } from "./native.js";
import {
  awaitPromise,
  isLoopPromise,
  LoopPromise,
  PENDING,
  promiseDeclined,
  promiseReceived,
  promiseResult,
  promiseState,
  REJECTED as PROMISE_REJECTED,
  HostEnqueuePromiseJob as scheduleJob,
  addLoopThens,
  isHostThenable,
  setTaskBrand,
} from "./promise.js";
import type { Runnable } from "./ready-queue.js";
import { running } from "./running.js";
import { Operation, PARK, WaitOp } from "./wait.js";

// A task's state and flags share one number (`#bits`): the life-cycle state in the low three bits,
// flags above. One field rather than two keeps a Task small: 100,000 of them are 100,000 times
// any field, and the collector copies every one.

// Life cycle (`bits & STATE`). NEW: not yet adopted by a loop, or adopted and not yet stepped.
const STATE = 7;
const NEW = 0;
const READY = 1;
const RUNNING = 2;
const WAITING = 3;
const FULFILLED = 4;
const REJECTED = 5;
const CANCELLED = 6;

// Flags.
const COMPILED = 8; // body compiled from async source: unknown yields are plain values
const CANCEL_PENDING = 16; // cancel() asked; the next step throws CancelledError instead
const RESUME_THROW = 32; // the next step throws #value instead of sending it
const NAMED = 64; // #name is the full name, not a prefix to number
const FRESH = 128; // the coroutine has not taken its first step yet
const OBSERVED = 256; // someone received the outcome: a failure is not unhandled
const LINKED = 512; // in its loop's list of live tasks
const FROM_TASK = 1024; // parked on a task: the next step reads that task's outcome
const DELEGATING = 2048; // running an awaitable's iterator: the enclosing ones are in `delegations`
const GENERATOR = 4096; // the coroutine is a plain generator object: resume it through generatorNext
const CHOSEN = 8192; // #name was given by the user: the function's name, if any, is in `labels`
const COMMIT = 16384; // handed something by a primitive that must hear when it is taken (WaitOp#_commit)
const CLAIMED = 32768; // failed, and waiters are on their way to receive it: counted in `claims`
const FROM_PROMISE = 65536; // parked on a LoopPromise (#waitingOn): the next step reads its outcome
const LOCKED = 131072; // a Future resolved with a thenable it is adopting: resolving it again does nothing
const SIGNALLED = 262144; // currentSignal() made its AbortController (in `controllers`)
const REASON = 524288; // the pending cancel has a reason of its canceller's (in `cancelReasons`)
const FUTURE = 1048576; // made with no coroutine (settled from outside): for instruments, an `event`
// What makes a step more than "send in #value": checked with one test on the hot path.
const UNUSUAL_STEP = CANCEL_PENDING | RESUME_THROW | FRESH | FROM_TASK | COMMIT | FROM_PROMISE;

/** Anything a coroutine yields, as the stepper first looks at it (see REQUEST in awaitable.ts). */
type Request = { [REQUEST]?: number };

/**
 * @internal Something a settling task must tell: a task awaiting it, a reaction, a latch. A waiter
 * that observes holds a claim on a failure from `_wake` on: it must receive it (`result()`,
 * `exception()`) or give it up (`source._decline()`), once.
 */
export interface Waiter {
  _wake(source: Task<unknown>): void;
  /** `false` for a waiter that only wants to know *when* it settles: it does not read a failure. */
  readonly _observes?: boolean;
}

let nextId = 1;

// What every generator object's `next` and `throw` are (%GeneratorPrototype%'s), whichever
// generator function made it. The stepper calls them directly (see drive).
const generatorPrototype = Object.getPrototypeOf(function* () {}).prototype as Generator<unknown, unknown, unknown>;
const generatorNext = generatorPrototype.next;
const generatorThrow = generatorPrototype.throw;

// The iterators a task delegated from (awaiting an awaitable runs its iterator in place), outermost
// first; only for tasks with the DELEGATING flag. Awaiting a user-defined awaitable is rare next to
// awaiting tasks, sleeps and primitives, so the stack lives beside the tasks, not in each.
const delegations = new WeakMap<Task<unknown>, Iterator<unknown, unknown, unknown>[]>();

// The message of a pending cancel(message): rare, so kept beside the tasks rather than in each.
const cancelMessages = new WeakMap<Task<unknown>, string>();

// A task's AbortController, made by its first currentSignal() (SIGNALLED); the CancelledError of
// a pending cancel, made early for a task whose signal had to abort with it; and what the signal
// aborts with instead when the canceller said (REASON). All rare: beside the tasks.
const controllers = new WeakMap<Task<unknown>, AbortController>();
const cancelErrors = new WeakMap<Task<unknown>, CancelledError>();
const cancelReasons = new WeakMap<Task<unknown>, unknown>();

// How many claims a failed task with the CLAIMED flag has still standing (see the invariants at the
// top): failures are rare next to tasks, so the count lives beside them.
const claims = new WeakMap<Task<unknown>, number>();

// The name of the function a task runs, once the user renamed the task (rare), for error messages.
const labels = new WeakMap<Task<unknown>, string>();

// The id of a task the user named (rare): the others carry theirs in their name ("label-<id>").
const ids = new WeakMap<Task<unknown>, number>();

// Node's key for a custom `util.inspect` (console.log), by its registered name: the runtime does
// not import node:util, so it still runs in browsers.
const INSPECT: unique symbol = Symbol.for("nodejs.util.inspect.custom");

// What toString() says of each state (see the top of this file).
const STATE_WORDS = ["pending", "pending", "running", "pending", "fulfilled", "rejected", "cancelled"];

/**
 * One coroutine's life on a loop: a custom thenable, as asyncio's Task is a Future. Its `then`
 * callbacks are called by the loop (never by the microtask queue while a loop runs), so a task can
 * be awaited by native code too. Create tasks with `coroutine(...)(...)`, `loop.createTask(x)`,
 * or compiled `async` functions; `await` / `yield*` them, `gather` them, `cancel()` them.
 *
 * @example
 * ```ts
 * const child = coroutine(function* () { yield* asleep(1); return 42; });
 * run(function* () {
 *   const t = child();          // already running, parked on its sleep
 *   const v = yield* t;          // 42, typed as number
 *   return t.done() && v === t.result();
 * }, { clock: new VirtualClock() }); // true
 * ```
 *
 * A Task is a LoopPromise too (`task instanceof LoopPromise`, and so, in compiled code, where the
 * global `Promise` is LoopPromise, `asyncFn() instanceof Promise`), with its own `then`, `catch`,
 * `finally` and `constructor`.
 *
 * (Internally also a Runnable, a Waiter, a PromiseSubscriber and a TimerEntry, checked where it is
 * passed as one.)
 */
export class Task<T> implements Promise<T>, Awaitable<T> {
  #loop: EventLoop | null = null;
  // The iterator the next step resumes, innermost first; null for a future and once done.
  #it: Iterator<unknown, unknown, unknown> | null;
  #bits: number; // state | flags, see the top of this file
  // Alive: the value to send (or, with RESUME_THROW, throw) on the next step. Done: the result,
  // the error, or the CancelledError.
  #value: unknown = undefined;
  // What a WAITING task waits on (its timer's stamp, a Task, a ThenableLink, a WaitOp); while
  // READY, the task or WaitOp that woke it (so the outcome can be read, or a hand-off given back
  // on cancel).
  #waitingOn: unknown = null;
  // Who to tell on settling: one waiter (the common case), or an array of them in order.
  #waiters: Waiter | Waiter[] | null = null;
  // The full name once NAMED is set; until then a label, numbered on first use ("label-<n>").
  #name: string;
  // Compiled bodies only: where the body's last await was ("file.ts:12:5"), or "".
  #site = "";

  /** @internal Only Task's own factories (and Future, a Task with no coroutine) make tasks. */
  protected constructor(it: Iterator<unknown, unknown, unknown> | null, flags: number, name: string) {
    this.#it = it;
    this.#bits = NEW | flags | (it === null ? FUTURE : it.next === generatorNext ? GENERATOR : 0);
    this.#name = name;
  }

  /** @internal A task running `it`; `label` names it ("label-<id>") unless `name` is given. */
  static _create<T>(
    it: Iterator<unknown, T, unknown>,
    compiled: boolean,
    label: string,
    name?: string,
  ): Task<T> {
    const task = new Task<T>(
      it as Iterator<unknown, unknown, unknown>,
      FRESH | (compiled ? COMPILED : 0) | (name === undefined ? 0 : NAMED | CHOSEN),
      name ?? label,
    );
    if (name !== undefined) labels.set(task, label);
    return task;
  }

  /** @internal A task with no coroutine, settled from outside with `_resolve` / `_reject`. */
  static _future<T>(label: string): Task<T> {
    return new Task<T>(null, 0, label);
  }

  // ---- Public surface -------------------------------------------------------------------------

  /**
   * The Task behind a compiled `async` function's result, which TypeScript types as a `Promise`:
   * gives back `promise` itself, typed as the Task it is, so `cancel()` and the rest are in reach.
   * A native Promise (from a file handloop did not compile) is a TypeError.
   *
   * @example
   * ```ts
   * async function worker(): Promise<void> { await asleep(60); }
   * const task = Task.from(worker());
   * task.cancel();
   * ```
   */
  static from<T>(promise: PromiseLike<T>): Task<T> {
    if (promise instanceof Task) return promise as Task<T>;
    const expected = `Task.from() expects the result of an async function compiled by handloop, got ${describe(promise)}.`;
    if (!isNativePromise(promise)) throw new TypeError(expected);
    ignoreOutcome(promise); // its later rejection would only repeat this mistake
    throw new TypeError(`${expected} The async function that returned it was not compiled. ${notCompiledAdvice()}`);
  }

  /** The task's name: the one given to `createTask`, else `<function name>-<id>` or `Task-<id>`. */
  get name(): string {
    if (!(this.#bits & NAMED)) {
      this.#name = `${this.#name}-${nextId++}`;
      this.#bits |= NAMED;
    }
    return this.#name;
  }

  set name(name: string) {
    if (typeof name !== "string") {
      throw new TypeError(`Expected a task name to be a string, got ${describe(name)}.`);
    }
    if (!(this.#bits & CHOSEN)) labels.set(this, this.functionName());
    if ((this.#bits & (NAMED | CHOSEN)) === NAMED) ids.set(this, this._id); // numbered already: keep it
    this.#name = name;
    this.#bits |= NAMED | CHOSEN;
  }

  /** Whether the task has finished: returned, thrown, or ended cancelled. */
  done(): boolean {
    return (this.#bits & STATE) >= FULFILLED;
  }

  /** Whether the task ended cancelled (a CancelledError escaped its coroutine). */
  cancelled(): boolean {
    return (this.#bits & STATE) === CANCELLED;
  }

  /**
   * The task's return value. Throws the task's error, or its CancelledError if it was cancelled,
   * and a UsageError while it is still pending.
   */
  result(): T {
    switch (this.#bits & STATE) {
      case FULFILLED:
        return this.#value as T;
      case REJECTED:
      case CANCELLED:
        this.#bits |= OBSERVED;
        throw this.#value;
      default:
        throw new UsageError(
          `Cannot call result() on task "${this.name}": it is still pending. Await it, or check done() first.`,
        );
    }
  }

  /**
   * The error the task failed with, or `undefined` if it returned. Throws its CancelledError if it
   * was cancelled, and a UsageError while it is still pending.
   */
  exception(): unknown {
    switch (this.#bits & STATE) {
      case FULFILLED:
        return undefined;
      case REJECTED:
      case CANCELLED:
        // (Asking a pending task is a UsageError, not a look at an outcome it does not have yet.)
        this.#bits |= OBSERVED;
        if ((this.#bits & STATE) === CANCELLED) throw this.#value;
        return this.#value;
      default:
        throw new UsageError(
          `Cannot call exception() on task "${this.name}": it is still pending. Await it, or check done() first.`,
        );
    }
  }

  /**
   * Asks the task to stop, as asyncio's `Task.cancel`: returns `false` if it already finished,
   * else schedules a `CancelledError(message)` to be thrown into the coroutine at its suspension
   * point on its next step, and returns `true`. A task it is awaiting is cancelled too (and this
   * task resumes once that one has ended). `finally` blocks run and may await; a coroutine that
   * catches the error and returns ends normally. A task cancelled before its first step never
   * runs its body; a future (a task with no coroutine) ends cancelled at once.
   */
  cancel(message?: string): boolean {
    if ((this.#bits & STATE) >= FULFILLED) return false;
    if (this.#it === null) {
      this.settle(CANCELLED, this.cancelledError(message));
      return true;
    }
    const hooks = this.#loop?._hooks;
    if (hooks != null && hooks.taskCancelled !== null) {
      fire(this.#loop!, hooks.taskCancelled, "taskCancelled", this, running.loop === this.#loop ? currentlyStepping() : undefined);
    }
    this.#bits |= CANCEL_PENDING;
    if (message === undefined) cancelMessages.delete(this);
    else cancelMessages.set(this, message);
    if ((this.#bits & STATE) === WAITING) this.interrupt();
    else if ((this.#bits & STATE) === READY && isRequest(this.#waitingOn, WAIT_REQUEST)) {
      // Resumed by a primitive but not yet run: give back what it was handed (an item, a lock).
      const op = this.#waitingOn as WaitOp<unknown>;
      this.#waitingOn = null;
      if (!(this.#bits & RESUME_THROW)) op._cancel(this, true, this.#value);
    }
    if (this.#bits & SIGNALLED) this.abortSignal();
    return true;
  }

  /**
   * Cancels the task and waits until it has finished its cleanup; gives whether it ended
   * cancelled (`false` when it caught the cancellation and returned, or had already finished).
   * Equivalent to `task.cancel(message)` followed by waiting for it without reading its outcome.
   *
   * @example
   * ```ts
   * const stopped = yield* worker.cancelAndWait("shutting down"); // worker's finally has run
   * ```
   */
  cancelAndWait(message?: string): Task<boolean> {
    this.cancel(message);
    return Task._start(waitUntilSettled(this), false, "cancelAndWait");
  }

  /**
   * Subscribes to the outcome, as `Promise.prototype.then`; the callbacks are called by the loop
   * on a later turn (outside any loop, through a microtask). Returns a new task for the
   * callback's result.
   */
  then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Task<R1 | R2> {
    const derived = Task._future<R1 | R2>("then");
    const reaction = new Reaction(this, onfulfilled, onrejected, derived);
    if ((this.#bits & STATE) >= FULFILLED) {
      // Observed now, as a native then() marks a rejected promise handled when it is called, not
      // when its reaction runs (on a later turn, possibly after the check for unhandled ones).
      this.#bits |= OBSERVED;
      reaction._wake();
    } else {
      this._addWaiter(reaction);
    }
    return derived;
  }

  /** As `Promise.prototype.catch`: `then(undefined, onrejected)`. */
  catch<R = never>(onrejected?: ((reason: unknown) => R | PromiseLike<R>) | null): Task<T | R> {
    return this.then(undefined, onrejected);
  }

  /** As `Promise.prototype.finally`: runs `onfinally` either way, then passes the outcome on. */
  finally(onfinally?: (() => void) | null): Task<T> {
    if (typeof onfinally !== "function") return this.then();
    return this.then(
      (value) => Task.#after(onfinally(), () => value),
      (error: unknown) =>
        Task.#after(onfinally(), () => {
          throw error;
        }),
    );
  }

  static #after<V>(first: unknown, then: () => V): V | PromiseLike<V> {
    if (first !== null && typeof first === "object" && typeof (first as PromiseLike<unknown>).then === "function") {
      return (first as PromiseLike<unknown>).then(then);
    }
    return then();
  }

  get [Symbol.toStringTag](): string {
    return "Task";
  }

  /** The awaitable protocol: an iterator that yields this task once and returns its result. */
  [__await__](): Iterator<Task<T>, T, unknown> {
    return new TaskIterator(this);
  }

  /**
   * `const v = yield* task` in a hand-written coroutine: waits for the task, typed as `T`. A task
   * that already finished gives its result without a trip through the loop.
   */
  [Symbol.iterator](): Iterator<Task<T>, T, unknown> {
    return new TaskIterator(this);
  }

  /**
   * For logs and debuggers, in a line: `Task "fetch-3" pending, waiting on Task "child-4"`, with
   * where a compiled body awaits, or the outcome of a finished task. Reads nothing a `result()`
   * would: describing a failed task does not count as observing it.
   */
  toString(): string {
    const state = this.#bits & STATE;
    let text = `${this[Symbol.toStringTag]} "${this.name}" ${STATE_WORDS[state]}`;
    switch (state) {
      case NEW:
        if (this.#it !== null) text += ", not started: no loop has adopted it yet";
        break;
      case READY:
        text += ", ready to run";
        break;
      case WAITING:
        text += `, waiting on ${this.waitTarget("Task")}`;
        break;
      case FULFILLED:
        text += ` with ${describe(this.#value)}`;
        break;
      case REJECTED:
        text += ` with ${describeError(this.#value)}`;
        break;
    }
    if (this.#site !== "" && state < FULFILLED) text += ` (at ${this.#site})`;
    return text;
  }

  /** `console.log(task)` and `util.inspect(task)` in Node: the line toString() gives. */
  [INSPECT](): string {
    return this.toString();
  }

  // ---- Internals shared with the loop and combinators ------------------------------------------

  /**
   * @internal `cancel(message)`, where whoever cancels says why: the task's AbortSignal aborts
   * with `reason` rather than with the CancelledError (timeout() gives its TimeoutError), and so
   * does the signal of a task it is awaiting, which it cancels in turn.
   */
  _cancelWith(message: string | undefined, reason: unknown): boolean {
    if ((this.#bits & STATE) >= FULFILLED || this.#it === null) return this.cancel(message);
    cancelReasons.set(this, reason);
    this.#bits |= REASON;
    return this.cancel(message);
  }

  /**
   * @internal What `currentSignal()` gives: this task's AbortSignal, made on the first call (one
   * controller per task, however many awaits use it). Aborted already if a cancel is pending.
   */
  _signal(): AbortSignal {
    let controller = controllers.get(this);
    if (controller === undefined) {
      controller = new AbortController();
      controllers.set(this, controller);
      this.#bits |= SIGNALLED;
      if (this.#bits & CANCEL_PENDING) this.abortSignal();
    }
    return controller.signal;
  }

  /** Aborts this task's signal with its canceller's reason, or the CancelledError its step will throw. */
  private abortSignal(): void {
    const controller = controllers.get(this)!;
    if (controller.signal.aborted) return; // once aborted, it stays so: a later cancel changes nothing
    if (this.#bits & REASON) controller.abort(cancelReasons.get(this));
    else {
      const error = this.cancelledError(cancelMessages.get(this));
      cancelErrors.set(this, error);
      controller.abort(error);
    }
  }

  /** The CancelledError a pending cancel throws in (the one its signal aborted with, if any); clears it. */
  private takeCancelError(): CancelledError {
    let error: CancelledError | undefined;
    if (this.#bits & SIGNALLED) {
      error = cancelErrors.get(this);
      cancelErrors.delete(this);
    }
    if (this.#bits & REASON) {
      cancelReasons.delete(this);
      this.#bits &= ~REASON;
    }
    error ??= this.cancelledError(cancelMessages.get(this));
    cancelMessages.delete(this);
    return error;
  }

  /** @internal The loop that owns this task, if one has adopted it. */
  get _loop(): EventLoop | null {
    return this.#loop;
  }

  /**
   * @internal Makes `it` a task and, when a loop is running, adopts it and runs its first step at
   * once (coroutine.ts), as a native async function runs up to its first await when called.
   */
  static _start<T>(it: Iterator<unknown, T, unknown>, compiled: boolean, label: string): Task<T> {
    const task = new Task<T>(it as Iterator<unknown, unknown, unknown>, FRESH | (compiled ? COMPILED : 0), label);
    const loop = running.loop;
    if (loop === null || loop.isClosed()) return task;
    task.#loop = loop;
    if (loop._hooks !== null) return task.startWatched(loop);
    // Stepped here, not by the loop's turn: it is the running task for this first step. A task
    // just made has nothing unusual to do first (no cancel, no error to throw in), so it is driven
    // right here, without step(): each frame saved is depth for synchronous recursion through
    // async calls, where every call runs its callee's first step inside its own (bench W9).
    const outer = running.started;
    running.started = task;
    task.#bits = (task.#bits & ~(STATE | FRESH)) | RUNNING;
    try {
      task.drive(false, undefined);
    } finally {
      running.started = outer;
    }
    // Only a task that outlives its first step joins the live list (nothing reads the list during
    // a step): the many that finish at once never touch it.
    if ((task.#bits & STATE) < FULFILLED) {
      task.#bits |= LINKED;
      loop._link(task);
    }
    return task;
  }

  /**
   * @internal Whether this task's failure is taken care of: received, or claimed by a waiter on
   * its way to receive it (see unhandled.ts: the check for unhandled ones skips it).
   */
  get _observed(): boolean {
    return (this.#bits & (OBSERVED | CLAIMED)) !== 0;
  }

  /** @internal Counts as observed from now on (an unhandled failure is reported once). */
  _markObserved(): void {
    this.#bits |= OBSERVED;
  }

  /**
   * @internal Someone found this task already settled and will deliver its failure later (a
   * combinator that rethrows it, a compiled await that resumes on the next turn): keep it from
   * being reported meanwhile. Must be paired with receiving it or with `_decline()`. A no-op
   * unless the task failed and nobody received the failure yet.
   */
  _claim(): void {
    const bits = this.#bits;
    if ((bits & STATE) !== REJECTED || bits & OBSERVED) return;
    claims.set(this, bits & CLAIMED ? claims.get(this)! + 1 : 1);
    this.#bits = bits | CLAIMED;
  }

  /**
   * @internal A waiter that held a claim on this task's failure will not deliver it (it was
   * cancelled, or stopped listening). When that was the last claim and nobody received the
   * failure, it goes to the unhandled-error policy once the ready queue drains, unless someone
   * receives it by then. A no-op for a task that did not fail.
   */
  _decline(): void {
    const bits = this.#bits;
    if (!(bits & CLAIMED)) return;
    const left = claims.get(this)! - 1;
    if (left > 0) {
      claims.set(this, left);
      return;
    }
    claims.delete(this);
    this.#bits = bits & ~CLAIMED;
    if (!(bits & OBSERVED)) this.noteUnobserved();
  }

  /** @internal A future settled (with undefined) once this task settles; reads no outcome. */
  _whenSettled(): Task<void> {
    const signal = Task._future<void>("settled");
    if ((this.#bits & STATE) >= FULFILLED) signal._resolve(undefined);
    else this._addWaiter(new SettledSignal(signal));
    return signal;
  }

  /** @internal Whether `value` is a Task (has a task's private state, not only its prototype). */
  static _isTask(value: unknown): boolean {
    return typeof value === "object" && value !== null && #bits in value;
  }

  /** @internal Whether a loop may adopt this task: a coroutine no loop owns yet. */
  get _adoptable(): boolean {
    return this.#loop === null && this.#it !== null;
  }

  /** @internal Whether the task returned (a value is ready). */
  get _fulfilled(): boolean {
    return (this.#bits & STATE) === FULFILLED;
  }

  /** @internal Whether the task ended with an error or cancelled. */
  get _failed(): boolean {
    return (this.#bits & STATE) === REJECTED || (this.#bits & STATE) === CANCELLED;
  }

  /** @internal Called by the loop: this task is now its own, queued for a first step. */
  _adoptBy(loop: EventLoop): void {
    this.#loop = loop;
    this.#bits = (this.#bits & ~STATE) | READY | LINKED;
    loop._link(this);
    if (loop._hooks !== null) this.spawned(loop, false);
    loop._schedule(this, "spawn");
  }

  /**
   * `_start` with instruments attached: the same first step between taskSpawned + beforeStep and
   * afterStep. Apart, so that `_start`'s own frame stays as small as it was (bench W9's depth).
   */
  private startWatched(loop: EventLoop): this {
    this.spawned(loop, true);
    const outer = running.started;
    running.started = this;
    this.#bits = (this.#bits & ~(STATE | FRESH)) | RUNNING;
    try {
      this.drive(false, undefined);
    } finally {
      running.started = outer;
    }
    this.stepped(loop);
    if ((this.#bits & STATE) < FULFILLED) {
      this.#bits |= LINKED;
      loop._link(this);
    }
    return this;
  }

  /** For instruments: `taskSpawned` and, for a task that starts at once (`_start`), `beforeStep`. */
  private spawned(loop: EventLoop, starting: boolean): void {
    const hooks = loop._hooks!;
    if (hooks.taskSpawned !== null) fire(loop, hooks.taskSpawned, "taskSpawned", this, currentlyStepping(), "");
    const now = loop._hooks;
    if (starting && now !== null && now.beforeStep !== null) {
      const outer = running.started;
      running.started = this; // (the hook's currentTask() is the task about to step)
      try {
        fire(loop, now.beforeStep, "beforeStep", this);
      } finally {
        running.started = outer;
      }
    }
  }

  /** For instruments: `afterStep` with what the task does next. */
  private stepped(loop: EventLoop): void {
    const hooks = loop._hooks;
    if (hooks !== null && hooks.afterStep !== null) fire(loop, hooks.afterStep, "afterStep", this, this._next(hooks.next));
  }

  /** @internal This task's id: the number in its default name, stable for its life, never reused. */
  get _id(): number {
    if (this.#bits & CHOSEN) {
      let id = ids.get(this);
      if (id === undefined) ids.set(this, (id = nextId++));
      return id;
    }
    const name = this.name;
    return Number(name.slice(name.lastIndexOf("-") + 1));
  }

  /** @internal The name of the function this task runs, or "" (for `at async f (site)` lines). */
  get _functionName(): string {
    return this.functionName();
  }

  /** @internal Whether this is a future (no coroutine: settled from outside). */
  get _isFuture(): boolean {
    return (this.#bits & FUTURE) !== 0;
  }

  /**
   * @internal What this task does now, for instruments and task trees: ready, exit, or what it
   * waits on. `deadline` is known only right after the step that armed the timer (see Hooks).
   */
  _next(into: MutableStepNext = { kind: "ready", object: undefined, deadline: -1, target: undefined, site: "" }): StepNext {
    const state = this.#bits & STATE;
    const on = this.#waitingOn;
    into.site = this.#site;
    into.deadline = -1;
    into.target = undefined;
    into.object = undefined;
    if (state >= FULFILLED) into.kind = "exit";
    else if (state !== WAITING) into.kind = "ready";
    else if (isRequest(on, WAIT_REQUEST)) {
      into.kind = "event"; // (first: the commonest wait, and the cheapest test)
      into.object = on;
    } else if (typeof on === "number") {
      const hooks = this.#loop?._hooks;
      into.kind = "sleep";
      into.object = on;
      if (hooks != null && hooks.lastStamp === on) into.deadline = hooks.lastDeadline;
    } else if (on instanceof Task && !(on.#bits & FUTURE)) {
      into.kind = "task";
      into.object = on;
      into.target = on;
    } else if (on instanceof ThenableJob) {
      into.kind = "host";
      into.object = on.thenable;
    } else {
      into.kind = "event";
      into.object = on;
    }
    return into;
  }

  /** @internal */
  _addWaiter(waiter: Waiter): void {
    const waiters = this.#waiters;
    if (waiters === null) this.#waiters = waiter;
    else if (Array.isArray(waiters)) waiters.push(waiter);
    else this.#waiters = [waiters, waiter];
  }

  /** @internal Stops telling `waiter` (it no longer cares); a no-op if it was not waiting. */
  _removeWaiter(waiter: Waiter): void {
    const waiters = this.#waiters;
    if (waiters === waiter) this.#waiters = null;
    else if (Array.isArray(waiters)) {
      const i = waiters.indexOf(waiter);
      if (i !== -1) waiters.splice(i, 1);
    }
  }

  /**
   * @internal A primitive this task parked on (wait.ts) resumes it with `value`. With `commit`, the
   * primitive hears `op._commit(task, value)` when the task takes its next step with it: the
   * moment a hand-off is really taken, which a cancel in between prevents (it calls `_cancel`).
   */
  _resume(op: WaitOp<unknown>, value: unknown, commit = false): void {
    if ((this.#bits & STATE) !== WAITING || this.#waitingOn !== op) return;
    this.#value = value;
    // waitingOn stays `op` until it runs, so a cancel can hand `value` back.
    this.#bits = (this.#bits & ~STATE) | READY | (commit ? COMMIT : 0);
    this.#loop!._schedule(this, "event", op);
  }

  /** @internal A primitive this task parked on (wait.ts) resumes it by throwing `error`. */
  _resumeThrow(op: WaitOp<unknown>, error: unknown): void {
    if ((this.#bits & STATE) !== WAITING || this.#waitingOn !== op) return;
    this.#value = error;
    this.#bits = (this.#bits & ~STATE) | READY | RESUME_THROW;
    this.#loop!._schedule(this, "event", op);
  }

  /** @internal Settles a future. */
  _resolve(value: unknown): void {
    if ((this.#bits & STATE) >= FULFILLED) return;
    if (value === this) {
      this.settle(REJECTED, this.cycleError());
    } else if (value !== null && (typeof value === "object" || typeof value === "function")) {
      // A Promise's resolve function (ECMA-262 27.2.1.3.2): `then` read once, now, and called on
      // the next turn; a Task is adopted the same way, so hops count as microtask ticks do.
      let then: unknown;
      try {
        then = (value as PromiseLike<unknown>).then;
      } catch (error) {
        this.settle(REJECTED, error);
        return;
      }
      if (typeof then !== "function") {
        this.settle(FULFILLED, value);
        return;
      }
      scheduleJob(new ThenableJob(this, RESOLVE, value, then as Then));
    } else {
      this.settle(FULFILLED, value);
    }
  }

  /** @internal Fails a future. */
  _reject(error: unknown): void {
    if ((this.#bits & STATE) < FULFILLED) this.settle(error instanceof CancelledError ? CANCELLED : REJECTED, error);
  }

  /** @internal Where a compiled task's body is suspended ("file.ts:12:5"), or "". */
  get _site(): string {
    return this.#site;
  }

  /** @internal What this task waits on, in words, for DeadlockError: why it cannot end, and what to do. */
  _describeWait(): string {
    if ((this.#bits & STATE) !== WAITING) return "nothing (it is ready)";
    const on = this.#waitingOn;
    if (this.#bits & FROM_PROMISE) {
      return "a LoopPromise that nothing settled: whatever was to resolve or reject it will not run on this loop";
    }
    if (on instanceof ThenableJob) {
      return isNativePromise(on.thenable)
        ? `a native Promise, which cannot settle while a synchronous run blocks the thread (its callbacks need the microtask queue). If an async function returned it, handloop did not compile that function. ${notCompiledAdvice()} If a library made it, name its package in include (the Vite plugin option, or HANDLOOP_INCLUDE) so that its Promises are the loop's. Otherwise, await handloop tasks and awaitables instead, or run the work with runAsync() (or loop.runAsync()), where native Promises settle.`
        : `${describe(on.thenable)} (a thenable) that never called back`;
    }
    return this.waitTarget("task");
  }

  /** What a WAITING task waits on, as a noun phrase: `a timer`, `task "child-4"` (with `taskWord`). */
  private waitTarget(taskWord: string): string {
    const on = this.#waitingOn;
    if (typeof on === "number") return "a timer";
    if (on instanceof Task) return `${on.#bits & FUTURE ? "future" : taskWord} "${on.name}"`; // (as taskTree says it)
    if (this.#bits & FROM_PROMISE) return "a LoopPromise";
    if (on instanceof WaitOp) return on._describe();
    if (on instanceof ThenableJob) {
      return isNativePromise(on.thenable) ? "a native Promise" : `${describe(on.thenable)} (a thenable)`;
    }
    return String(on);
  }

  /**
   * @internal A settled task this one awaited: resume it (it receives the outcome when it runs, or
   * declines it if cancelled first). A future takes on the outcome, receiving it; one already
   * settled declines it.
   */
  _wake(source: Task<unknown>): void {
    if (this.#it === null) {
      if ((this.#bits & STATE) >= FULFILLED) return source._decline();
      source.#bits |= OBSERVED;
      this.settle(source.#bits & STATE, source.#value);
      return;
    }
    if ((this.#bits & STATE) === WAITING && this.#waitingOn === source) {
      this.#bits = (this.#bits & ~STATE) | READY;
      this.#loop!._schedule(this, source.#bits & FUTURE ? "event" : "task", source);
    } else source._decline();
  }

  /** @internal Whether the timer it parked on with `stamp` still stands (see timer-heap.ts). */
  _armed(stamp: number): boolean {
    return this.#waitingOn === stamp;
  }

  /** @internal Whether this task is waiting on `on` (a ThenableJob asks whether it still matters). */
  _waitsOn(on: unknown): boolean {
    return this.#waitingOn === on;
  }

  /** @internal The timer this task parked on is due. */
  _due(): void {
    const stamp = this.#waitingOn as number;
    const loop = this.#loop!;
    this.#waitingOn = null;
    this.#bits = (this.#bits & ~STATE) | READY;
    if (loop._hooks !== null) loop._timerFired(stamp, -1, this);
    loop._schedule(this, "timer", stamp);
  }

  /**
   * @internal The LoopPromise this task awaits settled: its reaction job is this task's next step,
   * which reads the outcome (see FROM_PROMISE). It keeps waiting on the promise until it runs, so
   * a cancel in between gives the outcome up.
   */
  _promiseSettled(promise: LoopPromise<unknown>): void {
    if ((this.#bits & STATE) !== WAITING || this.#waitingOn !== promise) return;
    this.#bits = (this.#bits & ~STATE) | READY;
    this.#loop!._schedule(this, "event", promise);
  }

  /** @internal Whether this future was resolved with a thenable it is still adopting (see Future). */
  get _locked(): boolean {
    return (this.#bits & LOCKED) !== 0;
  }

  /** @internal From now on this future is resolved, though it may not have settled yet. */
  _lock(): void {
    this.#bits |= LOCKED;
  }

  /**
   * @internal The thenable this task waits on (an await, or a returned thenable it adopts) called
   * back. A late call, after a cancel or after the other resolving function, is ignored. A
   * thenable it is given is adopted in turn, through another job, as a Promise's resolve function
   * does; otherwise an await resumes on the next turn and an adoption settles the task now.
   */
  _thenableSettled(job: ThenableJob, rejected: boolean, value: unknown): void {
    if (this.#waitingOn !== job) return;
    if (!rejected && ((typeof value === "object" && value !== null) || typeof value === "function")) {
      if (value === this) {
        rejected = true;
        value = this.cycleError();
      } else {
        let then: unknown;
        try {
          then = (value as PromiseLike<unknown>).then;
        } catch (error) {
          then = undefined;
          rejected = true;
          value = error;
        }
        if (typeof then === "function") {
          const next = new ThenableJob(this, job.mode, value as object, then as Then);
          this.#waitingOn = next;
          this.#loop!._schedule(next);
          return;
        }
      }
    }
    this.#waitingOn = null;
    if (job.mode === ADOPT) return this.finish(rejected ? REJECTED : FULFILLED, value);
    this.#value = value;
    if (rejected) this.#bits |= RESUME_THROW;
    this.#bits = (this.#bits & ~STATE) | READY;
    this.#loop!._schedule(this, "host", job.thenable);
  }

  // ---- The stepper ------------------------------------------------------------------------------

  /** @internal Runs one step: from the resume point to the next suspension or the end. */
  _run(): void {
    if ((this.#bits & STATE) === READY) {
      const loop = this.#loop!;
      loop._steps++; // progress, for the loop's check of virtual time spinning (loop.ts #spinning)
      if (loop._hooks === null) this.step();
      else this.watchedStep();
    }
  }

  /** A step with instruments attached: beforeStep, the step, afterStep (see instrument.ts). */
  private watchedStep(): void {
    const loop = this.#loop!;
    const hooks = loop._hooks!;
    if (hooks.beforeStep !== null) fire(loop, hooks.beforeStep, "beforeStep", this);
    this.step();
    this.stepped(loop);
  }

  private step(): void {
    const flags = this.#bits;
    this.#bits = (flags & ~STATE) | RUNNING;
    if ((flags & UNUSUAL_STEP) === 0) {
      // The common case: send in what it was woken with.
      const value = this.#value;
      this.#value = undefined;
      this.#waitingOn = null;
      return this.drive(false, value);
    }
    const from = this.#waitingOn;
    this.#waitingOn = null;
    this.#bits = (flags & ~(UNUSUAL_STEP | STATE)) | RUNNING;
    let throwing: boolean;
    let value: unknown;
    if (flags & CANCEL_PENDING) {
      value = this.takeCancelError();
      // Woken by a task it awaited, it resumes with its own CancelledError instead of that task's
      // outcome: a failure there reaches nobody through this await.
      if (flags & FROM_TASK) (from as Task<unknown>)._decline();
      else if (flags & FROM_PROMISE) promiseDeclined(from as LoopPromise<unknown>, this);
      if (flags & FRESH) {
        // Cancelled before its first step: the body never runs.
        closeQuietly(this.#it!);
        this.settle(CANCELLED, value);
        return;
      }
      throwing = true;
    } else if (flags & FROM_TASK) {
      // Woken because the task it awaited settled: that outcome is what the await gives.
      const other = from as Task<unknown>;
      throwing = (other.#bits & STATE) !== FULFILLED;
      value = other.#value;
      other.#bits |= OBSERVED;
      if (throwing && this.#site !== "") this.addAsyncFrame(value);
    } else if (flags & FROM_PROMISE) {
      // Woken because the LoopPromise it awaited settled (or it awaited a settled one).
      const promise = from as LoopPromise<unknown>;
      throwing = promiseState(promise) === PROMISE_REJECTED;
      value = promiseResult(promise);
      promiseReceived(promise);
      if (throwing && this.#site !== "") this.addAsyncFrame(value);
    } else {
      throwing = (flags & RESUME_THROW) !== 0;
      value = this.#value;
      if (throwing) {
        if (this.#site !== "") this.addAsyncFrame(value);
      } else if (flags & COMMIT) {
        // A hand-off reaches its taker only now: a cancel before this step gave it back instead.
        (from as WaitOp<unknown>)._commit(this, value);
      }
    }
    this.#value = undefined;
    this.drive(throwing, value);
  }

  private drive(throwing: boolean, value: unknown): void {
    let it = this.#it!;
    // Whether `it` is the task's own generator. Resuming it through %GeneratorPrototype%.next
    // itself, rather than looking `next` up, matters: every generator function gives its
    // generators their own prototype, so with a few of them about, `it.next` is a megamorphic
    // lookup on every step.
    let own = (this.#bits & (GENERATOR | DELEGATING)) === GENERATOR;
    for (;;) {
      let r: IteratorResult<unknown, unknown>;
      try {
        if (own) r = throwing ? generatorThrow.call(it, value) : generatorNext.call(it, value);
        else r = throwing ? throwInto(it, value) : it.next(value);
      } catch (error) {
        const parent = this.#bits & DELEGATING ? this.popParent() : undefined;
        if (parent === undefined) return this.finish(REJECTED, error);
        own = (this.#bits & (GENERATOR | DELEGATING)) === GENERATOR;
        it = this.#it = parent;
        throwing = true;
        value = error;
        continue;
      }
      if (r.done) {
        const parent = this.#bits & DELEGATING ? this.popParent() : undefined;
        if (parent === undefined) {
          const result = r.value;
          if (this.#bits & COMPILED && ((typeof result === "object" && result !== null) || typeof result === "function")) {
            return this.resolveWith(result);
          }
          return this.finish(FULFILLED, result);
        }
        own = (this.#bits & (GENERATOR | DELEGATING)) === GENERATOR;
        it = this.#it = parent;
        throwing = false;
        value = r.value;
        continue;
      }

      // The iterator yielded a request. Built-in requests first, told apart by their REQUEST kind.
      const y = r.value;
      if ((this.#bits & (COMPILED | DELEGATING)) === COMPILED) {
        // The compiled body's own await: __aw() has just written where it is.
        this.#site = running.site;
        running.site = "";
      }
      if (y === undefined) return this.parkReady(undefined);
      if (typeof y === "object" && y !== null) {
        switch ((y as Request)[REQUEST]) {
          case WAIT_REQUEST: {
            // A primitive's trap (wait.ts): the result now, or park until the primitive resumes us.
            let result: unknown;
            try {
              result = (y as WaitOp<unknown>)._begin(this);
            } catch (error) {
              throwing = true;
              value = error;
              continue;
            }
            if (result === PARK) return this.parkOn(y);
            throwing = false;
            value = result;
            continue;
          }
          case TASK_REQUEST: {
            const other = y as Task<unknown>;
            if ((other.#bits & STATE) >= FULFILLED) {
              if ((this.#bits & (COMPILED | DELEGATING)) === COMPILED) {
                // A compiled body's own `await` of a settled task still takes one turn, as a native
                // await of a settled promise takes one microtask: `while (!flag) await done;` must
                // let the task that sets the flag run. (A hand-written `yield* task` resumes at
                // once, as asyncio's `await` of a done future does.) It receives a failure then;
                // until then it holds a claim on it.
                other._claim();
                this.#waitingOn = other;
                this.#bits |= FROM_TASK;
                return this.parkReady(undefined);
              }
              other.#bits |= OBSERVED;
              throwing = (other.#bits & STATE) !== FULFILLED;
              value = other.#value;
              continue;
            }
            const problem = this.checkAwaitedTask(other);
            if (problem === null) {
              other._addWaiter(this);
              this.#bits |= FROM_TASK;
              return this.parkOn(other);
            }
            throwing = true;
            value = problem;
            continue;
          }
          case SLEEP_REQUEST:
            if (y.constructor === ASleep) {
              // Park on its deadline directly instead of running its sleep() iterator. Same
              // observable behaviour, no generator, no NotReady. (A subclass may have its own
              // [__await__]: it goes the general way.)
              const sleep = y as ASleep<unknown>;
              if (sleep.seconds === 0) return this.parkReady(sleep.value); // asleep(0): the next turn
              return this.parkUntil(this.#loop!.time() + sleep.seconds, sleep.value);
            }
            break;
          case NOT_READY_REQUEST: {
            const deadline = (y as NotReady)._deadline;
            return this.parkUntil(deadline === deadline ? deadline : this.#loop!.time() + (y as NotReady).seconds, undefined);
          }
          case PROMISE_REQUEST: {
            // (Last: the kinds above are the hot ones, and a switch tests its cases in order.)
            // A LoopPromise (or an object that only inherits from its prototype: a thenable like
            // any other). Await (27.7.5.3) calls PromiseResolve(%Promise%, y), which gives y itself
            // when its constructor is LoopPromise: then the task is the reaction, as a native await
            // subscribes to a native promise; otherwise y is adopted as a thenable, below.
            if (!isLoopPromise(y)) break;
            let constructor: unknown;
            try {
              constructor = y.constructor;
            } catch (error) {
              throwing = true;
              value = error;
              continue;
            }
            if (constructor !== LoopPromise) break;
            const state = awaitPromise(y, this);
            this.#bits |= FROM_PROMISE;
            if (state === PENDING) return this.parkOn(y);
            if ((this.#bits & (COMPILED | DELEGATING)) === COMPILED) {
              // Settled already: a compiled await still takes one turn, as for a settled task.
              this.#waitingOn = y;
              return this.parkReady(undefined);
            }
            this.#bits &= ~FROM_PROMISE;
            promiseReceived(y);
            throwing = state === PROMISE_REJECTED;
            value = promiseResult(y);
            continue;
          }
        }
      }
      if ((typeof y === "object" && y !== null) || typeof y === "function") {
        // Another awaitable: run its iterator here, in place of the await.
        const method = (y as Partial<Awaitable<unknown>>)[__await__];
        if (typeof method === "function") {
          let sub: unknown;
          try {
            sub = method.call(y);
          } catch (error) {
            throwing = true;
            value = error;
            continue;
          }
          if (sub === null || typeof sub !== "object" || typeof (sub as Iterator<unknown>).next !== "function") {
            throwing = true;
            value = new TypeError(
              `[__await__]() of ${describe(y)} returned ${describe(sub)}, which is not an iterator (awaited by ${this.coroutinePhrase()}${this.#site === "" ? "" : ` at ${this.#site}`}). It must return an iterator, for example from a generator method.`,
            );
            continue;
          }
          this.pushParent(it);
          own = false;
          it = this.#it = sub as Iterator<unknown, unknown, unknown>;
          throwing = false;
          value = undefined;
          continue;
        }
        // A foreign thenable: adopted as a native await adopts it (see ThenableJob): `then` is
        // read once, now; an error reading it rejects the await, on the next turn.
        let then: unknown;
        try {
          then = (y as PromiseLike<unknown>).then;
        } catch (error) {
          this.#bits |= RESUME_THROW;
          return this.parkReady(error);
        }
        if (typeof then === "function") {
          return this.parkOnThenable(new ThenableJob(this, AWAIT, y, then as Then));
        }
      }
      // Anything else: a plain value in a compiled body, a protocol error in hand-written code.
      if ((this.#bits & (COMPILED | DELEGATING)) === COMPILED) {
        return this.parkReady(y);
      }
      throwing = true;
      value = this.badYield(y);
    }
  }

  /** Enters an awaitable's iterator: `it`, the one it delegates from, waits in `delegations`. */
  private pushParent(it: Iterator<unknown, unknown, unknown>): void {
    if (this.#bits & DELEGATING) delegations.get(this)!.push(it);
    else {
      delegations.set(this, [it]);
      this.#bits |= DELEGATING;
    }
  }

  /** Leaves the innermost awaitable's iterator: the one to resume next. */
  private popParent(): Iterator<unknown, unknown, unknown> {
    const parents = delegations.get(this)!;
    const parent = parents.pop()!;
    if (parents.length === 0) {
      delegations.delete(this);
      this.#bits &= ~DELEGATING;
    }
    return parent;
  }

  /** Parks until `deadline` on the loop's clock; a deadline already reached means the next turn. */
  private parkUntil(deadline: number, resumeWith: unknown): void {
    const loop = this.#loop!;
    if (deadline <= loop.time()) return this.parkReady(resumeWith);
    this.#value = resumeWith;
    this.parkOn(loop._addTimer(this, deadline, this)); // its stamp: what the heap calls this timer
  }

  /** Back of the ready queue, to resume with `resumeWith` on the next turn. */
  private parkReady(resumeWith: unknown): void {
    this.#value = resumeWith;
    this.#bits = (this.#bits & ~STATE) | READY;
    this.#loop!._schedule(this, "yield");
  }

  /** Waits on `on` (a timer, a task, a primitive, a thenable link) until it resumes this task. */
  private parkOn(on: unknown): void {
    this.#waitingOn = on;
    this.#bits = (this.#bits & ~STATE) | WAITING;
    // cancel() called during this step (say, by the task on itself) takes effect now it is parked.
    if (this.#bits & CANCEL_PENDING) this.interrupt();
  }

  /** Waits for a thenable: its `then` is called by `job` on the next turn (see ThenableJob). */
  private parkOnThenable(job: ThenableJob): void {
    this.parkOn(job);
    this.#loop!._schedule(job);
  }

  /**
   * A compiled body returned an object: the task resolves with it as a native async function's
   * promise does (ECMA-262 27.2.1.3.2, Promise Resolve Functions): a thenable is adopted, its
   * `then` read once and called on the next turn; anything else is the value. The body has
   * finished; until the thenable calls back the task waits on the job, and a cancel() ends it
   * through its finished generator, which rethrows the CancelledError.
   */
  private resolveWith(result: object): void {
    if (result === this) return this.finish(REJECTED, this.cycleError());
    let then: unknown;
    try {
      then = (result as PromiseLike<unknown>).then;
    } catch (error) {
      return this.finish(REJECTED, error);
    }
    if (typeof then !== "function") return this.finish(FULFILLED, result);
    this.parkOnThenable(new ThenableJob(this, ADOPT, result, then as Then));
  }

  /** Cancellation reaches a WAITING task: make it ready to receive the CancelledError. */
  private interrupt(): void {
    const on = this.#waitingOn;
    if (on instanceof Task) {
      // Keep waiting: the awaited task gets the cancellation (and its reason), and this task
      // resumes (with its own CancelledError) once that one has finished its cleanup.
      if (this.#bits & REASON) on._cancelWith(cancelMessages.get(this), cancelReasons.get(this));
      else on.cancel(cancelMessages.get(this));
      return;
    }
    if (typeof on === "number") this.#loop!._timerCancelled(on, -1, this); // the heap drops it lazily
    else if (on instanceof WaitOp) on._cancel(this, false, undefined);
    else if (on instanceof ThenableJob) on._abandon(); // a late call back is ignored (_thenableSettled)
    else if (this.#bits & FROM_PROMISE) {
      // It resumes with its CancelledError now; the promise no longer tells it, and a rejection
      // it will not receive goes to whoever else handles it, or is reported.
      promiseDeclined(on as LoopPromise<unknown>, this);
      this.#bits &= ~FROM_PROMISE;
    }
    this.#waitingOn = null;
    this.#bits = (this.#bits & ~STATE) | READY;
    this.#loop!._schedule(this, "cancel");
  }

  private finish(state: number, value: unknown): void {
    if (state === REJECTED && value instanceof CancelledError) state = CANCELLED;
    else if (state === FULFILLED && this.#bits & CANCEL_PENDING) {
      // It returned before reaching the suspension point the cancellation was aimed at; as in
      // asyncio, the cancel() that returned true still wins.
      state = CANCELLED;
      value = this.takeCancelError();
    }
    this.settle(state, value);
  }

  private settle(state: number, value: unknown): void {
    const coroutine = this.#it !== null;
    this.#bits = (this.#bits & ~STATE) | state;
    this.#value = value;
    this.#it = null;
    const loop = this.#loop;
    if (coroutine && loop !== null && loop._hooks !== null && loop._hooks.taskExited !== null) {
      fire(loop, loop._hooks.taskExited, "taskExited", this, state === FULFILLED ? "ok" : state === REJECTED ? "error" : "cancelled", value);
    }
    if (this.#bits & DELEGATING) {
      delegations.delete(this);
      this.#bits &= ~DELEGATING;
    }
    if (this.#bits & LINKED) this.#loop!._unlink();
    this.#bits &= ~(CANCEL_PENDING | LINKED);
    const waiters = this.#waiters;
    this.#waiters = null;
    if (state === REJECTED && !(this.#bits & OBSERVED)) {
      // Each waiter that observes the outcome claims the failure until it receives or declines it.
      let n = 0;
      if (Array.isArray(waiters)) {
        for (const waiter of waiters) if (observes(waiter)) n++;
      } else if (observes(waiters)) n = 1;
      if (n > 0) {
        claims.set(this, n);
        this.#bits |= CLAIMED;
      } else this.noteUnobserved();
    }
    if (waiters === null) return;
    if (Array.isArray(waiters)) for (const waiter of waiters) waiter._wake(this);
    else waiters._wake(this);
  }

  /**
   * Failed with nobody to receive it: the loop's unhandled-error policy looks at it once the ready
   * queue drains. With no loop running (a future rejected from a callback between runs, a
   * compiled call failing outside any run), nothing will drain: on the next microtask, if still
   * nobody observed it, the host gets it as a native promise rejected with the same error, which
   * Node reports as it reports a native promise's. A run started meanwhile that observes it (as
   * `run(main)` right after does, synchronously) leaves the host nothing to report.
   */
  private noteUnobserved(): void {
    const loop = this.#loop ?? running.loop;
    if (loop !== null) return loop._noteUnobserved(this);
    queueMicrotask(() => {
      if (this._observed) return;
      this.#bits |= OBSERVED;
      void nativeReject(this.#value);
    });
  }

  private checkAwaitedTask(other: Task<unknown>): Error | null {
    if (other === this) {
      return new UsageError(`Task "${this.name}" awaited itself, which can never finish. Await another task.`);
    }
    const loop = this.#loop!;
    if (other._adoptable) {
      loop._adopt(other);
    } else if (other.#loop !== null && other.#loop !== loop) {
      return new UsageError(
        `Task "${this.name}" awaited task "${other.name}", which belongs to another EventLoop. A task can only await tasks of its own loop.`,
      );
    }
    return null;
  }

  /**
   * The TypeError thrown in at a `yield` the loop cannot wait on: names the value, the coroutine
   * function and its task, where a compiled body awaits, and what may be yielded instead.
   */
  private badYield(y: unknown): TypeError {
    const who = this.coroutinePhrase();
    // In a compiled body only an awaitable's iterator can yield a bad value (the body's own plain
    // values are awaited), so the site, the body's last await, is where it awaited that awaitable.
    const where =
      this.#bits & DELEGATING
        ? `The iterator of an awaitable that ${who} awaited${this.#site === "" ? "" : ` at ${this.#site}`} yielded ${describe(y)}`
        : `${who.charAt(0).toUpperCase()}${who.slice(1)} yielded ${describe(y)}`;
    if (Object.prototype.toString.call(y) === "[object Generator]") {
      return new TypeError(
        `${where}; a generator is not awaitable by itself. Use \`yield* gen\` to run it inside this coroutine, or \`createTask(gen)\` to run it as its own task.`,
      );
    }
    return new TypeError(
      `${where}, which the loop cannot wait on. Yield a NotReady hint, a Task or other thenable, an awaitable (an object with [__await__]), or undefined; \`yield* x\` gives a typed result.`,
    );
  }

  /** For the stepper's errors: `the coroutine worker (task "worker-3")`, or `task "main"` when it has no function's name. */
  private coroutinePhrase(): string {
    const fn = this.functionName();
    const task = `task "${this.name}"`;
    if (fn === "") return task;
    return `the ${this.#bits & COMPILED ? "async function" : "coroutine"} ${fn} (${task})`;
  }

  /** The name of the function this task runs, or "" when it has none (an anonymous one, a bare generator). */
  private functionName(): string {
    let label: string;
    if (this.#bits & CHOSEN) label = labels.get(this) ?? "";
    else if (this.#bits & NAMED) label = this.#name.slice(0, this.#name.lastIndexOf("-")); // "<label>-<id>"
    else label = this.#name;
    return label === "Task" ? "" : label; // "Task": the label of a task whose function has no name
  }

  /**
   * An error reached this compiled task from a task or thenable it awaited: add the frame V8 adds
   * for native async functions, `at async f (file.ts:12:5)`, so the stack shows the await chain.
   */
  private addAsyncFrame(error: unknown): void {
    if (!(error instanceof Error)) return;
    const stack = error.stack;
    if (typeof stack !== "string") return;
    // Our frames go after the frames of the throw and those added before, but before V8's own
    // `at async` frames of the native code around the run, which are further out.
    let at = asyncFrameInsertionPoint.get(error);
    if (at === undefined) {
      const native = stack.indexOf("\n    at async ");
      at = native === -1 ? stack.length : native;
    }
    const frame = `\n    at async ${this.#name} (${this.#site})`;
    error.stack = stack.slice(0, at) + frame + stack.slice(at);
    asyncFrameInsertionPoint.set(error, at + frame.length);
  }

  private cycleError(): TypeError {
    return new TypeError(
      `Task "${this.name}" was resolved with itself (an async function returned its own promise), so it could never settle.`,
    );
  }

  private cancelledError(message: string | undefined): CancelledError {
    return new CancelledError(message ?? `Task "${this.name}" was cancelled.`);
  }
}

markRequest(Task.prototype, TASK_REQUEST);
// A Task is a LoopPromise as an async function's result is a Promise: `instanceof` says so, and
// nothing else changes, since Task.prototype has its own `then`, `catch`, `finally`, `constructor`,
// [Symbol.toStringTag] and REQUEST kind. It has no promise slots: LoopPromise's own methods,
// called on a task, throw a TypeError (as Promise.prototype.then.call(thenable) does).
Object.setPrototypeOf(Task.prototype, LoopPromise.prototype);
setTaskBrand(Task._isTask);
addLoopThens(ASleep.prototype.then, WaitOp.prototype.then, Operation.prototype.then);

/** The task being stepped (see running.ts), or undefined: the `by` and `parent` instruments are told. */
function currentlyStepping(): Task<unknown> | undefined {
  if (running.started !== null) return running.started;
  const loop = running.loop;
  return loop === null ? undefined : (loop._stepping() ?? undefined);
}

/** An error as toString() shows a task's, in a line: `TypeError: boom`, or the value described. */
function describeError(error: unknown): string {
  if (!(error instanceof Error)) return describe(error);
  try {
    const message = String(error.message);
    const end = message.indexOf("\n");
    return `${error.name}: ${end === -1 ? message : `${message.slice(0, end)} ...`}`;
  } catch {
    return describe(error);
  }
}

// The engine's Promise.reject, as this module found it: the host's unhandled-rejection tracking is
// reached through a native promise (see Task#noteUnobserved).
const nativeReject = Promise.reject.bind(Promise) as (reason: unknown) => Promise<never>;

/** Whether `x` is a built-in request of `kind`: a cheaper `instanceof` for the hot paths. */
function isRequest(x: unknown, kind: number): boolean {
  return typeof x === "object" && x !== null && (x as Request)[REQUEST] === kind;
}

/** Where the next `at async` frame goes in an error's stack (see #addAsyncFrame). */
const asyncFrameInsertionPoint = new WeakMap<Error, number>();

/**
 * What `yield* task` runs: `return (yield task)` (as YieldOnce in awaitable.ts), except that a
 * task that already returned gives its value on the first step: no suspension, no trip through the
 * stepper. Its own class, not a YieldOnce subclass: this is the hottest await there is, and V8
 * keeps it fast only while the property loads in `next` see a single shape.
 */
class TaskIterator<T> implements Iterator<Task<T>, T, unknown> {
  readonly #task: Task<T>;
  #yielded = false;
  constructor(task: Task<T>) {
    this.#task = task;
  }
  next(value?: unknown): IteratorResult<Task<T>, T> {
    if (this.#yielded) return { done: true, value: value as T };
    this.#yielded = true;
    const task = this.#task;
    if (task._fulfilled) return { done: true, value: task.result() };
    return { done: false, value: task };
  }
  throw(error: unknown): IteratorResult<Task<T>, T> {
    throw error;
  }
  return(value?: T): IteratorResult<Task<T>, T> {
    this.#yielded = true;
    return { done: true, value: value as T };
  }
  [Symbol.iterator](): this {
    return this;
  }
}

function observes(waiter: Waiter | null): boolean {
  return waiter !== null && waiter._observes !== false;
}

function* waitUntilSettled(task: Task<unknown>): Generator<unknown, boolean, unknown> {
  if (!task.done()) yield task._whenSettled();
  return task.cancelled();
}

/** Settles a future when its source settles, without reading (observing) the outcome. */
class SettledSignal implements Waiter {
  readonly _observes = false;
  readonly #signal: Task<void>;
  constructor(signal: Task<void>) {
    this.#signal = signal;
  }
  _wake(): void {
    this.#signal._resolve(undefined);
  }
}

function closeQuietly(it: Iterator<unknown, unknown, unknown>): void {
  try {
    it.return?.(undefined);
  } catch {
    // A body that never ran has nothing to clean up; an iterator that throws here is not ours to fix.
  }
}

function throwInto(it: Iterator<unknown, unknown, unknown>, error: unknown): IteratorResult<unknown, unknown> {
  if (typeof it.throw === "function") return it.throw(error);
  // An iterator without throw() cannot receive the error at its yield: close it and let the error
  // continue outward, as `yield*` does.
  it.return?.(undefined);
  throw error;
}

type Then = (this: unknown, onfulfilled: (value: unknown) => void, onrejected: (error: unknown) => void) => unknown;

// What a ThenableJob's outcome goes to (see ThenableJob).
const AWAIT = 0; // a task awaiting the thenable: resume it on the next turn
const ADOPT = 1; // a compiled task whose body returned the thenable: settle it
const RESOLVE = 2; // a future resolved with the thenable: resolve it in turn

/**
 * Adopting a thenable, as native code does: ECMA-262's NewPromiseResolveThenableJob (27.2.2.2)
 * with the resolving functions of CreateResolvingFunctions (27.2.1.3). The job runs on a turn of
 * its own, after the code that met the thenable, and calls `then` (read once, beforehand) with a
 * pair of functions of which only the first call counts; a `then` that throws after calling one
 * of them changes nothing. What it is given goes to its target (see AWAIT, ADOPT, RESOLVE).
 */
class ThenableJob implements Runnable {
  readonly task: Task<unknown>;
  readonly mode: number;
  readonly thenable: object;
  readonly #then: Then;
  #called = false;
  // The loop that counts this job as a host wait, from the call of `then` on a host's thenable
  // until it calls back or its task stops waiting on it (see the top of this file).
  #waitingLoop: EventLoop | null = null;
  // The resolving functions `then` is given: anonymous, `length` 1, not constructors, as the
  // language's are. Assigned here rather than as class fields, which would name them.
  readonly fulfilled: (value: unknown) => void;
  readonly rejected: (error: unknown) => void;
  constructor(task: Task<unknown>, mode: number, thenable: object, then: Then) {
    this.task = task;
    this.mode = mode;
    this.thenable = thenable;
    this.#then = then;
    this.fulfilled = (value: unknown): void => {
      if (!this.#called) (this.#called = true), this.#settle(false, value);
    };
    this.rejected = (error: unknown): void => {
      if (!this.#called) (this.#called = true), this.#settle(true, error);
    };
  }
  #settle(rejected: boolean, value: unknown): void {
    this._abandon();
    if (this.mode !== RESOLVE) this.task._thenableSettled(this, rejected, value);
    else if (rejected) this.task._reject(value);
    else this.task._resolve(value);
  }
  _run(): void {
    try {
      this.#then.call(this.thenable, this.fulfilled, this.rejected);
    } catch (error) {
      this.rejected(error);
    }
    const loop = running.loop;
    if (this.#called || loop === null || !isHostThenable(this.thenable, this.#then)) return;
    if (this.mode === RESOLVE || this.task._waitsOn(this)) {
      this.#waitingLoop = loop;
      loop._hostWait(1);
    }
  }
  /** Called back, or its task stopped waiting: no longer a host wait. */
  _abandon(): void {
    const loop = this.#waitingLoop;
    if (loop === null) return;
    this.#waitingLoop = null;
    loop._hostWait(-1);
  }
}

/** A `then` subscription: runs on the loop once its source settles, and settles `derived`. */
class Reaction<T, R1, R2> implements Runnable, Waiter {
  readonly #source: Task<T>;
  readonly #onfulfilled: ((value: T) => R1 | PromiseLike<R1>) | null | undefined;
  readonly #onrejected: ((reason: unknown) => R2 | PromiseLike<R2>) | null | undefined;
  readonly #derived: Task<R1 | R2>;

  constructor(
    source: Task<T>,
    onfulfilled: ((value: T) => R1 | PromiseLike<R1>) | null | undefined,
    onrejected: ((reason: unknown) => R2 | PromiseLike<R2>) | null | undefined,
    derived: Task<R1 | R2>,
  ) {
    this.#source = source;
    this.#onfulfilled = onfulfilled;
    this.#onrejected = onrejected;
    this.#derived = derived;
  }

  _wake(): void {
    // Settled during a run: the loop calls it. Outside any run (then() on a finished task), a
    // microtask does: the one place handloop uses one, as Promises/A+ requires a later call.
    const loop = running.loop;
    if (loop !== null) loop._schedule(this);
    else queueMicrotask(() => this._run());
  }

  _run(): void {
    const source = this.#source;
    const derived = this.#derived;
    let handler: ((arg: never) => unknown) | null | undefined;
    let arg: unknown;
    let fulfilled = false;
    try {
      arg = source.result();
      fulfilled = true;
      handler = this.#onfulfilled;
    } catch (error) {
      arg = error;
      handler = this.#onrejected;
    }
    if (typeof handler !== "function") {
      if (fulfilled) derived._resolve(arg);
      else derived._reject(arg);
      return;
    }
    try {
      derived._resolve(handler(arg as never));
    } catch (error) {
      derived._reject(error);
    }
  }
}
