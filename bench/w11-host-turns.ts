/**
 * W11: what host mode costs per turn. The same hand-written coroutines run in a synchronous run
 * (`run`) and under `runAsync` (Node calls the turns: a microtask per turn, a `setImmediate` every
 * 64), beside native async/await: an `asleep(0)` loop (natively `await undefined`), and a Queue
 * ping-pong (natively a Promise channel). Printed: ns per await, median of a few runs.
 *
 *   npx tsx bench/w11-host-turns.ts
 */

import { asleep, coroutine, gather, Queue, run, runAsync, VirtualClock } from "../src/index.js";
import { median } from "./harness.js";

const AWAITS = 200_000;
const ROUNDS = 50_000;
const RUNS = 7;

const spin = coroutine(function* () {
  for (let i = 0; i < AWAITS; i++) yield* asleep(0);
});

async function nativeSpin(): Promise<void> {
  for (let i = 0; i < AWAITS; i++) await undefined;
}

const pingPong = coroutine(function* () {
  const there = new Queue<number>();
  const back = new Queue<number>();
  const ping = coroutine(function* () {
    for (let i = 0; i < ROUNDS; i++) {
      there.putNowait(i);
      yield* back.get();
    }
  });
  const pong = coroutine(function* () {
    for (let i = 0; i < ROUNDS; i++) back.putNowait(yield* there.get());
  });
  yield* gather(ping(), pong());
});

async function nativePingPong(): Promise<void> {
  // Each side awaits a promise the other resolves: the smallest native channel.
  let toPong: (v: number) => void = () => {};
  let toPing: (v: number) => void = () => {};
  const pong = (async () => {
    for (let i = 0; i < ROUNDS; i++) {
      const v = await new Promise<number>((resolve) => (toPong = resolve));
      toPing(v);
    }
  })();
  for (let i = 0; i < ROUNDS; i++) {
    const answer = new Promise<number>((resolve) => (toPing = resolve));
    toPong(i);
    await answer;
  }
  await pong;
}

async function nsPer(count: number, body: () => unknown): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    await body();
    times.push(performance.now() - start);
  }
  return (median(times) * 1e6) / count;
}

const rows: [string, number, () => unknown][] = [
  ["asleep(0) loop: native await undefined", AWAITS, nativeSpin],
  ["asleep(0) loop: handloop run()", AWAITS, () => run(() => spin(), { clock: new VirtualClock() })],
  ["asleep(0) loop: handloop runAsync()", AWAITS, () => runAsync(() => spin(), { clock: new VirtualClock() })],
  ["Queue ping-pong: native Promise channel", ROUNDS * 2, nativePingPong],
  ["Queue ping-pong: handloop run()", ROUNDS * 2, () => run(() => pingPong(), { clock: new VirtualClock() })],
  ["Queue ping-pong: handloop runAsync()", ROUNDS * 2, () => runAsync(() => pingPong(), { clock: new VirtualClock() })],
];
console.log(`W11: ns per await, sync run against host mode against native (median of ${RUNS})`);
for (const [name, count, body] of rows) console.log(`  ${name.padEnd(42)} ${(await nsPer(count, body)).toFixed(0).padStart(6)} ns`);
