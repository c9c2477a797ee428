// The sync primitives keep their guarantees under every schedule the explorer tries, not only in
// FIFO order: a task handed a lock, a permit or an item may be postponed while others run (which
// FIFO never does), and cancelled meanwhile. Each program below asserts the guarantee itself;
// check() runs it under thousands of random and PCT schedules, with the cancel landing at a
// point the schedule draws (`choose`).
import { describe, expect, it } from "vitest";
import {
  asleep,
  CancelledError,
  Condition,
  coroutine,
  Event,
  gather,
  Lock,
  Queue,
  race,
  Semaphore,
  taskGroup,
  timeout,
  TaskGroupError,
  TimeoutError,
  type Task,
  type TaskGroup,
} from "../src/index.js";
import { check, choose, type Program } from "../src/explore.js";

/** Awaits each task; a CancelledError of one that was cancelled is its outcome, not a failure. */
const settle = coroutine(function* settle(tasks: Task<unknown>[]) {
  for (const task of tasks) {
    try {
      yield* task;
    } catch (error) {
      if (!(error instanceof CancelledError)) throw error;
    }
  }
});

/** Cancels one of `tasks`, chosen by the schedule, after a number of yields the schedule draws too. */
const cancelOne = coroutine(function* cancelOne(tasks: Task<unknown>[]) {
  for (let i = choose(4); i > 0; i--) yield* asleep(0);
  tasks[choose(tasks.length)]!.cancel();
});

function explored(program: Program<unknown>): void {
  for (const strategy of ["random", "pct"] as const) {
    const result = check(program, { strategy, runs: 1500, seed: 11 });
    if (!result.ok) throw result.failure;
    expect(result.distinct).toBeGreaterThan(50); // it did explore
  }
}

