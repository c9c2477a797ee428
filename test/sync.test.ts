import { describe, expect, it } from "vitest";
import {
  asleep,
  Barrier,
  CancelledError,
  Condition,
  coroutine,
  Event,
  Lock,
  Queue,
  QueueEmptyError,
  QueueFullError,
  QueueShutDownError,
  Semaphore,
  UsageError,
} from "../src/index.js";
import { timedLog, virtualLoop, vrun } from "./helpers.js";

/** Takes every item a queue holds now, in order. */
function* drain<T>(queue: Queue<T>): Generator<T> {
  while (!queue.empty()) yield queue.getNowait();
}

describe("Queue", () => {
  it("passes items first in, first out, to getters in the order they started waiting", () => {
    const loop = virtualLoop();
    const log = timedLog(loop);
    const queue = new Queue<string>();
    const getter = coroutine(function* (name: string) {
      const item = yield* queue.get();
      log.at(`${name} got ${item}`);
    });
    for (const name of ["g1", "g2", "g3"]) loop.createTask(getter(name));
    loop.callLater(1, () => {
      queue.putNowait("a");
      queue.putNowait("b");
    });
    loop.callLater(2, () => queue.putNowait("c"));
    loop.runForever();
    expect(log.entries).toEqual(["g1 got a@1", "g2 got b@1", "g3 got c@2"]);
  });

  it("makes put wait while the queue is full, and releases putters in order", () => {
    const loop = virtualLoop();
    const log = timedLog(loop);
    const queue = new Queue<number>({ maxsize: 2 });
    loop.createTask(
      coroutine(function* () {
        for (let i = 1; i <= 5; i++) {
          yield* queue.put(i);
          log.at(`put ${i}`);
        }
      })(),
    );
    loop.createTask(
      coroutine(function* () {
        for (let i = 0; i < 5; i++) {
          yield* asleep(1);
          log.at(`got ${yield* queue.get()}`);
        }
      })(),
    );
    loop.runForever();
    expect(log.entries).toEqual([
      "put 1@0",
      "put 2@0",
      "got 1@1",
      "put 3@1",
      "got 2@2",
      "put 4@2",
      "got 3@3",
      "put 5@3",
      "got 4@4",
      "got 5@5",
    ]);
  });

  it("throws QueueFullError and QueueEmptyError from the nowait forms", () => {
    const queue = new Queue<number>({ maxsize: 1 });
    expect(() => queue.getNowait()).toThrow(
      new QueueEmptyError("getNowait() on an empty Queue; await get() to wait for an item."),
    );
    queue.putNowait(1);
    expect(queue.full()).toBe(true);
    expect(() => queue.putNowait(2)).toThrow(
      new QueueFullError("putNowait() on a full Queue (maxsize 1); await put() to wait for room."),
    );
    expect(queue.getNowait()).toBe(1);
    expect(queue.size).toBe(0);
  });

  it("gives an item handed to a cancelled getter to the next getter", () => {
    const loop = virtualLoop();
    const queue = new Queue<string>();
    const got: string[] = [];
    const getter = coroutine(function* (name: string) {
      got.push(`${name}:${yield* queue.get()}`);
    });
    const first = loop.createTask(getter("first"));
    loop.createTask(getter("second"));
    loop.callLater(1, () => {
      queue.putNowait("only item"); // handed to `first`...
      first.cancel(); // ...which is cancelled before it runs
    });
    loop.runForever();
    expect(got).toEqual(["second:only item"]);
    expect(first.cancelled()).toBe(true);
  });

  it("removes a getter cancelled while waiting, so it takes nobody's turn", () => {
    const loop = virtualLoop();
    const queue = new Queue<number>();
    const got: string[] = [];
    const getter = coroutine(function* (name: string) {
      got.push(`${name}:${yield* queue.get()}`);
    });
    const cancelled = loop.createTask(getter("a"));
    loop.createTask(getter("b"));
    loop.callLater(1, () => cancelled.cancel());
    loop.callLater(2, () => queue.putNowait(7));
    loop.runForever();
    expect(got).toEqual(["b:7"]);
  });

  it("a put cancelled after the hand-off leaves nothing in the queue and wakes the next putter", () => {
    const loop = virtualLoop();
    const log = timedLog(loop);
    const queue = new Queue<string>({ maxsize: 1 });
    queue.putNowait("first");
    const putter = coroutine(function* (item: string) {
      try {
        yield* queue.put(item);
        log.at(`put ${item}`);
      } catch (error) {
        log.at(`${item}: ${(error as Error).name}, queue holds [${[...drain(queue)]}]`);
        throw error;
      }
    });
    const p1 = loop.createTask(putter("p1"));
    loop.createTask(putter("p2"));
    loop.callLater(1, () => {
      log.at(`got ${queue.getNowait()}`); // frees the slot and hands it to p1...
      p1.cancel(); // ...which is cancelled in the same turn, before it runs
    });
    loop.runForever();
    // p1's put raised and left nothing behind; the slot went to p2, whose item is the only one.
    expect(log.entries).toEqual(["got first@1", "p1: CancelledError, queue holds []@1", "put p2@1"]);
    expect([...drain(queue)]).toEqual(["p2"]);
    expect(p1.cancelled()).toBe(true);
  });

  it("a put cancelled after the hand-off can be retried without adding its item twice", () => {
    const queue = new Queue<number>({ maxsize: 1 });
    const got = vrun(function* () {
      queue.putNowait(0);
      const putter = coroutine(function* () {
        for (;;) {
          try {
            yield* queue.put(1);
            return;
          } catch (error) {
            if (!(error instanceof CancelledError)) throw error;
            // Swallowed: try again, as a caller that retries a cancelled put would.
          }
        }
      })();
      yield;
      queue.getNowait(); // hands the slot to the putter
      putter.cancel(); // before it ran
      yield putter;
      return [...drain(queue)];
    });
    expect(got).toEqual([1]);
  });

  it("never holds more than maxsize items, even when an item handed to a getter comes back", () => {
    const loop = virtualLoop();
    const queue = new Queue<string>({ maxsize: 1 });
    const getter = loop.createTask(coroutine(function* () { return yield* queue.get(); })());
    const sizes: string[] = [];
    loop.callLater(1, () => {
      queue.putNowait("a"); // handed to the getter, which has not run: the slot is still taken
      sizes.push(`full=${queue.full()}`);
      try {
        queue.putNowait("b");
      } catch (error) {
        sizes.push((error as Error).name);
      }
      getter.cancel(); // "a" comes back to the queue
      sizes.push(`size=${queue.size} full=${queue.full()}`);
    });
    loop.runForever();
    expect(sizes).toEqual(["full=true", "QueueFullError", "size=1 full=true"]);
    expect(queue.getNowait()).toBe("a");
  });

  it("gives the slot of an item taken by a getter to a blocked putter only once that getter runs", () => {
    const loop = virtualLoop();
    const log = timedLog(loop);
    const queue = new Queue<string>({ maxsize: 1 });
    const getter = loop.createTask(coroutine(function* () { log.at(`got ${yield* queue.get()}`); })());
    loop.callLater(1, () => queue.putNowait("a")); // straight to the waiting getter
    loop.callLater(1, () =>
      loop.createTask(coroutine(function* () { yield* queue.put("b"); log.at("put b"); })()),
    );
    loop.runForever();
    expect(log.entries).toEqual(["got a@1", "put b@1"]);
    expect(getter.done()).toBe(true);
    expect([...drain(queue)]).toEqual(["b"]);
  });

  it("still adds the item of a put promised a slot before shutdown(), and its getters wait for it", () => {
    const loop = virtualLoop();
    const log = timedLog(loop);
    const queue = new Queue<string>({ maxsize: 1 });
    queue.putNowait("a");
    loop.createTask(coroutine(function* () { yield* queue.put("b"); log.at("put b"); })());
    const getter = coroutine(function* (name: string) {
      try {
        log.at(`${name} got ${yield* queue.get()}`);
      } catch (error) {
        log.at(`${name}: ${(error as Error).name}`);
      }
    });
    loop.callLater(1, () => {
      log.at(`got ${queue.getNowait()}`); // promises the slot to the blocked put of "b"
      loop.createTask(getter("g1"));
      loop.createTask(getter("g2"));
      queue.shutdown();
    });
    loop.runForever();
    expect(log.entries).toEqual(["got a@1", "put b@1", "g1 got b@1", "g2: QueueShutDownError@1"]);
  });

  it("never loses an item on its way to a for-await consumer that is cancelled as it arrives", () => {
    const loop = virtualLoop();
    const queue = new Queue<string>();
    const taken: string[] = [];
    const consumer = loop.createTask(
      coroutine(function* () {
        const items = queue[Symbol.asyncIterator]();
        for (;;) {
          const next = yield* items.next(); // what `for await (const item of queue)` awaits
          if (next.done) return;
          taken.push(next.value);
        }
      })(),
    );
    loop.callLater(1, () => {
      queue.putNowait("x");
      loop.callSoon(() => consumer.cancel()); // after the item reached the consumer's next()
    });
    loop.runForever();
    expect(consumer.cancelled()).toBe(true);
    expect([...taken, ...drain(queue)]).toEqual(["x"]);
  });

  it("lets a join() waiter cancelled after the last taskDone() end cancelled, and the others return", () => {
    const loop = virtualLoop();
    const log = timedLog(loop);
    const queue = new Queue<number>();
    queue.putNowait(1);
    const joiner = coroutine(function* (name: string) {
      yield* queue.join();
      log.at(`${name} joined`);
    });
    const cancelled = loop.createTask(joiner("j1"));
    loop.createTask(joiner("j2"));
    loop.callLater(1, () => {
      queue.getNowait();
      queue.taskDone(); // wakes both joiners...
      cancelled.cancel(); // ...and one is cancelled before it runs
    });
    loop.runForever();
    expect(log.entries).toEqual(["j2 joined@1"]);
    expect(cancelled.cancelled()).toBe(true);
  });

  it("counts items through taskDone and join", () => {
    const loop = virtualLoop();
    const log = timedLog(loop);
    const queue = new Queue<number>();
    for (let i = 1; i <= 3; i++) queue.putNowait(i);
    loop.createTask(
      coroutine(function* () {
        for (;;) {
          const item = yield* queue.get();
          yield* asleep(item);
          queue.taskDone();
        }
      })(),
    ).name = "worker";
    const joined = loop.createTask(
      coroutine(function* () {
        yield* queue.join();
        log.at("all done");
      })(),
    );
    loop.runUntilComplete(joined);
    expect(log.entries).toEqual(["all done@6"]);
    const other = new Queue<number>();
    other.putNowait(9);
    other.getNowait();
    other.taskDone();
    expect(() => other.taskDone()).toThrow(
      new UsageError("taskDone() was called more times than there were items put in the Queue."),
    );
  });

  it("shuts down: puts fail, gets drain what is left and then fail", () => {
    const result = vrun(function* () {
      const queue = new Queue<string>();
      const out: string[] = [];
      const waiting = coroutine(function* () {
        try {
          yield* queue.get();
        } catch (error) {
          out.push(`waiting getter: ${(error as Error).name}`);
        }
      })();
      yield;
      queue.putNowait("x");
      yield; // the waiting getter took "x"
      queue.putNowait("left");
      queue.shutdown();
      try {
        queue.putNowait("late");
      } catch (error) {
        out.push(`put: ${(error as Error).name}`);
      }
      out.push(`get: ${yield* queue.get()}`);
      try {
        yield* queue.get();
      } catch (error) {
        out.push(`get after: ${(error as Error).name}`);
      }
      yield waiting;
      return out;
    });
    expect(result).toEqual(["put: QueueShutDownError", "get: left", "get after: QueueShutDownError"]);
  });

  it("wakes getters blocked at shutdown with QueueShutDownError", () => {
    const queue = new Queue<number>();
    const outcome = vrun(function* () {
      const blocked = coroutine(function* () {
        return yield* queue.get();
      })();
      yield* asleep(1);
      queue.shutdown();
      try {
        return yield blocked;
      } catch (error) {
        return error;
      }
    });
    expect(outcome).toEqual(new QueueShutDownError("get() on a Queue that was shut down while it waited."));
  });

  it("drops what is left and fails blocked getters at once on shutdown(immediate)", () => {
    const queue = new Queue<string>();
    queue.putNowait("a");
    queue.putNowait("b");
    const outcome = vrun(function* () {
      const joined = coroutine(function* () {
        yield* queue.join();
        return "joined";
      })();
      queue.shutdown(true);
      const got: string[] = [];
      try {
        got.push(yield* queue.get());
      } catch (error) {
        got.push((error as Error).name);
      }
      return [queue.size, got, yield* joined];
    });
    expect(outcome).toEqual([0, ["QueueShutDownError"], "joined"]);
  });

  it("rejects a bad maxsize", () => {
    expect(() => new Queue({ maxsize: -1 })).toThrow(
      new RangeError("Expected `maxsize` of new Queue() to be an integer >= 0, got -1."),
    );
  });
});

