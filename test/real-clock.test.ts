// The only tests that wait in real time: a few milliseconds each, with generous bounds.
import { describe, expect, it } from "vitest";
import { asleep, EventLoop, RealClock, run } from "../src/index.js";

describe("RealClock", () => {
  it("is monotonic, in seconds", () => {
    const clock = new RealClock();
    const a = clock.now();
    const b = clock.now();
    expect(b).toBeGreaterThanOrEqual(a);
    expect(Math.abs(a - performance.now() / 1000)).toBeLessThan(0.01);
  });

  it("blocks the thread until the deadline instead of spinning", () => {
    const clock = new RealClock();
    const start = clock.now();
    const cpu = process.cpuUsage();
    clock.sleepUntil(start + 0.005);
    const used = process.cpuUsage(cpu);
    expect(clock.now() - start).toBeGreaterThanOrEqual(0.0045);
    expect(clock.now() - start).toBeLessThan(0.5);
    expect((used.user + used.system) / 1000).toBeLessThan(4); // ms of CPU for a 5 ms wait
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
