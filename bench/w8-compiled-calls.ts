/**
 * W8: 1,000,000 calls of a compiled async function that awaits a ready value, against the same
 * source run as native async/await. Target: handloop within 2x of native.
 *
 *   npx tsx bench/w8-compiled-calls.ts
 */

import { run, VirtualClock } from "../src/index.js";
import { nativeAndCompiled, ratio, report, target, time } from "./harness.js";

const CALLS = 1_000_000;
const source = `
  async function addOne(x) {
    const v = await x;
    return v + 1;
  }
  export async function main(calls) {
    let total = 0;
    for (let i = 0; i < calls; i++) total = await addOne(total);
    return total;
  }
`;

type Workload = { main(calls: number): PromiseLike<number> };
const { native, compiled } = await nativeAndCompiled<Workload>("w8", source);

const samples = [
  await time("native async/await", 7, () => native.main(CALLS)),
  await time("handloop (compiled)", 7, () => run(() => compiled.main(CALLS), { clock: new VirtualClock() })),
];
report(`W8: ${CALLS.toLocaleString("en")} calls of a compiled async function awaiting a ready value`, samples, "handloop (compiled)");
target("handloop compiled / native async/await", ratio(samples, "handloop (compiled)", "native async/await"), 2);
