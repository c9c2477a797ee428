/**
 * promise.ts: LoopPromise, ECMA-262's Promise (27.2) whose jobs run on the loop.
 *
 * Owns the class, its internal slots and the abstract operations of 27.2, named as the
 * specification names them so that each can be read against it line by line. The one place the
 * host shows through is HostEnqueuePromiseJob: while a loop runs, a job (a reaction, or the
 * adoption of a thenable) joins the back of that loop's ready queue, where a task's next step or
 * a `callSoon` callback would go, so promise jobs and tasks interleave in one FIFO order as
 * microtasks and async functions do natively; with no loop running, a job goes to the engine's
 * microtask queue (`queueMicrotask`), as a `then` on a finished Task does, unless a frame loop
 * stands in for the host between its frames (the last one advanced: see frame.ts), whose next
 * advance then runs it.
 *
 * A task that awaits a LoopPromise (a compiled `await p` or a hand-written `yield p`) does not go
 * through `then`: when `p.constructor` is LoopPromise (PromiseResolve's condition), the task
 * itself is the reaction (Await, 27.7.5.3, with PerformPromiseThen), so it resumes one job after
 * `p` settles, as a native await of a native promise does, and awaiting allocates nothing.
 *
 * Unhandled rejections (HostPromiseRejectionTracker): a LoopPromise rejected while a loop runs,
 * with no handler, is noted with that loop's unhandled-error policy (unhandled.ts), which skips
 * it if a handler came before its check; rejected with no loop running, it is handed to the
 * host, through a native promise rejected with the same reason and marked handled when a handler
 * comes, so Node reports it exactly when it would report a native promise's.
 *
 * Invariants:
 * - A promise settles once: its state leaves PENDING once, and its reactions are triggered then,
 *   each once, in the order they subscribed. Only the resolving functions of
 *   CreateResolvingFunctions and the reaction jobs of promises made here settle one.
 * - A promise is handled (its rejection is nobody's loss) when then() was called on it, when a
 *   task received its outcome, or while tasks awaiting it have not yet received or declined it:
 *   these are counted in the bits above the flags, so a cancelled await can give its claim back.
 *
 * Discussion, the constructor: ECMA-262 checks the executor before it reads
 * `NewTarget.prototype`, and falls back on %Promise.prototype% when that is not an object; a base
 * class reads it before its body runs, with %Object.prototype% as the fallback. So the class is
 * `extends null` (a derived constructor allocates nothing, and its [[Prototype]] is still
 * %Function.prototype%), makes its instance itself, and has its internal slots installed by
 * another class (PromiseSlots), whose constructor returns the object it is given. Creating one
 * costs what a plain class costs.
 */

import { markRequest, PROMISE_REQUEST } from "./awaitable.js";
import { describe } from "./describe.js";
import type { EventLoop } from "./loop.js";
import type { Runnable } from "./ready-queue.js";
import { running } from "./running.js";

// The intrinsics the operations below use, as they were when this module loaded: code that
// replaces `Reflect.apply` or `Promise` later does not change what the specification's steps do.
const apply = Reflect.apply;
const construct = Reflect.construct;
const defineProperty = Object.defineProperty;
const objectCreate = Object.create;
const setPrototypeOf = Object.setPrototypeOf;
const ArrayPrototype = Array.prototype;
const NativePromise = Promise;
const nativeReject = Promise.reject;
const nativeThen = Promise.prototype.then;
const AggregateErrorIntrinsic = AggregateError;
const iteratorSymbol = Symbol.iterator;
const speciesSymbol = Symbol.species;

// A promise's [[PromiseState]] and flags share one number, as a Task's do (see task.ts).
/** @internal [[PromiseState]] */
export const PENDING = 0;
/** @internal */
export const FULFILLED = 1;
/** @internal */
export const REJECTED = 2;
const STATE = 3;
const HANDLED = 4; // then() was called on it, or a task received its outcome
const MIRRORED = 8; // rejected unhandled with no loop running: a native promise stands for it with the host
const CLAIM = 16; // one task awaiting it that has not received the outcome yet: a count, above the flags

/**
 * @internal What a LoopPromise's reaction list holds: a `then` reaction (PromiseReaction below),
 * or a task awaiting the promise (task.ts), which is its own reaction job.
 */
export interface PromiseSubscriber {
  _promiseSettled(promise: LoopPromise<unknown>, rejected: boolean, argument: unknown): void;
}

/**
 * @internal HostEnqueuePromiseJob (9.5.5): a job joins the running loop's ready queue, or, with no
 * loop running, the host loop's (a frame loop between frames, see setHostLoop), or else the
 * engine's microtask queue. Task's `then` reactions and thenable jobs go the same way.
 */
export function HostEnqueuePromiseJob(job: Runnable): void {
  const loop = running.loop ?? hostLoop();
  if (loop !== null) loop._schedule(job);
  else queueMicrotask(() => job._run());
}

// The loop that takes the jobs (and the unhandled rejections) of promises settled while no loop
// runs: a loop that runs only when its host says, a frame loop, whose next advance runs them in
// order with its tasks. In frame mode, nothing should run between two frames; with no such loop,
// the microtask queue is the host's own way to run them soon.
let idleHost: EventLoop | null = null;

/** @internal Makes `loop` take the promise jobs queued while no loop runs (frame.ts: each advance). */
export function setHostLoop(loop: EventLoop): void {
  idleHost = loop;
}

/** @internal The loop that takes promise jobs while no loop runs, if one is set and open. */
export function hostLoop(): EventLoop | null {
  const loop = idleHost;
  return loop !== null && !loop.isClosed() ? loop : null;
}

// Natively, a rejected promise that no handler reached is reported by the host once the
// microtask queue drains. With no loop running, a LoopPromise's rejection is given to the host
// in the same terms: a native promise rejected with the same reason, marked handled when a
// handler comes. (While a loop runs, its unhandled-error policy decides instead.)
const mirrors = new WeakMap<object, Promise<unknown>>();
const ignore = (): void => {};

/**
 * HostPromiseRejectionTracker (27.2.1.9 and 9.5.2): `promise` was rejected with no handler
 * ("reject"), or a handler came for one that was ("handle").
 */
