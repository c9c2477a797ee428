import { describe, expect, it } from "vitest";
import { __awaiter, asleep, EventLoop, gather, VirtualClock, type Task } from "../src/index.js";
import { withoutMicrotasks } from "./helpers.js";

// The demo's coroutine, in the shape TypeScript's ES2016 emit gives `async function printEveryPeriod`.
function printEveryPeriod(this: unknown, log: string[], msg: string, period: number): Task<string> {
  return __awaiter(this, void 0, void 0, function* () {
    for (let i = 0; i < Math.trunc(3 / period); i++) {
      yield asleep(period);
      log.push(msg);
    }
    return `Print ${period} over`;
  });
}

describe("a synchronous run", () => {
  it("completes the demo's three coroutines with Promise.then, queueMicrotask and nextTick disabled", () => {
    const log: string[] = [];
    const loop = new EventLoop({ clock: new VirtualClock() });
    const results = withoutMicrotasks(() => {
      const tasks = [
        loop.createTask(printEveryPeriod(log, "First message!", 1)),
        loop.createTask(printEveryPeriod(log, "Second message!", 1)),
        loop.createTask(printEveryPeriod(log, "...", 0.25)),
      ];
      loop.runForever();
      return tasks.map((task) => task.result());
    });
    expect(results).toEqual(["Print 1 over", "Print 1 over", "Print 0.25 over"]);
    const second = ["...", "...", "...", "...", "First message!", "Second message!"];
    expect(log).toEqual(["...", "...", "...", "First message!", "Second message!", ...second, ...second, "..."]);
    expect(loop.time()).toBe(3);
  });

  it("runs then-callbacks and gather on the loop with the microtask machinery disabled", () => {
    const loop = new EventLoop({ clock: new VirtualClock() });
    const seen: string[] = [];
    const result = withoutMicrotasks(() => {
      const task = loop.createTask(asleep(1, "a"));
      task.then((v) => seen.push(`then ${v}`));
      return loop.runUntilComplete(gather(task, asleep(2, "b")));
    });
    expect(result).toEqual(["a", "b"]);
    expect(seen).toEqual(["then a"]);
  });
});
