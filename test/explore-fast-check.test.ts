// handloop/explore/fast-check: hlSchedule(), a fast-check arbitrary of schedules, shrinks with the
// property's inputs, toward FIFO order, and its counterexample replays.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { asleep, coroutine, gather } from "../src/index.js";
import { replay, ScheduleFailure } from "../src/explore.js";
import { hlSchedule, type HlSchedule } from "../src/explore-fast-check.js";

/** Two withdrawals; the second authenticates for `setup` awaits first: a lost update if it reads early. */
function transfer(first: number, second: number, setup: number) {
  const account = { balance: 100 };
  const withdraw = coroutine(function* withdraw(amount: number, wait: number) {
    for (let i = 0; i < wait; i++) yield* asleep(0);
    const balance = account.balance;
    yield* asleep(0);
    account.balance = balance - amount;
  });
  return coroutine(function* () {
    yield gather(withdraw(first, 0), withdraw(second, setup));
    if (account.balance !== 100 - first - second) throw new Error("Lost update.");
  })();
}

describe("hlSchedule()", () => {
  it("runs FIFO order for the empty schedule, and passes there", () => {
    const details = fc.check(
      fc.property(hlSchedule({ maxDecisions: 0 }), (schedule) => schedule.run(() => transfer(10, 20, 1))),
      { numRuns: 5, seed: 1 },
    );
    expect(details.failed).toBe(false);
  });

  it("finds the lost update, and fast-check shrinks inputs and schedule together: one choice, smallest amounts", () => {
    const details = fc.check(
      fc.property(fc.integer({ min: 1, max: 50 }), fc.integer({ min: 1, max: 50 }), hlSchedule(), (a, b, schedule) => {
        schedule.run(() => transfer(a, b, 1));
      }),
      { numRuns: 200, seed: 7 },
    );
    expect(details.failed).toBe(true);
    const [a, b, schedule] = details.counterexample! as [number, number, HlSchedule];
    expect([a, b, schedule.choices]).toEqual([1, 1, [1]]);
    expect(details.errorInstance).toBeInstanceOf(ScheduleFailure);
    // The counterexample prints as its replay token, which replay() takes.
    const token = /HlSchedule\((hl1:[^)]*)\)/.exec(String(schedule))![1]!;
    expect(token).toMatch(/:fast-check:0:0p1=withdraw-2$/);
    expect(() => replay(() => transfer(1, 1, 1), token)).toThrow("Lost update.");
  });

  it("refuses bad options", () => {
    expect(() => hlSchedule({ maxChoice: 0 })).toThrow(new RangeError("Expected `maxChoice` of hlSchedule() to be a whole number >= 1, got 0."));
  });
});
