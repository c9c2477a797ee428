"use handloop";
/**
 * The post's bonus on handloop: `await asleep(period)` in three real `async` functions, driven by
 * a hand loop with no asyncio (here: no Promise, no microtask). Prints the post's 18 lines in the
 * post's order, then the three results. Real time by default (about 3 s, like the post);
 * `--virtual` runs it on a virtual clock, instantly and with the same output. `--timeline` records
 * the run and prints its timeline at the end: the three tasks, their sleeps and wake-ups.
 *
 *   npx tsx demos/print-every-period.ts [--virtual] [--timeline]
 *
 * The "use handloop" directive opts this file into compilation. Run by plain tsx, the file first
 * loads uncompiled: it then registers handloop's hooks and imports itself again, compiled.
 */

import { asleep, EventLoop, isCompiled, RealClock, timeline, VirtualClock } from "../src/index.js";
import { importCompiled } from "../src/register.js";
import { demoCommandLine } from "./cli.js";

const { flags } = demoCommandLine(
  "npx tsx demos/print-every-period.ts [--virtual] [--timeline]\n  --virtual   run on a virtual clock: instant, the same output\n  --timeline  print the run's timeline at the end",
  ["virtual", "timeline"],
);

async function printEveryPeriod(msg: string, period: number): Promise<string> {
  for (let i = 0; i < Math.trunc(3 / period); i++) {
    await asleep(period);
    console.log(msg);
  }
  return `Print ${period} over`;
}

if (isCompiled(printEveryPeriod)) {
  const loop = new EventLoop({ clock: flags.virtual ? new VirtualClock() : new RealClock() });
  const recorder = flags.timeline ? loop.record() : undefined;
  const tasks = [
    loop.createTask(printEveryPeriod("First message!", 1)),
    loop.createTask(printEveryPeriod("Second message!", 1)),
    loop.createTask(printEveryPeriod("...", 0.25)),
  ];
  loop.runForever();
  console.log(tasks.map((task) => task.result()));
  if (recorder !== undefined) console.log(`\n${timeline(recorder)}`);
} else {
  await importCompiled(import.meta.url);
}
