/**
 * sync/event.ts: Event, a flag tasks can wait for (asyncio's Event).
 */

import type { Task } from "../task.js";
import { PARK, WaiterQueue, WaitOp } from "../wait.js";

/**
 * A flag that starts clear. `wait()` returns at once while it is set, else waits until `set()`;
 * `set()` wakes every waiter, in the order they started waiting. `clear()` clears it again.
 *
 * @example
 * ```ts
 * const ready = new Event();
 * const waiter = coroutine(function* () { yield* ready.wait(); console.log("go"); });
 * loop.callLater(1, () => ready.set());
 * ```
 */
export class Event {
  #set = false;
  readonly #waiters = new WaiterQueue();
  readonly #waitOp = new EventWait(this);

  /** Whether the flag is set. */
  isSet(): boolean {
    return this.#set;
  }

  /** Sets the flag and wakes every waiter. */
  set(): void {
    if (this.#set) return;
    this.#set = true;
    for (const task of this.#waiters.drain()) task._resume(this.#waitOp, true);
  }

  /** Clears the flag; later `wait()`s wait for the next `set()`. */
  clear(): void {
    this.#set = false;
  }

  /** Waits until the flag is set (at once if it is); gives `true`. */
  wait(): WaitOp<true> {
    return this.#waitOp;
  }

  /** @internal */
  get _waiters(): WaiterQueue {
    return this.#waiters;
  }
}

class EventWait extends WaitOp<true> {
  readonly #event: Event;
  constructor(event: Event) {
    super();
    this.#event = event;
  }
  _begin(task: Task<unknown>): true | typeof PARK {
    if (this.#event.isSet()) return true;
    this.#event._waiters.push(task);
    return PARK;
  }
  _cancel(task: Task<unknown>, delivered: boolean): void {
    if (!delivered) this.#event._waiters.remove(task);
  }
  _describe(): string {
    return "an Event to be set";
  }
}