describe("Event", () => {
  it("wakes every waiter on set, in order, and lets later waits through until cleared", () => {
    const loop = virtualLoop();
    const log = timedLog(loop);
    const event = new Event();
    const waiter = coroutine(function* (name: string) {
      yield* event.wait();
      log.at(name);
    });
    loop.createTask(waiter("a"));
    loop.createTask(waiter("b"));
    loop.callLater(1, () => event.set());
    loop.callLater(2, () => loop.createTask(waiter("late, already set")));
    loop.callLater(3, () => {
      event.clear();
      loop.createTask(waiter("after clear"));
    });
    loop.callLater(4, () => event.set());
    loop.runForever();
    expect(log.entries).toEqual(["a@1", "b@1", "late, already set@2", "after clear@4"]);
    expect(event.isSet()).toBe(true);
  });
});

describe("Event hand-offs", () => {
  it("lets a waiter cancelled after set(), before it ran, end cancelled while the others go on", () => {
    const loop = virtualLoop();
    const log = timedLog(loop);
    const event = new Event();
    const waiter = coroutine(function* (name: string) {
      yield* event.wait();
      log.at(`${name} went`);
    });
    loop.createTask(waiter("a"));
    const cancelled = loop.createTask(waiter("b"));
    loop.createTask(waiter("c"));
    loop.callLater(1, () => {
      event.set();
      cancelled.cancel();
    });
    loop.runForever();
    expect(log.entries).toEqual(["a went@1", "c went@1"]);
    expect(cancelled.cancelled()).toBe(true);
    expect(event.isSet()).toBe(true);
  });
});

