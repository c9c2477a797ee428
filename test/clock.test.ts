import { describe, expect, it } from "vitest";
import { asleep, coroutine, EventLoop, run, VirtualClock, type Clock } from "../src/index.js";

describe("VirtualClock", () => {
  it("jumps to the next deadline when nothing is ready, so hours pass at once", () => {
    const clock = new VirtualClock();
    const started = performance.now();
    run(function* () {
      yield* asleep(3600);
    }, { clock });
    expect(clock.now()).toBe(3600);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it("starts where told and moves forward with advance()", () => {
    const clock = new VirtualClock(10);
    clock.advance(2.5);
    expect(clock.now()).toBe(12.5);
    clock.sleepUntil(5); // the past: time never goes back
    expect(clock.now()).toBe(12.5);
    expect(() => clock.advance(-1)).toThrow(
      new RangeError("Expected `seconds` of VirtualClock.advance() to be a finite number >= 0, got -1."),
    );
    expect(() => new VirtualClock(Number.NaN)).toThrow(RangeError);
  });

  it("fires timers made due by advance() on the next turn, without jumping further", () => {
    const clock = new VirtualClock();
    const loop = new EventLoop({ clock });
    const log: string[] = [];
    loop.callLater(1, () => log.push(`1 at ${clock.now()}`));
    loop.callLater(5, () => log.push(`5 at ${clock.now()}`));
    loop.callSoon(() => clock.advance(2));
    loop.runForever();
    expect(log).toEqual(["1 at 2", "5 at 5"]);
  });

  it("gives the same order and times on every run of the same program", () => {
    const once = () => {
      const clock = new VirtualClock();
      const log: string[] = [];
      const worker = coroutine(function* (name: string, period: number) {
        for (let i = 0; i < 5; i++) {
          yield* asleep(period);
          log.push(`${name}@${clock.now()}`);
        }
      });
      run(function* () {
        yield worker("a", 0.3);
        yield worker("b", 0.2);
      }, { clock });
      const loop = new EventLoop({ clock });
      loop.createTask(worker("c", 0.7));
      loop.createTask(worker("d", 0.7));
      loop.runForever();
      return log;
    };
    expect(once()).toEqual(once());
  });
});

describe("a custom Clock", () => {
  it("is all the loop reads time from and waits on", () => {
    const waits: number[] = [];
    let now = 100;
    const clock: Clock = {
      now: () => now,
      sleepUntil: (deadline) => {
        waits.push(deadline);
        now = Math.max(now, deadline);
      },
    };
    const loop = new EventLoop({ clock });
    expect(loop.runUntilComplete(asleep(2, "late"))).toBe("late");
    expect(waits).toEqual([102]);
  });
});
