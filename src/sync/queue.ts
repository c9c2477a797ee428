/**
 * sync/queue.ts: Queue, asyncio's FIFO queue on handloop's loop.
 *
 * Items go to waiting getters directly, first come first served, and blocked putters get their
 * slot in the order they blocked. Getting waits on one WaitOp the queue keeps, so a blocked `get`
 * allocates nothing.
 *
 * A hand-off is taken only when the task it was handed to runs (WaitOp#_commit), as in asyncio,
 * where a woken getter or putter does its part when it runs again. Until then it can be undone:
 * - a getter cancelled after it was handed an item gives the item back (to the next getter, else
 *   to the front): cancelling never loses an item;
 * - a putter cancelled after a slot opened for it adds nothing, and the slot goes to the next
 *   putter: a cancelled `put` raises CancelledError with its item not in the queue, so a caller
 *   that retries it does not add it twice.
 * So an item handed to a getter that has not run yet, and a slot promised to a putter that has not
 * run yet, each still take their place: `full()` counts them, and the queue never holds more than
 * `maxsize` items, however the hand-offs are cancelled.
 * Invariants: getters wait only while no item is buffered; putters wait only while it is full;
 * buffered + handed out + promised <= maxsize (when bounded).
 */

import { describe } from "../describe.js";
import { QueueEmptyError, QueueFullError, QueueShutDownError, UsageError } from "../errors.js";
import type { Task } from "../task.js";
import { Operation, PARK, WaiterQueue, WaitOp } from "../wait.js";

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
  // Items handed to getters that have not run yet; slots promised to putters that have not run yet.
  #handedOut = 0;
  #promised = 0;
  // Bumped by shutdown(immediate): a put promised a slot before it drops its item when it runs.
  #epoch = 0;
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

  /** How many items it holds now, ready to be taken. */
  get size(): number {
    return this.#items.length - this.#head;
  }

  /** Whether no item is ready to be taken. */
  empty(): boolean {
    return this.size === 0;
  }

  /**
   * Whether `put` would wait: the items held, with those handed to getters and the slots promised
   * to putters that have not run yet, fill `maxsize`.
   */
  full(): boolean {
    return this.#maxsize > 0 && this.size + this.#handedOut + this.#promised >= this.#maxsize;
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
      if (this._dry) throw new QueueShutDownError("getNowait() on a Queue that is shut down and empty.");
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
    for (const op of this.#putters.splice(0)) op._rejectShutDown();
    if (immediate) {
      while (this.size > 0) {
        this.#take();
        if (this.#unfinished > 0) this.taskDone();
      }
      // A put promised a slot before now has been accepted: it returns, its item dropped like these.
      this.#epoch++;
    }
    this.#failGettersIfDry();
  }

  /**
   * Iterates the items as they come, so `for await (const item of queue)` consumes the queue; the
   * loop ends when the queue is shut down and empty. Each `next()` gets an item in the task that
   * awaits it (an Operation), so cancelling a `for await` never loses an item on its way to it.
   */
  [Symbol.asyncIterator](): { next(): Operation<IteratorResult<T, undefined>> } & AsyncIterator<T, undefined> {
    const queue = this;
    return {
      next: () => new Operation(() => nextItem(queue), "Queue's next()"),
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
    if (getter !== undefined) this.#handOut(getter, item);
    else this.#items.push(item);
  }

  /**
   * Hands `item` to a waiting getter. In a bounded queue it keeps its slot until the getter runs
   * (GetOp#_commit); an unbounded one has no slots to count, so its hand-off is a plain resume and
   * costs the stepper nothing more.
   */
  #handOut(getter: Task<unknown>, item: T): void {
    if (this.#maxsize === 0) return getter._resume(this.#getOp, item);
    this.#handedOut++;
    getter._resume(this.#getOp, item, true);
  }

  /** @internal Whether `get` must wait. */
  get _mustWait(): boolean {
    return this.size === 0;
  }

  /** @internal Shut down, nothing held and no promised put to come: `get` fails. */
  get _dry(): boolean {
    return this.#shutDown && this.size === 0 && this.#promised === 0;
  }

  /** @internal */
  _take(): T {
    return this.#take();
  }

  /** @internal A getter ran with the item it was handed: its slot is free. */
  _gotten(): void {
    this.#handedOut--;
    this.#admitPutters();
  }

  /** @internal A getter was handed `item` but cancelled before it ran: it goes to the next getter, or back to the front. */
  _giveBack(item: T): void {
    if (this.#maxsize > 0) this.#handedOut--;
    const next = this.#getters.shift();
    if (next !== undefined) this.#handOut(next, item);
    else if (this.#head > 0) this.#items[--this.#head] = item;
    else this.#items.unshift(item);
  }

  /** @internal A putter promised a slot runs: its item goes in, unless shutdown(immediate) dropped it. */
  _putPromised(item: T, epoch: number): void {
    this.#promised--;
    if (epoch === this.#epoch) this._add(item);
    this.#failGettersIfDry();
  }

  /** @internal A putter promised a slot was cancelled before it ran: the slot goes to the next one. */
  _unpromise(): void {
    this.#promised--;
    this.#admitPutters();
    this.#failGettersIfDry();
  }

  /** @internal */
  get _epoch(): number {
    return this.#epoch;
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
    this.#admitPutters(); // a slot opened
    return item;
  }

  /** Promises each free slot to the first blocked putter; it adds its item when it runs. */
  #admitPutters(): void {
    while (this.#putters.length > 0 && !this.full()) {
      this.#promised++;
      this.#putters.shift()!._admit();
    }
  }

  /** Once shut down, with nothing left and nothing promised, every waiting getter fails. */
  #failGettersIfDry(): void {
    if (!this._dry) return;
    for (const task of this.#getters.drain()) {
      task._resumeThrow(this.#getOp, new QueueShutDownError("get() on a Queue that was shut down while it waited."));
    }
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
    if (queue._dry) throw new QueueShutDownError("get() on a Queue that is shut down and empty.");
    queue._getters.push(task);
    return PARK;
  }
  override _commit(): void {
    this.#queue._gotten();
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
  #epoch = 0; // the queue's epoch when a slot was promised to this put
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
  /** A slot is promised to this blocked put: the putter resumes, and its item goes in when it runs. */
  _admit(): void {
    this.#epoch = this.#queue._epoch;
    this.#task!._resume(this, undefined, true);
  }
  _rejectShutDown(): void {
    this.#task!._resumeThrow(this, new QueueShutDownError("put() on a Queue that was shut down while it waited."));
  }
  override _commit(): void {
    this.#queue._putPromised(this.#item, this.#epoch);
  }
  _cancel(_task: Task<unknown>, delivered: boolean): void {
    // Cancelled after the slot was promised, before it ran: nothing was added, the slot passes on.
    if (delivered) return this.#queue._unpromise();
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
