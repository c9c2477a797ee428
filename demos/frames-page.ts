"use handloop";
/**
 * The frames demo in a browser (demos/frames.html): the world of demos/frames-world.ts on a
 * FrameClock loop, advanced by `animate()` from requestAnimationFrame and drawn on a canvas after
 * each frame. The pause button sets the clock's timeScale to 0: the world stops, frames go on.
 */

import { animate, EventLoop, FrameClock } from "../src/index.js";
import { createWorld } from "./frames-world.js";

// The project's types have no DOM: what the page uses of it, by hand.
interface Canvas2D {
  fillStyle: string;
  clearRect(x: number, y: number, w: number, h: number): void;
  fillRect(x: number, y: number, w: number, h: number): void;
  beginPath(): void;
  arc(x: number, y: number, r: number, start: number, end: number): void;
  fill(): void;
}
interface Page {
  document: {
    getElementById(id: string): {
      textContent: string | null;
      width: number;
      height: number;
      getContext(kind: "2d"): Canvas2D;
      addEventListener(type: string, listener: () => void): void;
    } | null;
  };
  demo?: { frame: number; steps: number; time: number };
}
const page = globalThis as unknown as Page;
const canvas = page.document.getElementById("world")!;
const status = page.document.getElementById("status")!;
const pen = canvas.getContext("2d");

const clock = new FrameClock();
const loop = new EventLoop({ clock });
const world = createWorld(loop);
const SCALE = 36; // pixels per metre

page.document.getElementById("pause")!.addEventListener("click", () => {
  clock.timeScale = clock.timeScale === 0 ? 1 : 0;
});

animate(loop, {
  onFrame: () => {
    const { balls, enemies } = world.snapshot();
    pen.clearRect(0, 0, canvas.width, canvas.height);
    pen.fillStyle = "#c33";
    for (const enemy of enemies) pen.fillRect(enemy.x * SCALE - 6, canvas.height - 24, 12, 24);
    pen.fillStyle = "#333";
    for (const ball of balls) {
      pen.beginPath();
      pen.arc(ball.x * SCALE, canvas.height - ball.y * SCALE - 5, 5, 0, 2 * Math.PI);
      pen.fill();
    }
    status.textContent = `frame ${loop.frame}, game time ${clock.now().toFixed(2)} s, ${world.steps()} steps of 0.1 s${clock.timeScale === 0 ? " (paused)" : ""}`;
    page.demo = { frame: loop.frame, steps: world.steps(), time: clock.now() };
  },
});