describe("Lock", () => {
  it("gives the lock to waiters in the order they asked", () => {
    const loop = virtualLoop();
    const log = timedLog(loop);
    const lock = new Lock();
    const user = coroutine(function* (name: string) {
      yield* lock.acquire();
      try {
        log.at(`${name} in`);
        yield* asleep(1);
      } finally {
        lock.release();
      }
    });
    for (const name of ["a", "b", "c"]) loop.createTask(user(name));
    loop.runForever();
    expect(log.entries).toEqual(["a in@0", "b in@1", "c in@2"]);
    expect(lock.locked()).toBe(false);
  });

  it("is not leaked by a waiter cancelled while waiting, or after being handed the lock", () => {
    const loop = virtualLoop();
    const log = timedLog(loop);
    const lock = new Lock();
    const user = coroutine(function* (name: string) {
      yield* lock.acquire();
      try {
        log.at(`${name} in`);
        yield* asleep(1);
      } finally {
        lock.release();
      }
    });
    loop.createTask(user("holder"));
    const cancelledWhileWaiting = loop.createTask(user("waiting"));
    const cancelledWhenHanded = loop.createTask(user("handed"));
    loop.createTask(user("last"));
    loop.callLater(0.5, () => cancelledWhileWaiting.cancel());
    loop.callLater(1, () => cancelledWhenHanded.cancel()); // same turn the holder hands it over
    loop.runForever();
    expect(log.entries).toEqual(["holder in@0", "last in@1"]);
    expect(lock.locked()).toBe(false);
    expect(cancelledWhileWaiting.cancelled() && cancelledWhenHanded.cancelled()).toBe(true);
  });

  it("refuses to release a lock that is not held", () => {
    expect(() => new Lock().release()).toThrow(
      new UsageError("Cannot release() a Lock that is not locked; release only what you acquired."),
    );
  });
});

