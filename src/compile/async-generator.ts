/**
 * compile/async-generator.ts: what an `async function*` compiled by handloop becomes. An
 * `AsyncGen` follows ECMA-262 27.6 step by step, its abstract operations named as there
 * (AsyncGeneratorEnqueue, AsyncGeneratorResume, AsyncGeneratorYield, AsyncGeneratorDrainQueue...).
 *
 * In its body, an await is `yield __aw(x)` as everywhere; its own `yield v` is
 * `yield __yieldValue(yield __aw(v, site))` (Await, then AsyncGeneratorYield); `yield* x` is
 * `yield __yieldStar(x, site)`, a delegation the generator runs as 15.5.5 says; `return v` is
 * `return yield __aw(v, site)`. The body is resumed by the iterator its Task steps
 * (AsyncGenContext), which passes each step on to the body, as a delegating iterator does.
 */

import { describe } from "../describe.js";
import { running } from "../running.js";
import { Task } from "../task.js";
import {
  AsyncIteratorPrototype,
  callable,
  getAsyncIterator,
  getIteratorMethod,
  isObject,
  IteratorRecord,
  notAnObject,
  rejected,
} from "./iteration.js";
import { named, type Body } from "./runtime.js";

// ---- Async generators (ECMA-262 27.6) -------------------------------------------------------------

function missingThrow(): TypeError {
  return new TypeError(
    "yield* delegated to an iterator without a throw() method, so the error thrown into the generator could not reach it; the iterator was closed instead. Give the iterator a throw() method.",
  );
}

/**
 * What a compiled body yields for its own `yield v`, once `v` is awaited: the generator takes
 * the value the await gave (it resumed the body with it) and yields that.
 */
const YIELD = Object.freeze({ toString: () => "an async generator's own yield" });

/**
 * Compiler contract: an async generator's own `yield v` becomes
 * `yield __yieldValue(yield __aw(v, site))`, as 15.5.5 Yield(v) is AsyncGeneratorYield(? Await(v)):
 * the inner `yield` is the Await, and this returns the request to yield what it gave. The value
 * needs no other way to the generator: the generator resumed that await with it.
 */
export function __yieldValue(_awaited: unknown): unknown {
  return YIELD;
}

/**
 * Compiler contract: `yield* iterable` in an async generator becomes
 * `yield __yieldStar(iterable, site)`: GetIterator(iterable, async) here, in the body, so that
 * its errors are thrown where the `yield*` is; the generator then runs the delegation (15.5.5,
 * the async branch) and resumes the body with its outcome: the inner iterator's return value,
 * an error thrown at the `yield*`, or a `return` completing there.
 */
export function __yieldStar(iterable: unknown, site: string): IteratorRecord {
  return getAsyncIterator(iterable, site);
}

// 27.6.2 [[AsyncGeneratorState]].
const SUSPENDED_START = 0;
const SUSPENDED_YIELD = 1;
const EXECUTING = 2;
const DRAINING_QUEUE = 3;
const COMPLETED = 4;

// Completion types: of a request (AsyncGeneratorRequest.[[Completion]]) and of what resumes a
// suspension point.
const NORMAL = 0;
const THROW = 1;
const RETURN = 2;

// Where the completion a step of the generator's Task brings goes (AsyncGenContext's phase).
const TO_BODY = 0; // the body, at its start, at an await, or at a yield once unwrapped
const RESUMED = 1; // AsyncGeneratorResume at a yield: the head of the queue says how
const UNWRAP = 2; // 27.6.3.7 AsyncGeneratorUnwrapYieldResumption of the head's completion
const UNWRAP_AWAITED = 3; // ... its Await(value) of a return request settled
const AT_YIELD = 4; // the suspension point: the body's own yield, or its yield*
const DELEGATE = 5; // 15.5.5 yield*: one round with `received`
const INNER_RESULT = 6; // yield*: Await(innerResult) of next() or throw() settled
const INNER_RETURN_RESULT = 7; // yield*: Await(innerReturnResult) settled
const INNER_RETURN_VALUE = 8; // yield*: Await(received.[[Value]]) settled, the iterator had no return()
const INNER_CLOSED = 9; // yield*: AsyncIteratorClose's Await settled, the iterator had no throw()
const AWAIT_RETURN_START = 10; // 27.6.3.9 AsyncGeneratorAwaitReturn, first step of its Task
const AWAIT_RETURN = 11; // ... its Await of the head's value settled

