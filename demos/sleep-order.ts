/**
 * The post's first example on handloop: four bare `sleep` generators handed to the loop finish in
 * completion order, and the whole run takes as long as the longest sleep, not the sum. Reports
 * wall and CPU time as the post's `%%time` does. `--virtual` runs it on a virtual clock.
 *
 *   npx tsx demos/sleep-order.ts [--virtual]
 */

import { EventLoop, RealClock, sleep, VirtualClock } from "../src/index.js";
import { demoCommandLine } from "./cli.js";

const { flags } = demoCommandLine("npx tsx demos/sleep-order.ts [--virtual]\n  --virtual  run on a virtual clock: instant, the same results", ["virtual"]);
const virtual = flags.virtual;
const loop = new EventLoop({ clock: virtual ? new VirtualClock() : new RealClock() });
const results: string[] = [];

const wallStart = performance.now();
const cpuStart = process.cpuUsage();
for (const seconds of [3, 2, 1, 4]) {
  // A bare generator, as the post hands its loop `sleep(3)`; `then` records completion order.
  loop.createTask(sleep(seconds, `Sleep ${seconds} over`)).then((result) => results.push(result));
}
loop.runForever();
const cpu = process.cpuUsage(cpuStart);
const wall = (performance.now() - wallStart) / 1000;

console.log(results);
const ms = (us: number) => `${(us / 1000).toFixed(2)} ms`;
console.log(`CPU times: user ${ms(cpu.user)}, sys: ${ms(cpu.system)}, total: ${ms(cpu.user + cpu.system)}`);
console.log(`Wall time: ${wall.toFixed(2)} s${virtual ? ` (virtual time: ${loop.time()} s)` : ""}`);