describe("Semaphore", () => {
  it("lets at most n holders in at once, FIFO", () => {
    const loop = virtualLoop();
    const log = timedLog(loop);
    const slots = new Semaphore(2);
    let inside = 0;
    let most = 0;
    const user = coroutine(function* (name: string) {
      yield* slots.acquire();
      try {
        most = Math.max(most, ++inside);
        log.at(name);
        yield* asleep(1);
      } finally {
        inside--;
        slots.release();
      }
    });
    for (const name of ["a", "b", "c", "d", "e"]) loop.createTask(user(name));
    loop.runForever();
    expect(most).toBe(2);
    expect(log.entries).toEqual(["a@0", "b@0", "c@1", "d@1", "e@2"]);
    expect(slots.value).toBe(2);
  });

  it("refuses a release above its starting value", () => {
    const slots = new Semaphore(1);
    expect(() => slots.release()).toThrow(
      new UsageError("Cannot release() a Semaphore above its starting value 1; release only permits you acquired."),
    );
    expect(() => new Semaphore(-1)).toThrow(RangeError);
  });
});

describe("Semaphore hand-offs", () => {
  it("passes a permit handed to a cancelled waiter on to the next one", () => {
    const loop = virtualLoop();
    const log = timedLog(loop);
    const slots = new Semaphore(1);
    const user = coroutine(function* (name: string) {
      yield* slots.acquire();
      try {
        log.at(name);
        yield* asleep(1);
      } finally {
        slots.release();
      }
    });
    loop.createTask(user("first"));
    const handed = loop.createTask(user("handed"));
    loop.createTask(user("third"));
    loop.callLater(1, () => handed.cancel()); // the instant the permit is handed to it
    loop.runForever();
    expect(log.entries).toEqual(["first@0", "third@1"]);
    expect(slots.value).toBe(1);
  });
});