/** What the generator's Task gets back when it is to wait no more: the body suspended or ended. */
const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

/** The body of an async generator: a compiled generator body, or tslib's seen through an adapter. */
interface AsyncGenBody {
  next(value?: unknown): IteratorResult<unknown, unknown>;
  throw(error: unknown): IteratorResult<unknown, unknown>;
  return(value?: unknown): IteratorResult<unknown, unknown>;
}

/**
 * An async generator's internal slots and execution: [[AsyncGeneratorState]], the
 * [[AsyncGeneratorQueue]] of requests, and the body with where it stands ([[AsyncGeneratorContext]]).
 *
 * It is also the iterator that runs the body as a Task: each AsyncGeneratorResume (and each
 * AsyncGeneratorAwaitReturn of a generator no body runs for) starts a Task on it, which steps at
 * once, as the spec runs the body inside `next()`. That Task passes the body's awaits to the loop,
 * and this iterator does what the spec's abstract operations do at each of the body's own yields
 * and at its end. The Task ends when the generator suspends again (state suspended-yield) or has
 * drained its queue (completed), so at most one runs per generator, while it is executing or
 * draining.
 *
 * Discussion: the Task that runs the body is not the one a caller awaits: a request gives a
 * future, settled by AsyncGeneratorCompleteStep. So cancelling a task that awaits `next()` stops
 * its own wait, not the body, which natively could not be stopped either; the body's Task is
 * cancelled with the rest at the end of `run()`.
 */
class AsyncGenContext implements Iterator<unknown, undefined, unknown> {
  #state = SUSPENDED_START;
  readonly #body: AsyncGenBody;
  readonly #label: string;
  // [[AsyncGeneratorQueue]]: its oldest request in the three #head fields (#headCapability null
  // when the queue is empty), the others as (type, value, capability) triples in #rest from
  // #restStart on. A queue rarely holds more than one request: that one costs no array.
  // Invariant: not empty while executing or draining-queue; empty while suspended.
  #headType = NORMAL;
  #headValue: unknown = undefined;
  #headCapability: Task<IteratorResult<unknown>> | null = null;
  #rest: unknown[] | null = null;
  #restStart = 0;
  #phase = TO_BODY;
  // The value the body was last resumed with: at its own `yield`, what its Await gave.
  #sent: unknown = undefined;
  // The iteration record of the `yield*` the body is suspended in, or null.
  #delegate: IteratorRecord | null = null;
  // A Task made to run the body while no loop was running, not adopted yet (see adoptPending).
  #unstarted: Task<undefined> | null = null;
  // Where #delegateRound leaves the completion to resume the body with, when it does not wait.
  #outType = NORMAL;
  #outValue: unknown = undefined;
  // What an await of the generator's own gives the Task; reused, the Task reads it at once.
  readonly #awaiting: { done: false; value: unknown } = { done: false, value: undefined };

  constructor(body: AsyncGenBody, label: string) {
    this.#body = body;
    this.#label = label;
  }

  // ---- Requests: 27.6.1.2-4 AsyncGenerator.prototype.next / return / throw --------------------

