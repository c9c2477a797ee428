/**
 * timer-heap.ts: a binary min-heap of timers ordered by (deadline, seq).
 *
 * Entries carry their own key and position (`_deadline`, `_seq`, `_heapIndex`), so a sleeping
 * task is its own timer: parking on the heap allocates nothing, and cancelling removes it in
 * O(log n) without a search. `seq` is handed out here in scheduling order, which makes ties
 * between equal deadlines fire first-scheduled-first, deterministically.
 * Invariant: `entry._heapIndex` is the entry's index in `#items`, or -1 when it is not in a heap.
 */

/** @internal Something that can sit on the timer heap. */
export interface TimerEntry {
  _deadline: number;
  _seq: number;
  _heapIndex: number;
  /** Called by the loop when the entry reaches its deadline and leaves the heap. */
  _due(): void;
}

/** @internal */
export class TimerHeap<E extends TimerEntry> {
  #items: E[] = [];
  #nextSeq = 0;

  get size(): number {
    return this.#items.length;
  }

  /** The entry with the earliest (deadline, seq), without removing it. */
  peek(): E | undefined {
    return this.#items[0];
  }

  push(entry: E, deadline: number): void {
    entry._deadline = deadline;
    entry._seq = this.#nextSeq++;
    entry._heapIndex = this.#items.length;
    this.#items.push(entry);
    this.#up(entry._heapIndex);
  }

  /** Removes and returns the earliest entry. */
  pop(): E | undefined {
    const items = this.#items;
    const top = items[0];
    if (top === undefined) return undefined;
    this.#removeAt(0);
    return top;
  }

  /** Removes `entry` wherever it is; a no-op for an entry that is not in the heap. */
  remove(entry: E): void {
    const i = entry._heapIndex;
    if (i >= 0 && this.#items[i] === entry) this.#removeAt(i);
  }

  /** The entries in heap order (not sorted); for diagnostics only. */
  entries(): readonly E[] {
    return this.#items;
  }

  #removeAt(i: number): void {
    const items = this.#items;
    const removed = items[i]!;
    const last = items.pop()!;
    removed._heapIndex = -1;
    if (last === removed) return;
    items[i] = last;
    last._heapIndex = i;
    // The moved entry may belong above or below its new place.
    this.#up(i);
    this.#down(last._heapIndex);
  }

  #up(i: number): void {
    const items = this.#items;
    const entry = items[i]!;
    while (i > 0) {
      const parentIndex = (i - 1) >> 1;
      const parent = items[parentIndex]!;
      if (!before(entry, parent)) break;
      items[i] = parent;
      parent._heapIndex = i;
      i = parentIndex;
    }
    items[i] = entry;
    entry._heapIndex = i;
  }

  #down(i: number): void {
    const items = this.#items;
    const n = items.length;
    const entry = items[i]!;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      let child = left;
      if (right < n && before(items[right]!, items[left]!)) child = right;
      const childEntry = items[child]!;
      if (!before(childEntry, entry)) break;
      items[i] = childEntry;
      childEntry._heapIndex = i;
      i = child;
    }
    items[i] = entry;
    entry._heapIndex = i;
  }
}

function before(a: TimerEntry, b: TimerEntry): boolean {
  return a._deadline < b._deadline || (a._deadline === b._deadline && a._seq < b._seq);
}
