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