  /** What `next(value)`, `return(value)` or `throw(value)` does once `this` is known to be ours. */
  request(type: number, value: unknown): Task<IteratorResult<unknown>> {
    if (this.#unstarted !== null && running.loop !== null) this.adoptPending();
    const capability = Task._future<IteratorResult<unknown>>(this.#label);
    let state = this.#state;
    if (type === NORMAL) {
      if (state === COMPLETED) {
        capability._resolve({ value: undefined, done: true });
        return capability;
      }
      this.#enqueue(NORMAL, value, capability);
      if (state === SUSPENDED_START || state === SUSPENDED_YIELD) this.#resume();
    } else if (type === RETURN) {
      this.#enqueue(RETURN, value, capability);
      if (state === SUSPENDED_START || state === COMPLETED) {
        this.#state = DRAINING_QUEUE;
        this.#phase = AWAIT_RETURN_START;
        this.#startTask();
      } else if (state === SUSPENDED_YIELD) {
        this.#resume();
      }
    } else {
      if (state === SUSPENDED_START) this.#state = state = COMPLETED;
      if (state === COMPLETED) {
        capability._reject(value);
        return capability;
      }
      this.#enqueue(THROW, value, capability);
      if (state === SUSPENDED_YIELD) this.#resume();
    }
    return this.#unstarted === null ? capability : Task._start(startThenWait(this, capability), true, this.#label);
  }

  /** 27.6.3.4 AsyncGeneratorEnqueue. */
  #enqueue(type: number, value: unknown, capability: Task<IteratorResult<unknown>>): void {
    if (this.#headCapability === null) {
      this.#headType = type;
      this.#headValue = value;
      this.#headCapability = capability;
    } else if (this.#rest === null) {
      this.#rest = [type, value, capability];
    } else {
      this.#rest.push(type, value, capability);
    }
  }

  /** 27.6.3.6 AsyncGeneratorResume: the body runs, in a Task that takes its first step now. */
  #resume(): void {
    this.#phase = this.#state === SUSPENDED_START ? TO_BODY : RESUMED;
    this.#state = EXECUTING;
    this.#startTask();
  }

  #startTask(): void {
    const task = Task._start<undefined>(this, true, this.#label);
    // With no loop running nothing steps it yet: the first request awaited in a loop adopts it.
    if (running.loop === null) this.#unstarted = task;
  }

  /** Hands the Task made while no loop ran, if it is still waiting for one, to the running loop. */
  adoptPending(): void {
    const task = this.#unstarted;
    if (task === null) return;
    this.#unstarted = null;
    if (task._adoptable) running.loop!.createTask(task);
  }

