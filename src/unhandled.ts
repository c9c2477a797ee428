/**
 * unhandled.ts: what becomes of a task that failed while nothing observed its outcome.
 *
 * A task that fails with no waiter is noted; once the loop's ready queue drains (or the run ends
 * first), those still unobserved (no `await`, `then`, `result()`... in the meantime) go to the
 * policy, once each. That is when Node looks at unhandled rejections, once the microtask queue
 * drains: `await a; await b;` with both failing in one step reports neither, since the work that
 * was ready (the awaiter resuming after `a`) reaches `b` before the queue drains. The loop asks
 * `fatal` after each check: under the "throw" policy it then ends the run and throws `takeError()`.
 * Invariant: an error (object) goes to the policy at most once, whichever tasks it failed: a task
 * that awaited a task already reported, and failed with the same error in turn, is not reported
 * again (the policy already has that error; it is delivered once).
 */

import { describe } from "./describe.js";
import { UnhandledTaskError } from "./errors.js";
import type { Task } from "./task.js";

/**
 * What a loop does with a task that failed while nothing observed its outcome (checked once the
 * ready queue drains after it failed): `"throw"` ends the run there with an
 * UnhandledTaskError (as Node does with an unhandled rejection), `"warn"` writes one line to
 * stderr, a function is called with the error and the task.
 */
export type UnhandledErrorPolicy = "throw" | "warn" | ((error: unknown, task: Task<unknown>) => void);

/** @internal One loop's bookkeeping of unobserved failures. */
export class UnhandledErrors {
  readonly #policy: UnhandledErrorPolicy;
  // Failed with no waiter, to check once the ready queue drains; null when there are none.
  #noted: Task<unknown>[] | null = null;
  // Reported under the "throw" policy, to throw when the run ends.
  #fatal: Task<unknown>[] = [];
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

  /** A task failed with nobody waiting on it. */
  note(task: Task<unknown>): void {
    (this.#noted ??= []).push(task);
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
    const tasks = this.#noted;
    if (tasks === null) return;
    this.#noted = null;
    const policy = this.#policy;
    for (const task of tasks) {
      if (task._observed) continue;
      const error = task.exception(); // marks it observed: it is reported once
      if ((typeof error === "object" && error !== null) || typeof error === "function") {
        if (this.#reported.has(error)) continue;
        this.#reported.add(error);
      }
      if (policy === "throw") this.#fatal.push(task);
      else if (policy === "warn") console.error(`handloop: task "${task.name}" failed and nothing observed it: ${oneLine(error)}`);
      else policy(error, task);
    }
  }

  /** Whether the "throw" policy has something to throw. */
  get fatal(): boolean {
    return this.#fatal.length > 0;
  }

  /** The UnhandledTaskError for what the "throw" policy collected; clears it. */
  takeError(): UnhandledTaskError {
    const tasks = this.#fatal;
    this.#fatal = [];
    const first = tasks[0]!;
    const error = first.exception();
    const more =
      tasks.length > 1 ? ` (and ${tasks.length - 1} more: ${tasks.slice(1).map((t) => `"${t.name}"`).join(", ")})` : "";
    return new UnhandledTaskError(
      `Task "${first.name}" failed and nothing observed it${more}: ${oneLine(error).replace(/\.$/, "")}. ` +
        "Await the task, gather it, or give the loop an unhandledError policy.",
      tasks,
      error,
    );
  }
}

function oneLine(error: unknown): string {
  return (error instanceof Error ? `${error.name}: ${error.message}` : describe(error)).split("\n")[0]!;
}
