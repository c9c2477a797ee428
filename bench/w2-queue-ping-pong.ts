/**
 * W2: two tasks hand a token back and forth 200,000 times (100,000 round trips), through the
 * smallest channel each system offers: handloop's `Queue` (`putNowait` + `get()`), a native
 * Promise-based channel (each side awaits a promise the other resolves), Effection 4's
 * `createQueue` (`add` + `yield* q.next()`) and `createChannel`, and Python's `asyncio.Queue`.
 * Each direction has its own queue. Target: handloop <= 0.7x native.
 *
 * handloop runs two ways: hand-written coroutines (`yield* q.get()`, typed), and `async`
 * functions compiled by handloop (`await q.get()`). The native row runs the very same async source
 * natively, with a Promise channel in place of the Queue. The two floor rows (floors.ts) run the
 * ping-pong on a bare scheduler in each form: what no generator runtime can beat. Each handloop
 * form is timed in a process of its own, as an application written in one form would run.
 *
 * Should `Queue` not be exported (it was written before Queue existed), this prints "W2 skipped:
 * Queue not available yet" and exits 0; `--peers` runs the peers anyway.
 *
 *   npx tsx bench/w2-queue-ping-pong.ts [--peers]
 */

import { all, createChannel, createQueue, run as effectionRun, spawn } from "effection";
import * as handloop from "../src/index.js";
import { coroutine, gather, run, VirtualClock } from "../src/index.js";
import { bareQueuePingPong } from "./floors.js";
import { fileURLToPath } from "node:url";
import {
  aloneSystem,
  nativeAndCompiled,
  printAlone,
  python,
  pythonVersion,
  ratio,
  report,
  target,
  time,
  timeAlone,
  type Sample,
} from "./harness.js";

const HANDOFFS = 200_000;
const ROUNDS = HANDOFFS / 2;
// A run takes under 10 ms: many of them, after a few warm-ups, so that the optimizing compiler has
// settled (each handloop form starts in a fresh process).
const RUNS = 21;
const WARMUP = { warmup: 5 };

/** The part of handloop's (future) `Queue<T>` this workload uses. */
interface HandloopQueue<T> {
  putNowait(item: T): void;
  get(): { [Symbol.iterator](): Iterator<unknown, T, unknown> };
}
type QueueClass = new <T>() => HandloopQueue<T>;
const Queue = (handloop as unknown as { Queue?: QueueClass }).Queue;
const peersOnly = process.argv.includes("--peers");

if (Queue === undefined && !peersOnly) {
  console.log("\nW2 skipped: Queue not available yet");
  process.exit(0);
}

function handloopPingPong(Q: QueueClass): number {
  return run(
    function* () {
      const ab = new Q<number>();
      const ba = new Q<number>();
      const ping = coroutine(function* () {
        let v = 0;
        for (let i = 0; i < ROUNDS; i++) {
          ab.putNowait(v);
          v = yield* ba.get();
        }
        return v;
      });
      const pong = coroutine(function* () {
        for (let i = 0; i < ROUNDS; i++) {
          const v = yield* ab.get();
          ba.putNowait(v + 1);
        }
        return 0;
      });
      const [v] = yield* gather(ping(), pong());
      return check(v);
    },
    { clock: new VirtualClock() },
  );
}

/** The smallest native channel: a buffer, and the resolver of the one reader waiting, if any. */
class PromiseChannel<T> {
  #items: T[] = [];
  #reader: ((item: T) => void) | null = null;

  putNowait(item: T): void {
    const reader = this.#reader;
    if (reader === null) {
      this.#items.push(item);
    } else {
      this.#reader = null;
      reader(item);
    }
  }