  /** 27.6.3.5 AsyncGeneratorCompleteStep: settles the oldest request and removes it. */
  #completeStep(type: number, value: unknown, done: boolean): void {
    const capability = this.#headCapability!;
    const rest = this.#rest;
    if (rest === null) {
      this.#headValue = this.#headCapability = null;
    } else {
      // The next request moves up to the head.
      const i = this.#restStart;
      this.#headType = rest[i] as number;
      this.#headValue = rest[i + 1];
      this.#headCapability = rest[i + 2] as Task<IteratorResult<unknown>>;
      if (i + 3 === rest.length) {
        this.#rest = null;
        this.#restStart = 0;
      } else {
        rest[i + 1] = rest[i + 2] = undefined; // let them go
        this.#restStart = i + 3;
      }
    }
    if (type === THROW) capability._reject(value);
    else capability._resolve({ value, done });
  }

  // ---- The Task's iterator ------------------------------------------------------------------

  /** The loop resumes the generator: an await settled with `value` (or it is the first step). */
  next(value?: unknown): IteratorResult<unknown, undefined> {
    return this.#step(NORMAL, value);
  }

  /** The loop resumes the generator by throwing: an await rejected, or its Task was cancelled. */
  throw(error: unknown): IteratorResult<unknown, undefined> {
    return this.#step(THROW, error);
  }

  /**
   * Delivers one completion where the generator stands and runs on until it must wait (an
   * await, given to the Task) or suspends or ends (DONE, which ends the Task). Each `case` is one
   * step of an abstract operation; `type` and `value` carry the completion from one to the next.
   */
  #step(type: number, value: unknown): IteratorResult<unknown, undefined> {
    for (;;) {
      switch (this.#phase) {
        case TO_BODY: {
          const body = this.#body;
          let r: IteratorResult<unknown, unknown>;
          try {
            if (type === NORMAL) {
              this.#sent = value;
              r = body.next(value);
            } else if (type === THROW) {
              r = body.throw(value);
            } else {
              r = body.return(value);
            }
          } catch (error) {
            return this.#bodyEnded(THROW, error);
          }
          if (r.done) return this.#bodyEnded(NORMAL, r.value);
          const request = r.value;
          if (request === YIELD) {
            // 27.6.3.8 AsyncGeneratorYield(value), the value its Await gave.
            if (!this.#yield(this.#sent)) return DONE;
            continue;
          }
          if (request instanceof IteratorRecord) {
            this.#delegate = request;
            this.#phase = DELEGATE;
            type = NORMAL; // received: NormalCompletion(undefined)
            value = undefined;
            continue;
          }
          return r; // an await: the Task's business; the body resumes here
        }

        case RESUMED:
          this.#phase = UNWRAP;
          type = this.#headType;
          value = this.#headValue;
          continue;

        case UNWRAP:
          // 27.6.3.7 AsyncGeneratorUnwrapYieldResumption: a return request awaits its value.
          if (type === RETURN) {
            this.#phase = UNWRAP_AWAITED;
            return this.#await(value, "");
          }
          this.#phase = AT_YIELD;
          continue;

        case UNWRAP_AWAITED:
          // A return completion with the awaited value, or the rejection thrown at the yield.
          type = type === NORMAL ? RETURN : THROW;
          this.#phase = AT_YIELD;
          continue;

        case AT_YIELD:
          this.#phase = this.#delegate === null ? TO_BODY : DELEGATE;
          continue;

        case DELEGATE: {
          const outcome = this.#delegateRound(type, value);
          if (outcome !== null) return outcome;
          type = this.#outType;
          value = this.#outValue;
          continue;
        }

        case INNER_RESULT:
        case INNER_RETURN_RESULT: {
          // yield* after Await(innerResult) (15.5.5 steps 7.a.ii-vi, 7.b.ii.2-7, 7.c.v-ix).
          const returning = this.#phase === INNER_RETURN_RESULT;
          if (type === THROW) {
            this.#leaveDelegation();
            continue;
          }
          const what = returning ? "The delegated iterator's return()" : "The delegated iterator's next() or throw()";
          let done: boolean;
          let inner: unknown;
          try {
            if (!isObject(value)) throw notAnObject(what, value);
            done = Boolean((value as { done?: unknown }).done);
            inner = (value as { value?: unknown }).value;
          } catch (error) {
            type = THROW;
            value = error;
            this.#leaveDelegation();
            continue;
          }
          if (done) {
            // The yield* is over: its value, or the return completing at it.
            type = returning ? RETURN : NORMAL;
            value = inner;
            this.#leaveDelegation();
            continue;
          }
          if (!this.#yield(inner)) return DONE;
          continue;
        }

        case INNER_RETURN_VALUE:
          // yield* 7.c.iii: Await(received.[[Value]]) settled; return completes at the yield*.
          if (type === NORMAL) type = RETURN;
          this.#leaveDelegation();
          continue;

        case INNER_CLOSED:
          // yield* 7.b.iii: AsyncIteratorClose(iteratorRecord, normal) done; then the TypeError.
          if (type === NORMAL) {
            type = THROW;
            value = isObject(value) ? missingThrow() : notAnObject("The delegated iterator's return()", value);
          }
          this.#leaveDelegation();
          continue;

        case AWAIT_RETURN_START:
          this.#phase = AWAIT_RETURN;
          return this.#await(this.#headValue, "");

        case AWAIT_RETURN:
          // 27.6.3.9 AsyncGeneratorAwaitReturn, its onFulfilled / onRejected.
          this.#completeStep(type, value, true);
          return this.#drainQueue();

        default:
          throw new Error(`AsyncGenContext: unknown phase ${this.#phase}; this is a bug in handloop.`);
      }
    }
  }

  /**
   * 15.5.5 yield*, the async branch: one round of its loop with `received`. Calls the inner
   * iterator and gives the await of what it returned; or, when the round throws or ends the
   * delegation without waiting, leaves the completion for the body in #outType / #outValue and
   * gives null.
   */
  #delegateRound(type: number, received: unknown): IteratorResult<unknown, undefined> | null {
    const record = this.#delegate!;
    const iterator = record.iterator;
    try {
      if (type === NORMAL) {
        // 7.a.i: Call(iteratorRecord.[[NextMethod]], iteratorRecord.[[Iterator]], « received »).
        const innerResult = callable(record.nextMethod, "The delegated iterator's next").call(iterator, received);
        this.#phase = INNER_RESULT;
        return this.#await(innerResult, record.site);
      }
      if (type === THROW) {
        const thrower = getIteratorMethod(iterator, "throw", "The delegated iterator's throw");
        if (thrower !== undefined) {
          const innerResult = thrower.call(iterator, received);
          this.#phase = INNER_RESULT;
          return this.#await(innerResult, record.site);
        }
        // 7.b.iii: no throw(): AsyncIteratorClose(iteratorRecord, NormalCompletion), then a TypeError.
        const close = getIteratorMethod(iterator, "return", "The delegated iterator's return");
        if (close === undefined) throw missingThrow();
        this.#phase = INNER_CLOSED;
        return this.#await(close.call(iterator), record.site);
      }
      // 7.c: a return completion.
      const close = getIteratorMethod(iterator, "return", "The delegated iterator's return");
      if (close === undefined) {
        this.#phase = INNER_RETURN_VALUE;
        return this.#await(received, record.site);
      }
      const innerReturnResult = close.call(iterator, received);
      this.#phase = INNER_RETURN_RESULT;
      return this.#await(innerReturnResult, record.site);
    } catch (error) {
      this.#leaveDelegation();
      this.#outType = THROW;
      this.#outValue = error;
      return null;
    }
  }

  /** The `yield*` is over: what comes next resumes the body at it. */
  #leaveDelegation(): void {
    this.#delegate = null;
    this.#phase = TO_BODY;
  }

  /** An Await of the generator's own: the Task waits on `value` and resumes this iterator. */
  #await(value: unknown, site: string): IteratorResult<unknown, undefined> {
    running.site = site;
    const awaiting = this.#awaiting;
    awaiting.value = value;
    return awaiting;
  }

  /**
   * 27.6.3.8 AsyncGeneratorYield(value): completes the oldest request with `value`. If more are
   * queued, the generator goes on without suspending, with the next one's completion (phase
   * RESUMED), and this gives true; else it suspends and this gives false.
   */
  #yield(value: unknown): boolean {
    this.#completeStep(NORMAL, value, false);
    if (this.#headCapability === null) {
      this.#state = SUSPENDED_YIELD;
      return false;
    }
    this.#phase = RESUMED;
    return true;
  }

  /**
   * 27.6.3.2 AsyncGeneratorStart, its last steps: the body returned (`value`, already awaited by
   * its `return`) or threw. The oldest request gets that, and the queue is drained.
   */
  #bodyEnded(type: number, value: unknown): IteratorResult<unknown, undefined> {
    this.#state = DRAINING_QUEUE;
    this.#delegate = null;
    this.#completeStep(type, value, true);
    return this.#drainQueue();
  }

  /**
   * 27.6.3.10 AsyncGeneratorDrainQueue: requests that came while the body ran settle as a
   * completed generator settles them, in order; a return request awaits its value first
   * (AsyncGeneratorAwaitReturn), in this same Task.
   */
  #drainQueue(): IteratorResult<unknown, undefined> {
    for (;;) {
      if (this.#headCapability === null) {
        this.#state = COMPLETED;
        return DONE;
      }
      const type = this.#headType;
      if (type === RETURN) {
        this.#phase = AWAIT_RETURN;
        return this.#await(this.#headValue, "");
      }
      if (type === THROW) this.#completeStep(THROW, this.#headValue, true);
      else this.#completeStep(NORMAL, undefined, true);
    }
  }
}

