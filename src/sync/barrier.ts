/**
 * sync/barrier.ts: Barrier, a meeting point for a fixed number of tasks (a cyclic barrier).
 */

import { describe } from "../describe.js";
import type { Task } from "../task.js";
import { PARK, WaiterQueue, WaitOp } from "../wait.js";

/**
 * Makes `parties` tasks wait for each other: `wait()` blocks until `parties` tasks are waiting,
 * then all of them go on, each given its arrival index (0 for the first). The barrier then starts
 * over for the next round. A task cancelled while waiting leaves, and the round waits for another.
 *
 * @example
 * ```ts
 * const start = new Barrier(3);
 * const runner = coroutine(function* (name: string) { yield* start.wait(); console.log(`${name} goes`); });
 * ```
 */
export class Barrier {
  readonly #parties: number;
  readonly #waiters = new WaiterQueue();
  readonly #waitOp = new BarrierWait(this);

  constructor(parties: number) {
    if (typeof parties !== "number" || !Number.isInteger(parties) || parties < 1) {
      throw new RangeError(`Expected \`parties\` of new Barrier() to be an integer >= 1, got ${describe(parties)}.`);
    }
    this.#parties = parties;
  }

  /** How many tasks each round needs. */
  get parties(): number {
    return this.#parties;
  }

  /** How many tasks are waiting in the current round. */
  get waiting(): number {
    return this.#waiters.length;
  }

  /** Waits until `parties` tasks are waiting; gives this task's arrival index in the round. */
  wait(): WaitOp<number> {
    return this.#waitOp;
  }

  /** @internal */
  _arrive(task: Task<unknown>): number | typeof PARK {
    if (this.#waiters.length + 1 < this.#parties) {
      this.#waiters.push(task);
      return PARK;
    }
    const index = this.#waiters.length;
    const round = this.#waiters.drain();
    for (let i = 0; i < round.length; i++) round[i]!._resume(this.#waitOp, i);
    return index;
  }

  /** @internal */
  get _waiters(): WaiterQueue {
    return this.#waiters;
  }
}

class BarrierWait extends WaitOp<number> {
  readonly #barrier: Barrier;
  constructor(barrier: Barrier) {
    super();
    this.#barrier = barrier;
  }
  _begin(task: Task<unknown>): number | typeof PARK {
    return this.#barrier._arrive(task);
  }
  _cancel(task: Task<unknown>, delivered: boolean): void {
    // Released with its round but cancelled before it ran: the round has passed, nothing to undo.
    if (!delivered) this.#barrier._waiters.remove(task);
  }
  _describe(): string {
    return `a Barrier to fill (${this.#barrier.waiting} of ${this.#barrier.parties} waiting)`;
  }
}
