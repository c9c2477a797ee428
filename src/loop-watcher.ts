/**
 * loop-watcher.ts: how `handloop trace` sees every loop a program makes, without the program's
 * help. The CLI's preload (trace-preload.ts) sets a watcher on the global object under a
 * `Symbol.for` key (so every copy of handloop in the process finds it); each `new EventLoop()`
 * passes its options through the watcher, which may swap the clock (a virtual one unless
 * `--real`), and tells it the loop once made, so it can start a recorder.
 *
 * Costs one global read per loop created, nothing per step. Internal: not part of the public API.
 */

import type { EventLoop, EventLoopOptions } from "./loop.js";

const KEY = Symbol.for("handloop.loopWatcher");

/** @internal What `handloop trace` does with each new loop. */
export interface LoopWatcher {
  /** The options the loop is made with instead of `asked`. */
  options(asked: EventLoopOptions): EventLoopOptions;
  /** The loop, once made. */
  created(loop: EventLoop): void;
}

/** @internal The watcher set in this process, if any. */
export function loopWatcher(): LoopWatcher | undefined {
  return (globalThis as { [KEY]?: LoopWatcher })[KEY];
}

/** @internal Sets (or, with undefined, removes) the watcher of every loop made from now on. */
export function watchLoops(watcher: LoopWatcher | undefined): void {
  const global = globalThis as { [KEY]?: LoopWatcher };
  if (watcher === undefined) delete global[KEY];
  else global[KEY] = watcher;
}
