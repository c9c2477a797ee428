/**
 * trace-schema.ts: what a recording of the loop is made of (schema `handloop-trace`, version 1).
 *
 * One definition that the recorder (record.ts) writes and every renderer (Chrome trace, terminal
 * timeline, SVG, lints) reads, so a recording saved as JSON Lines today is read by tomorrow's
 * renderers. Adding an optional field is a compatible change; renaming, removing or changing the
 * meaning of one bumps `TRACE_SCHEMA_VERSION`.
 *
 * Vocabulary. Tasks are named by their numeric `id` (stable within a loop, never reused); `-1`
 * stands for "no task" (the loop itself, or host code). Virtual `time` is the loop's clock in
 * seconds; `wall` is milliseconds of real time since the recording began, from
 * `performance.now()`. `seq` numbers events from 0 in the order they happened, also across
 * dropped ones, so a gap is visible.
 */

/** The schema's version: a reader refuses a recording of a newer major version. */
export const TRACE_SCHEMA_VERSION = 1;

/**
 * Why a task became ready (`scheduled` events): its first step (`spawn`), a timer it slept on
 * (`timer`), a task it awaited finished (`task`), a primitive or promise it waited on was settled
 * (`event`: a Future, LoopPromise, Event, Queue, Lock...), it was cancelled while parked
 * (`cancel`), it gave way with a bare `yield` / `asleep(0)` (`yield`), or a host thenable (a
 * native Promise) called back (`host`).
 */
export type WakeKind = "spawn" | "timer" | "task" | "event" | "cancel" | "yield" | "host";

/**
 * What a task does once a step ends (`parked` events): it is ready again (`ready`, after a bare
 * yield), it finished (`exit`), it sleeps until a deadline (`sleep`), it awaits another task
 * (`task`), a primitive or LoopPromise (`event`), or a host thenable (`host`).
 */
export type NextKind = "ready" | "exit" | "sleep" | "task" | "event" | "host";

/** How a task ended. */
export type Outcome = "ok" | "error" | "cancelled";

/** Fields every event has. */
export interface TraceEventBase {
  /** Position among all events of the recording, dropped ones included (0-based). */
  seq: number;
  /** The loop's clock, in seconds. */
  time: number;
  /** Real milliseconds since the recording began. */
  wall: number;
  /** The task concerned, or -1. */
  task: number;
}

/** A run of the loop began (`runUntilComplete`, `runForever`, an `advance`, a host turn batch). */
export interface RunBeginEvent extends TraceEventBase {
  type: "run-begin";
}
/** That run ended. */
export interface RunEndEvent extends TraceEventBase {
  type: "run-end";
}
/** A task was created on the loop (`task`), by `parent` (the task stepping then, or -1). */
export interface SpawnEvent extends TraceEventBase {
  type: "spawn";
  name: string;
  parent: number;
  /** Where it was created, as `f (file:line)`, when known; "" otherwise. */
  site: string;
}
/** `task` joined the ready queue because of `wake`; `by` is the task stepping then, or -1. */
export interface ScheduledEvent extends TraceEventBase {
  type: "scheduled";
  wake: WakeKind;
  by: number;
  /** What woke it, described (`Timer #3`, `Event "done"`, `task "fetch"`), or "". */
  object: string;
}
/** A step of `task` begins. */
export interface StepEvent extends TraceEventBase {
  type: "step";
}
/** A step of `task` ended, and what it does next. */
export interface ParkedEvent extends TraceEventBase {
  type: "parked";
  next: NextKind;
  /** What it waits on, described (`asleep(1)`, `task "worker"`, `Lock`), or "". */
  on: string;
  /** `next: "task"`: the awaited task's id; -1 otherwise. */
  target: number;
  /** `next: "sleep"`: the deadline in loop seconds; -1 otherwise. */
  until: number;
  /** Where in its code it awaits (`f (file:line)`), when known; "". */
  site: string;
}
/** `cancel()` was asked of `task` (by `by`, or -1 for host code / the loop's shutdown). */
export interface CancelEvent extends TraceEventBase {
  type: "cancel";
  by: number;
}
/** `task` finished. `error` is the error's `name: message` for outcome "error", else "". */
export interface ExitEvent extends TraceEventBase {
  type: "exit";
  outcome: Outcome;
  error: string;
}
/** A timer was armed: `timer` is its id (its stamp), `task` the task that sleeps on it, or -1. */
export interface TimerAddEvent extends TraceEventBase {
  type: "timer-add";
  timer: number;
  deadline: number;
}
/** A timer fired (its deadline passed and it ran or woke its task). */
export interface TimerFireEvent extends TraceEventBase {
  type: "timer-fire";
  timer: number;
}
/** A timer was disarmed before it fired. */
export interface TimerCancelEvent extends TraceEventBase {
  type: "timer-cancel";
  timer: number;
}
/** The clock moved from `from` to `to` while the loop waited (a virtual jump or a real sleep). */
export interface ClockJumpEvent extends TraceEventBase {
  type: "clock-jump";
  from: number;
  to: number;
}

/** One event of a recording; `type` tells which. */
export type TraceEvent =
  | RunBeginEvent
  | RunEndEvent
  | SpawnEvent
  | ScheduledEvent
  | StepEvent
  | ParkedEvent
  | CancelEvent
  | ExitEvent
  | TimerAddEvent
  | TimerFireEvent
  | TimerCancelEvent
  | ClockJumpEvent;

/** What a recording knows of a task, kept even when its `spawn` event was dropped. */
export interface TraceTask {
  id: number;
  name: string;
  parent: number;
  site: string;
}

/**
 * A recording, as renderers read it: the recorder (`loop.record()`) is one, and so is what
 * `parseTrace()` reads back from JSON Lines.
 */
export interface Recording {
  readonly version: number;
  /** The events kept, oldest first (the newest `limit` of them). */
  readonly events: readonly TraceEvent[];
  /** How many older events were dropped to stay within the limit. */
  readonly dropped: number;
  /** Every task seen, by id. */
  readonly tasks: ReadonlyMap<number, TraceTask>;
}
