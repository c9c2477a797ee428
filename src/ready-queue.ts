/**
 * ready-queue.ts: the loop's FIFO of things to run this turn or the next.
 *
 * A growable ring buffer: push and shift allocate nothing once it has grown to the working size
 * (an Array used as a queue with `shift()` copies or degrades to a slow mode on large queues).
 * Capacity is a power of two so wrapping is a mask.
 */

/** @internal Anything the loop can run: a task's next step, a callback, a `then` reaction. */
export interface Runnable {
  _run(): void;
}

/** @internal */
export class ReadyQueue {
  // A literal, not `new Array(16).fill()`: filling a new array's holes calls setters that a
  // program may have put on Array.prototype's indices (test262 does), and a loop makes a queue on
  // close() too, at the end of runAsync(), after the program ran.
  #items: (Runnable | undefined)[] = [
    undefined, undefined, undefined, undefined, undefined, undefined, undefined, undefined,
    undefined, undefined, undefined, undefined, undefined, undefined, undefined, undefined,
  ];
  #head = 0;
  #length = 0;

  get length(): number {
    return this.#length;
  }

  push(item: Runnable): void {
    const items = this.#items;
    if (this.#length === items.length) {
      this.#grow();
      return this.push(item);
    }
    items[(this.#head + this.#length) & (items.length - 1)] = item;
    this.#length++;
  }

  /** The item at the head, left in place. */
  first(): Runnable | undefined {
    return this.#length === 0 ? undefined : this.#items[this.#head];
  }

  /** The item `i` places behind the head, left in place. */
  at(i: number): Runnable | undefined {
    return i < this.#length ? this.#items[(this.#head + i) & (this.#items.length - 1)] : undefined;
  }

  shift(): Runnable | undefined {
    if (this.#length === 0) return undefined;
    const items = this.#items;
    const item = items[this.#head];
    items[this.#head] = undefined;
    this.#head = (this.#head + 1) & (items.length - 1);
    this.#length--;
    return item;
  }

  /**
   * Moves the item `i` places behind the head to the head, the others keeping their order: how a
   * schedule explorer (explore/) runs any ready item next. `0 < i < length`.
   */
  moveToHead(i: number): void {
    const items = this.#items;
    const mask = items.length - 1;
    const head = this.#head;
    const item = items[(head + i) & mask];
    for (let j = i; j > 0; j--) items[(head + j) & mask] = items[(head + j - 1) & mask];
    items[head] = item;
  }

  #grow(): void {
    const old = this.#items;
    const items = new Array<Runnable | undefined>(old.length * 2).fill(undefined);
    for (let i = 0; i < this.#length; i++) items[i] = old[(this.#head + i) & (old.length - 1)];
    this.#items = items;
    this.#head = 0;
  }
}
