/**
 * W7: `demos/print-every-period.ts` on the real clock (about 3 s of waiting, 18 prints): the CPU
 * time of the whole child process (`node --import tsx demos/print-every-period.ts`), read from
 * bash's `times` (user + system of waited-for children, to the millisecond), against start-up.
 *
 * Baselines, same command line:
 * - the demo with `--virtual`: the same start-up (tsx, the register hooks, the compiled module
 *   from handloop's cache, the same 18 prints and 3 results); only the 3 s of real waiting are
 *   gone. CPU(real) minus this is what waiting on the RealClock costs. The target is against this.
 * - a script that only imports handloop and its register hooks (bench/baselines/import-handloop.ts):
 *   bare start-up, for scale;
 * - the same, then the thread blocked 3 s in one Atomics.wait (bench/baselines/idle-3s.ts): what a
 *   process that merely lives 3 s longer costs (V8 and tsx's loader thread finish background work
 *   that a process exiting at once abandons). If the demo costs no more than this over its
 *   start-up, the RealClock's waiting itself is free.
 *
 * Start-up CPU varies by +-15 ms from run to run on this machine, more than the 10 ms the target
 * allows, so each variant runs 5 times, interleaved, and the medians are compared.
 * One untimed `--virtual` run first fills the compile cache.
 * Target: CPU of the real-clock run <= start-up (the --virtual run) + 10 ms.
 *
 *   npx tsx bench/w7-demo-cpu.ts
 */

import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { cost, median, noiseOfDifference, progress, target } from "./harness.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const demo = "demos/print-every-period.ts";
const variants = {
  "demo, RealClock (3 s)": [demo],
  "demo --virtual (start-up + the same work)": [demo, "--virtual"],
  "node --import tsx, import handloop only": ["bench/baselines/import-handloop.ts"],
  "import handloop only, then blocked 3 s": ["bench/baselines/idle-3s.ts"],
} as const;
type Variant = keyof typeof variants;
const REAL: Variant = "demo, RealClock (3 s)";
const ROUNDS = 5;
const VIRTUAL: Variant = "demo --virtual (start-up + the same work)";

interface Usage {
  wall: number;
  cpu: number;
  user: number;
  system: number;
}

/** Runs the command in a child of bash, output discarded; bash's `times` gives its CPU time. */
function measure(args: readonly string[]): Usage {
  const quoted = [process.execPath, "--import", "tsx", ...args].map((a) => `'${a}'`).join(" ");
  const start = performance.now();
  const result = spawnSync("bash", ["-c", `${quoted} > /dev/null || exit 1; times`], { cwd: root, encoding: "utf8" });
  const wall = performance.now() - start;
  if (result.status !== 0) throw new Error(`W7: ${args.join(" ")} failed: ${result.stderr}`);
  // `times` prints the shell's user/system, then its children's: "0m0.512s 0m0.080s".
  const children = result.stdout.trim().split("\n").pop()!;
  const [user, system] = [...children.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => (Number(m[1]) * 60 + Number(m[2])) * 1000);
  return { wall, cpu: user! + system!, user: user!, system: system! };
}

measure(variants[VIRTUAL]); // fills handloop's compile cache, warms the file system cache
const plan: Variant[] = [];
for (let round = 0; round < ROUNDS; round++) plan.push(...(Object.keys(variants) as Variant[]));
const usages = new Map<Variant, Usage[]>();
for (const variant of plan) {
  const list = usages.get(variant) ?? [];
  list.push(measure(variants[variant]));
  usages.set(variant, list);
  progress(`${variant}: run ${list.length} of ${ROUNDS}`);
}

console.log("\nW7: demos/print-every-period.ts on the real clock: CPU time of the whole process");
for (const [variant, list] of usages) {
  const cpu = list.map((u) => u.cpu);
  console.log(
    `  ${variant.padEnd(44)} CPU median ${median(cpu).toFixed(0).padStart(4)} ms (${Math.min(...cpu).toFixed(0)}-${Math.max(...cpu).toFixed(0)}; user ${median(list.map((u) => u.user)).toFixed(0)}, system ${median(list.map((u) => u.system)).toFixed(0)}), wall ${median(list.map((u) => u.wall)).toFixed(0)} ms, ${list.length} runs`,
  );
}
const cpuOf = (v: Variant) => median(usages.get(v)!.map((u) => u.cpu));
// A difference of two medians of noisy start-ups: below what chance alone gives, a negative
// difference included, it is noise, not a cost (or a saving).
const noiseOf = (a: Variant, b: Variant) => noiseOfDifference(usages.get(a)!.map((u) => u.cpu), usages.get(b)!.map((u) => u.cpu));
const IMPORT_ONLY: Variant = "node --import tsx, import handloop only";
const IDLE: Variant = "import handloop only, then blocked 3 s";
const extra = cpuOf(REAL) - cpuOf(VIRTUAL);
const idle = cpuOf(IDLE) - cpuOf(IMPORT_ONLY);
console.log(`  the demo's 3 s of real waiting cost ${cost(extra, noiseOf(REAL, VIRTUAL))} of CPU over its --virtual run;`);
console.log(`  a process blocked 3 s costs ${cost(idle, noiseOf(IDLE, IMPORT_ONLY))} over the same process exiting at once`);
target("CPU(real) - CPU(--virtual)", extra, 10, "ms", noiseOf(REAL, VIRTUAL));
