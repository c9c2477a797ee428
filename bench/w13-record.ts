/**
 * W13: what a flight recorder costs (issue 14). W2's ping-pong (two hand-written coroutines hand a
 * token back and forth through two Queues, 200,000 hand-offs) on a virtual-clock loop, plain and
 * with `loop.record()` on: the ratio of the two (target: at most 3x). Then how many bytes a
 * recorded event takes, once the ring is full (target: at most 64): memory in use after a full GC
 * (the JS heap and ArrayBuffers, where typed arrays keep their contents) with a full recorder,
 * minus before it was made, over its events, in a process of its own started with --expose-gc.
 *
 *   npx tsx bench/w13-record.ts
 */

import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { coroutine, EventLoop, Queue, VirtualClock } from "../src/index.js";
import { progress, ratio, report, target, time } from "./harness.js";

const HANDOFFS = 200_000;
const ROUNDS = HANDOFFS / 2;
const RUNS = 21;
const LIMIT = 100_000;

function pingPong(record: boolean): number {
  const loop = new EventLoop({ clock: new VirtualClock() });
  const recorder = record ? loop.record({ limit: LIMIT }) : null;
  const ab = new Queue<number>();
  const ba = new Queue<number>();
  const ping = coroutine(function* ping() {
    let v = 0;
    for (let i = 0; i < ROUNDS; i++) {
      ab.putNowait(v);
      v = yield* ba.get();
    }
    return v;
  });
  const pong = coroutine(function* pong() {
    for (let i = 0; i < ROUNDS; i++) {
      const v = yield* ab.get();
      ba.putNowait(v + 1);
    }
  });
  loop.createTask(pong());
  const v = loop.runUntilComplete(ping());
  recorder?.stop();
  return v;
}

/** In a child with --expose-gc: heap bytes per recorded event once the ring holds LIMIT of them. */
function bytesPerEventChild(): void {
  const gc = (globalThis as { gc?: () => void }).gc!;
  const heap = () => {
    gc();
    gc();
    const { heapUsed, arrayBuffers } = process.memoryUsage();
    return heapUsed + arrayBuffers; // (typed arrays keep their contents outside the JS heap)
  };
  // Warm the code (and intern the strings) on another loop first.
  pingPong(true);
  const loop = new EventLoop({ clock: new VirtualClock() });
  const q = new Queue<number>();
  const spin = coroutine(function* spin() {
    for (let i = 0; i < LIMIT; i++) {
      q.putNowait(i);
      yield* q.get();
      yield;
    }
  });
  const before = heap();
  const recorder = loop.record({ limit: LIMIT });
  loop.runUntilComplete(loop.createTask(spin()));
  recorder.stop();
  const after = heap();
  console.log(JSON.stringify({ bytes: (after - before) / recorder.events.length, events: recorder.events.length, dropped: recorder.dropped }));
  // (recorder.events was read after the heap: its objects are made on read, and not counted.)
}

if (process.argv.includes("--bytes")) {
  bytesPerEventChild();
  process.exit(0);
}

const samples = [
  await time("handloop ping-pong, no instrument", RUNS, () => pingPong(false), { warmup: 5 }),
  await time("handloop ping-pong, loop.record() on", RUNS, () => pingPong(true), { warmup: 5 }),
];
report(`W13: a recorder on W2's ping-pong (${HANDOFFS.toLocaleString("en")} hand-offs, virtual clock)`, samples, "handloop ping-pong, loop.record() on");
target("W13 ping-pong with a recorder / without", ratio(samples, "handloop ping-pong, loop.record() on", "handloop ping-pong, no instrument"), 3);

const child = spawnSync(process.execPath, ["--expose-gc", "--import", "tsx", fileURLToPath(import.meta.url), "--bytes"], { encoding: "utf8" });
if (child.status !== 0) throw new Error(`the bytes-per-event run failed: ${child.stderr}`);
const measured = JSON.parse(child.stdout.trim().split("\n").pop()!) as { bytes: number; events: number; dropped: number };
progress("bytes per event measured in a process of its own");
console.log(`  a full recorder: ${measured.events.toLocaleString("en")} events kept (${measured.dropped.toLocaleString("en")} dropped), ${measured.bytes.toFixed(1)} bytes an event`);
target("W13 bytes per recorded event", measured.bytes, 64, "bytes");
