/**
 * sync/queue.ts: Queue, asyncio's FIFO queue on handloop's loop.
 *
 * Items go to waiting getters directly, first come first served, and blocked putters get their
 * slot in the order they blocked. Getting waits on one WaitOp the queue keeps, so a blocked `get`
 * allocates nothing. A getter cancelled after it was handed an item gives the item back (to the
 * front) and it goes to the next getter: cancelling never loses an item.
 * Invariants: getters wait only while the queue is empty; putters wait only while it is full.
 */

import { describe } from "../describe.js";
import { QueueEmptyError, QueueFullError, QueueShutDownError, UsageError } from "../errors.js";
import { Task } from "../task.js";
import { PARK, WaiterQueue, WaitOp } from "../wait.js";

/** Options of `new Queue()`. */
export interface QueueOptions {
  /** The most items the queue holds before `put` waits; 0 (the default) for no limit. */
  maxsize?: number;
}

/**
 * A first-in, first-out queue for passing items between tasks, with asyncio's API: `put` and `get`
 * wait (for room, for an item); `putNowait` and `getNowait` do not, and throw QueueFullError /
 * QueueEmptyError instead. `taskDone` and `join` count items through to their processing.
 * `shutdown()` ends it: putting throws QueueShutDownError, and so does getting once it is empty.
 *
 * @example
 * ```ts
 * const queue = new Queue<string>({ maxsize: 10 });
 * const producer = coroutine(function* () { for (const url of urls) yield* queue.put(url); queue.shutdown(); });
 * const consumer = coroutine(function* () {
 *   for (;;) {
 *     try { console.log(yield* queue.get()); } catch (e) { if (e instanceof QueueShutDownError) return; throw e; }
 *   }
 * });
 * ```
 */
export class Queue<T> {
  readonly #maxsize: number;
  #items: T[] = [];
  #head = 0;
  readonly #getters = new WaiterQueue();
  readonly #putters: PutOp<T>[] = [];
  readonly #joiners = new WaiterQueue();
  #unfinished = 0;
  #shutDown = false;
  readonly #getOp = new GetOp(this);
  readonly #joinOp = new JoinOp(this);

  constructor(options: QueueOptions = {}) {
    const maxsize = options.maxsize ?? 0;
    if (typeof maxsize !== "number" || !Number.isInteger(maxsize) || maxsize < 0) {
      throw new RangeError(`Expected \`maxsize\` of new Queue() to be an integer >= 0, got ${describe(maxsize)}.`);
    }
    this.#maxsize = maxsize;
  }

  /** The most items it holds (0: no limit). */
  get maxsize(): number {
    return this.#maxsize;
  }

  /** How many items it holds now. */
  get size(): number {
    return this.#items.length - this.#head;
  }

  empty(): boolean {
    return this.size === 0;
  }

  full(): boolean {
    return this.#maxsize > 0 && this.size >= this.#maxsize;
  }

  /** Waits for an item and takes it (FIFO among getters). After shutdown, an empty queue throws QueueShutDownError. */
  get(): WaitOp<T> {
    return this.#getOp;
  }

  /** Waits for room, then adds `item` (FIFO among putters). After shutdown, throws QueueShutDownError. */
  put(item: T): WaitOp<void> {
    return new PutOp(this, item);
  }

