/**
 * W9: how deep synchronous recursion through async calls can go before the stack overflows.
 * `return 1 + await down(n - 1)`: each call runs its callee's body at once, up to the callee's
 * first suspension, so the whole descent is one JavaScript stack, natively as compiled. Awaits
 * that suspend never grow the stack (see W1 and `demos/await-depth.ts`); this is the other case.
 * Measured as the largest n that completes, by bisection, on Node's default stack.
 *
 *   npx tsx bench/w9-recursion-depth.ts
 */

import { fileURLToPath } from "node:url";
import { run, VirtualClock } from "../src/index.js";
import { aloneSystem, median, nativeAndCompiled, printAlone, timeAlone } from "./harness.js";

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

const NATIVE = "native async/await";
const COMPILED = "handloop (compiled)";
const trials = 5;

if (aloneSystem !== undefined) {
  // In a process of our own (see below): bisect this system's depth, `trials` times.
  const completes = aloneSystem === NATIVE ? nativeCompletes : compiledCompletes;
  const depths: number[] = [];
  for (let i = 0; i < trials; i++) depths.push(await deepest(completes));
  printAlone({ name: aloneSystem, runs: depths }); // `runs` carries the depths here
}

// Each system in a process of its own: V8 reports a native stack overflow inside a promise
// rejection on stderr, many times over while bisecting; the child's stderr is not shown.
const script = fileURLToPath(import.meta.url);
// A system left out by --only gives no depths: it is left out of the table too.
const depthOf = (name: string) => {
  const depths = timeAlone(script, name).runs;
  return depths.length === 0 ? undefined : median(depths);
};
const n = depthOf(NATIVE);
const c = depthOf(COMPILED);
console.log(`W9: synchronous recursion through async calls, deepest n that completes (median of ${trials})`);
if (n !== undefined) console.log(`  ${NATIVE.padEnd(22)} ${String(n).padStart(7)} levels`);
if (c !== undefined) {
  const ratio = n === undefined ? "" : `   ${(c / n).toFixed(2)}x native`;
  console.log(`  ${COMPILED.padEnd(22)} ${String(c).padStart(7)} levels${ratio}`);
}
