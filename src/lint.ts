/**
 * lint.ts: tokio-console's warnings, as facts read off a recording rather than guesses from waker
 * counts. `lint(recording)` gives one Finding per problem, each naming the task and what was seen.
 *
 * The lints, precisely:
 * - `slow-step`: a step whose wall time (from its `step` event to its `parked` event) is at least
 *   `slowStepMs` (10 by default): the loop ran nothing else meanwhile, timers were late.
 * - `never-parked`: a task that ran from its spawn to its exit in one step, slow by the same
 *   threshold, while other tasks were ready and waited for it to end: it never gave way. (Tasks
 *   that finish in one quick step, as most compiled calls do, are fine.)
 * - `self-wake`: a task woken at least `selfWakes` times (3 by default) and only ever by itself
 *   (a bare `yield` / `asleep(0)`), never by a timer, a task or an event: a polling loop.
 * - `unsatisfiable-wait`: at the end of the recording, a task parked on a task, an event or a
 *   primitive that nothing left can wake: no task is ready or stepping, no timer is armed and no
 *   host wait is pending (a deadlock), or it awaits a task in a cycle of awaits, which nothing can ever end.
 *
 * Only the events kept are read: on a recording that dropped events, a step or a wake before the
 * first kept event is not seen.
 */

import { describe } from "./describe.js";
import { checkRecording } from "./task-spans.js";
import type { Recording, TraceEvent } from "./trace-schema.js";

/** Options of `lint()`. */
export interface LintOptions {
  /** A step at least this long (wall milliseconds) is reported; 10 unless told. */
  slowStepMs?: number;
  /** A task that only woke itself is reported from this many wakes on; 3 unless told. */
  selfWakes?: number;
}

/** What kind of problem a Finding is (see lint.ts for the exact rule of each). */
export type LintKind = "slow-step" | "never-parked" | "self-wake" | "unsatisfiable-wait";

/** One problem `lint()` found: its kind, the task, and a sentence that says what was seen. */
export interface Finding {
  readonly kind: LintKind;
  /** The task's id in the recording. */
  readonly task: number;
  /** The task's name. */
  readonly name: string;
  /** The event the finding points at (a step's `step` event, the last `parked` event), or -1. */
  readonly seq: number;
  /** What was seen, in a sentence that names the task. */
  readonly message: string;
}

/**
 * Reads a recording for the problems tokio-console warns about, as facts: a slow step, a task
 * that never gave way, a task that only wakes itself, a wait nothing can satisfy (the rules are
 * at the top of lint.ts). Gives the findings in the order of the events they point at; none is an
 * empty array.
 *
 * @example
 * ```ts
 * const recorder = loop.record();
 * loop.runUntilComplete(main());
 * for (const finding of lint(recorder, { slowStepMs: 5 })) console.warn(finding.message);
 * ```
 */