/**
 * A request made while no loop runs: its Task is this, which, once a loop adopts it, hands the
 * generator's Task to that loop too, then waits for the request.
 */
function* startThenWait(
  context: AsyncGenContext,
  capability: Task<IteratorResult<unknown>>,
): Generator<unknown, IteratorResult<unknown>, unknown> {
  context.adoptPending();
  return (yield capability) as IteratorResult<unknown>;
}

/**
 * What calling an `async function*` compiled by handloop returns: an async generator as 27.6
 * specifies it, whose `next`, `return` and `throw` give Tasks, so `for await` runs on the loop.
 * The methods live on one prototype, which inherits the engine's %AsyncIteratorPrototype%.
 */
export class AsyncGen<T = unknown, TReturn = unknown, TNext = unknown> implements AsyncGenerator<T, TReturn, TNext> {
  readonly #context: AsyncGenContext;

  /** @internal */
  constructor(body: AsyncGenBody, label: string) {
    this.#context = new AsyncGenContext(body, label);
  }

  /** 27.6.1.2 AsyncGenerator.prototype.next(value). */
  next(value?: TNext): Task<IteratorResult<T, TReturn>> {
    return AsyncGen.#request(this, NORMAL, value, "next") as Task<IteratorResult<T, TReturn>>;
  }

