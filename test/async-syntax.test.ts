"use handloop";
// This file is compiled by handloop/vite (see vitest.config.ts): its `async` functions run on the
// loop. Each test is synchronous; `run()` drives the async body to the end before it returns.
import { describe, expect, it } from "vitest";
import { asleep, CancelledError, currentLoop, gather, isCompiled, run, Task, VirtualClock } from "../src/index.js";
import { NOT_COMPILED_ADVICE } from "./helpers.js";

const vrun = <T>(main: () => PromiseLike<T>): T => run(main, { clock: new VirtualClock() });
const now = () => currentLoop().time();

describe("real async/await in a compiled test file", () => {
  it("is compiled, and runs an async body to the end inside a synchronous test", () => {
    const body = async () => {
      await asleep(3600);
      return now();
    };
    expect(isCompiled(body)).toBe(true);
    expect(vrun(body)).toBe(3600);
  });

  it("cancels a task whose finally awaits, and the awaiter sees CancelledError", () => {
    const log: string[] = [];
    async function worker(): Promise<void> {
      try {
        await asleep(10);
      } finally {
        log.push(`cleanup@${now()}`);
        await asleep(1);
        log.push(`cleaned@${now()}`);
      }
    }
    const outcome = vrun(async () => {
      const task = Task.from(worker());
      await asleep(2);
      task.cancel();
      try {
        await task;
        return "not cancelled";
      } catch (error) {
        return error instanceof CancelledError ? `cancelled@${now()}` : String(error);
      }
    });
    expect(outcome).toBe("cancelled@3");
    expect(log).toEqual(["cleanup@2", "cleaned@3"]);
  });

  it("refuses to take a native Promise for a Task", () => {
    // `Promise` in this compiled file is the loop's; a host API would return the native one.
    expect(() => Task.from(globalThis.Promise.resolve(1))).toThrow(
      new TypeError(
        `Task.from() expects the result of an async function compiled by handloop, got a native Promise. The async function that returned it was not compiled. ${NOT_COMPILED_ADVICE}`,
      ),
    );
  });

  it("gathers async calls in input order", () => {
    const after = async (seconds: number, value: string) => {
      await asleep(seconds);
      return `${value}@${now()}`;
    };
    expect(vrun(async () => await gather(after(3, "a"), after(1, "b"), after(2, "c")))).toEqual(["a@3", "b@1", "c@2"]);
  });

  it("walks an async generator with for await, and break runs its finally", () => {
    const log: string[] = [];
    async function* ticks(): AsyncGenerator<number> {
      try {
        for (let i = 0; ; i++) {
          await asleep(1);
          yield i;
        }
      } finally {
        await asleep(0.5);
        log.push(`generator closed@${now()}`);
      }
    }
    const seen = vrun(async () => {
      const out: number[] = [];
      for await (const tick of ticks()) {
        out.push(tick);
        if (tick === 2) break;
      }
      return out;
    });
    expect(seen).toEqual([0, 1, 2]);
    expect(log).toEqual(["generator closed@3.5"]);
  });
});
