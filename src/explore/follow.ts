/**
 * explore/follow.ts: the Oracle that follows a list of deviations: a replay token's (strictly),
 * or a shrinking candidate's (leniently).
 *
 * A pick deviation names the task to run by its label. Strict: that task must be ready at that
 * decision, and the decision must be of the deviation's kind, or the replay stops with a
 * ReplayError that says what was ready instead. Lenient (shrinking, where dropping one deviation
 * changes what the later ones meet): a pick whose task is not ready takes the choice by position,
 * if there is one, and a decision of another kind is FIFO's.
 */

import { ReplayError } from "./errors.js";
import type { Oracle, ReadyItems, Scheduler } from "./scheduler.js";
import type { DecisionKind, Deviation } from "./token.js";

const KINDS: Record<DecisionKind, string> = {
  p: "a pick of the next ready task",
  t: "an order of timers due at one instant",
  j: "a timer's jitter",
  d: "a draw (choose() or chance())",
};

/** @internal */
export class FollowOracle implements Oracle {
  readonly #at = new Map<number, Deviation>();
  readonly #strict: boolean;

  constructor(deviations: readonly Deviation[], strict: boolean) {
    for (const d of deviations) this.#at.set(d.index, d);
    this.#strict = strict;
  }

  pick(ready: ReadyItems, index: number, scheduler: Scheduler): number {
    const d = this.#at.get(index);
    if (d === undefined) return 0;
    const n = ready.length;
    if (d.kind !== "p") return this.#mismatch(d, "p");
    if (d.label === undefined) return d.choice < n ? d.choice : this.#strict ? this.#missing(d, ready, scheduler) : n - 1;
    let first = -1;
    for (let i = 0; i < n; i++) {
      if (scheduler.labelIfPicked(ready.at(i)!) !== d.label) continue;
      if (i === d.choice) return i; // same label twice (two fresh tasks of one name): the position tells
      if (first === -1) first = i;
    }
    if (first !== -1) return first;
    if (this.#strict) return this.#missing(d, ready, scheduler);
    return Math.min(d.choice, n - 1);
  }

  draw(kind: DecisionKind, n: number, index: number): number {
    const d = this.#at.get(index);
    if (d === undefined) return 0;
    if (d.kind !== kind) return this.#mismatch(d, kind);
    if (d.choice < n) return d.choice;
    if (this.#strict) {
      throw new ReplayError(
        `Cannot replay decision ${index}: the token chooses ${d.choice} of ${KINDS[kind]}, but there are only ${n} choices there. ${CHANGED}`,
      );
    }
    return n - 1;
  }

  #mismatch(d: Deviation, kind: DecisionKind): number {
    if (!this.#strict) return 0;
    throw new ReplayError(`Cannot replay decision ${d.index}: the token has ${KINDS[d.kind]} there, but the program made ${KINDS[kind]}. ${CHANGED}`);
  }

  #missing(d: Deviation, ready: ReadyItems, scheduler: Scheduler): never {
    const names: string[] = [];
    for (let i = 0; i < ready.length; i++) names.push(`"${scheduler.labelIfPicked(ready.at(i)!)}"`);
    throw new ReplayError(
      `Cannot replay decision ${d.index}: the token runs ${d.label === undefined ? `ready item ${d.choice}` : `task "${d.label}"`} there, but it is not ready; the ready ones are ${names.join(", ")}. ${CHANGED}`,
    );
  }
}

const CHANGED =
  "The program changed since the token was printed, or it depends on something the explorer does not control (Math.random, a native Promise, real time): run explore() again for a fresh token.";
