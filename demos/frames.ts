"use handloop";
/**
 * Frame mode: a fixed-step simulation driven by a game's frame loop. Cannonballs fly and bounce
 * in tasks that `await asleep(0.1)` between physics steps; a timer chain (`callLater`) spawns
 * enemies that walk in steps of their own, and a ball that reaches one knocks it out (cancels its
 * task). The host only calls `loop.advance(1 / fps)` once a frame, as a `requestAnimationFrame`
 * callback would. Because `advance` steps the clock through each deadline inside the frame, at
 * its exact instant, the world is the same at any frame rate: the positions printed at 1, 2.5,
 * 5 and 10 s agree to the last bit at 60 and at 144 fps (or the rates given), and a 0.1 s step
 * runs 100 times in 10 s at each, where a timer checked once a frame drifts.
 *
 *   npx tsx demos/frames.ts [--virtual] [fps ...]
 *
 * A FrameClock never waits on real time, so `--virtual` is accepted, as by every demo, and
 * changes nothing.
 */

import { EventLoop, FrameClock, isCompiled } from "../src/index.js";
import { importCompiled } from "../src/register.js";
import { demoCommandLine, usageError } from "./cli.js";
import type { Snapshot } from "./frames-world.js";

const USAGE = `npx tsx demos/frames.ts [--virtual] [fps ...]
  fps        frame rates to compare: whole numbers from 11 to 1000 (default 60 144)
  --virtual  accepted, as by every demo: a FrameClock never waits on real time`;
const { positionals } = demoCommandLine(USAGE, ["virtual"], 4);
const rates = positionals.length === 0 ? [60, 144] : positionals.map(Number);
for (const [i, rate] of rates.entries()) {
  // Above 10 fps a frame is shorter than a physics step, so each checkpoint's frame ends before the next step.
  if (!Number.isInteger(rate) || rate < 11 || rate > 1000) {
    usageError(USAGE, `Expected \`fps\` to be a whole number from 11 to 1000, got ${JSON.stringify(positionals[i])}.`);
  }
}

/** Plays 10 s at `fps`, as a frame loop would; snapshots the world at the frame ending on each checkpoint. */
function play(fps: number) {
  const clock = new FrameClock();
  const loop = new EventLoop({ clock });
  const world = createWorld(loop);
  const snapshots: { frame: number; time: number; world: Snapshot }[] = [];
  let frameCounted = 0; // a timer checked once a frame, for comparison
  let elapsed = 0;
  let next = 0;
  for (let frame = 1; next < CHECKPOINTS.length; frame++) {
    const dt = 1 / fps;
    loop.advance(dt);
    elapsed += dt;
    if (elapsed >= STEP) {
      elapsed = 0;
      frameCounted++;
    }
    // Checkpoints fall on frame ends (up to rounding): the first frame ending at or after one.
    if (clock.now() >= CHECKPOINTS[next]! - 1e-9) {
      snapshots.push({ frame: loop.frame, time: clock.now(), world: world.snapshot() });
      next++;
    }
  }
  loop.close();
  return { fps, snapshots, knockouts: world.knockouts, steps: world.steps(), frameCounted };
}

function line({ balls, enemies }: Snapshot): string {
  const b = balls.map(({ id, x, y }) => `#${id} (${x.toFixed(2)}, ${y.toFixed(2)})`).join(" ");
  const e = enemies.map(({ id, x }) => `#${id} ${x.toFixed(2)}`).join(" ");
  return `balls ${b || "-"}  enemies ${e || "-"}`;
}

// Checked on a function of this file: the world module is imported by the compiled pass only (a
// module the uncompiled first pass loaded would stay loaded, uncompiled).
async function compiledHere(): Promise<void> {}

const { CHECKPOINTS, createWorld, STEP } = isCompiled(compiledHere) ? await import("./frames-world.js") : ({} as typeof import("./frames-world.js"));

if (isCompiled(compiledHere)) {
  const runs = rates.map(play);
  console.log(`Fixed ${STEP} s physics steps in tasks, enemies spawned by timers; the host calls loop.advance(1/fps).`);
  for (const [i, t] of CHECKPOINTS.entries()) {
    console.log(`t = ${t} s`);
    for (const { fps, snapshots } of runs) {
      const { frame, world } = snapshots[i]!;
      console.log(`  ${String(fps).padStart(4)} fps, frame ${String(frame).padStart(5)}: ${line(world)}`);
    }
  }
  const knockouts = runs[0]!.knockouts.map(({ enemy, ball, time }) => `enemy #${enemy} by ball #${ball} at ${time.toFixed(1)} s`);
  console.log(`Knock-outs: ${knockouts.join(", ")}`);
  // Every number of every snapshot and knock-out, compared with Object.is: bit for bit.
  const numbers = (run: (typeof runs)[number]) => [
    ...run.snapshots.flatMap(({ world }) => [...world.balls.flatMap((b) => [b.id, b.x, b.y]), -1, ...world.enemies.flatMap((e) => [e.id, e.x]), -2]),
    ...run.knockouts.flatMap((k) => [k.enemy, k.ball, k.time]),
  ];
  const reference = numbers(runs[0]!);
  const agree = runs.every((run) => {
    const mine = numbers(run);
    return mine.length === reference.length && mine.every((n, i) => Object.is(n, reference[i]));
  });
  const names = runs.map((run) => `${run.fps}`).join(", ");
  console.log(
    agree
      ? `At ${names} fps the worlds agree to the last bit, at every checkpoint and every knock-out.`
      : `At ${names} fps the worlds DIFFER.`,
  );
  console.log(`0.1 s steps in 10 s, on asleep(): ${runs.map((run) => `${run.steps} at ${run.fps} fps`).join(", ")}`);
  console.log(`on a timer checked once a frame: ${runs.map((run) => `${run.frameCounted} at ${run.fps} fps`).join(", ")}`);
} else {
  await importCompiled(import.meta.url);
}
