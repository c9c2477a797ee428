/**
 * group.ts: task groups, Trio's nursery in asyncio's words.
 *
 * A group owns its body and every child spawned into it. Its task ends only when all of them have
 * ended. The first failure (body or child; cancellations do not count) cancels everything still
 * running; once all have finished their cleanup, the group fails with a TaskGroupError holding
 * every error in the order they happened. Cancelling the group's task cancels everything in it.
 * The group is a waiter on each child, so it observes every child's outcome: no error is lost.
 * The cancelling happens at the end of the turn of the first failure, so children that fail at the
 * same instant (already woken in that turn) all have their errors reported.
 * Invariant: `#running` holds exactly the children that have not finished.
 */

import { coroutine } from "./coroutine.js";
import { describe } from "./describe.js";
import { TaskGroupError, UsageError } from "./errors.js";
import { currentLoop, type AwaitableLike, type EventLoop, type TaskOptions } from "./loop.js";
import { Task } from "./task.js";

/**
 * The handle a task group's body gets: `spawn` starts a child the group owns. Spawning into a
 * group that has finished is a UsageError. (Internally the group is a waiter on each child.)
 *
 * @example
 * ```ts
 * const results = yield* taskGroup(function* (group) {
 *   const a = group.spawn(fetchPage("a"));
 *   const b = group.spawn(fetchPage("b"));
 *   return [yield* a, yield* b];
 * });
 * ```
 */
export class TaskGroup {
  readonly #loop: EventLoop;
  readonly #running = new Set<Task<unknown>>();
  readonly #errors: unknown[] = [];
  #cancelling = false;
  #closed = false;
  #idle: Task<void> | null = null;

  /** @internal */
  constructor(loop: EventLoop) {
    this.#loop = loop;
  }

  /**
   * Starts `work` as a child of this group (on the loop's next turn, as `createTask`) and returns
   * its task. A child spawned while the group is failing or cancelled is cancelled at once.
   */
  spawn<T>(work: AwaitableLike<T>, options?: TaskOptions): Task<T> {
    if (this.#closed) {
      throw new UsageError(
        `Cannot spawn ${describe(work)} into a task group that has finished; spawn from its body or its children while it runs.`,
      );
    }
    const child = this.#loop.createTask(work, options);
    if (child.done()) {
      this.#settled(child);
      return child;
    }
    this.#running.add(child);
    child._addWaiter(this);
    if (this.#cancelling) child.cancel();
    return child;
  }

  /** @internal A child finished. */
  _wake(child: Task<unknown>): void {
    this.#running.delete(child);
    this.#settled(child);
    if (this.#running.size === 0) this.#idle?._resolve(undefined);
  }

  #settled(child: Task<unknown>): void {
    if (child.cancelled()) return;
    const error = child.exception();
    if (error === undefined && !child._failed) return;
    this.#errors.push(error);
    this._cancelAll();
  }

  /** @internal The body threw before it could become a task. */
  _fail(error: unknown): void {
    this.#errors.push(error);
    this._cancelAll();
  }

  /**
   * @internal Cancels every child still running (once), at the end of this turn: children already
   * woken in this turn run first, so two that fail at the same instant are both reported.
   */
  _cancelAll(): void {
    if (this.#cancelling) return;
    this.#cancelling = true;
    this.#loop.callSoon(() => {
      for (const child of this.#running) child.cancel();
    });
  }

  /** @internal A future settled when no child is running. */
  _whenIdle(): Task<void> | null {
    if (this.#running.size === 0) return null;
    this.#idle = Task._future<void>("task-group-idle");
    return this.#idle;
  }

  /** @internal No more spawning; the errors, in the order they happened. */
  _close(): unknown[] {
    this.#closed = true;
    return this.#errors;
  }
}

const grouping = coroutine(function* taskGroup<T>(body: (group: TaskGroup) => AwaitableLike<T>) {
  const group = new TaskGroup(currentLoop());
  let main: Task<T> | null = null;
  let cancelledBy: unknown = null;
  try {
    main = group.spawn(body(group));
  } catch (error) {
    group._fail(error);
  }
  for (let idle = group._whenIdle(); idle !== null; idle = group._whenIdle()) {
    try {
      yield idle;
    } catch (error) {
      // The group's own task was cancelled: everything in it goes, and it ends after their cleanup.
      cancelledBy ??= error;
      group._cancelAll();
    }
  }
  const errors = group._close();
  if (errors.length > 0) {
    const first = errors[0];
    const what = first instanceof Error ? `${first.name}: ${first.message}` : describe(first);
    throw new TaskGroupError(
      errors,
      `${errors.length} ${errors.length === 1 ? "task" : "tasks"} in the group failed; the first: ${what}`,
    );
  }
  if (cancelledBy !== null) throw cancelledBy;
  return main!.result();
});

/**
 * Runs `body(group)` as the first child of a new task group and returns the group's task, which
 * ends when the body and every child spawned into the group have ended, with the body's result.
 * The first failure cancels the body and all other children; after their cleanup the group fails
 * with a TaskGroupError listing every error (cancellations excluded) in the order they happened.
 * Cancelling the group's task cancels everything in it. `body` is a coroutine function or a
 * compiled async function.
 *
 * @example
 * ```ts
 * const total = yield* taskGroup(function* (group) {
 *   const pages = urls.map((url) => group.spawn(fetchPage(url)));
 *   let sum = 0;
 *   for (const page of pages) sum += (yield* page).length;
 *   return sum;
 * });
 * ```
 */
export function taskGroup<T>(body: (group: TaskGroup) => AwaitableLike<T>): Task<T> {
  if (typeof body !== "function") {
    throw new TypeError(`Expected \`body\` of taskGroup() to be a function taking the group, got ${describe(body)}.`);
  }
  return grouping(body) as Task<T>;
}