function HostPromiseRejectionTracker(promise: PromiseSlots, operation: "reject" | "handle"): void {
  if (operation === "reject") {
    const loop: EventLoop | null = running.loop ?? hostLoop();
    if (loop !== null) {
      loop._noteUnobserved(promise as unknown as LoopPromise<unknown>);
    } else {
      const mirror = apply(nativeReject, NativePromise, [PromiseSlots.result(promise)]) as Promise<unknown>;
      mirrors.set(promise, mirror);
      PromiseSlots.setFlag(promise, MIRRORED);
    }
  } else if (PromiseSlots.clearFlag(promise, MIRRORED)) {
    const mirror = mirrors.get(promise);
    mirrors.delete(promise);
    if (mirror !== undefined) apply(nativeThen, mirror, [undefined, ignore]);
  }
}

/** A value the specification calls an Object: what may have properties. */
function isObject(value: unknown): value is object {
  return (typeof value === "object" && value !== null) || typeof value === "function";
}

// IsConstructor (7.2.4), without touching the value: a Proxy has [[Construct]] exactly when its
// target does, and its trap answers without reading anything of the target.
const probeHandler: ProxyHandler<() => void> = { construct: () => probeHandler };
function IsConstructor(value: unknown): boolean {
  if (value === LoopPromise) return true;
  if (typeof value !== "function") return false;
  try {
    construct(new Proxy(value as () => void, probeHandler), []);
    return true;
  } catch {
    return false;
  }
}

/** Makes derived-kind construction return the object it is given (see PromiseSlots). */
class Stamp extends null {
  constructor(object: object) {
    return object;
  }
}

/**
 * The internal slots of a promise (27.2.6: [[PromiseState]], [[PromiseResult]], the reactions,
 * [[PromiseIsHandled]]) and the abstract operations that read and write them. `new PromiseSlots(o)`
 * installs the slots on `o` and returns it (see Stamp): the LoopPromise constructor and the
 * operations that make promises allocate the object, with the right prototype.
 */
class PromiseSlots extends Stamp {
  #bits = PENDING;
  #result: unknown = undefined;
  // The fulfill and reject reactions (27.2.6) share one list: every subscriber is in both.
  #reactions: PromiseSubscriber | PromiseSubscriber[] | null = null;

  /** IsPromise (27.2.1.6). */
  static IsPromise(value: unknown): value is PromiseSlots {
    return typeof value === "object" && value !== null && #bits in value;
  }

  static state(promise: PromiseSlots): number {
    return promise.#bits & STATE;
  }

  static result(promise: PromiseSlots): unknown {
    return promise.#result;
  }

  static setFlag(promise: PromiseSlots, flag: number): void {
    promise.#bits |= flag;
  }

  /** Clears `flag`; gives whether it was set. */
  static clearFlag(promise: PromiseSlots, flag: number): boolean {
    const bits = promise.#bits;
    promise.#bits = bits & ~flag;
    return (bits & flag) !== 0;
  }

