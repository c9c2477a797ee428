/** Shared test helpers: virtual-time loops, event logs, and a guard against Promise machinery. */

import { EventLoop, run, VirtualClock } from "../src/index.js";

/** `run(main)` on a fresh virtual clock. */
export function vrun<T>(main: Parameters<typeof run<T>>[0]): T {
  return run<T>(main, { clock: new VirtualClock() });
}

/** A loop on a fresh virtual clock starting at 0. */
export function virtualLoop(): EventLoop {
  return new EventLoop({ clock: new VirtualClock() });
}

/** An event log with a timestamp from the loop's clock: `log.at("a")` pushes "a@1.5". */
export function timedLog(loop: EventLoop): { entries: string[]; at(event: string): void } {
  const entries: string[] = [];
  return { entries, at: (event) => entries.push(`${event}@${loop.time()}`) };
}

/**
 * Runs `fn` while `Promise.prototype.then`, `queueMicrotask` and `process.nextTick` throw, so any
 * use of the microtask machinery inside it fails loudly; restores them afterwards.
 */
export function withoutMicrotasks<T>(fn: () => T): T {
  const then = Promise.prototype.then;
  const microtask = globalThis.queueMicrotask;
  const nextTick = process.nextTick;
  const forbidden = (name: string) => () => {
    throw new Error(`${name} was called during a synchronous handloop run`);
  };
  Promise.prototype.then = forbidden("Promise.prototype.then") as typeof then;
  globalThis.queueMicrotask = forbidden("queueMicrotask");
  process.nextTick = forbidden("process.nextTick") as typeof nextTick;
  try {
    return fn();
  } finally {
    Promise.prototype.then = then;
    globalThis.queueMicrotask = microtask;
    process.nextTick = nextTick;
  }
}

/**
 * The advice every error about an async function handloop did not compile ends with, as a process
 * without handloop's Node hook reads it (vitest compiles through the Vite plugin, not the hook).
 */
export const NOT_COMPILED_ADVICE =
  'handloop\'s Node hook is not registered in this process: start Node with `--import handloop/register` (under Vite or Vitest, add the plugin from handloop/vite instead), and opt the function\'s file in with a "use handloop" directive as its first statement or a .loop.ts name.';
