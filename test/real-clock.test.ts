// The only tests that wait in real time: a few milliseconds each, with generous bounds.
import { describe, expect, it } from "vitest";
import { asleep, EventLoop, RealClock, run } from "../src/index.js";

describe("RealClock", () => {
  it("is monotonic, in seconds", () => {
    const clock = new RealClock();
    const before = performance.now() / 1000;
    const a = clock.now();
    const b = clock.now();
    const after = performance.now() / 1000;
    expect(b).toBeGreaterThanOrEqual(a);
    // performance.now(), in seconds: bracketed by two readings of it, however busy the machine.
    expect(a).toBeGreaterThanOrEqual(before);
    expect(b).toBeLessThanOrEqual(after);
  });

  it("blocks the thread until the deadline instead of spinning", () => {
    const clock = new RealClock();
    // The process's CPU counter includes its other threads (the compiler's, the collector's), which
    // can be busy at any moment, so take the quietest of three 5 ms waits: spinning would burn the
    // whole 5 ms every time, blocking next to none.
    let least = Number.POSITIVE_INFINITY;
    for (let i = 0; i < 3; i++) {
      const start = clock.now();
      const cpu = process.cpuUsage();
      clock.sleepUntil(start + 0.005);
      const used = process.cpuUsage(cpu);
      expect(clock.now() - start).toBeGreaterThanOrEqual(0.0049);
      expect(clock.now() - start).toBeLessThan(0.5);
      least = Math.min(least, (used.user + used.system) / 1000);
    }
    expect(least).toBeLessThan(2.5);
  });

  it("ends a wait on a multiple of its slack, never before the deadline", () => {
    const clock = new RealClock({ slack: 0.004 });
    const deadline = clock.now() + 0.001;
    clock.sleepUntil(deadline);
    const woke = clock.now();
    expect(woke).toBeGreaterThanOrEqual(Math.ceil(deadline / 0.004) * 0.004 - 0.0002);
    expect(woke - deadline).toBeLessThan(0.5);
    expect(() => new RealClock({ slack: -1 })).toThrow(
      new RangeError("Expected `slack` of new RealClock() to be a finite number >= 0, got -1."),
    );
  });

  it("is the default clock of a loop and of run()", () => {
    expect(new EventLoop().clock).toBeInstanceOf(RealClock);
    const start = performance.now();
    expect(run(asleep(0.004, "woke"))).toBe("woke");
    const elapsed = performance.now() - start;
    expect(elapsed).toBeGreaterThanOrEqual(3.5);
    expect(elapsed).toBeLessThan(500);
  });
});