  /** Takes an item now, or throws QueueEmptyError (QueueShutDownError once shut down and empty). */
  getNowait(): T {
    if (this.size === 0) {
      if (this.#shutDown) throw new QueueShutDownError("getNowait() on a Queue that is shut down and empty.");
      throw new QueueEmptyError("getNowait() on an empty Queue; await get() to wait for an item.");
    }
    return this.#take();
  }

  /** Adds `item` now, or throws QueueFullError (QueueShutDownError once shut down). */
  putNowait(item: T): void {
    if (this.#shutDown) throw new QueueShutDownError("putNowait() on a Queue that is shut down.");
    if (this.full()) throw new QueueFullError(`putNowait() on a full Queue (maxsize ${this.#maxsize}); await put() to wait for room.`);
    this._add(item);
  }

  /** Marks one item taken earlier as processed; `join()` returns once every item is. */
  taskDone(): void {
    if (this.#unfinished === 0) {
      throw new UsageError("taskDone() was called more times than there were items put in the Queue.");
    }
    if (--this.#unfinished === 0) for (const task of this.#joiners.drain()) task._resume(this.#joinOp, undefined);
  }

  /** Waits until every item put has been marked processed with `taskDone()`. */
  join(): WaitOp<void> {
    return this.#joinOp;
  }

  /**
   * Shuts the queue down: blocked and later `put`s throw QueueShutDownError; `get`s go on taking
   * what is left, then throw it. With `immediate`, what is left is dropped (and counted done) and
   * blocked `get`s throw at once.
   */
  shutdown(immediate = false): void {
    this.#shutDown = true;
    if (immediate) {
      while (this.size > 0) {
        this.#take();
        if (this.#unfinished > 0) this.taskDone();
      }
    }
    for (const op of this.#putters.splice(0)) op._rejectShutDown();
    if (this.size === 0) {
      for (const task of this.#getters.drain()) {
        task._resumeThrow(this.#getOp, new QueueShutDownError("get() on a Queue that was shut down while it waited."));
      }
    }
  }

  /**
   * Iterates the items as they come, so `for await (const item of queue)` consumes the queue; the
   * loop ends when the queue is shut down and empty.
   */
  [Symbol.asyncIterator](): AsyncIterator<T, undefined> & { next(): Task<IteratorResult<T, undefined>> } {
    const queue = this;
    return {
      next: () => Task._start(nextItem(queue), false, "Queue.next"),
    };
  }

  // ---- For the ops ------------------------------------------------------------------------------

  /** @internal */
  get _shutDown(): boolean {
    return this.#shutDown;
  }

  /** @internal Adds an item: to the first waiting getter if there is one, else to the queue. */
  _add(item: T): void {
    this.#unfinished++;
    const getter = this.#getters.shift();
    if (getter !== undefined) getter._resume(this.#getOp, item);
    else this.#items.push(item);
  }

  /** @internal Whether `get` must wait. */
  get _mustWait(): boolean {
    return this.size === 0;
  }

  /** @internal */
  _take(): T {
    return this.#take();
  }

  /** @internal A getter was handed `item` but cancelled before it ran: it goes to the next getter, or back to the front. */
  _giveBack(item: T): void {
    const next = this.#getters.shift();
    if (next !== undefined) next._resume(this.#getOp, item);
    else if (this.#head > 0) this.#items[--this.#head] = item;
    else this.#items.unshift(item);
  }

  /** @internal */
  get _getters(): WaiterQueue {
    return this.#getters;
  }

  /** @internal */
  get _putters(): PutOp<T>[] {
    return this.#putters;
  }

  /** @internal */
  get _joiners(): WaiterQueue {
    return this.#joiners;
  }

  /** @internal */
  get _unfinished(): number {
    return this.#unfinished;
  }

  #take(): T {
    const item = this.#items[this.#head]!;
    this.#items[this.#head++] = undefined as T;
    if (this.#head === this.#items.length) {
      this.#items.length = 0;
      this.#head = 0;
    } else if (this.#head > 64 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    // A slot opened: the first blocked putter adds its item now.
    const putter = this.#putters.shift();
    if (putter !== undefined) putter._accept();
    return item;
  }
}

function* nextItem<T>(queue: Queue<T>): Generator<unknown, IteratorResult<T, undefined>, unknown> {
  try {
    return { value: (yield queue.get()) as T, done: false };
  } catch (error) {
    if (error instanceof QueueShutDownError) return { value: undefined, done: true };
    throw error;
  }
}

class GetOp<T> extends WaitOp<T> {
  readonly #queue: Queue<T>;
  constructor(queue: Queue<T>) {
    super();
    this.#queue = queue;
  }
  _begin(task: Task<unknown>): T | typeof PARK {
    const queue = this.#queue;
    if (!queue._mustWait) return queue._take();
    if (queue._shutDown) throw new QueueShutDownError("get() on a Queue that is shut down and empty.");
    queue._getters.push(task);
    return PARK;
  }
  _cancel(task: Task<unknown>, delivered: boolean, value: unknown): void {
    if (delivered) this.#queue._giveBack(value as T);
    else this.#queue._getters.remove(task);
  }
  _describe(): string {
    return "an item from a Queue (get)";
  }
}

class PutOp<T> extends WaitOp<void> {
  readonly #queue: Queue<T>;
  readonly #item: T;
  #task: Task<unknown> | null = null;
  constructor(queue: Queue<T>, item: T) {
    super();
    this.#queue = queue;
    this.#item = item;
  }
  _begin(task: Task<unknown>): undefined | typeof PARK {
    const queue = this.#queue;
    if (queue._shutDown) throw new QueueShutDownError("put() on a Queue that is shut down.");
    if (!queue.full() && queue._putters.length === 0) {
      queue._add(this.#item);
      return undefined;
    }
    this.#task = task;
    queue._putters.push(this);
    return PARK;
  }
  /** A slot opened for this blocked put: the item goes in, the putter resumes. */
  _accept(): void {
    this.#queue._add(this.#item);
    this.#task?._resume(this, undefined);
  }
  _rejectShutDown(): void {
    this.#task?._resumeThrow(this, new QueueShutDownError("put() on a Queue that was shut down while it waited."));
  }
  _cancel(_task: Task<unknown>, delivered: boolean): void {
    // Once accepted, the item stays put: it may already be on its way to a getter.
    if (delivered) return;
    const putters = this.#queue._putters;
    const i = putters.indexOf(this);
    if (i !== -1) putters.splice(i, 1);
  }
  _describe(): string {
    return "room in a full Queue (put)";
  }
}

class JoinOp<T> extends WaitOp<void> {
  readonly #queue: Queue<T>;
  constructor(queue: Queue<T>) {
    super();
    this.#queue = queue;
  }
  _begin(task: Task<unknown>): undefined | typeof PARK {
    if (this.#queue._unfinished === 0) return undefined;
    this.#queue._joiners.push(task);
    return PARK;
  }
  _cancel(task: Task<unknown>, delivered: boolean): void {
    if (!delivered) this.#queue._joiners.remove(task);
  }
  _describe(): string {
    return "every item of a Queue to be processed (join)";
  }
}
