/**
 * A faithful port of the post's toy loop, for teaching: every pass it resumes *every* task, asks
 * each how long it thinks it needs (`NotReady`), then sleeps for the smallest guess.
 *
 * Why handloop does not poll: with N sleeping tasks, each pass here costs N resumptions, and a
 * pass happens every time any one wait ends, so N sleepers cost about N^2 resumptions. handloop
 * parks each task on a timer heap at its deadline and resumes only the task that is due: about
 * N log N work for N sleepers, and a sleeping task costs nothing until its time comes.
 *
 *   npx tsx demos/toy-loop.ts [--virtual]
 */

import { pathToFileURL } from "node:url";
import { NotReady, RealClock, VirtualClock, type Clock } from "../src/index.js";
import { demoCommandLine } from "./cli.js";

// The post reads `time.time()` and blocks in `time.sleep()`; here both come from a handloop Clock,
// so `--virtual` can run the same loop instantly. Chosen when the module loads, from the command
// line, so that bench/w6-toy-loop.ts can import the loop and run it on virtual time; the command
// line is checked only when this file is the program.
const clock: Clock = process.argv.includes("--virtual") ? new VirtualClock() : new RealClock();
const time = (): number => clock.now();
const timeSleep = (seconds: number): void => clock.sleepUntil(clock.now() + seconds);

/** The post's `EventLoop.run_until_complete`: poll every task, sleep the shortest guess. */
export class ToyLoop {
  /** How many times a task was resumed; the cost the post's design pays. */
  resumptions = 0;

  runUntilComplete(tasks: Iterator<unknown, unknown, undefined>[]): unknown[] {
    const results: unknown[] = [];
    tasks = [...tasks];
    while (tasks.length > 0) {
      const waits: number[] = [];
      for (const task of [...tasks]) {
        this.resumptions++;
        const res = task.next(); // async function runs here
        if (res.done) {
          tasks.splice(tasks.indexOf(task), 1); // Task done, remove from tasks
        } else if (res.value instanceof NotReady) {
          waits.push(res.value.seconds); // Build up all the requested waits
        } else {
          waits.push(0); // Don't wait if a task completed
          results.push(res.value); // Gather results
        }
      }
      if (waits.length > 0) timeSleep(Math.min(...waits)); // Wait for the shortest requested wait
    }
    return results;
  }
}

/** The post's `sleep`: guesses how long is left, then yields its result as a last value. */
export function* toySleep(t: number): Generator<NotReady | string, void, undefined> {
  const endtime = time() + t;
  while (time() < endtime) yield new NotReady(Math.max(0, endtime - time()));
  yield `Sleep ${t} over`;
}

/** The post's `print_every_period`, with `yield from` as `yield*`. */
function* printEveryPeriod(msg: string, period: number): Generator<NotReady | string, string, undefined> {
  for (let i = 0; i < Math.trunc(3 / period); i++) {
    yield* toySleep(period);
    console.log(msg);
  }
  return `Print ${period} over`;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  demoCommandLine("npx tsx demos/toy-loop.ts [--virtual]\n  --virtual  run on a virtual clock: instant, the same output", ["virtual"]);
  const start = time();
  console.log(new ToyLoop().runUntilComplete([toySleep(3), toySleep(2), toySleep(1), toySleep(4)]));
  console.log(`Loop time: ${(time() - start).toFixed(2)} s`);
  const loop = new ToyLoop();
  console.log(
    loop.runUntilComplete([
      printEveryPeriod("First message!", 1),
      printEveryPeriod("Second message!", 1),
      printEveryPeriod("...", 0.25),
    ]),
  );
  console.log(`The toy loop resumed tasks ${loop.resumptions} times for 18 prints.`);
}
