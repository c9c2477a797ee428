/**
 * timer-heap.ts: a binary min-heap of timers ordered by (deadline, seq).
 *
 * Entries carry only their position (`_heapIndex`), so a sleeping task is its own timer: parking on the
 * heap allocates nothing, and cancelling removes it in O(log n) without a search. The keys live in
 * two arrays beside the entries, so sifting compares numbers in order in memory instead of
 * visiting a different object at every level (with 100,000 sleepers, those visits were cache
 * misses). `seq` is handed out here in scheduling order, which makes ties between equal deadlines
 * fire first-scheduled-first, deterministically.
 * Invariant: `#items[i]._heapIndex === i`, `#deadlines[i]` and `#seqs[i]` are its keys; an entry
 * not in a heap has `_heapIndex === -1`.
 */

/** @internal Something that can sit on the timer heap. Its keys are kept by the heap. */
export interface TimerEntry {
  _heapIndex: number;
  /** Called by the loop when the entry reaches its deadline and leaves the heap. */
  _due(): void;
}

/** @internal */
export class TimerHeap<E extends TimerEntry> {
  #items: E[] = [];
  #deadlines: number[] = [];
  #seqs: number[] = [];
  #nextSeq = 0;

  get size(): number {
    return this.#items.length;
  }

  /** The entry with the earliest (deadline, seq), without removing it. */
  peek(): E | undefined {
    return this.#items[0];
  }

  /** The earliest deadline, or Infinity when the heap is empty. */
  nextDeadline(): number {
    return this.#items.length === 0 ? Number.POSITIVE_INFINITY : this.#deadlines[0]!;
  }

  push(entry: E, deadline: number): void {
    const seq = this.#nextSeq++;
    this.#items.push(entry);
    this.#deadlines.push(deadline);
    this.#seqs.push(seq);
    this.#up(this.#items.length - 1, entry, deadline, seq);
  }

  /** Removes and returns the earliest entry. */
  pop(): E | undefined {
    const top = this.#items[0];
    if (top !== undefined) this.#removeAt(0);
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
    removed._heapIndex = -1;
    const last = items.pop()!;
    const deadline = this.#deadlines.pop()!;
    const seq = this.#seqs.pop()!;
    if (last === removed) return;
    // The last entry fills the hole; it may belong above or below it.
    if (i > 0 && before(deadline, seq, this.#deadlines[(i - 1) >> 1]!, this.#seqs[(i - 1) >> 1]!)) {
      this.#up(i, last, deadline, seq);
    } else {
      this.#down(i, last, deadline, seq);
    }
  }

  /** Moves the hole at `i` up until `entry` (with these keys) fits, and puts it there. */
  #up(i: number, entry: E, deadline: number, seq: number): void {
    const items = this.#items;
    const deadlines = this.#deadlines;
    const seqs = this.#seqs;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(deadline, seq, deadlines[parent]!, seqs[parent]!)) break;
      const moved = items[parent]!;
      items[i] = moved;
      deadlines[i] = deadlines[parent]!;
      seqs[i] = seqs[parent]!;
      moved._heapIndex = i;
      i = parent;
    }
    items[i] = entry;
    deadlines[i] = deadline;
    seqs[i] = seq;
    entry._heapIndex = i;
  }

  /** Moves the hole at `i` down until `entry` (with these keys) fits, and puts it there. */
  #down(i: number, entry: E, deadline: number, seq: number): void {
    const items = this.#items;
    const deadlines = this.#deadlines;
    const seqs = this.#seqs;
    const n = items.length;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      const right = child + 1;
      if (right < n && before(deadlines[right]!, seqs[right]!, deadlines[child]!, seqs[child]!)) child = right;
      if (!before(deadlines[child]!, seqs[child]!, deadline, seq)) break;
      const moved = items[child]!;
      items[i] = moved;
      deadlines[i] = deadlines[child]!;
      seqs[i] = seqs[child]!;
      moved._heapIndex = i;
      i = child;
    }
    items[i] = entry;
    deadlines[i] = deadline;
    seqs[i] = seq;
    entry._heapIndex = i;
  }
}

function before(deadlineA: number, seqA: number, deadlineB: number, seqB: number): boolean {
  return deadlineA < deadlineB || (deadlineA === deadlineB && seqA < seqB);
}
