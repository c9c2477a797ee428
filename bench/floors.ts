/**
 * floors.ts: the least a generator runtime can do for W2 and W4, to measure handloop against.
 *
 * W1's floor is a raw generator driven by a `while` loop. These are the same idea for the
 * workloads with a scheduler in them: a FIFO ready list of bare generators, a one-waiter channel
 * (W2) or a binary heap of deadlines (W4), and nothing else: no cancellation, no errors, no task
 * objects beyond two fields, no names, no await sites. What handloop costs above a floor is what
 * its features cost; what the floor costs against a peer is what no generator runtime can beat.
 * Each comes in two forms, as handloop's coroutines do: resumed through `yield*` of a small
 * iterator (what a typed hand-written coroutine does) and through a plain `yield` (what compiled
 * async code does).
 */

/** A bare task: its generator and the value to send in next. */
interface Bare {
  readonly it: Generator<unknown, unknown, unknown>;
  value: unknown;
}

/** `return (yield request)` as an object, as handloop's own small iterators are. */
class Once<T> {
  #request: unknown;
  #yielded = false;
  constructor(request: unknown) {
    this.#request = request;
  }
  next(value?: unknown): IteratorResult<unknown, T> {
    if (this.#yielded) return { value: value as T, done: true };
    this.#yielded = true;
    return { value: this.#request, done: false };
  }
  [Symbol.iterator](): this {
    return this;
  }
}

/** A channel for W2: items waiting to be taken, or the one task waiting to take one. */
class BareChannel {
  items: number[] = [];
  waiter: Bare | null = null;
  constructor(readonly ready: Bare[]) {}
  put(v: number): void {
    const w = this.waiter;
    if (w === null) this.items.push(v);
    else {
      this.waiter = null;
      w.value = v;
      this.ready.push(w);
    }
  }
  /** For `yield*`: an iterator that yields this channel once and returns what it is sent. */
  get(): Once<number> {
    return new Once<number>(this);
  }
}

/** W2's ping-pong, `rounds` round trips, on the bare scheduler; gives the token's final value. */
export function bareQueuePingPong(rounds: number, form: "yield*" | "yield"): number {
  const ready: Bare[] = [];
  const ab = new BareChannel(ready);
  const ba = new BareChannel(ready);
  const ping = form === "yield*"
    ? (function* (): Generator<unknown, number, unknown> {
        let v = 0;
        for (let i = 0; i < rounds; i++) {
          ab.put(v);
          v = yield* ba.get();
        }
        return v;
      })()
    : (function* (): Generator<unknown, number, unknown> {
        let v = 0;
        for (let i = 0; i < rounds; i++) {
          ab.put(v);
          v = (yield ba) as number;
        }
        return v;
      })();
  const pong = form === "yield*"
    ? (function* (): Generator<unknown, void, unknown> {
        for (let i = 0; i < rounds; i++) ba.put((yield* ab.get()) + 1);
      })()
    : (function* (): Generator<unknown, void, unknown> {
        for (let i = 0; i < rounds; i++) ba.put(((yield ab) as number) + 1);
      })();
  ready.push({ it: ping, value: undefined }, { it: pong, value: undefined });
  let result = 0;
  // A FIFO read by index, compacted now and then: the cheapest queue there is.
  for (let head = 0; head < ready.length; head++) {
    const task = ready[head]!;
    const r = task.it.next(task.value);
    task.value = undefined;
    if (r.done) {
      if (task.it === ping) result = r.value as number;
    } else {
      const channel = r.value as BareChannel;
      if (channel.items.length > 0) {
        task.value = channel.items.shift();
        ready.push(task);
      } else channel.waiter = task;
    }
    if (head > 1024) {
      ready.splice(0, head + 1);
      head = -1;
    }
  }
  return result;
}

/** A sleep request for W4's floor: how long. */
class Nap {
  constructor(readonly seconds: number) {}
  [Symbol.iterator](): Once<undefined> {
    return new Once<undefined>(this);
  }
}

/**
 * W4's sleepers on the bare scheduler: each generator sleeps its duration once (on virtual time)
 * and returns it; a binary heap (deadlines and sequence numbers in arrays beside the tasks) wakes
 * them in order. Gives the last wake-up time.
 */
export function bareSleepers(seconds: readonly number[], form: "yield*" | "yield"): number {
  const items: Bare[] = [];
  const deadlines: number[] = [];
  const seqs: number[] = [];
  let nextSeq = 0;
  let now = 0;
  const push = (task: Bare, deadline: number): void => {
    const seq = nextSeq++;
    let i = items.length;
    items.push(task);
    deadlines.push(deadline);
    seqs.push(seq);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!(deadline < deadlines[p]! || (deadline === deadlines[p]! && seq < seqs[p]!))) break;
      items[i] = items[p]!;
      deadlines[i] = deadlines[p]!;
      seqs[i] = seqs[p]!;
      i = p;
    }
    items[i] = task;
    deadlines[i] = deadline;
    seqs[i] = seq;
  };
  const pop = (): Bare => {
    const top = items[0]!;
    const last = items.pop()!;
    const d = deadlines.pop()!;
    const s = seqs.pop()!;
    const n = items.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        let c = 2 * i + 1;
        if (c >= n) break;
        if (c + 1 < n && (deadlines[c + 1]! < deadlines[c]! || (deadlines[c + 1] === deadlines[c] && seqs[c + 1]! < seqs[c]!))) c++;
        if (!(deadlines[c]! < d || (deadlines[c] === d && seqs[c]! < s))) break;
        items[i] = items[c]!;
        deadlines[i] = deadlines[c]!;
        seqs[i] = seqs[c]!;
        i = c;
      }
      items[i] = last;
      deadlines[i] = d;
      seqs[i] = s;
    }
    return top;
  };
  const results: unknown[] = []; // as gather collects them
  const step = (task: Bare): void => {
    const r = task.it.next(task.value);
    if (r.done) results.push(r.value);
    else push(task, now + (r.value as Nap).seconds);
  };
  const sleeper = form === "yield*"
    ? function* (d: number): Generator<unknown, number, unknown> {
        yield* new Nap(d);
        return d;
      }
    : function* (d: number): Generator<unknown, number, unknown> {
        yield new Nap(d);
        return d;
      };
  for (const d of seconds) step({ it: sleeper(d), value: undefined });
  while (items.length > 0) {
    now = deadlines[0]!;
    step(pop());
  }
  if (results.length !== seconds.length) throw new Error("floor: a sleeper never finished");
  return now;
}