  /** Whether a rejection would reach somebody: [[PromiseIsHandled]], or a task on its way to it. */
  static isHandled(promise: PromiseSlots): boolean {
    return (promise.#bits & HANDLED) !== 0 || promise.#bits >= CLAIM;
  }

  /** FulfillPromise (27.2.1.4). */
  static FulfillPromise(promise: PromiseSlots, value: unknown): void {
    const reactions = promise.#reactions;
    promise.#result = value;
    promise.#reactions = null;
    promise.#bits = (promise.#bits & ~STATE) | FULFILLED;
    TriggerPromiseReactions(reactions, promise, false, value);
  }

  /** RejectPromise (27.2.1.7). */
  static RejectPromise(promise: PromiseSlots, reason: unknown): void {
    const reactions = promise.#reactions;
    promise.#result = reason;
    promise.#reactions = null;
    promise.#bits = (promise.#bits & ~STATE) | REJECTED;
    if (!PromiseSlots.isHandled(promise)) HostPromiseRejectionTracker(promise, "reject");
    TriggerPromiseReactions(reactions, promise, true, reason);
  }

  /**
   * PerformPromiseThen (27.2.5.4.1), `reaction` standing for both the fulfill and the reject
   * reaction records: queued while pending, else its job is queued now.
   */
  static PerformPromiseThen(promise: PromiseSlots, reaction: PromiseReaction): void {
    const bits = promise.#bits;
    const state = bits & STATE;
    if (state === PENDING) PromiseSlots.subscribe(promise, reaction);
    else if (state === FULFILLED) reaction._promiseSettled(promise as never, false, promise.#result);
    else {
      if (!PromiseSlots.isHandled(promise)) HostPromiseRejectionTracker(promise, "handle");
      reaction._promiseSettled(promise as never, true, promise.#result);
    }
    promise.#bits |= HANDLED;
  }

  /**
   * Await's PerformPromiseThen (27.7.5.3) for a task: the task is the reaction (while pending it
   * joins the list) and holds a claim on the outcome until it receives it (`received`) or gives
   * it up (`declined`). Gives the promise's state.
   */
  static awaitedBy(promise: PromiseSlots, task: PromiseSubscriber): number {
    const bits = promise.#bits;
    const state = bits & STATE;
    if (state === REJECTED && !PromiseSlots.isHandled(promise)) HostPromiseRejectionTracker(promise, "handle");
    promise.#bits = bits + CLAIM;
    if (state === PENDING) PromiseSlots.subscribe(promise, task);
    return state;
  }

  /** A task that awaited it takes its outcome (`result`): its claim becomes [[PromiseIsHandled]]. */
  static received(promise: PromiseSlots): void {
    promise.#bits = (promise.#bits - CLAIM) | HANDLED;
  }

  /**
   * A task that awaited it will not take its outcome (it was cancelled first): it leaves the list,
   * and gives back its claim. A rejection nobody else is to receive is unhandled again.
   */
  static declined(promise: PromiseSlots, task: PromiseSubscriber): void {
    const reactions = promise.#reactions;
    if (reactions === task) promise.#reactions = null;
    else if (Array.isArray(reactions)) {
      // (By hand: the list has no prototype, see subscribe.)
      let kept = 0;
      for (let i = 0; i < reactions.length; i++) if (reactions[i] !== task) reactions[kept++] = reactions[i]!;
      reactions.length = kept;
    }
    promise.#bits -= CLAIM;
    if ((promise.#bits & STATE) === REJECTED && !PromiseSlots.isHandled(promise)) {
      HostPromiseRejectionTracker(promise, "reject");
    }
  }

  /** For the unhandled-error check: marks a rejection nobody handled as reported; gives whether it was. */
  static takeUnhandled(promise: PromiseSlots): boolean {
    if ((promise.#bits & STATE) !== REJECTED || PromiseSlots.isHandled(promise)) return false;
    promise.#bits |= HANDLED;
    return true;
  }

  /** Appends to the reactions: one subscriber alone, more in a List (see newList). */
  static subscribe(promise: PromiseSlots, subscriber: PromiseSubscriber): void {
    const reactions = promise.#reactions;
    if (reactions === null) promise.#reactions = subscriber;
    else if (Array.isArray(reactions)) reactions[reactions.length] = subscriber;
    else {
      const list = newList() as PromiseSubscriber[];
      list[0] = reactions;
      list[1] = subscriber;
      promise.#reactions = list;
    }
  }
}

/** TriggerPromiseReactions (27.2.1.8): each reaction's job, in order. */
function TriggerPromiseReactions(
  reactions: PromiseSubscriber | PromiseSubscriber[] | null,
  promise: PromiseSlots,
  rejected: boolean,
  argument: unknown,
): void {
  if (reactions === null) return;
  const p = promise as unknown as LoopPromise<unknown>;
  if (Array.isArray(reactions)) {
    for (let i = 0; i < reactions.length; i++) reactions[i]!._promiseSettled(p, rejected, argument);
  } else reactions._promiseSettled(p, rejected, argument);
}

/** A new promise of ours, pending, with LoopPromise.prototype: what `new LoopPromise(...)` makes. */
function allocate(): PromiseSlots {
  return new PromiseSlots(new Allocation());
}
// `new Allocation()` is a plain object whose prototype is LoopPromise.prototype (set below): the
// cheapest way to make one, as cheap as a plain class's instance.
const Allocation = function () {} as unknown as new () => object;

/**
 * The resolve function of CreateResolvingFunctions (27.2.1.3.2), past its [[AlreadyResolved]]
 * check: also how a promise made here settles its own derived promise, whose resolving functions
 * nobody can see.
 */
function ResolvePromise(promise: PromiseSlots, resolution: unknown): void {
  if (resolution === promise) {
    PromiseSlots.RejectPromise(promise, new TypeError("A LoopPromise was resolved with itself, so it could never settle."));
    return;
  }
  if (!isObject(resolution)) {
    PromiseSlots.FulfillPromise(promise, resolution);
    return;
  }
  let then: unknown;
  try {
    then = (resolution as { then?: unknown }).then;
  } catch (error) {
    PromiseSlots.RejectPromise(promise, error);
    return;
  }
  if (typeof then !== "function") {
    PromiseSlots.FulfillPromise(promise, resolution);
    return;
  }
  HostEnqueuePromiseJob(new ResolveThenableJob(promise, resolution, then as (...args: unknown[]) => unknown));
}

/**
 * CreateResolvingFunctions (27.2.1.3): the pair given to an executor or a thenable's `then`. Only
 * the first call of either counts. The functions are anonymous, of length 1, and not
 * constructors, as the language's are (they are assigned here, not declared as class fields,
 * which would name them).
 */
class ResolvingFunctions {
  alreadyResolved = false;
  // The loop that counts this pair as a host wait: given to a host thenable's `then` by a
  // ResolveThenableJob, until one of them is called (see isHostThenable).
  waitingLoop: EventLoop | null = null;
  declare readonly resolve: (resolution: unknown) => void;
  declare readonly reject: (reason: unknown) => void;
  constructor(promise: PromiseSlots) {
    (this as { resolve: unknown }).resolve = (resolution: unknown): void => {
      if (this.alreadyResolved) return;
      this.alreadyResolved = true;
      if (this.waitingLoop !== null) this.endHostWait();
      ResolvePromise(promise, resolution);
    };
    (this as { reject: unknown }).reject = (reason: unknown): void => {
      if (this.alreadyResolved) return;
      this.alreadyResolved = true;
      if (this.waitingLoop !== null) this.endHostWait();
      PromiseSlots.RejectPromise(promise, reason);
    };
  }
  endHostWait(): void {
    this.waitingLoop!._hostWait(-1);
    this.waitingLoop = null;
  }
}

/** NewPromiseResolveThenableJob (27.2.2.2): calls `then` on a later job, with a fresh pair. */
class ResolveThenableJob implements Runnable {
  readonly #promise: PromiseSlots;
  readonly #thenable: object;
  readonly #then: (...args: unknown[]) => unknown;
  constructor(promise: PromiseSlots, thenable: object, then: (...args: unknown[]) => unknown) {
    this.#promise = promise;
    this.#thenable = thenable;
    this.#then = then;
  }
  _run(): void {
    const functions = new ResolvingFunctions(this.#promise);
    const { resolve, reject } = functions;
    try {
      apply(this.#then, this.#thenable, [resolve, reject]);
    } catch (error) {
      reject(error);
    }
    // Not in the specification: the host's thenable may settle this promise later, which the
    // loop must know in host mode (host.ts) so as not to take a wait for it as a deadlock.
    const loop = running.loop;
    if (!functions.alreadyResolved && loop !== null && isHostThenable(this.#thenable, this.#then)) {
      functions.waitingLoop = loop;
      loop._hostWait(1);
    }
  }
}

// The `then` methods of handloop's awaitables that are not promises (asleep(), a primitive's
// wait), which run them on the loop: task.ts gives them (this module cannot import theirs).
const loopThens = new Set<unknown>();

/** @internal See isHostThenable. */
export function addLoopThens(...thens: unknown[]): void {
  for (const then of thens) loopThens.add(then);
}

/**
 * @internal Whether `thenable`, whose `then` is `then`, is settled by the host rather than by the
 * loop: a native Promise, another library's thenable. handloop's own (a LoopPromise, a Task,
 * `asleep()`, a primitive's wait) settle on the loop, so a wait for one is no reason to keep
 * waiting when nothing on the loop can run (host.ts): it would only hide a deadlock. Reads
 * nothing of the thenable a Proxy could see: brands and the `then` already read.
 */
export function isHostThenable(thenable: object, then: unknown): boolean {
  return !PromiseSlots.IsPromise(thenable) && !isTask(thenable) && !loopThens.has(then);
}

/**
 * A PromiseCapability record (27.2.1.1). For a capability of LoopPromise itself, made by the
 * operations below, `promise` is ours and `resolve` and `reject` are only made when something
 * outside can see them.
 */
class PromiseCapability {
  promise: unknown = undefined;
  resolve: unknown = undefined;
  reject: unknown = undefined;
}

/** NewPromiseCapability (27.2.1.5). */
function NewPromiseCapability(C: unknown): PromiseCapability {
  const capability = new PromiseCapability();
  if (C === LoopPromise) {
    // Construct(%Promise%, « executor ») would do nothing anybody can see but make these.
    const promise = allocate();
    const { resolve, reject } = new ResolvingFunctions(promise);
    capability.promise = promise;
    capability.resolve = resolve;
    capability.reject = reject;
    return capability;
  }
  if (!IsConstructor(C)) {
    throw new TypeError(`Expected a constructor for a new promise capability, got ${describe(C)}.`);
  }
  const promise: unknown = construct(C as new (executor: unknown) => unknown, [capabilityExecutor(capability)]);
  if (typeof capability.resolve !== "function") {
    throw new TypeError(`The executor of ${describe(C)} was not given a resolve function it could call, got ${describe(capability.resolve)}.`);
  }
  if (typeof capability.reject !== "function") {
    throw new TypeError(`The executor of ${describe(C)} was not given a reject function it could call, got ${describe(capability.reject)}.`);
  }
  capability.promise = promise;
  return capability;
}

/** GetCapabilitiesExecutor Functions (27.2.1.5.1): anonymous, of length 2. */
function capabilityExecutor(capability: PromiseCapability): (resolve: unknown, reject: unknown) => void {
  return (resolve: unknown, reject: unknown): void => {
    if (capability.resolve !== undefined) throw new TypeError("A promise capability's executor was called a second time, after it was given a resolve function.");
    if (capability.reject !== undefined) throw new TypeError("A promise capability's executor was called a second time, after it was given a reject function.");
    capability.resolve = resolve;
    capability.reject = reject;
  };
}

/**
 * A `then` subscription: the PromiseReaction records (27.2.1.2) of both kinds in one, and, once
 * its promise settles, its job (NewPromiseReactionJob, 27.2.2.1). `resolve` undefined means
 * `promise` is a promise of ours that only this reaction settles.
 */
class PromiseReaction implements PromiseSubscriber, Runnable {
  readonly promise: unknown;
  readonly resolve: unknown;
  readonly reject: unknown;
  readonly onFulfilled: ((value: unknown) => unknown) | undefined;
  readonly onRejected: ((reason: unknown) => unknown) | undefined;
  rejected = false;
  argument: unknown = undefined;

  constructor(
    promise: unknown,
    resolve: unknown,
    reject: unknown,
    onFulfilled: unknown,
    onRejected: unknown,
  ) {
    this.promise = promise;
    this.resolve = resolve;
    this.reject = reject;
    // HostMakeJobCallback: the handler as it is; anything not callable is "empty".
    this.onFulfilled = typeof onFulfilled === "function" ? (onFulfilled as (value: unknown) => unknown) : undefined;
    this.onRejected = typeof onRejected === "function" ? (onRejected as (reason: unknown) => unknown) : undefined;
  }

  _promiseSettled(_promise: LoopPromise<unknown>, rejected: boolean, argument: unknown): void {
    this.rejected = rejected;
    this.argument = argument;
    HostEnqueuePromiseJob(this);
  }

  _run(): void {
    const argument = this.argument;
    this.argument = undefined;
    const handler = this.rejected ? this.onRejected : this.onFulfilled;
    let threw: boolean;
    let value: unknown;
    if (handler === undefined) {
      threw = this.rejected;
      value = argument;
    } else {
      try {
        value = handler(argument); // HostCallJobCallback: `this` undefined
        threw = false;
      } catch (error) {
        value = error;
        threw = true;
      }
    }
    const resolve = this.resolve;
    if (resolve === undefined) {
      const promise = this.promise as PromiseSlots;
      if (threw) PromiseSlots.RejectPromise(promise, value);
      else ResolvePromise(promise, value);
    } else {
      apply((threw ? this.reject : resolve) as (value: unknown) => unknown, undefined, [value]);
    }
  }
}

/** SpeciesConstructor (7.3.22). */
function SpeciesConstructor(O: object, defaultConstructor: unknown): unknown {
  const C: unknown = (O as { constructor?: unknown }).constructor;
  if (C === undefined) return defaultConstructor;
  if (!isObject(C)) throw new TypeError(`The constructor of a promise must be an object or undefined, got ${describe(C)}.`);
  const S: unknown = (C as { [speciesSymbol]?: unknown })[speciesSymbol];
  if (S === undefined || S === null) return defaultConstructor;
  if (IsConstructor(S)) return S;
  throw new TypeError(`The [Symbol.species] of ${describe(C)} must be a constructor, undefined or null, got ${describe(S)}.`);
}

// Whether a value is a Task (task.ts sets it: this module cannot import task.ts, which imports it).
let isTask: (value: unknown) => boolean = () => false;

/** @internal How PromiseResolve tells a Task (see there). */
export function setTaskBrand(brand: (value: unknown) => boolean): void {
  isTask = brand;
}

/**
 * PromiseResolve (27.2.4.7.1). A Task is what an async function returns, which natively is a
 * %Promise% whose constructor is %Promise%: so for LoopPromise it is given back as it is, as
 * `Promise.resolve(asyncFn())` gives back the async function's promise, and Promise.all and its
 * kin subscribe to it with its own `then` rather than adopt it through two more jobs.
 */
function PromiseResolve(C: unknown, x: unknown): unknown {
  if (C === LoopPromise && isTask(x)) return x;
  if (PromiseSlots.IsPromise(x)) {
    const xConstructor: unknown = (x as { constructor?: unknown }).constructor;
    if (xConstructor === C) return x;
  }
  if (C === LoopPromise) {
    const promise = allocate();
    ResolvePromise(promise, x);
    return promise;
  }
  const capability = NewPromiseCapability(C);
  apply(capability.resolve as (x: unknown) => unknown, undefined, [x]);
  return capability.promise;
}

/** GetPromiseResolve (27.2.4.1.1). */
function GetPromiseResolve(C: unknown): (this: unknown, x: unknown) => unknown {
  const promiseResolve: unknown = (C as { resolve?: unknown }).resolve;
  if (typeof promiseResolve !== "function") {
    throw new TypeError(`The resolve method of ${describe(C)} must be a function, got ${describe(promiseResolve)}.`);
  }
  return promiseResolve as (this: unknown, x: unknown) => unknown;
}

/** An Iterator Record (7.4.1). */
interface IteratorRecord {
  iterator: object;
  nextMethod: unknown;
  done: boolean;
}

/** GetIterator(obj, sync) (7.4.3). */
function GetIterator(obj: unknown): IteratorRecord {
  const method: unknown = (obj as { [iteratorSymbol]?: unknown })[iteratorSymbol];
  if (method === undefined || method === null) throw new TypeError(`${describe(obj)} is not iterable.`);
  if (typeof method !== "function") throw new TypeError(`The [Symbol.iterator] of ${describe(obj)} is not a function.`);
  const iterator: unknown = apply(method as () => unknown, obj, []);
  if (!isObject(iterator)) throw new TypeError(`The [Symbol.iterator]() of ${describe(obj)} returned ${describe(iterator)}, not an object.`);
  return { iterator, nextMethod: (iterator as { next?: unknown }).next, done: false };
}

const DONE: unique symbol = Symbol("done");

/** IteratorStepValue (7.4.8): the next value, or DONE; an error marks the record done. */
function IteratorStepValue(record: IteratorRecord): unknown {
  let result: unknown;
  try {
    result = apply(record.nextMethod as () => unknown, record.iterator, []);
  } catch (error) {
    record.done = true;
    throw error;
  }
  if (!isObject(result)) {
    record.done = true;
    throw new TypeError(`An iterator's next() returned ${describe(result)}, not an object.`);
  }
  let done: unknown;
  try {
    done = (result as { done?: unknown }).done;
  } catch (error) {
    record.done = true;
    throw error;
  }
  if (done) {
    record.done = true;
    return DONE;
  }
  try {
    return (result as { value?: unknown }).value;
  } catch (error) {
    record.done = true;
    throw error;
  }
}

/**
 * IteratorClose (7.4.11) with a throw completion: calls `return()`, if any; whatever that throws
 * or returns, the completion that was thrown is what comes out, so the caller goes on with it.
 */
function IteratorCloseOnThrow(record: IteratorRecord): void {
  try {
    const method: unknown = (record.iterator as { return?: unknown }).return;
    if (method !== undefined && method !== null) apply(method as () => unknown, record.iterator, []);
  } catch {
    // The throw completion being closed over wins.
  }
}

/**
 * A List of the specification, kept in an array with no prototype: writing to it can meet no
 * setter a program put on Array.prototype or Object.prototype (which a List knows nothing of).
 */
function newList(): unknown[] {
  const list: unknown[] = [];
  setPrototypeOf(list, null);
  return list;
}

/**
 * CreateArrayFromList (7.3.17) for a List that nothing will write to again (its combinator has
 * settled): the List itself becomes the array, its elements already its own data properties, as
 * CreateDataProperty would define them. Defining them one by one costs 40 times as much.
 */
function CreateArrayFromList(list: unknown[]): unknown[] {
  setPrototypeOf(list, ArrayPrototype);
  return list;
}

/**
 * The frame of Promise.all, allSettled, any and race (27.2.4.1, .2, .3, .5): the capability, the
 * `resolve` to call, the iterator, and on an abrupt completion the iterator closed (unless it
 * failed itself) and the promise rejected (IfAbruptRejectPromise).
 */
function combine(
  C: unknown,
  iterable: unknown,
  perform: (record: IteratorRecord, C: unknown, capability: PromiseCapability, promiseResolve: (this: unknown, x: unknown) => unknown) => unknown,
): unknown {
  const capability = NewPromiseCapability(C);
  let promiseResolve: (this: unknown, x: unknown) => unknown;
  let record: IteratorRecord;
  try {
    promiseResolve = GetPromiseResolve(C);
    record = GetIterator(iterable);
  } catch (error) {
    return IfAbruptRejectPromise(error, capability);
  }
  try {
    return perform(record, C, capability, promiseResolve);
  } catch (error) {
    if (!record.done) IteratorCloseOnThrow(record);
    return IfAbruptRejectPromise(error, capability);
  }
}

/** IfAbruptRejectPromise (27.2.1.1.1). */
function IfAbruptRejectPromise(error: unknown, capability: PromiseCapability): unknown {
  apply(capability.reject as (reason: unknown) => unknown, undefined, [error]);
  return capability.promise;
}

/** Invoke(nextPromise, "then", « onFulfilled, onRejected ») (7.3.21). */
function invokeThen(nextPromise: unknown, onFulfilled: unknown, onRejected: unknown): void {
  const then: unknown = (nextPromise as { then?: unknown }).then;
  apply(then as (...args: unknown[]) => unknown, nextPromise, [onFulfilled, onRejected]);
}

/** A counter the element functions of one combinator call share ([[RemainingElements]]). */
interface Remaining {
  value: number;
}

/** PerformPromiseAll (27.2.4.1.2). */
function PerformPromiseAll(
  record: IteratorRecord,
  C: unknown,
  capability: PromiseCapability,
  promiseResolve: (this: unknown, x: unknown) => unknown,
): unknown {
  const values = newList();
  const remaining: Remaining = { value: 1 };
  for (let index = 0; ; index++) {
    const next = IteratorStepValue(record);
    if (next === DONE) {
      if (--remaining.value === 0) apply(capability.resolve as (x: unknown) => unknown, undefined, [CreateArrayFromList(values)]);
      return capability.promise;
    }
    values[index] = undefined;
    const nextPromise = apply(promiseResolve, C, [next]);
    const onFulfilled = allResolveElement(index, values, capability, remaining);
    remaining.value++;
    invokeThen(nextPromise, onFulfilled, capability.reject);
  }
}

/** Promise.all Resolve Element Functions (27.2.4.1.3): anonymous, of length 1. */
function allResolveElement(index: number, values: unknown[], capability: PromiseCapability, remaining: Remaining) {
  let alreadyCalled = false;
  return (x: unknown): void => {
    if (alreadyCalled) return;
    alreadyCalled = true;
    values[index] = x;
    if (--remaining.value === 0) apply(capability.resolve as (x: unknown) => unknown, undefined, [CreateArrayFromList(values)]);
  };
}

/** PerformPromiseAllSettled (27.2.4.2.1). */
function PerformPromiseAllSettled(
  record: IteratorRecord,
  C: unknown,
  capability: PromiseCapability,
  promiseResolve: (this: unknown, x: unknown) => unknown,
): unknown {
  const values = newList();
  const remaining: Remaining = { value: 1 };
  for (let index = 0; ; index++) {
    const next = IteratorStepValue(record);
    if (next === DONE) {
      if (--remaining.value === 0) apply(capability.resolve as (x: unknown) => unknown, undefined, [CreateArrayFromList(values)]);
      return capability.promise;
    }
    values[index] = undefined;
    const nextPromise = apply(promiseResolve, C, [next]);
    const [onFulfilled, onRejected] = allSettledElements(index, values, capability, remaining);
    remaining.value++;
    invokeThen(nextPromise, onFulfilled, onRejected);
  }
}

/**
 * Promise.allSettled Resolve and Reject Element Functions (27.2.4.2.2, .3), sharing one
 * [[AlreadyCalled]]: anonymous, of length 1.
 */
function allSettledElements(index: number, values: unknown[], capability: PromiseCapability, remaining: Remaining) {
  let alreadyCalled = false;
  const settle = (entry: object): void => {
    values[index] = entry;
    if (--remaining.value === 0) apply(capability.resolve as (x: unknown) => unknown, undefined, [CreateArrayFromList(values)]);
  };
  return [
    (x: unknown): void => {
      if (alreadyCalled) return;
      alreadyCalled = true;
      settle({ status: "fulfilled", value: x });
    },
    (x: unknown): void => {
      if (alreadyCalled) return;
      alreadyCalled = true;
      settle({ status: "rejected", reason: x });
    },
  ] as const;
}

/** PerformPromiseAny (27.2.4.3.1). */
function PerformPromiseAny(
  record: IteratorRecord,
  C: unknown,
  capability: PromiseCapability,
  promiseResolve: (this: unknown, x: unknown) => unknown,
): unknown {
  const errors = newList();
  const remaining: Remaining = { value: 1 };
  for (let index = 0; ; index++) {
    const next = IteratorStepValue(record);
    if (next === DONE) {
      if (--remaining.value === 0) throw allRejected(errors);
      return capability.promise;
    }
    errors[index] = undefined;
    const nextPromise = apply(promiseResolve, C, [next]);
    const onRejected = anyRejectElement(index, errors, capability, remaining);
    remaining.value++;
    invokeThen(nextPromise, capability.resolve, onRejected);
  }
}

/** Promise.any Reject Element Functions (27.2.4.3.2): anonymous, of length 1. */
function anyRejectElement(index: number, errors: unknown[], capability: PromiseCapability, remaining: Remaining) {
  let alreadyCalled = false;
  return (x: unknown): void => {
    if (alreadyCalled) return;
    alreadyCalled = true;
    errors[index] = x;
    if (--remaining.value === 0) apply(capability.reject as (x: unknown) => unknown, undefined, [allRejected(errors)]);
  };
}

// An iterable of nothing that no patch of Array.prototype can reach: AggregateError's `errors`
// is defined afterwards, as Promise.any's steps define it.
const NO_ERRORS = Object.freeze({ [iteratorSymbol]: () => ({ next: () => ({ done: true, value: undefined }) }) });

/** The AggregateError of Promise.any when every promise was rejected, `errors` in input order. */
function allRejected(errors: unknown[]): AggregateError {
  const error = new AggregateErrorIntrinsic(NO_ERRORS as unknown as Iterable<unknown>, "All promises were rejected");
  defineProperty(error, "errors", { configurable: true, enumerable: false, writable: true, value: CreateArrayFromList(errors) });
  return error;
}

/** PerformPromiseRace (27.2.4.5.1). */
function PerformPromiseRace(
  record: IteratorRecord,
  C: unknown,
  capability: PromiseCapability,
  promiseResolve: (this: unknown, x: unknown) => unknown,
): unknown {
  for (;;) {
    const next = IteratorStepValue(record);
    if (next === DONE) return capability.promise;
    const nextPromise = apply(promiseResolve, C, [next]);
    invokeThen(nextPromise, capability.resolve, capability.reject);
  }
}

/** `Expected this to be a constructor...`: a static method called on something that is not one. */
function notAConstructor(method: string, C: unknown): TypeError {
  return new TypeError(`LoopPromise.${method}() was called on ${describe(C)}; call it on LoopPromise or a subclass of it.`);
}

/**
 * A Promise whose jobs run on handloop's loop: ECMA-262's Promise (27.2) to the letter (test262's
 * `built-ins/Promise` is the judge), with reactions on the running loop's ready queue instead of
 * the engine's microtask queue, so that a synchronous run settles it, in the order native code
 * would. Code compiled by handloop sees it as its global `Promise`; hand-written code can use it
 * directly. A task awaiting one (`await p` compiled, `yield p` by hand) takes the ticks a native
 * `await` takes; with no loop running, its jobs run as microtasks. A Task is an instance of it
 * (`task instanceof LoopPromise`), as an async function's result is a Promise.
 *
 * Rejections nobody handles go to the running loop's unhandled-error policy (see
 * `UnhandledErrorPolicy`), or, with no loop running, to the host's own unhandled-rejection
 * tracking, as a native promise's would.
 *
 * @example
 * ```ts
 * const loaded = new LoopPromise<string>((resolve) => currentLoop().callLater(1, () => resolve("data")));
 * const text = run(async () => await loaded, { clock: new VirtualClock() }); // "data", after 1 virtual second
 * ```
 */
export class LoopPromise<T> extends null implements Promise<T> {
  /**
   * The Promise constructor (27.2.3.1): calls `executor(resolve, reject)` at once; an error it
   * throws rejects the promise.
   */
  constructor(executor: (resolve: (value: T | PromiseLike<T>) => void, reject: (reason?: unknown) => void) => void) {
    if (typeof executor !== "function") {
      throw new TypeError(`The LoopPromise constructor expects an executor function, got ${describe(executor)}.`);
    }
    let promise: PromiseSlots;
    if (new.target === LoopPromise) promise = allocate();
    else {
      // OrdinaryCreateFromConstructor(NewTarget, "%Promise.prototype%"); the realm of NewTarget
      // cannot be found from JavaScript (GetFunctionRealm), so the fallback is this realm's.
      let proto: unknown = (new.target as { prototype?: unknown }).prototype;
      if (!isObject(proto)) proto = LoopPromise.prototype;
      promise = new PromiseSlots(objectCreate(proto as object) as object);
    }
    const { resolve, reject } = new ResolvingFunctions(promise);
    try {
      executor(resolve, reject); // `this` undefined
    } catch (error) {
      reject(error);
    }
    return promise as unknown as LoopPromise<T>;
  }

  /** Promise.prototype.then (27.2.5.4). */
  then<R1 = T, R2 = never>(
    onFulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onRejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): LoopPromise<R1 | R2> {
    const promise: unknown = this;
    if (!PromiseSlots.IsPromise(promise)) {
      throw new TypeError(`LoopPromise.prototype.then was called on ${describe(promise)}, which is not a LoopPromise.`);
    }
    const C = SpeciesConstructor(promise, LoopPromise);
    let reaction: PromiseReaction;
    if (C === LoopPromise) {
      reaction = new PromiseReaction(allocate(), undefined, undefined, onFulfilled, onRejected);
    } else {
      const capability = NewPromiseCapability(C);
      reaction = new PromiseReaction(capability.promise, capability.resolve, capability.reject, onFulfilled, onRejected);
    }
    PromiseSlots.PerformPromiseThen(promise, reaction);
    return reaction.promise as LoopPromise<R1 | R2>;
  }

  /** Promise.prototype.catch (27.2.5.1): `this.then(undefined, onRejected)`, through `then` as it is. */
  catch<R = never>(onRejected?: ((reason: unknown) => R | PromiseLike<R>) | null): LoopPromise<T | R> {
    const promise: unknown = this;
    const then: unknown = (promise as { then?: unknown }).then;
    return apply(then as (...args: unknown[]) => unknown, promise, [undefined, onRejected]) as LoopPromise<T | R>;
  }

  /**
   * Promise.prototype.finally (27.2.5.3): `onFinally()` runs either way, its result is awaited,
   * then the outcome passes on (unless `onFinally` threw or its result rejected).
   */
  finally(onFinally?: (() => void) | null): LoopPromise<T> {
    const promise: unknown = this;
    if (!isObject(promise)) {
      throw new TypeError(`LoopPromise.prototype.finally was called on ${describe(promise)}, which is not an object.`);
    }
    const C = SpeciesConstructor(promise, LoopPromise);
    let thenFinally: unknown = onFinally;
    let catchFinally: unknown = onFinally;
    if (typeof onFinally === "function") [thenFinally, catchFinally] = finallyFunctions(onFinally, C);
    const then: unknown = (promise as { then?: unknown }).then;
    return apply(then as (...args: unknown[]) => unknown, promise, [thenFinally, catchFinally]) as LoopPromise<T>;
  }

  /**
   * Promise.all (27.2.4.1): the values of every promise (or value) in `values`, in order, once
   * all are fulfilled; the first rejection otherwise.
   */
  static all<T extends readonly unknown[] | []>(values: T): LoopPromise<{ -readonly [P in keyof T]: Awaited<T[P]> }>;
  static all<T>(values: Iterable<T | PromiseLike<T>>): LoopPromise<Awaited<T>[]>;
  static all(values: unknown): unknown {
    const C: unknown = this;
    return combine(C, values, PerformPromiseAll);
  }

  /** Promise.allSettled (27.2.4.2): `{ status, value }` or `{ status, reason }` for each, in order, once all settled. */
  static allSettled<T extends readonly unknown[] | []>(values: T): LoopPromise<{ -readonly [P in keyof T]: PromiseSettledResult<Awaited<T[P]>> }>;
  static allSettled<T>(values: Iterable<T | PromiseLike<T>>): LoopPromise<PromiseSettledResult<Awaited<T>>[]>;
  static allSettled(values: unknown): unknown {
    const C: unknown = this;
    return combine(C, values, PerformPromiseAllSettled);
  }

  /** Promise.any (27.2.4.3): the first to be fulfilled; an AggregateError of every reason if all were rejected. */
  static any<T extends readonly unknown[] | []>(values: T): LoopPromise<Awaited<T[number]>>;
  static any<T>(values: Iterable<T | PromiseLike<T>>): LoopPromise<Awaited<T>>;
  static any(values: unknown): unknown {
    const C: unknown = this;
    return combine(C, values, PerformPromiseAny);
  }

  /** Promise.race (27.2.4.5): settles as the first of `values` to settle. */
  static race<T extends readonly unknown[] | []>(values: T): LoopPromise<Awaited<T[number]>>;
  static race<T>(values: Iterable<T | PromiseLike<T>>): LoopPromise<Awaited<T>>;
  static race(values: unknown): unknown {
    const C: unknown = this;
    return combine(C, values, PerformPromiseRace);
  }

  /** Promise.reject (27.2.4.6): a promise rejected with `reason`. */
  static reject<T = never>(reason?: unknown): LoopPromise<T> {
    const C: unknown = this;
    if (C === LoopPromise) {
      const promise = allocate();
      PromiseSlots.RejectPromise(promise, reason);
      return promise as unknown as LoopPromise<T>;
    }
    const capability = NewPromiseCapability(C);
    apply(capability.reject as (reason: unknown) => unknown, undefined, [reason]);
    return capability.promise as LoopPromise<T>;
  }

  /** Promise.resolve (27.2.4.7): `value` itself if it is a promise of this constructor, else a promise resolved with it. */
  static resolve(): LoopPromise<void>;
  static resolve<T>(value: T): LoopPromise<Awaited<T>>;
  static resolve<T>(value: T | PromiseLike<T>): LoopPromise<Awaited<T>>;
  static resolve(value?: unknown): unknown {
    const C: unknown = this;
    if (!isObject(C)) throw notAConstructor("resolve", C);
    return PromiseResolve(C, value);
  }

  /**
   * Promise.try (27.2.4.8, ES2025): calls `callback(...args)` at once, and gives a promise of its
   * result; what it throws rejects the promise.
   */
  static try<T, U extends unknown[]>(callback: (...args: U) => T | PromiseLike<T>, ...args: U): LoopPromise<Awaited<T>> {
    const C: unknown = this;
    if (!isObject(C)) throw notAConstructor("try", C);
    const capability = NewPromiseCapability(C);
    let status: unknown;
    let threw = false;
    try {
      status = apply(callback as (...args: unknown[]) => unknown, undefined, args);
    } catch (error) {
      status = error;
      threw = true;
    }
    apply((threw ? capability.reject : capability.resolve) as (x: unknown) => unknown, undefined, [status]);
    return capability.promise as LoopPromise<Awaited<T>>;
  }

  /** Promise.withResolvers (27.2.4.9, ES2024): `{ promise, resolve, reject }`. */
  static withResolvers<T>(): { promise: LoopPromise<T>; resolve: (value: T | PromiseLike<T>) => void; reject: (reason?: unknown) => void } {
    const C: unknown = this;
    const capability = NewPromiseCapability(C);
    return {
      promise: capability.promise as LoopPromise<T>,
      resolve: capability.resolve as (value: T | PromiseLike<T>) => void,
      reject: capability.reject as (reason?: unknown) => void,
    };
  }

  /** get Promise [ %Symbol.species% ] (27.2.4.10). */
  static get [Symbol.species](): unknown {
    return this;
  }

  declare readonly [Symbol.toStringTag]: string;
  // Makes the type nominal: a Task has LoopPromise's methods, not its internal slots.
  private declare readonly loopPromiseBrand: undefined;
}

/** thenFinally and catchFinally of Promise.prototype.finally (27.2.5.3, steps 6.a-6.d): anonymous, of length 1. */
function finallyFunctions(onFinally: () => unknown, C: unknown): [unknown, unknown] {
  return [
    (value: unknown): unknown => {
      const result = onFinally();
      const p = PromiseResolve(C, result);
      const valueThunk = returnValue(value);
      const then: unknown = (p as { then?: unknown }).then;
      return apply(then as (...args: unknown[]) => unknown, p, [valueThunk]);
    },
    (reason: unknown): unknown => {
      const result = onFinally();
      const p = PromiseResolve(C, result);
      const thrower = throwReason(reason);
      const then: unknown = (p as { then?: unknown }).then;
      return apply(then as (...args: unknown[]) => unknown, p, [thrower]);
    },
  ];
}

/** The valueThunk of thenFinally: anonymous, of length 0. */
function returnValue(value: unknown): () => unknown {
  return () => value;
}

/** The thrower of catchFinally: anonymous, of length 0. */
function throwReason(reason: unknown): () => never {
  return () => {
    throw reason;
  };
}

// The class is `extends null` for its constructor's sake (see the top of this file): its
// prototype's [[Prototype]] is made %Object.prototype%, as the specification's is.
Object.setPrototypeOf(LoopPromise.prototype, Object.prototype);
(Allocation as unknown as { prototype: object }).prototype = LoopPromise.prototype;
// Promise.prototype [ %Symbol.toStringTag% ] (27.2.5.5), and the constructor's `name` (27.2.3):
// code that binds the global Promise to this class sees the names a Promise has.
defineProperty(LoopPromise.prototype, Symbol.toStringTag, { value: "Promise", writable: false, enumerable: false, configurable: true });
defineProperty(LoopPromise, "name", { value: "Promise", writable: false, enumerable: false, configurable: true });
markRequest(LoopPromise.prototype, PROMISE_REQUEST);

// `console.log(promise)` in Node: the state and value, as Node shows a native promise's
// (`Promise { 42 }`), named LoopPromise so that the two are told apart. Node passes its own
// `inspect` in, so the runtime does not import node:util, and still runs in browsers.
const INSPECT: unique symbol = Symbol.for("nodejs.util.inspect.custom");
defineProperty(LoopPromise.prototype, INSPECT, {
  value: function (this: unknown, _depth: number, options: object, inspect?: (value: unknown, options: object) => string): string {
    if (!PromiseSlots.IsPromise(this)) return describe(this);
    const state = PromiseSlots.state(this);
    if (state === PENDING) return "LoopPromise { <pending> }";
    const value = typeof inspect === "function" ? inspect(PromiseSlots.result(this), options) : describe(PromiseSlots.result(this));
    return `LoopPromise { ${state === REJECTED ? "<rejected> " : ""}${value} }`;
  },
  writable: true,
  enumerable: false,
  configurable: true,
});

// ---- For the stepper (task.ts) and the unhandled-error check (unhandled.ts) -----------------------

/** @internal Whether `value` is a LoopPromise (has its internal slots; a Task does not). */
export const isLoopPromise: (value: unknown) => value is LoopPromise<unknown> = PromiseSlots.IsPromise as never;

/** @internal [[PromiseState]]: PENDING, FULFILLED or REJECTED. */
export function promiseState(promise: LoopPromise<unknown>): number {
  return PromiseSlots.state(promise as unknown as PromiseSlots);
}

/** @internal [[PromiseResult]]. */
export function promiseResult(promise: LoopPromise<unknown>): unknown {
  return PromiseSlots.result(promise as unknown as PromiseSlots);
}

/**
 * @internal A task awaits `promise` (Await's PerformPromiseThen): while pending, it is called
 * back with `_promiseSettled`; it must later take the outcome (`promiseReceived`) or give it up
 * (`promiseDeclined`). Gives the promise's state.
 */
export function awaitPromise(promise: LoopPromise<unknown>, task: PromiseSubscriber): number {
  return PromiseSlots.awaitedBy(promise as unknown as PromiseSlots, task);
}

/** @internal The awaiting task took the outcome. */
export function promiseReceived(promise: LoopPromise<unknown>): void {
  PromiseSlots.received(promise as unknown as PromiseSlots);
}

/** @internal The awaiting task will not take the outcome (it was cancelled first). */
export function promiseDeclined(promise: LoopPromise<unknown>, task: PromiseSubscriber): void {
  PromiseSlots.declined(promise as unknown as PromiseSlots, task);
}

/**
 * @internal For the unhandled-error check: whether `promise` is a rejection nobody handled, which
 * it then counts as reported (a later handler still receives it; the policy hears of it once).
 */
export function takeUnhandledRejection(promise: LoopPromise<unknown>): boolean {
  return PromiseSlots.takeUnhandled(promise as unknown as PromiseSlots);
}
