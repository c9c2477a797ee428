/**
 * explore/scheduler.ts: one run's chooser, the only thing the explorer plugs into a loop.
 *
 * The loop asks it three things (loop.ts's Chooser): which ready item runs next (`_pick`, before
 * every step: the head or a task behind it, never past an item that is not a task), in what order the timers due at one instant join the ready queue (`_release`), and
 * what deadline a timer gets (`_deadline`, for jitter). User draws (`choose` / `chance`) ask it too.
 * Each question with more than one answer is a *decision*, numbered in the order asked; the
 * strategy (an Oracle) answers it, 0 being FIFO's answer. The scheduler records every decision (for
 * dfs and for telling schedules apart), the ones that are not 0 (the deviations, which a token
 * keeps), labels every item it runs, counts steps and watches virtual time for livelocks.
 *
 * Labels: a task named `withdraw-17` (its number comes from a counter of the whole process, so it
 * differs from run to run) is labelled `withdraw-1` if it is the first task of that name this run
 * saw in the ready queue, and so on; a name without a number is its own label; a callback is
 * `callback-<n>`. A label is given when the item is first seen at a pick, in queue order (for
 * fresh tasks, the order they were created in), so runs that make the same decisions give the
 * same labels, traced or not.
 *
 * Invariants: `ns`, `choices` and `kinds` have one entry per decision, in order; a deviation is a
 * decision whose choice is not 0.
 */

import type { EventLoop } from "../loop.js";
import type { ReadyQueue, Runnable } from "../ready-queue.js";
import type { TimerEntry, TimerHeap } from "../timer-heap.js";
import { Task } from "../index.js";
import { LivelockError } from "./errors.js";
import type { DecisionKind, Deviation } from "./token.js";

/**
 * @internal What a pick chooses among: the head of the ready queue and the items behind it up to
 * and including the first that is not a task (see `_pick`).
 */
export interface ReadyItems {
  readonly length: number;
  at(i: number): Runnable | undefined;
}

/** @internal A strategy's answers for one run. Choice 0 is FIFO's. */
export interface Oracle {
  /** Which of the `ready.length` (>= 2) items runs next; `last` is the one that ran last. */
  pick(ready: ReadyItems, index: number, scheduler: Scheduler, last: Runnable | null): number;
  /** Choice among `n` (>= 2) for a timer tie, a jitter, or a user draw (`p`: chance()'s odds). */
  draw(kind: DecisionKind, n: number, index: number, p: number): number;
}

/** @internal How a run is bounded and what it explores besides picks. */
export interface RunLimits {
  maxSteps: number;
  timeLimit: number;
  ties: boolean;
  jitter: number;
  /** The globals of each run's loop: `"virtual"` (timers and Date follow the loop) or the host's. */
  globals: "virtual" | "real";
}

/** @internal One step of a traced run: what ran, when, and what it waited on afterwards. */
export interface TraceStep {
  time: number;
  item: Runnable;
  /** Set when this step's pick was a deviation: the ready items, in queue order, and the choice. */
  ready: Runnable[] | null;
  decision: number;
  /** What the item did with its step: "done", "failed: ...", or what it waits on next. */
  after: string;
}

// How many levels of jitter a timer may get: 0, 1/4, 1/2, 3/4 or all of `jitter`.
const JITTER_LEVELS = 5;

/** @internal */
export class Scheduler {
  readonly ns: number[] = [];
  readonly choices: number[] = [];
  readonly kinds: DecisionKind[] = [];
  readonly deviations: Deviation[] = [];
  steps = 0;
  /** Escapes seen during the run: reads of nondeterminism the explorer does not control. */
  readonly escapes = new Set<string>();
  readonly trace: TraceStep[] | null;
  readonly #oracle: Oracle;
  readonly #limits: RunLimits;
  readonly #loop: EventLoop;
  readonly #labels = new Map<Runnable, string>();
  readonly #counts = new Map<string, number>();
  #last: Runnable | null = null;
  readonly #choices = new ReadyPrefix();
  // The first #labelled items of the ready queue are labelled (see _pick).
  #labelled = 0;