describe("Condition", () => {
  it("releases the lock while waiting and holds it again when wait returns", () => {
    const loop = virtualLoop();
    const log = timedLog(loop);
    const cond = new Condition();
    const items: string[] = [];
    const consumer = coroutine(function* (name: string) {
      yield* cond.acquire();
      try {
        yield* cond.waitFor(() => items.length > 0);
        log.at(`${name} took ${items.shift()} holding=${cond.locked()}`);
      } finally {
        cond.release();
      }
    });
    loop.createTask(consumer("c1"));
    loop.createTask(consumer("c2"));
    loop.createTask(
      coroutine(function* () {
        for (const item of ["x", "y"]) {
          yield* asleep(1);
          yield* cond.acquire();
          items.push(item);
          cond.notify();
          cond.release();
        }
      })(),
    );
    loop.runForever();
    expect(log.entries).toEqual(["c1 took x holding=true@1", "c2 took y holding=true@2"]);
    expect(cond.locked()).toBe(false);
  });

  it("takes the lock back before a cancelled wait throws", () => {
    const loop = virtualLoop();
    const cond = new Condition();
    const log: string[] = [];
    const waiter = loop.createTask(
      coroutine(function* () {
        yield* cond.acquire();
        try {
          yield* cond.wait();
        } catch (error) {
          log.push(`${(error as Error).name}, holding=${cond.locked()}`);
          throw error;
        } finally {
          cond.release();
        }
      })(),
    );
    loop.callLater(1, () => waiter.cancel());
    loop.runForever();
    expect(log).toEqual(["CancelledError, holding=true"]);
    expect(cond.locked()).toBe(false);
  });

  it("wakes every waiter with notifyAll, and refuses notify without the lock", () => {
    const loop = virtualLoop();
    const cond = new Condition();
    let woken = 0;
    for (let i = 0; i < 3; i++) {
      loop.createTask(
        coroutine(function* () {
          yield* cond.acquire();
          try {
            yield* cond.wait();
            woken++;
          } finally {
            cond.release();
          }
        })(),
      );
    }
    loop.createTask(
      coroutine(function* () {
        yield* asleep(1);
        yield* cond.acquire();
        cond.notifyAll();
        cond.release();
      })(),
    );
    loop.runForever();
    expect(woken).toBe(3);
    expect(() => cond.notify()).toThrow(
      new UsageError("Cannot call Condition.notify() without holding its lock; acquire() it first."),
    );
  });
});

