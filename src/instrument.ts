/**
 * instrument.ts: what a loop tells the code that watches it (Trio's instruments, plus wake
 * reasons, wait targets and timers, which only a loop that owns every resumption knows).
 *
 * An Instrument is an object with any of the hooks below; `new EventLoop({ instruments })`,
 * `loop.addInstrument(i)` and `loop.removeInstrument(i)` attach and detach it. The loop keeps
 * one `Hooks` object: for each hook, the list of instruments that have it, or null when none
 * does; and no Hooks object at all (`loop._hooks === null`) while no instrument is attached. So
 * the hot paths (a step, a scheduling) test one field against null when nobody is looking, and a
 * hook nobody implements is never called. Lists are rebuilt, never changed in place, on
 * add/remove: an instrument added or removed during a hook takes effect from the next event.
 *
 * A hook that throws gets its instrument removed from the loop, with one warning on the console
 * (naming the instrument, the hook and the error), and the loop goes on as if it had not been
 * attached (Trio's rule: watching a program must never break it).
 *
 * Order of hooks (tested in test/instruments.test.ts):
 * - run:     beforeRun ... afterRun, around each `runUntilComplete`, `runForever`, `advance` and
 *            around a host driver's attachment (`runAsync`, `attach`).
 * - spawn:   `loop.createTask(x)`: taskSpawned(task, parent), then taskScheduled(task, spawn); its
 *            first step comes on a later turn. A coroutine or compiled async function called while
 *            a loop runs starts at once (its first step runs inside the caller's step):
 *            taskSpawned, then beforeStep(child) ... afterStep(child), still inside the parent's
 *            step (between the parent's beforeStep and afterStep).
 * - park:    beforeStep(task), [timerAdded (a sleep)], afterStep(task, next) where `next` says
 *            what it now waits on (sleep + deadline, task + target, event, host) or ready / exit.
 * - wake:    [timerFired (a sleep's deadline)], taskScheduled(task, wake) with why (timer, task,
 *            event, cancel, yield, host) and by whom; then, on a later turn, beforeStep(task).
 * - cancel:  taskCancelled(task, by); if it was parked: [timerCancelled (a sleep)],
 *            taskScheduled(task, cancel); the CancelledError is thrown in at its next step. A task
 *            parked on another task passes the cancel on instead: taskCancelled(other, by) follows,
 *            and it wakes (wake `task`) once that one ended.
 * - exit:    beforeStep(task), taskExited(task, outcome), afterStep(task, exit): as in Trio, the
 *            exit is told inside the step that ended it. (A compiled task whose body returned a
 *            thenable exits when that thenable calls back, outside any step of its own.)
 */

import type { EventLoop } from "./loop.js";
import type { Task } from "./task.js";
import type { NextKind, Outcome, WakeKind } from "./trace-schema.js";

export type { NextKind, Outcome, WakeKind } from "./trace-schema.js";

/** Why a task became ready (`taskScheduled`). */
export interface Wake {
  /** The reason: see `WakeKind`. */
  readonly kind: WakeKind;
  /** The task stepping when it happened (it settled or cancelled this one), or `undefined` for the loop or host code. */
  readonly by: Task<unknown> | undefined;
  /**
   * What woke it: the timer's id (`timer`), the task that ended (`task`), the primitive's wait or
   * the LoopPromise (`event`), the host thenable (`host`); `undefined` for spawn, yield, cancel.
   */
  readonly object: unknown;
}

/** What a task does once its step ended (`afterStep`). */
export interface StepNext {
  /** See `NextKind`. */
  readonly kind: NextKind;
  /**
   * What it waits on: the timer's id (`sleep`), the awaited task (`task`), the primitive's wait,
   * LoopPromise or future (`event`), the thenable (`host`); `undefined` for ready and exit.
   */
  readonly object: unknown;
  /** `sleep`: the deadline on the loop's clock; `-1` otherwise (or when it is not known). */
  readonly deadline: number;
  /** `task`: the task awaited; `undefined` otherwise. */
  readonly target: Task<unknown> | undefined;
  /** Where a compiled body awaits (`file.ts:12:5`), or "". */
  readonly site: string;
}