  get(): Promise<T> {
    if (this.#items.length > 0) return Promise.resolve(this.#items.shift()!);
    return new Promise((resolve) => (this.#reader = resolve));
  }
}

/** The same async source for native (with PromiseChannel) and compiled by handloop (with Queue). */
const source = `
  export async function pingPong(ab, ba, rounds) {
    const ping = async () => {
      let v = 0;
      for (let i = 0; i < rounds; i++) {
        ab.putNowait(v);
        v = await ba.get();
      }
      return v;
    };
    const pong = async () => {
      for (let i = 0; i < rounds; i++) ba.putNowait((await ab.get()) + 1);
    };
    // Both running, then awaited in turn (not Promise.all: a native promise in compiled code
    // would wait for the microtask queue, which a synchronous run never lets run).
    const pinging = ping();
    const ponging = pong();
    const v = await pinging;
    await ponging;
    return v;
  }
`;
type AsyncPingPong = { pingPong(ab: unknown, ba: unknown, rounds: number): PromiseLike<number> };
const { native, compiled } = await nativeAndCompiled<AsyncPingPong>("w2", source);

async function nativePingPong(): Promise<number> {
  return check(await native.pingPong(new PromiseChannel(), new PromiseChannel(), ROUNDS));
}

function compiledPingPong(Q: QueueClass): number {
  return check(run(() => compiled.pingPong(new Q(), new Q(), ROUNDS), { clock: new VirtualClock() }));
}

function effectionQueuePingPong(): PromiseLike<number> {
  return effectionRun(function* () {
    const ab = createQueue<number, void>();
    const ba = createQueue<number, void>();
    const [v] = yield* all([
      (function* () {
        let v = 0;
        for (let i = 0; i < ROUNDS; i++) {
          ab.add(v);
          const next = yield* ba.next();
          v = next.value as number;
        }
        return v;
      })(),
      (function* () {
        for (let i = 0; i < ROUNDS; i++) {
          const next = yield* ab.next();
          ba.add((next.value as number) + 1);
        }
        return 0;
      })(),
    ]);
    return check(v);
  });
}

function effectionChannelPingPong(): PromiseLike<number> {
  return effectionRun(function* () {
    const ab = createChannel<number, void>();
    const ba = createChannel<number, void>();
    // Subscribe before anything is sent: a channel drops messages nobody listens to.
    const abSub = yield* ab;
    const baSub = yield* ba;
    const pong = yield* spawn(function* () {
      for (let i = 0; i < ROUNDS; i++) {
        const next = yield* abSub.next();
        yield* ba.send((next.value as number) + 1);
      }
    });
    let v = 0;
    for (let i = 0; i < ROUNDS; i++) {
      yield* ab.send(v);
      v = (yield* baSub.next()).value as number;
    }
    yield* pong;
    return check(v);
  });
}

function check(v: number): number {
  if (v !== ROUNDS) throw new Error(`W2: the token came back as ${v}, expected ${ROUNDS}`);
  return v;
}

const HANDLOOP = "handloop: Queue putNowait + yield* get()";
const COMPILED = "handloop: compiled async, await q.get()";
const NATIVE = "native: async/await, Promise channel";
// The two handloop forms each run in a process of their own (timeAlone): in one process, whichever
// ran second found the stepper's type feedback already bent by the first.
if (aloneSystem === HANDLOOP && Queue !== undefined) printAlone(await time(HANDLOOP, RUNS, () => handloopPingPong(Queue), WARMUP));
if (aloneSystem === COMPILED && Queue !== undefined) printAlone(await time(COMPILED, RUNS, () => compiledPingPong(Queue), WARMUP));
const self = fileURLToPath(import.meta.url);
const samples: Sample[] = [];
if (Queue !== undefined) samples.push(timeAlone(self, HANDLOOP), timeAlone(self, COMPILED));
samples.push(await time(NATIVE, RUNS, nativePingPong, WARMUP));
// The floors (floors.ts): a bare scheduler doing only this, in the two forms handloop runs.
samples.push(await time("floor: bare scheduler, yield*", RUNS, () => check(bareQueuePingPong(ROUNDS, "yield*")), WARMUP));
samples.push(await time("floor: bare scheduler, plain yield", RUNS, () => check(bareQueuePingPong(ROUNDS, "yield")), WARMUP));
samples.push(await time("effection: createQueue add + next()", 3, effectionQueuePingPong));
samples.push(await time("effection: createChannel send + next()", 3, effectionChannelPingPong));
const py = python<{ runs: number[]; cpu: number[] }>("w2_queue.py", [String(HANDOFFS), "3"]);
if (py) samples.push({ name: `${pythonVersion()} asyncio.Queue`, runs: py.runs, cpu: py.cpu });

report(`W2: two tasks hand a token back and forth ${HANDOFFS.toLocaleString("en")} times`, samples, Queue ? [HANDLOOP, COMPILED] : NATIVE);
if (Queue !== undefined) {
  target("handloop yield* / native Promise channel", ratio(samples, HANDLOOP, NATIVE), 0.7);
  target("handloop compiled async / native Promise channel", ratio(samples, COMPILED, NATIVE), 0.7);
}
else console.log("  W2 handloop skipped: Queue not available yet (peers only)");