describe("Condition hand-offs", () => {
  /** Waiters that each log when their wait() returns, holding the lock as they do. */
  function waiters(loop: ReturnType<typeof virtualLoop>, cond: Condition, log: { at(event: string): void }, names: string[]) {
    return names.map((name) =>
      loop.createTask(
        coroutine(function* () {
          yield* cond.acquire();
          try {
            yield* cond.wait();
            log.at(`${name} notified`);
          } catch (error) {
            log.at(`${name}: ${(error as Error).name}`);
            throw error;
          } finally {
            cond.release();
          }
        })(),
      ),
    );
  }

  it("passes a notification handed to a waiter cancelled before it ran on to the next waiter", () => {
    const loop = virtualLoop();
    const log = timedLog(loop);
    const cond = new Condition();
    const [w1] = waiters(loop, cond, log, ["w1", "w2"]);
    loop.createTask(
      coroutine(function* () {
        yield* asleep(1);
        yield* cond.acquire();
        cond.notify(); // to w1...
        w1!.cancel(); // ...cancelled before it runs
        cond.release();
      })(),
    );
    loop.runForever();
    expect(log.entries).toEqual(["w1: CancelledError@1", "w2 notified@1"]);
  });

  it("passes a notification on when the waiter is cancelled while it takes the lock back", () => {
    const loop = virtualLoop();
    const log = timedLog(loop);
    const cond = new Condition();
    const [w1] = waiters(loop, cond, log, ["w1", "w2"]);
    loop.createTask(
      coroutine(function* () {
        yield* asleep(1);
        yield* cond.acquire();
        cond.notify(); // w1 wakes, then waits for the lock this task still holds
        yield* asleep(1);
        cond.release();
      })(),
    );
    loop.callLater(1.5, () => w1!.cancel());
    loop.runForever();
    expect(log.entries).toEqual(["w1: CancelledError@2", "w2 notified@2"]);
  });

  it("runs wait() in the awaiting task, so a cancel landing after the notification cannot swallow it", () => {
    const loop = virtualLoop();
    const log = timedLog(loop);
    const cond = new Condition();
    const [w1] = waiters(loop, cond, log, ["w1", "w2"]);
    loop.createTask(
      coroutine(function* () {
        yield* asleep(1);
        yield* cond.acquire();
        cond.notify();
        cond.release();
        // Lands after w1 was notified and ran: its wait() has returned, the notification is spent.
        loop.callSoon(() => w1!.cancel());
      })(),
    );
    loop.runUntilComplete(
      coroutine(function* () {
        yield* asleep(3);
      })(),
    );
    expect(log.entries).toEqual(["w1 notified@1"]);
    expect(w1!.done()).toBe(true);
  });
});

describe("Barrier hand-offs", () => {
  it("lets a party cancelled after its round filled, before it ran, end cancelled; the round still goes", () => {
    const loop = virtualLoop();
    const log = timedLog(loop);
    const barrier = new Barrier(3);
    const runner = coroutine(function* (name: string) {
      log.at(`${name}#${yield* barrier.wait()}`);
    });
    const cancelled = loop.createTask(runner("a"));
    loop.createTask(runner("b"));
    loop.createTask(
      coroutine(function* () {
        yield* asleep(1);
        const index = yield* barrier.wait(); // fills the round, releasing a and b
        cancelled.cancel(); // before a runs
        log.at(`c#${index}`);
      })(),
    );
    loop.runForever();
    expect(log.entries).toEqual(["c#2@1", "b#1@1"]);
    expect(cancelled.cancelled()).toBe(true);
    expect(barrier.waiting).toBe(0);
  });
});

describe("Barrier", () => {
  it("holds tasks until all parties arrive, gives arrival indexes, and starts over", () => {
    const loop = virtualLoop();
    const log = timedLog(loop);
    const barrier = new Barrier(3);
    const runner = coroutine(function* (name: string, delay: number) {
      yield* asleep(delay);
      const index = yield* barrier.wait();
      log.at(`${name}#${index}`);
    });
    loop.createTask(runner("a", 1));
    loop.createTask(runner("b", 3));
    loop.createTask(runner("c", 2));
    loop.createTask(runner("d", 4));
    loop.createTask(runner("e", 5));
    loop.createTask(runner("f", 5));
    loop.runForever();
    expect(log.entries).toEqual(["b#2@3", "a#0@3", "c#1@3", "f#2@5", "d#0@5", "e#1@5"]);
    expect(() => new Barrier(0)).toThrow(RangeError);
  });

  it("lets a waiter cancelled before the round fills leave, so the round waits for another", () => {
    const loop = virtualLoop();
    const log = timedLog(loop);
    const barrier = new Barrier(2);
    const runner = coroutine(function* (name: string, delay: number) {
      yield* asleep(delay);
      log.at(`${name}#${yield* barrier.wait()}`);
    });
    const leaver = loop.createTask(runner("leaver", 0));
    loop.createTask(runner("b", 2));
    loop.createTask(runner("c", 3));
    loop.callLater(1, () => leaver.cancel());
    loop.runForever();
    expect(log.entries).toEqual(["c#1@3", "b#0@3"]);
  });
});

describe("a primitive nobody will ever signal", () => {
  it("is reported as a deadlock naming what each task waits on", () => {
    const queue = new Queue<number>();
    const lock = new Lock();
    expect(() =>
      vrun(function* () {
        yield* lock.acquire();
        coroutine(function* () {
          yield* lock.acquire();
        })().name = "locker";
        yield* queue.get();
      }),
    ).toThrow(
      [
        "No task can make progress: nothing is ready, no timer is pending, and 2 waits cannot end:",
        '  - task "main" waits on an item from a Queue (get)',
        '  - task "locker" waits on a Lock to be released',
      ].join("\n"),
    );
  });
});
