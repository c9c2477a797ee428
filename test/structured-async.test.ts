"use handloop";
// Structured concurrency through compiled async code (this file is compiled by handloop/vite).
import { describe, expect, it } from "vitest";
import {
  asleep,
  Barrier,
  Condition,
  currentLoop,
  Event,
  Lock,
  Queue,
  race,
  run,
  Semaphore,
  shield,
  Task,
  taskGroup,
  TaskGroupError,
  timeout,
  TimeoutError,
  VirtualClock,
  type TaskGroup,
} from "../src/index.js";

const vrun = <T>(main: () => PromiseLike<T>): T => run(main, { clock: new VirtualClock() });
const now = () => currentLoop().time();

describe("structured concurrency in async code", () => {
  it("times out an async function, running its awaiting finally first", () => {
    const log: string[] = [];
    async function slow(): Promise<string> {
      try {
        await asleep(10);
        return "slow";
      } finally {
        await asleep(1);
        log.push(`cleaned@${now()}`);
      }
    }
    const outcome = vrun(async () => {
      try {
        return await timeout(2, slow());
      } catch (error) {
        return error instanceof TimeoutError ? `timed out@${now()}` : String(error);
      }
    });
    expect(outcome).toBe("timed out@3");
    expect(log).toEqual(["cleaned@3"]);
  });

  it("runs a task group with an async body and children", () => {
    const outcome = vrun(async () => {
      try {
        await taskGroup(async (group: TaskGroup) => {
          group.spawn((async () => {
            await asleep(1);
            throw new Error("child failed");
          })());
          await asleep(10);
        });
        return "no error";
      } catch (error) {
        return `${(error as TaskGroupError).errors.length} error(s) at ${now()}`;
      }
    });
    expect(outcome).toBe("1 error(s) at 1");
  });

  it("passes items through a Queue with for await until it is shut down", () => {
    const consumed = vrun(async () => {
      const queue = new Queue<number>({ maxsize: 1 });
      const producer = (async () => {
        for (let i = 1; i <= 3; i++) await queue.put(i);
        queue.shutdown();
      })();
      const seen: string[] = [];
      for await (const item of queue) seen.push(`${item}@${now()}`), await asleep(1);
      await producer;
      return seen;
    });
    expect(consumed).toEqual(["1@0", "2@1", "3@2"]);
  });

  it("guards with a Lock and a Semaphore, and signals with an Event", () => {
    const log = vrun(async () => {
      const lock = new Lock();
      const slots = new Semaphore(2);
      const go = new Event();
      const out: string[] = [];
      const user = async (name: string) => {
        await go.wait();
        await slots.acquire();
        try {
          await lock.acquire();
          try {
            out.push(`${name}@${now()}`);
            await asleep(1);
          } finally {
            lock.release();
          }
        } finally {
          slots.release();
        }
      };
      const users = ["a", "b", "c"].map(user);
      await asleep(5);
      go.set();
      for (const u of users) await u;
      return out;
    });
    expect(log).toEqual(["a@5", "b@6", "c@7"]);
  });

  it("waits on a Condition and meets at a Barrier", () => {
    const log = vrun(async () => {
      const cond = new Condition();
      const barrier = new Barrier(2);
      const items: string[] = [];
      const out: string[] = [];
      const consumer = (async () => {
        await cond.acquire();
        try {
          await cond.waitFor(() => items.length > 0);
          out.push(`took ${items.shift()}@${now()}`);
        } finally {
          cond.release();
        }
        out.push(`consumer at barrier #${await barrier.wait()}@${now()}`);
      })();
      await asleep(1);
      await cond.acquire();
      items.push("x");
      cond.notify();
      cond.release();
      await asleep(1);
      out.push(`producer at barrier #${await barrier.wait()}@${now()}`);
      await consumer;
      return out;
    });
    expect(log).toEqual(["took x@1", "producer at barrier #1@2", "consumer at barrier #0@2"]);
  });

  it("races async calls and shields one from its awaiter's cancellation", () => {
    const result = vrun(async () => {
      const after = async (seconds: number, value: string) => {
        await asleep(seconds);
        return value;
      };
      const winner = await race(after(2, "slow"), after(1, "fast"));
      const saved = Task.from(after(3, "saved"));
      const awaiter = Task.from((async () => await shield(saved))());
      await asleep(1);
      awaiter.cancel();
      return [winner, await saved, now()];
    });
    expect(result).toEqual(["fast", "saved", 4]);
  });

  it("delivers a failure two compiled awaits began on once: to the awaiter that resumed, though the other was cancelled", () => {
    const reported: string[] = [];
    const outcome = run(
      async () => {
        const failed = (async () => {
          throw new Error("failed at once");
        })();
        // A compiled await of a settled task takes one turn, as natively: the awaiter holds the
        // failure until then, and a cancel in between leaves it to the policy.
        const cancelled = Task.from((async () => await failed)());
        const receiving = Task.from((async () => await failed)());
        cancelled.cancel();
        try {
          await receiving;
        } catch (error) {
          reported.push(`received: ${(error as Error).message}`);
        }
        try {
          await cancelled;
        } catch (error) {
          return (error as Error).name;
        }
      },
      { clock: new VirtualClock(), unhandledError: (error) => reported.push(`reported: ${(error as Error).message}`) },
    );
    expect(outcome).toBe("CancelledError");
    // The one awaiter that resumed received it; the cancelled one gave its claim up. Received
    // once, so not reported.
    expect(reported).toEqual(["received: failed at once"]);
  });

  it("reports the error of a task that had failed when a compiled await began, when its only awaiter is cancelled before its turn", () => {
    const reported: string[] = [];
    const outcome = run(
      async () => {
        const failed = (async () => {
          throw new Error("failed at once");
        })();
        const cancelled = Task.from((async () => await failed)());
        cancelled.cancel();
        try {
          await cancelled;
        } catch (error) {
          return (error as Error).name;
        }
      },
      { clock: new VirtualClock(), unhandledError: (error) => reported.push(`reported: ${(error as Error).message}`) },
    );
    expect(outcome).toBe("CancelledError");
    expect(reported).toEqual(["reported: failed at once"]);
  });
});
