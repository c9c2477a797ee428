"use handloop";
/**
 * The world of the frames demo, shared by `demos/frames.ts` (which plays it at several frame rates
 * in Node) and `demos/frames.html` (which animates it in a browser): cannonballs that fly and
 * bounce in tasks awaiting `asleep(0.1)` between physics steps, and enemies spawned by a timer
 * chain that walk in steps of their own until a ball knocks them out.
 */

import { asleep, type EventLoop, type Task } from "../src/index.js";

export const STEP = 0.1; // seconds of game time per physics step
const GRAVITY = 9.81;
export const CHECKPOINTS = [1, 2.5, 5, 10];

interface Ball {
  id: number;
  x: number;
  y: number;
  vx: number;
  vy: number;
}

interface Enemy {
  id: number;
  x: number;
  walker: Task<void> | null;
}

/** An enemy walks left in steps of its own, until it is off the field or knocked out. */
export async function walk(enemy: Enemy): Promise<void> {
  while (enemy.x > 0) {
    await asleep(STEP);
    enemy.x -= 1.5 * STEP;
  }
}

/** One world: the tasks and timers of the simulation on `loop`. */
export function createWorld(loop: EventLoop) {
  const balls: Ball[] = [];
  const enemies: Enemy[] = [];
  const knockouts: { enemy: number; ball: number; time: number }[] = [];
  let steps = 0; // of the metronome below: one per 0.1 s of game time

  async function fly(ball: Ball): Promise<void> {
    for (let step = 0; step < 80; step++) {
      await asleep(STEP);
      ball.vy -= GRAVITY * STEP;
      ball.x += ball.vx * STEP;
      ball.y += ball.vy * STEP;
      if (ball.y < 0) {
        ball.y = -ball.y * 0.7; // bounce, losing energy
        ball.vy = -ball.vy * 0.7;
      }
      for (const enemy of enemies) {
        if (enemy.walker !== null && Math.abs(enemy.x - ball.x) < 0.5 && ball.y < 1) {
          enemy.walker.cancel(`hit by ball ${ball.id}`);
          enemy.walker = null;
          knockouts.push({ enemy: enemy.id, ball: ball.id, time: loop.time() });
        }
      }
    }
  }

  async function cannon(): Promise<void> {
    for (let id = 1; id <= 4; id++) {
      balls.push({ id, x: 0, y: 0, vx: 2 + id, vy: 7 });
      loop.createTask(fly(balls.at(-1)!));
      await asleep(0.5);
    }
  }

  function spawnEnemy(): void {
    const enemy: Enemy = { id: enemies.length + 1, x: 16, walker: null };
    enemies.push(enemy);
    enemy.walker = loop.createTask(walk(enemy));
    if (enemies.length < 4) loop.callLater(1.2, spawnEnemy);
  }

  async function metronome(): Promise<never> {
    for (;;) {
      await asleep(STEP);
      steps++;
    }
  }

  loop.createTask(cannon());
  loop.callLater(0.6, spawnEnemy);
  loop.createTask(metronome());

  return {
    /** What a renderer would draw now. */
    snapshot: () => ({
      balls: balls.map(({ id, x, y }) => ({ id, x, y })),
      enemies: enemies.filter((e) => e.walker !== null).map(({ id, x }) => ({ id, x })),
    }),
    steps: () => steps,
    knockouts,
  };
}

export type World = ReturnType<typeof createWorld>;
export type Snapshot = ReturnType<World["snapshot"]>;