/** A timer of the loop's heap: a task's sleep or a `callLater` / `callAt` callback. */
export interface TimerInfo {
  /** The timer's id: its stamp on the heap, unique within the loop, in arming order. */
  readonly id: number;
  /** When it fires, in seconds on the loop's clock (`-1` when not known: a fire or cancel of a task's sleep). */
  readonly deadline: number;
  /** The task that sleeps on it, or `undefined` for a callback's timer. */
  readonly task: Task<unknown> | undefined;
}

/**
 * An object that watches a loop: any of these hooks, each optional; attach it with
 * `new EventLoop({ instruments: [i] })` or `loop.addInstrument(i)`. Hooks run synchronously,
 * inside the loop's work: keep them short, and do not run or step the loop from one. The `wake`
 * and `next` objects a hook is handed are filled anew for each call (so that watching allocates
 * nothing per event): read them during the call, and copy what you keep. A hook that
 * throws gets its instrument removed (one warning on the console), and the loop goes on. The order
 * in which hooks fire is documented at the top of instrument.ts and in the README.
 *
 * @example
 * ```ts
 * const steps = new Map<string, number>();
 * const counter: Instrument = {
 *   beforeStep(task) { steps.set(task.name, (steps.get(task.name) ?? 0) + 1); },
 * };
 * const loop = new EventLoop({ clock: new VirtualClock(), instruments: [counter] });
 * ```
 */
export interface Instrument {
  /** Named in the warning if a hook throws; the constructor's name otherwise. */
  readonly name?: string;
  /** A run of the loop begins (see the top of instrument.ts for what counts as one). */
  beforeRun?(): void;
  /** That run ended (returned or threw). */
  afterRun?(): void;
  /** `task` was created on the loop by `parent` (the task stepping then); `site`: where, or "" when not known. */
  taskSpawned?(task: Task<unknown>, parent: Task<unknown> | undefined, site: string): void;
  /** `task` joined the ready queue, for the reason in `wake`. */
  taskScheduled?(task: Task<unknown>, wake: Wake): void;
  /** A step of `task` begins. */
  beforeStep?(task: Task<unknown>): void;
  /** That step ended; `next` is what the task does now. */
  afterStep?(task: Task<unknown>, next: StepNext): void;
  /** `cancel()` was asked of `task` (and returned true), by `by` (the task stepping then) or host code. */
  taskCancelled?(task: Task<unknown>, by: Task<unknown> | undefined): void;
  /** `task` finished; `error` is what it failed with (outcome "error") or its CancelledError. */
  taskExited?(task: Task<unknown>, outcome: Outcome, error: unknown): void;
  /** A timer was armed. */
  timerAdded?(timer: TimerInfo): void;
  /** A timer reached its deadline: its task or callback is scheduled next. */
  timerFired?(timer: TimerInfo): void;
  /** A timer was disarmed before it fired. */
  timerCancelled?(timer: TimerInfo): void;
  /**
   * The loop's clock moved from `from` to `to` (seconds) while the loop waited for a deadline, or
   * as `advance()` moved through a frame. (In host mode the host waits: no jump is told, and the
   * next events simply carry the later time.)
   */
  clockJumped?(from: number, to: number): void;
}

type HookName = Exclude<keyof Instrument, "name">;

/** @internal A StepNext being filled (see Task#_next). */
export type MutableStepNext = { -readonly [K in keyof StepNext]: StepNext[K] };
const HOOK_NAMES: readonly HookName[] = [
  "beforeRun",
  "afterRun",
  "taskSpawned",
  "taskScheduled",
  "beforeStep",
  "afterStep",
  "taskCancelled",
  "taskExited",
  "timerAdded",
  "timerFired",
  "timerCancelled",
  "clockJumped",
];

/**
 * @internal For one hook, the instruments that have it, in the order they were added, each
 * followed by its hook function: `[instrument, hook, instrument, hook...]`. Calling the function
 * found when the list was made spares a property lookup by name (megamorphic) on every event.
 */
export type HookList = unknown[];

/**
 * @internal For each hook, the list of instruments that have it, or null. Made anew on every
 * add/remove: a list being walked is never changed under the walker.
 */
