import { coroutine, gather, run, VirtualClock } from "../src/index.js";
class StubQ<T> { items: T[] = []; putNowait(x: T) { this.items.push(x); } get() { const self = this; return { *[Symbol.iterator]() { while (self.items.length === 0) { polls++; yield undefined; } return self.items.shift()!; } }; } }
const ROUNDS = 100000;
let polls = 0;
for (let r = 0; r < 3; r++) {
const t0 = performance.now();
run(function* () {
  const ab = new StubQ<number>(), ba = new StubQ<number>();
  const ping = coroutine(function* () { let v = 0; for (let i = 0; i < ROUNDS; i++) { ab.putNowait(v); v = yield* ba.get(); } return v; });
  const pong = coroutine(function* () { for (let i = 0; i < ROUNDS; i++) { const v = yield* ab.get(); ba.putNowait(v + 1); } return 0; });
  return yield* gather(ping(), pong());
}, { clock: new VirtualClock() });
console.log(performance.now() - t0, polls); polls = 0;
}
