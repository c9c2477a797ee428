/**
 * `npm run bench [-- <workload>...]`: runs every benchmark in bench/ (files named w<N>-*.ts), each in
 * its own Node process so one cannot warm up or pollute another, or only those named.
 */

import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";

const dir = fileURLToPath(new URL(".", import.meta.url));
const wanted = process.argv.slice(2).map((w) => w.toLowerCase());
const files = readdirSync(dir)
  .filter((f) => /^w\d+-.*\.ts$/.test(f))
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.startsWith(`${w}-`) || f === w || f === `${w}.ts`))
  .sort((a, b) => Number(/^w(\d+)/.exec(a)![1]) - Number(/^w(\d+)/.exec(b)![1]));

if (files.length === 0) {
  console.error(`No benchmark matches ${wanted.join(", ")}; the workloads are: ${readdirSync(dir).filter((f) => /^w\d+-/.test(f)).join(", ")}.`);
  process.exit(1);
}
console.log(`Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`);
for (const file of files) {
  const result = spawnSync(process.execPath, ["--import", "tsx", `${dir}${file}`], { stdio: "inherit" });
  if (result.status !== 0) process.exitCode = 1;
}