  constructor(oracle: Oracle, limits: RunLimits, loop: EventLoop, trace: boolean) {
    this.#oracle = oracle;
    this.#limits = limits;
    this.#loop = loop;
    this.trace = trace ? [] : null;
  }

  _pick(ready: ReadyQueue): void {
    if (++this.steps > this.#limits.maxSteps) {
      throw new LivelockError(
        `The run took more than ${this.#limits.maxSteps} steps without finishing (maxSteps), at ${this.#loop.time()}s of virtual time: the tasks keep running but never end. Raise maxSteps if the program really needs that many.`,
      );
    }
    if (this.#limits.timeLimit !== Number.POSITIVE_INFINITY && this.#loop.time() > this.#limits.timeLimit) {
      throw new LivelockError(
        `The run went past its timeLimit of ${this.#limits.timeLimit}s of virtual time without finishing (now ${this.#loop.time()}s): the tasks keep waking but never end. Raise timeLimit if the program really takes that long.`,
      );
    }
    const n = ready.length;
    // Label what joined the queue since the last pick, in queue order (the order it joined in:
    // a task's creation, for fresh ones). Only the head left it since, so the first n - 1 then
    // are labelled still.
    for (let i = this.#labelled; i < n; i++) this.#label(ready.at(i)!);
    this.#labelled = n - 1;
    // Only a task may be late (its wake stands for I/O that may take longer): what is not a task
    // (a promise reaction or thenable job, a callback, a timer's callback) runs no later than
    // FIFO runs it, so nothing may overtake it. The choices are the head and the tasks behind it
    // up to the first item that is not a task, that item included: promise jobs stay in FIFO
    // order among themselves (ECMA-262's job queue) and after every item queued before them,
    // callbacks keep callSoon's order, and timers due at one instant keep the order _release
    // gave them.
    let k = 0;
    while (k < n - 1 && ready.at(k) instanceof Task) k++;
    const choices = this.#choices.of(ready, k + 1);
    let choice = 0;
    let index = -1;
    let before: Runnable[] | null = null;
    if (choices.length > 1) {
      index = this.ns.length;
      choice = this.#oracle.pick(choices, index, this, this.#last);
      if (!(choice >= 0 && choice < choices.length)) choice = 0; // an oracle's bug must not corrupt the queue
      this.ns.push(choices.length);
      this.choices.push(choice);
      this.kinds.push("p");
      if (choice !== 0) {
        if (this.trace !== null) before = queueItems(ready);
        ready.moveToHead(choice);
      }
    }
    const item = ready.first()!;
    const label = this.#labels.get(item)!;
    if (choice !== 0) this.deviations.push({ index, kind: "p", choice, label });
    this.#last = item;
    if (this.trace !== null) this.#traceStep(item, before, index);
  }

  _release(timers: TimerHeap<TimerEntry>, now: number): void {
    if (!this.#limits.ties) {
      while (timers.nextDeadline() <= now) timers.pop()!._due();
      return;
    }
    for (;;) {
      const deadline = timers.nextDeadline();
      if (deadline > now) return;
      const due: TimerEntry[] = [];
      while (timers.nextDeadline() === deadline) due.push(timers.pop()!);
      while (due.length > 1) due.splice(this.draw("t", due.length, 0.5), 1)[0]!._due();
      due[0]!._due();
    }
  }

  _deadline(deadline: number): number {
    const jitter = this.#limits.jitter;
    if (jitter === 0) return deadline;
    return deadline + (jitter * this.draw("j", JITTER_LEVELS, 0.5)) / (JITTER_LEVELS - 1);
  }

  /** A decision among `n` (>= 2) of kind `kind`; `p` is the odds of choice 1 for chance(). */
  draw(kind: DecisionKind, n: number, p: number): number {
    const index = this.ns.length;
    let choice = this.#oracle.draw(kind, n, index, p);
    if (!(choice >= 0 && choice < n)) choice = 0;
    this.ns.push(n);
    this.choices.push(choice);
    this.kinds.push(kind);
    if (choice !== 0) this.deviations.push({ index, kind, choice });
    return choice;
  }

  #label(item: Runnable): void {
    if (this.#labels.has(item)) return;
    this.#labels.set(item, this.labelIfPicked(item));
    const base = baseOf(item);
    this.#counts.set(base, (this.#counts.get(base) ?? 0) + 1);
  }

  /** The label `item` has, or would get if it were labelled now. */
  labelIfPicked(item: Runnable): string {
    const known = this.#labels.get(item);
    if (known !== undefined) return known;
    if (item instanceof Task) {
      const name = item.name;
      const m = /^(.*)-\d+$/.exec(name);
      if (m === null) return name;
      return `${m[1]}-${(this.#counts.get(m[1]!) ?? 0) + 1}`;
    }
    const base = baseOf(item);
    return `${base}-${(this.#counts.get(base) ?? 0) + 1}`;
  }

  /** Each labelled task's name, with its label: to say `withdraw-1` where a message says `withdraw-17`. */
  labelsByName(): Map<string, string> {
    const names = new Map<string, string>();
    for (const [item, label] of this.#labels) if (item instanceof Task) names.set(item.name, label);
    return names;
  }

  /** Ends the trace: what the last item did with its step. */
  finish(): void {
    const trace = this.trace;
    if (trace !== null && trace.length > 0) trace[trace.length - 1]!.after = stateOf(trace[trace.length - 1]!.item);
  }

  #traceStep(item: Runnable, ready: Runnable[] | null, decision: number): void {
    const trace = this.trace!;
    if (trace.length > 0) trace[trace.length - 1]!.after = stateOf(trace[trace.length - 1]!.item);
    trace.push({ time: this.#loop.time(), item, ready, decision, after: "" });
  }
}

/** The first `length` items of a ready queue: one per scheduler, reused at every pick. */
class ReadyPrefix implements ReadyItems {
  #ready: ReadyQueue | null = null;
  length = 0;
  of(ready: ReadyQueue, length: number): this {
    this.#ready = ready;
    this.length = length;
    return this;
  }
  at(i: number): Runnable | undefined {
    return i < this.length ? this.#ready!.at(i) : undefined;
  }
}

function queueItems(ready: ReadyQueue): Runnable[] {
  const items: Runnable[] = [];
  for (let i = 0; i < ready.length; i++) items.push(ready.at(i)!);
  return items;
}

const KIND_NAMES: Record<string, string> = { Handle: "callback", TimerHandle: "timer", Reaction: "then", ThenableJob: "thenable" };

/** The part of an item's label that its run-relative number is counted for. */
function baseOf(item: Runnable): string {
  if (item instanceof Task) {
    const name = item.name;
    const m = /^(.*)-\d+$/.exec(name);
    return m === null ? name : m[1]!;
  }
  const ctor = (item as { constructor?: { name?: string } }).constructor?.name ?? "item";
  return KIND_NAMES[ctor] ?? ctor.toLowerCase();
}

/** What an item did with the step it was given, in words. */
function stateOf(item: Runnable): string {
  if (!(item instanceof Task)) return "ran";
  if (item.done()) {
    if (item.cancelled()) return "cancelled";
    const error = item.exception();
    return error === undefined ? "done" : `failed: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`;
  }
  const site = item._site;
  const wait = item._describeWait();
  if (wait.startsWith("nothing")) return "yields (ready again)";
  return `waits on ${shortWait(wait)}${site === "" ? "" : ` at ${relative(site)}`}`;
}

// An await site relative to the working directory, where there is one: shorter, and the same on
// every machine.
const CWD = (globalThis as { process?: { cwd?: () => string } }).process?.cwd?.();
function relative(site: string): string {
  return CWD !== undefined && site.startsWith(`${CWD}/`) ? site.slice(CWD.length + 1) : site;
}

/** The first phrase of a wait's description (a native Promise's comes with a paragraph of advice). */
function shortWait(text: string): string {
  const comma = text.indexOf(", which");
  return comma === -1 ? text : text.slice(0, comma);
}
