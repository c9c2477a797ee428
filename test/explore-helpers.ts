// Shared by test/explore*.test.ts: the main entry's names they use.
import { asleep, coroutine, DeadlockError, EventLoop, run, UsageError, VirtualClock } from "../src/index.js";

export { asleep, coroutine, DeadlockError, run, UsageError, VirtualClock };

/** Three callbacks on a plain loop, in the order they ran. */
export function callSoonish(): string[] {
  const loop = new EventLoop({ clock: new VirtualClock() });
  const log: string[] = [];
  for (const name of ["a", "b", "c"]) loop.callSoon(() => log.push(name));
  loop.runForever();
  return log;
}
