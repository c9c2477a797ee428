/**
 * timer-heap.ts: a binary min-heap of timers ordered by (deadline, stamp).
 *
 * Every push gets a *stamp*, a number handed out in scheduling order: it breaks ties between equal
 * deadlines (first scheduled fires first, deterministically) and it names that one arming of the
 * entry. A sleeping task is its own timer entry and remembers the stamp it parked with, so parking
 * allocates nothing.
 *
 * Cancelling is lazy: the entry stays in the heap and is dropped when it reaches the top (the
 * entry answers `_armed(stamp)` false from then on), which spares the heap a back-pointer in every
 * entry and a write to it at every level of every sift. So that cancelled timers cannot pile up,
 * the owner reports each cancel (`cancelled()`) and the heap rebuilds itself without them once
 * they are more than half of it. The keys live in two arrays beside the entries, so sifting
 * compares numbers in order in memory instead of visiting a different object at every level
 * (with 100,000 sleepers, those visits were cache misses); a stamp is read only when two
 * deadlines tie, so most levels touch the deadlines alone.
 *
 * Invariant: `#items[i]`, `#deadlines[i]`, `#stamps[i]` are one timer; the top, once
 * `nextDeadline()` has run, is armed.
 */

/** @internal Something that can sit on the timer heap. Its keys are kept by the heap. */
export interface TimerEntry {
  /** Whether the timer pushed with `stamp` still stands (not cancelled, not re-armed since). */
  _armed(stamp: number): boolean;
  /** Called by the loop when the timer reaches its deadline (armed) and leaves the heap. */
  _due(): void;
}

// Below this many cancelled timers, never bother rebuilding.
const MIN_COMPACTION = 64;

/** @internal */
export class TimerHeap<E extends TimerEntry> {
  // Slots [0, #count) hold the heap. The arrays never shrink while in use: Array.prototype.pop
  // may trim an emptying array's backing store, which a heap that drains and fills again would
  // pay for over and over.
  #items: (E | undefined)[] = [];
  #deadlines: number[] = [];
  #stamps: number[] = [];
  #count = 0;
  #nextStamp = 0;
  // Cancelled entries still in the heap (reported by `cancelled()`, not yet dropped).
  #cancelled = 0;

  /** Whether the heap holds anything, armed or not: what a turn checks before reading the clock. */
  get empty(): boolean {
    return this.#count === 0;
  }

  /** How many timers stand armed (cancelled ones waiting to be dropped are not counted). */
  get armed(): number {
    return this.#count - this.#cancelled;
  }

  /** The earliest armed deadline, or Infinity when there is none. Drops cancelled timers on top. */
  nextDeadline(): number {
    while (this.#count > 0) {
      if (this.#items[0]!._armed(this.#stamps[0]!)) return this.#deadlines[0]!;
      this.#removeTop();
      this.#cancelled--;
    }
    return Number.POSITIVE_INFINITY;
  }

  /** The latest armed deadline, or -Infinity when there is none: a scan, for rare checks only. */
  lastDeadline(): number {
    let last = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < this.#count; i++) {
      if (this.#deadlines[i]! > last && this.#items[i]!._armed(this.#stamps[i]!)) last = this.#deadlines[i]!;
    }
    return last;
  }

  /** Arms `entry` for `deadline`; returns the stamp that names this arming. */
  push(entry: E, deadline: number): number {
    if (this.#cancelled > MIN_COMPACTION && this.#cancelled * 2 > this.#count) this.#compact();
    const stamp = this.#nextStamp++;
    const i = this.#count++;
    if (i === this.#items.length) {
      // Grow all three by one slot; #up writes the real contents.
      this.#items.push(entry);
      this.#deadlines.push(deadline);
      this.#stamps.push(stamp);
    }
    this.#up(i, entry, deadline, stamp);
    return stamp;
  }

  /** Removes and returns the earliest timer; call `nextDeadline()` first, so that it is armed. */
  pop(): E | undefined {
    if (this.#count === 0) return undefined;
    const top = this.#items[0];
    this.#removeTop();
    return top;
  }

  /** One armed timer was disarmed (its entry answers `_armed` false now); it leaves lazily. */
  cancelled(): void {
    this.#cancelled++;
  }

  #removeTop(): void {
    const items = this.#items;
    const deadlines = this.#deadlines;
    const stamps = this.#stamps;
    const n = --this.#count;
    const last = items[n]!;
    items[n] = undefined; // no longer referenced from here
    if (n === 0) return;
    const deadline = deadlines[n]!;
    const stamp = stamps[n]!;
    // Floyd's pop: walk the hole at the top down to a leaf, always pulling up the earlier child
    // (one comparison a level, not two), then let the last entry rise from there. It came from
    // the bottom, so it rarely rises far; the usual sift-down would compare it at every level.
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      const right = child + 1;
      if (right < n) {
        // Branch-free where it matters: which child is earlier is a coin toss on random
        // deadlines, so a branch on it is mispredicted half the time, at every level.
        const r = deadlines[right]!;
        const c = deadlines[child]!;
        child += r === c ? +(stamps[right]! < stamps[child]!) : +(r < c);
      }
      items[i] = items[child]!;
      deadlines[i] = deadlines[child]!;
      stamps[i] = stamps[child]!;
      i = child;
    }
    this.#up(i, last, deadline, stamp);
  }

  /** Rebuilds the heap from its armed timers alone (Floyd's bottom-up heapify, O(n)). */
  #compact(): void {
    const items: (E | undefined)[] = [];
    const deadlines: number[] = [];
    const stamps: number[] = [];
    for (let i = 0; i < this.#count; i++) {
      const entry = this.#items[i]!;
      if (!entry._armed(this.#stamps[i]!)) continue;
      items.push(entry);
      deadlines.push(this.#deadlines[i]!);
      stamps.push(this.#stamps[i]!);
    }
    this.#items = items;
    this.#deadlines = deadlines;
    this.#stamps = stamps;
    this.#count = items.length;
    this.#cancelled = 0;
    for (let i = (items.length >> 1) - 1; i >= 0; i--) this.#down(i, items[i]!, deadlines[i]!, stamps[i]!);
  }

  /** Moves the hole at `i` up until `entry` (with these keys) fits, and puts it there. */
  #up(i: number, entry: E, deadline: number, stamp: number): void {
    const items = this.#items;
    const deadlines = this.#deadlines;
    const stamps = this.#stamps;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const d = deadlines[parent]!;
      if (!(deadline < d || (deadline === d && stamp < stamps[parent]!))) break;
      items[i] = items[parent]!;
      deadlines[i] = d;
      stamps[i] = stamps[parent]!;
      i = parent;
    }
    items[i] = entry;
    deadlines[i] = deadline;
    stamps[i] = stamp;
  }

  /** Moves the hole at `i` down until `entry` (with these keys) fits, and puts it there. */
  #down(i: number, entry: E, deadline: number, stamp: number): void {
    const items = this.#items;
    const deadlines = this.#deadlines;
    const stamps = this.#stamps;
    const n = this.#count;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      const right = child + 1;
      let d = deadlines[child]!;
      if (right < n) {
        const r = deadlines[right]!;
        if (r < d || (r === d && stamps[right]! < stamps[child]!)) {
          child = right;
          d = r;
        }
      }
      if (!(d < deadline || (d === deadline && stamps[child]! < stamp))) break;
      items[i] = items[child]!;
      deadlines[i] = d;
      stamps[i] = stamps[child]!;
      i = child;
    }
    items[i] = entry;
    deadlines[i] = deadline;
    stamps[i] = stamp;
  }
}
