import { Queue, run, VirtualClock } from "../src/index.js";
import { nativeAndCompiled } from "./harness.js";
const source = `
  export async function pingPong(ab, ba, rounds) {
    const ping = async () => { let v = 0; for (let i = 0; i < rounds; i++) { ab.putNowait(v); v = await ba.get(); } return v; };
    const pong = async () => { for (let i = 0; i < rounds; i++) ba.putNowait((await ab.get()) + 1); };
    const p = ping(); const q = pong(); const v = await p; await q; return v;
  }`;
type W = { pingPong(ab: unknown, ba: unknown, rounds: number): PromiseLike<number> };
const { compiled } = await nativeAndCompiled<W>("w2p", source);
const runs = Number(process.argv[2] ?? 20);
const ts: number[] = [];
for (let i = 0; i < runs; i++) { const t = performance.now(); const v = run(() => compiled.pingPong(new Queue(), new Queue(), 100_000), { clock: new VirtualClock() }); if (v !== 100000) throw new Error(String(v)); ts.push(performance.now() - t); }
ts.sort((a, b) => a - b);
console.log("median", ts[ts.length >> 1]!.toFixed(2), "ms");
