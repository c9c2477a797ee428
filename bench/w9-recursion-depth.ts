/**
 * W9: how deep synchronous recursion through async calls can go before the stack overflows.
 * `return 1 + await down(n - 1)`: each call runs its callee's body at once, up to the callee's
 * first suspension, so the whole descent is one JavaScript stack, natively as compiled. Awaits
 * that suspend never grow the stack (see W1 and `demos/await-depth.ts`); this is the other case.
 * Measured as the largest n that completes, by bisection, on Node's default stack.
 *
 *   npx tsx bench/w9-recursion-depth.ts
 */

import { run, VirtualClock } from "../src/index.js";
import { median, nativeAndCompiled } from "./harness.js";

const source = `
  export async function down(n) {
    if (n === 0) return 0;
    return 1 + (await down(n - 1));
  }
`;

type Workload = { down(n: number): PromiseLike<number> };
const { native, compiled } = await nativeAndCompiled<Workload>("w9", source);

async function deepest(completes: (n: number) => Promise<boolean>): Promise<number> {
  let lo = 1;
  let hi = 1 << 20;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (await completes(mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

// A stack overflow inside an async function rejects its promise; natively as compiled.
const nativeCompletes = (n: number) => Promise.resolve(native.down(n)).then(() => true, () => false);
const compiledCompletes = async (n: number) => {
  try {
    run(() => compiled.down(n), { clock: new VirtualClock() });
    return true;
  } catch {
    return false;
  }
};

const trials = 5;
const nativeDepths: number[] = [];
const compiledDepths: number[] = [];
for (let i = 0; i < trials; i++) {
  nativeDepths.push(await deepest(nativeCompletes));
  compiledDepths.push(await deepest(compiledCompletes));
}
const n = median(nativeDepths);
const c = median(compiledDepths);
console.log(`W9: synchronous recursion through async calls, deepest n that completes (median of ${trials})`);
console.log(`native async/await   ${String(n).padStart(7)}`);
console.log(`handloop (compiled)  ${String(c).padStart(7)}   ${(c / n).toFixed(2)}x native`);