describe("under explored schedules", () => {
  it("a Lock never has two holders and is free at the end, with a waiter cancelled anywhere", () => {
    explored(() => {
      const lock = new Lock();
      let inside = 0;
      const worker = coroutine(function* worker() {
        yield* lock.acquire();
        try {
          if (++inside > 1) throw new Error(`${inside} tasks hold the lock at once.`);
          yield* asleep(0);
        } finally {
          inside--;
          lock.release();
        }
      });
      return coroutine(function* main() {
        const workers = [worker(), worker(), worker()];
        yield* cancelOne(workers);
        yield* settle(workers);
        if (lock.locked()) throw new Error("The lock is still held once every worker ended.");
      })();
    });
  });

  it("a Semaphore never has more holders than permits, and gets every permit back", () => {
    explored(() => {
      const semaphore = new Semaphore(2);
      let inside = 0;
      const worker = coroutine(function* worker() {
        yield* semaphore.acquire();
        try {
          if (++inside > 2) throw new Error(`${inside} tasks hold one of 2 permits.`);
          yield* asleep(0);
        } finally {
          inside--;
          semaphore.release();
        }
      });
      return coroutine(function* main() {
        const workers = [worker(), worker(), worker(), worker()];
        yield* cancelOne(workers);
        yield* settle(workers);
        // Both permits are back: two acquires succeed at once, a third would wait.
        yield* semaphore.acquire();
        yield* semaphore.acquire();
        if (!semaphore.locked()) throw new Error("A third permit appeared.");
      })();
    });
  });

  it("a bounded Queue loses and duplicates no item, with a getter or putter cancelled anywhere", () => {
    explored(() => {
      const queue = new Queue<number>({ maxsize: 1 });
      const got: number[] = [];
      const put: number[] = [];
      const producer = coroutine(function* producer(first: number) {
        for (let i = first; i < first + 2; i++) {
          yield* queue.put(i);
          put.push(i); // it went in (a cancelled put added nothing)
        }
      });
      const consumer = coroutine(function* consumer() {
        for (;;) got.push(yield* queue.get());
      });
      return coroutine(function* main() {
        const producers = [producer(0), producer(10)];
        const consumers = [consumer(), consumer()];
        yield* cancelOne([...producers, ...consumers]);
        yield* settle(producers);
        for (let i = 0; i < 3; i++) yield* asleep(0); // let the consumers drain what they can
        for (const c of consumers) c.cancel();
        yield* settle(consumers);
        const left: number[] = [];
        while (!queue.empty()) left.push(queue.getNowait());
        const out = [...got, ...left].sort((a, b) => a - b);
        if (out.join() !== [...put].sort((a, b) => a - b).join()) {
          throw new Error(`Put ${put.join()} but got ${got.join()} and left ${left.join()}.`);
        }
      })();
    });
  });

  it("a Condition's waiter holds the lock again when wait() returns, also when cancelled", () => {
    explored(() => {
      const condition = new Condition();
      let ready = false;
      const waiter = coroutine(function* waiter() {
        yield* condition.acquire();
        try {
          while (!ready) yield* condition.wait();
          if (!condition.locked()) throw new Error("wait() returned without the lock.");
        } finally {
          condition.release();
        }
      });
      return coroutine(function* main() {
        const waiters = [waiter(), waiter()];
        const notifier = coroutine(function* notifier() {
          yield* asleep(0);
          yield* condition.acquire();
          ready = true;
          condition.notifyAll();
          condition.release();
        })();
        yield* cancelOne(waiters); // (a cancelled notifier would leave them waiting: a true deadlock)
        yield* settle([...waiters, notifier]);
        if (condition.locked()) throw new Error("The condition's lock is still held at the end.");
      })();
    });
  });

  it("an Event wakes every waiter that is still waiting when it is set", () => {
    explored(() => {
      const event = new Event();
      let woken = 0;
      const waiter = coroutine(function* waiter() {
        yield* event.wait();
        woken++;
      });
      return coroutine(function* main() {
        const waiters = [waiter(), waiter(), waiter()];
        yield* cancelOne(waiters);
        event.set();
        yield* settle(waiters);
        const cancelled = waiters.filter((w) => w.cancelled()).length;
        if (woken + cancelled !== 3) throw new Error(`${woken} woken and ${cancelled} cancelled of 3 waiters.`);
      })();
    });
  });

  it("a task group fails with its child's error only once every child has ended, each finally run once", () => {
    explored(() => {
      const finallies = new Map<number, number>();
      const child = coroutine(function* child(i: number, fails: boolean) {
        try {
          for (let n = choose(3); n > 0; n--) yield* asleep(0);
          if (fails) throw new Error(`child ${i} failed`);
          yield* asleep(0);
        } finally {
          yield* asleep(0); // cleanup that awaits
          finallies.set(i, (finallies.get(i) ?? 0) + 1);
        }
      });
      return coroutine(function* main() {
        const failing = choose(3);
        const children: Task<unknown>[] = [];
        try {
          yield* taskGroup(function* (group: TaskGroup) {
            for (let i = 0; i < 3; i++) children.push(group.spawn(child(i, i === failing)));
          });
          throw new Error("The group returned although a child failed.");
        } catch (error) {
          if (!(error instanceof TaskGroupError)) throw error;
          if (String(error.errors[0]) !== `Error: child ${failing} failed`) throw new Error(`The group failed with ${error.errors.join()}.`);
        }
        const running = children.filter((c) => !c.done()).length;
        if (running > 0) throw new Error(`${running} children still run after the group ended.`);
        const counts = [0, 1, 2].map((i) => finallies.get(i) ?? 0);
        // A child cancelled before its first step never entered its try: 0 is allowed, 2 never.
        if (counts.some((n) => n > 1) || counts[failing] !== 1) throw new Error(`finally counts ${counts.join()}.`);
      })();
    });
  });

  it("timeout() returns only after the work's cleanup ran, and gather keeps input order", () => {
    explored(() => {
      let cleaned = false;
      const slow = coroutine(function* slow() {
        try {
          yield* asleep(10);
        } finally {
          yield* asleep(0);
          cleaned = true;
        }
      });
      const value = coroutine(function* value(v: number) {
        for (let n = choose(3); n > 0; n--) yield* asleep(0);
        return v;
      });
      return coroutine(function* main() {
        const [a, b, c] = yield* gather(value(1), value(2), value(3));
        if (`${a}${b}${c}` !== "123") throw new Error(`gather gave ${a}, ${b}, ${c}.`);
        try {
          yield* timeout(1, slow());
          throw new Error("timeout() returned the work's result.");
        } catch (error) {
          if (!(error instanceof TimeoutError)) throw error;
        }
        if (!cleaned) throw new Error("timeout() raised before the work's finally had run.");
        const winner = yield* race(value(7), value(8));
        if (winner !== 7 && winner !== 8) throw new Error(`race gave ${String(winner)}.`);
      })();
    });
  });
});
