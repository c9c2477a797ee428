"use handloop";
/**
 * A recursive async function 1,000,000 awaits deep, natively and on handloop. Each level awaits
 * one tick first, then awaits the level below it: a chain of a million suspended calls, each
 * waiting on the next. Native async functions manage it through the microtask queue; handloop
 * keeps the chain in its own data (tasks waiting on tasks), never on the JavaScript stack.
 *
 *   npx tsx demos/await-depth.ts [depth] [--virtual]
 *
 * It never waits on a clock (handloop's side runs on a VirtualClock already), so `--virtual` is
 * accepted, as by every demo, and changes nothing.
 */

import { isCompiled, run, VirtualClock } from "../src/index.js";
import { importCompiled } from "../src/register.js";
import { demoCommandLine, usageError } from "./cli.js";

const USAGE = `npx tsx demos/await-depth.ts [depth] [--virtual]
  depth      how many awaits deep: a whole number >= 0 (default 1000000)
  --virtual  accepted, as by every demo: this one never waits on a clock`;
const { positionals } = demoCommandLine(USAGE, ["virtual"], 1);
const given = positionals[0];
const n = given === undefined ? 1_000_000 : /^\d+$/.test(given) ? Number(given) : NaN;
if (!Number.isSafeInteger(n)) usageError(USAGE, `Expected \`depth\` to be a whole number >= 0, got ${JSON.stringify(given)}.`);

async function depth(n: number): Promise<number> {
  await null;
  if (n === 0) return 0;
  return 1 + (await depth(n - 1));
}

// The same function, left native: `new Function` source is never compiled by handloop.
const nativeDepth = new Function(
  "return async function depth(n) { await null; if (n === 0) return 0; return 1 + (await depth(n - 1)); }",
)() as (n: number) => Promise<number>;

function report(label: string, result: number, started: number): void {
  const ms = (performance.now() - started).toFixed(0);
  console.log(`${label.padEnd(9)} ${String(result).padStart(9)} awaits deep in ${ms.padStart(5)} ms`);
}

if (isCompiled(depth)) {
  let started = performance.now();
  report("native", await nativeDepth(n), started);
  started = performance.now();
  report("handloop", run(() => depth(n), { clock: new VirtualClock() }), started);
} else {
  await importCompiled(import.meta.url);
}