export class Hooks {
  beforeRun: HookList | null = null;
  afterRun: HookList | null = null;
  taskSpawned: HookList | null = null;
  taskScheduled: HookList | null = null;
  beforeStep: HookList | null = null;
  afterStep: HookList | null = null;
  taskCancelled: HookList | null = null;
  taskExited: HookList | null = null;
  timerAdded: HookList | null = null;
  timerFired: HookList | null = null;
  timerCancelled: HookList | null = null;
  clockJumped: HookList | null = null;
  // The last timer armed while hooks were on (for afterStep's `deadline` of a sleep: a step that
  // parks on a timer arms it last).
  lastStamp = -1;
  lastDeadline = -1;
  // What taskScheduled and afterStep are handed: one object each, filled anew for every call (an
  // allocation per event was a fifth of a recorder's cost). See Instrument for what that asks.
  readonly wake: { kind: WakeKind; by: Task<unknown> | undefined; object: unknown } = { kind: "spawn", by: undefined, object: undefined };
  readonly next: MutableStepNext = { kind: "ready", object: undefined, deadline: -1, target: undefined, site: "" };

  /**
   * The Hooks object for `instruments`, or null when there are none. It takes over `previous`'s
   * last timer: an instrument added or removed during a step (one that threw, say) must not cost
   * the others the deadline of the sleep that step parks on.
   */
  static of(instruments: readonly Instrument[], previous: Hooks | null = null): Hooks | null {
    if (instruments.length === 0) return null;
    const hooks = new Hooks();
    if (previous !== null) {
      hooks.lastStamp = previous.lastStamp;
      hooks.lastDeadline = previous.lastDeadline;
    }
    for (const name of HOOK_NAMES) {
      const list: HookList = [];
      for (const i of instruments) if (typeof i[name] === "function") list.push(i, i[name]);
      hooks[name] = list.length === 0 ? null : list;
    }
    return hooks;
  }
}

/** @internal Checks an instrument handed to the loop. */
export function checkInstrument(instrument: unknown, call: string): Instrument {
  if (typeof instrument !== "object" || instrument === null) {
    throw new TypeError(`Expected the instrument of ${call} to be an object with hook methods, got ${String(instrument)}.`);
  }
  for (const name of HOOK_NAMES) {
    const hook = (instrument as Record<string, unknown>)[name];
    if (hook !== undefined && typeof hook !== "function") {
      throw new TypeError(`Expected \`${name}\` of the instrument given to ${call} to be a function, got ${typeof hook}.`);
    }
  }
  return instrument as Instrument;
}

/**
 * @internal Calls `hook` on each instrument of `list` with `a, b, c`. One that throws is removed
 * from `loop`, with one warning, and the others are still called.
 */
export function fire(loop: EventLoop, list: HookList, hook: HookName, a?: unknown, b?: unknown, c?: unknown): void {
  if (list.length === 2) {
    // One instrument (a recorder, say): no loop.
    try {
      (list[1] as (a: unknown, b: unknown, c: unknown) => void).call(list[0], a, b, c);
    } catch (error) {
      disable(loop, list[0] as Instrument, hook, error);
    }
    return;
  }
  for (let i = 0; i < list.length; i += 2) {
    try {
      (list[i + 1] as (a: unknown, b: unknown, c: unknown) => void).call(list[i], a, b, c);
    } catch (error) {
      disable(loop, list[i] as Instrument, hook, error);
    }
  }
}

function disable(loop: EventLoop, instrument: Instrument, hook: HookName, error: unknown): void {
  if (!loop.removeInstrument(instrument)) return; // removed already (it threw in another hook of this event)
  let what: string;
  try {
    what = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  } catch {
    what = "an error that could not be described";
  }
  console.warn(
    `handloop: instrument ${instrumentName(instrument)} threw in its ${hook} hook (${what}), so it was removed from the loop and will not be called again; the loop goes on. Fix the hook (or catch inside it) and add the instrument again with loop.addInstrument().`,
  );
}

function instrumentName(instrument: Instrument): string {
  try {
    if (typeof instrument.name === "string" && instrument.name !== "") return `"${instrument.name}"`;
    const ctor = (Object.getPrototypeOf(instrument) as { constructor?: { name?: unknown } } | null)?.constructor;
    if (typeof ctor?.name === "string" && ctor.name !== "" && ctor.name !== "Object") return ctor.name;
  } catch {
    // fall through
  }
  return "(an unnamed object)";
}
