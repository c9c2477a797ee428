/**
 * The post's bonus on handloop, without a compiler: the coroutines are written in the shape
 * TypeScript's ES2016 emit gives `async function printEveryPeriod`, a generator body handed to
 * `__awaiter`. Same output as demos/print-every-period.ts, which is the real `async` source.
 *
 *   npx tsx demos/print-every-period-generators.ts [--virtual]
 */

import { __awaiter, asleep, EventLoop, RealClock, VirtualClock, type Task } from "../src/index.js";
import { demoCommandLine } from "./cli.js";

const { flags } = demoCommandLine(
  "npx tsx demos/print-every-period-generators.ts [--virtual]\n  --virtual  run on a virtual clock: instant, the same output",
  ["virtual"],
);

// The source this stands for (demos/print-every-period.ts has it for real):
//
//   async function printEveryPeriod(msg: string, period: number): Promise<string> {
//     for (let i = 0; i < Math.trunc(3 / period); i++) {
//       await asleep(period);
//       console.log(msg);
//     }
//     return `Print ${period} over`;
//   }
//
// and this is what TypeScript's ES2016 emit makes of it: the body becomes a generator, each
// `await x` a `yield x`, and `__awaiter` (handloop's, not tslib's) drives it.
function printEveryPeriod(this: unknown, msg: string, period: number): Task<string> {
  return __awaiter(this, void 0, void 0, function* () {
    for (let i = 0; i < Math.trunc(3 / period); i++) {
      yield asleep(period);
      console.log(msg);
    }
    return `Print ${period} over`;
  });
}

const loop = new EventLoop({ clock: flags.virtual ? new VirtualClock() : new RealClock() });
const tasks = [
  loop.createTask(printEveryPeriod("First message!", 1)),
  loop.createTask(printEveryPeriod("Second message!", 1)),
  loop.createTask(printEveryPeriod("...", 0.25)),
];
loop.runForever();
console.log(tasks.map((task) => task.result()));