  /** 27.6.1.3 AsyncGenerator.prototype.return(value). */
  return(value?: TReturn | PromiseLike<TReturn>): Task<IteratorResult<T, TReturn>> {
    return AsyncGen.#request(this, RETURN, value, "return") as Task<IteratorResult<T, TReturn>>;
  }

  /** 27.6.1.4 AsyncGenerator.prototype.throw(exception). */
  throw(exception: unknown): Task<IteratorResult<T, TReturn>> {
    return AsyncGen.#request(this, THROW, exception, "throw") as Task<IteratorResult<T, TReturn>>;
  }

  /** 27.6.3.3 AsyncGeneratorValidate, then the request; a bad `this` gives a rejected Task. */
  static #request(generator: unknown, type: number, value: unknown, method: string): Task<IteratorResult<unknown>> {
    if (!isObject(generator) || !(#context in generator)) {
      return rejected(
        new TypeError(
          `AsyncGenerator.prototype.${method} was called on ${describe(generator)}, which is not an async generator. Call it on what an async generator function returned.`,
        ),
        "AsyncGenerator",
      );
    }
    return (generator as AsyncGen).#context.request(type, value);
  }
}

// Inherited from %AsyncIteratorPrototype% at run time (see below); declared here for the types.
export interface AsyncGen<T = unknown, TReturn = unknown, TNext = unknown> {
  [Symbol.asyncIterator](): AsyncGen<T, TReturn, TNext>;
}

// %AsyncGeneratorPrototype% (27.6.1): its [[Prototype]] and its @@toStringTag.
Object.setPrototypeOf(AsyncGen.prototype, AsyncIteratorPrototype);
Object.defineProperty(AsyncGen.prototype, Symbol.toStringTag, { value: "AsyncGenerator", configurable: true });

/** Compiler contract: calls a compiled `async function*` body and returns its AsyncGen. */
export function __agen<T>(body: Body<unknown>, thisArg: unknown, args: ArrayLike<unknown>, name: string): AsyncGen<T> {
  return new AsyncGen<T>(body.apply(thisArg as never, args as never[]) as unknown as AsyncGenBody, name || "AsyncGenerator");
}

/** Compiler contract: an `async function*` expression or object method around a compiled body. */
export function __wrapAgen<T>(body: Body<unknown>, name: string, length: number): (...args: unknown[]) => AsyncGen<T> {
  const label = name || "AsyncGenerator";
  // A method, as __wrap's wrapper is: `new` on it throws a TypeError, as on a native async generator function.
  const wrapper = {
    f(this: unknown): AsyncGen<T> {
      "use strict";
      // eslint-disable-next-line prefer-rest-params
      return new AsyncGen<T>(body.apply(this as never, arguments as never) as unknown as AsyncGenBody, label);
    },
  }.f;
  return named(wrapper, name, length);
}
