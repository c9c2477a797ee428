/**
 * unhandled.ts: what becomes of a task that failed while nothing observed its outcome, and of a
 * LoopPromise rejected with no handler (promise.ts's HostPromiseRejectionTracker).
 *
 * A task that fails with no waiter, or a LoopPromise rejected with no handler, is noted; once the loop's ready queue drains (or the run ends
 * first), those still unobserved (no `await`, `then`, `result()`... in the meantime) go to the
 * policy, once each. That is when Node looks at unhandled rejections, once the microtask queue
 * drains: `await a; await b;` with both failing in one step reports neither, since the work that
 * was ready (the awaiter resuming after `a`) reaches `b` before the queue drains. The loop asks
 * `fatal` after each check: under the "throw" policy it then ends the run and throws `takeError()`.
 * Invariant: an error (object) goes to the policy at most once, whichever tasks or promises it
 * failed: a task that awaited a task already reported, and failed with the same error in turn, is
 * not reported again (the policy already has that error; it is delivered once), nor is a promise
 * that `then()` derived from a rejected one and that nothing handled either.
 */

import { describe } from "./describe.js";
import { UnhandledTaskError } from "./errors.js";
import { isLoopPromise, promiseResult, takeUnhandledRejection, type LoopPromise } from "./promise.js";
import type { Task } from "./task.js";

/**
 * What a loop does with a task that failed while nothing observed its outcome, or a LoopPromise
 * rejected with no handler (checked once the ready queue drains after it failed): `"throw"` ends
 * the run there with an UnhandledTaskError (as Node does with an unhandled rejection), `"warn"`
 * writes one line to stderr, a function is called with the error and the task or promise. A Task
 * is a LoopPromise too (`instanceof`), so tell them apart with `source instanceof Task`.
 *
 * @example
 * ```ts
 * const unhandledError: UnhandledErrorPolicy = (error, source) =>
 *   console.warn(source instanceof Task ? `task ${source.name} failed` : "a promise was rejected", error);
 * ```
 */
export type UnhandledErrorPolicy =
  | "throw"
  | "warn"
  | ((error: unknown, source: Task<unknown> | LoopPromise<unknown>) => void);

/** @internal One loop's bookkeeping of unobserved failures. */
export class UnhandledErrors {
  readonly #policy: UnhandledErrorPolicy;
  // Failed with no waiter, to check once the ready queue drains; null when there are none.
  #noted: (Task<unknown> | LoopPromise<unknown>)[] | null = null;
  // Reported under the "throw" policy, to throw when the run ends.
  #fatal: (Task<unknown> | LoopPromise<unknown>)[] = [];
  // The errors reported so far (objects; a thrown primitive cannot be told apart, so it is not kept).
  readonly #reported = new WeakSet<object>();

  constructor(policy: UnhandledErrorPolicy) {
    if (policy !== "throw" && policy !== "warn" && typeof policy !== "function") {
      throw new TypeError(
        `Expected \`unhandledError\` of new EventLoop() to be "throw", "warn" or a function, got ${describe(policy)}.`,
      );
    }
    this.#policy = policy;
  }

  /** A task failed with nobody waiting on it, or a LoopPromise was rejected with no handler. */
  note(source: Task<unknown> | LoopPromise<unknown>): void {
    (this.#noted ??= []).push(source);
  }

  /**
   * Whether a check has anything to do: a failure was noted. (A fatal one kept from an earlier
   * check needs no new look: the run stopped there, or is draining.)
   */
  get pending(): boolean {
    return this.#noted !== null;
  }

  /** Applies the policy to the tasks noted since the last check that are still unobserved. */
  check(): void {
    const sources = this.#noted;
    if (sources === null) return;
    this.#noted = null;
    const policy = this.#policy;
    for (const source of sources) {
      let error: unknown;
      if (isLoopPromise(source)) {
        if (!takeUnhandledRejection(source)) continue; // (it now counts as handled: reported once)
        error = promiseResult(source);
      } else {
        if (source._observed) continue;
        error = source.exception(); // marks it observed: it is reported once
      }
      if ((typeof error === "object" && error !== null) || typeof error === "function") {
        if (this.#reported.has(error)) continue;
        this.#reported.add(error);
      }
      if (policy === "throw") this.#fatal.push(source);
      else if (policy === "warn") console.error(`handloop: ${failed(source)}: ${oneLine(error)}`);
      else policy(error, source);
    }
  }

  /** Whether the "throw" policy has something to throw. */
  get fatal(): boolean {
    return this.#fatal.length > 0;
  }

  /** The UnhandledTaskError for what the "throw" policy collected; clears it. */
  takeError(): UnhandledTaskError {
    const sources = this.#fatal;
    this.#fatal = [];
    const first = sources[0]!;
    const error = isLoopPromise(first) ? promiseResult(first) : first.exception();
    const more =
      sources.length > 1 ? ` (and ${sources.length - 1} more: ${sources.slice(1).map(sourceName).join(", ")})` : "";
    const what = failed(first);
    const advice = isLoopPromise(first)
      ? "Await it or give it a handler (catch()) before the ready queue drains, or give the loop an unhandledError policy."
      : `Await the ${kind(first)}, gather it, or give the loop an unhandledError policy.`;
    return new UnhandledTaskError(
      `${what.charAt(0).toUpperCase()}${what.slice(1)}${more}: ${oneLine(error).replace(/\.$/, "")}. ${advice}`,
      sources.filter((s): s is Task<unknown> => !isLoopPromise(s)),
      error,
      sources.filter(isLoopPromise),
    );
  }
}

/** `task "x" failed and nothing observed it` (or `future "x"`), or the same of a promise, for messages. */
function failed(source: Task<unknown> | LoopPromise<unknown>): string {
  return isLoopPromise(source)
    ? "a LoopPromise was rejected and nothing handled it"
    : `${kind(source)} "${source.name}" failed and nothing observed it`;
}

/** "task", or "future" for a Future. */
function kind(task: Task<unknown>): string {
  return task[Symbol.toStringTag].toLowerCase();
}

function sourceName(source: Task<unknown> | LoopPromise<unknown>): string {
  return isLoopPromise(source) ? "a LoopPromise" : `"${source.name}"`;
}

function oneLine(error: unknown): string {
  return (error instanceof Error ? `${error.name}: ${error.message}` : describe(error)).split("\n")[0]!;
}