export function lint(recording: Recording, options: LintOptions = {}): Finding[] {
  checkRecording(recording, "lint()");
  const slowStepMs = options.slowStepMs ?? 10;
  if (typeof slowStepMs !== "number" || !(slowStepMs >= 0)) {
    throw new RangeError(`Expected \`slowStepMs\` of lint() to be a number >= 0, got ${describe(slowStepMs)}.`);
  }
  const selfWakes = options.selfWakes ?? 3;
  if (!Number.isInteger(selfWakes) || selfWakes < 1) {
    throw new RangeError(`Expected \`selfWakes\` of lint() to be a whole number >= 1, got ${describe(selfWakes)}.`);
  }
  const name = (id: number) => recording.tasks.get(id)?.name ?? `#${id}`;
  const findings: Finding[] = [];
  const found = (kind: LintKind, task: number, seq: number, message: string) =>
    findings.push({ kind, task, name: name(task), seq, message });

  // Per task: the step under way, how many steps, whether it ever parked on something, its wakes.
  const stepping = new Map<number, TraceEvent>();
  const steps = new Map<number, number>();
  const spawned = new Set<number>();
  const wakes = new Map<number, { self: number; other: number }>();
  // What is alive at the end: ready tasks, parked tasks (their last parked event), armed timers.
  const ready = new Set<number>();
  const parked = new Map<number, TraceEvent & { type: "parked" }>();
  const timers = new Set<number>();
  // While each step runs, the tasks that were ready and waited for it.
  let readyCount = 0;
  const isReady = new Set<number>();
  const setReady = (task: number, on: boolean) => {
    if (on && !isReady.has(task)) {
      isReady.add(task);
      readyCount++;
    } else if (!on && isReady.delete(task)) readyCount--;
  };
  const waitedFor = new Map<number, number>(); // task stepping -> most tasks ready meanwhile

  for (const event of recording.events) {
    const task = event.task;
    switch (event.type) {
      case "spawn":
        spawned.add(task);
        break;
      case "scheduled": {
        ready.add(task);
        parked.delete(task);
        setReady(task, true);
        if (event.wake !== "spawn") {
          const w = wakes.get(task) ?? { self: 0, other: 0 };
          if (event.wake === "yield") w.self++;
          else w.other++;
          wakes.set(task, w);
        }
        for (const [stepper, most] of waitedFor) waitedFor.set(stepper, Math.max(most, readyCount - (isReady.has(stepper) ? 1 : 0)));
        break;
      }
      case "step":
        stepping.set(task, event);
        steps.set(task, (steps.get(task) ?? 0) + 1);
        ready.delete(task);
        setReady(task, false);
        waitedFor.set(task, readyCount);
        break;
      case "parked": {
        const began = stepping.get(task);
        stepping.delete(task);
        const waited = waitedFor.get(task) ?? 0;
        waitedFor.delete(task);
        if (began !== undefined) {
          const ms = event.wall - began.wall;
          const long = ms >= slowStepMs;
          if (event.next === "exit" && steps.get(task) === 1 && spawned.has(task) && long && waited > 0) {
            found(
              "never-parked",
              task,
              began.seq,
              `Task "${name(task)}" ran from its start to its end in one step of ${ms.toFixed(1)} ms without giving way, while ${waited} other ${waited === 1 ? "task was" : "tasks were"} ready and waited; await asleep(0) now and then in long work, or move it off the loop.`,
            );
          } else if (long) {
            found(
              "slow-step",
              task,
              began.seq,
              `A step of task "${name(task)}" at ${began.time}s ran ${ms.toFixed(1)} ms without giving way (the threshold is ${slowStepMs} ms); nothing else ran meanwhile.`,
            );
          }
        }
        if (event.next === "ready") {
          ready.add(task);
          setReady(task, true);
        } else if (event.next !== "exit") parked.set(task, event);
        break;
      }
      case "exit":
        parked.delete(task);
        ready.delete(task);
        setReady(task, false);
        break;
      case "timer-add":
        timers.add(event.timer);
        break;
      case "timer-fire":
      case "timer-cancel":
        timers.delete(event.timer);
        break;
    }
  }

  for (const [task, w] of wakes) {
    if (w.other === 0 && w.self >= selfWakes) {
      found(
        "self-wake",
        task,
        -1,
        `Task "${name(task)}" was woken ${w.self} times, each time by itself (a bare yield or asleep(0)), and never by a timer, a task or an event: it polls. Await what it polls for (an Event, a Future, a Queue) instead; a task that yields on purpose, to let others run between its pieces of work, can ignore this.`,
      );
    }
  }

  // Waits nothing can satisfy.
  const hostWaits = [...parked.values()].some((p) => p.next === "host");
  // A step still under way (lint() called from a task) may yet wake anyone: nothing is stuck.
  const stuck = ready.size === 0 && stepping.size === 0 && timers.size === 0 && !hostWaits;
  const inCycle = (start: number): boolean => {
    const seen = new Set<number>();
    let at: number | undefined = start;
    while (at !== undefined && !seen.has(at)) {
      seen.add(at);
      const p = parked.get(at);
      if (p === undefined || p.next !== "task") return false;
      at = p.target;
      if (at === start) return true;
    }
    return false;
  };
  for (const [task, p] of parked) {
    if (p.next === "host" || p.next === "sleep") continue;
    if (stuck || inCycle(task)) {
      found(
        "unsatisfiable-wait",
        task,
        p.seq,
        stuck
          ? `Task "${name(task)}" waits on ${p.on} since ${p.time}s, and nothing left can wake it: no task is ready, no timer is armed and no host wait is pending.`
          : `Task "${name(task)}" waits on ${p.on} since ${p.time}s in a cycle of tasks awaiting each other, which none of them can end.`,
      );
    }
  }
  const at = (f: Finding) => (f.seq === -1 ? Number.MAX_SAFE_INTEGER : f.seq);
  return findings.sort((a, b) => at(a) - at(b)); // (stable: self-wake findings keep their order)
}
