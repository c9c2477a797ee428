// Hand-built recordings for the renderers' tests: each method appends the events the recorder
// writes for that moment of a run (seq and wall numbered automatically, wall 1 ms per event), so
// a test states a scenario in a few lines without a loop.
import type { NextKind, Outcome, Recording, TraceEvent, TraceTask, WakeKind } from "../src/trace-schema.js";
import { TRACE_SCHEMA_VERSION } from "../src/trace-schema.js";

type Details<E> = E extends TraceEvent ? Omit<E, "seq" | "time" | "wall"> : never;

export class RecordingBuilder implements Recording {
  readonly version = TRACE_SCHEMA_VERSION;
  readonly events: TraceEvent[] = [];
  readonly tasks = new Map<number, TraceTask>();
  dropped = 0;
  #time = 0;
  #stepping: number[] = [];

  #push(event: Details<TraceEvent>): this {
    const seq = this.events.length + this.dropped;
    this.events.push({ ...event, seq, time: this.#time, wall: seq } as TraceEvent);
    return this;
  }

  /** The clock jumps to `to` while nothing is ready. */
  jump(to: number): this {
    const from = this.#time;
    this.#time = to;
    return this.#push({ type: "clock-jump", task: -1, from, to });
  }
  runBegin(): this {
    return this.#push({ type: "run-begin", task: -1 });
  }
  runEnd(): this {
    return this.#push({ type: "run-end", task: -1 });
  }
  /** Task `id` is created by the task stepping now (or host code), and scheduled for its first step. */
  spawn(id: number, name: string): this {
    const parent = this.#stepping.at(-1) ?? -1;
    this.tasks.set(id, { id, name, parent, site: "" });
    this.#push({ type: "spawn", task: id, name, parent, site: "" });
    return this.#push({ type: "scheduled", task: id, wake: "spawn", by: parent, object: "" });
  }
  /** A step of `id`: `body` adds what happens during it; `next` and `on` say what it does after. */
  step(id: number, next: NextKind, on = "", body?: () => void, extra: { target?: number; until?: number } = {}): this {
    this.#push({ type: "step", task: id });
    this.#stepping.push(id);
    body?.();
    this.#stepping.pop();
    return this.#push({ type: "parked", task: id, next, on, target: extra.target ?? -1, until: extra.until ?? -1, site: "" });
  }
  /** A step of `id` that sleeps `seconds`: arms a timer and parks on it. */
  sleepStep(id: number, seconds: number, timer: number, body?: () => void): this {
    const until = this.#time + seconds;
    return this.step(id, "sleep", `asleep(${seconds})`, () => {
      body?.();
      this.#push({ type: "timer-add", task: id, timer, deadline: until });
    }, { until });
  }
  /** `id` becomes ready: woken by the task stepping now (or -1). */
  wake(id: number, wake: WakeKind, object = ""): this {
    return this.#push({ type: "scheduled", task: id, wake, by: this.#stepping.at(-1) ?? -1, object });
  }
  /** Timer `timer` of task `id` fires and wakes it. */
  fire(id: number, timer: number): this {
    this.#push({ type: "timer-fire", task: id, timer });
    return this.#push({ type: "scheduled", task: id, wake: "timer", by: -1, object: `Timer #${timer}` });
  }
  cancel(id: number): this {
    return this.#push({ type: "cancel", task: id, by: this.#stepping.at(-1) ?? -1 });
  }
  /** The last step of `id`: the recorder tells its exit inside the step, before it parks. */
  finish(id: number, outcome: Outcome = "ok", error = "", body?: () => void): this {
    return this.step(id, "exit", "", () => {
      body?.();
      this.#push({ type: "exit", task: id, outcome, error });
    });
  }
  /** Forgets the first `count` events, as a recorder over its limit does. */
  dropFirst(count: number): this {
    this.events.splice(0, count);
    this.dropped += count;
    return this;
  }
}

/**
 * The post's demo by hand: three tasks that print every 1, 1 and 0.25 s for 3 s, with the
 * recorder's events in the loop's order (timers by deadline, then by arming order).
 */
export function postDemo(): RecordingBuilder {
  const b = new RecordingBuilder();
  const periods = [1, 1, 0.25];
  const names = ["printEveryPeriod", "printEveryPeriod-2", "printEveryPeriod-3"];
  b.runBegin();
  periods.forEach((_, i) => b.spawn(i + 1, names[i]!));
  let timer = 0;
  const due: { task: number; at: number; timer: number; left: number }[] = [];
  periods.forEach((period, i) => {
    b.sleepStep(i + 1, period, ++timer);
    due.push({ task: i + 1, at: period, timer, left: Math.trunc(3 / period) - 1 });
  });
  while (due.length > 0) {
    const at = Math.min(...due.map((d) => d.at));
    b.jump(at);
    const now = due.filter((d) => d.at === at).sort((a, c) => a.timer - c.timer);
    for (const d of now) b.fire(d.task, d.timer);
    for (const d of now) {
      const period = periods[d.task - 1]!;
      due.splice(due.indexOf(d), 1);
      if (d.left === 0) {
        b.finish(d.task);
      } else {
        b.sleepStep(d.task, period, ++timer);
        due.push({ task: d.task, at: at + period, timer, left: d.left - 1 });
      }
    }
  }
  return b.runEnd();
}

/** main spawns a child (awaits it) and a sleeper; at 1 s it sets the child's event, cancels the sleeper, and fails. */
export function spawnWakeCancel(): RecordingBuilder {
  const b = new RecordingBuilder();
  b.runBegin()
    .spawn(1, "main")
    .step(1, "task", 'task "child"', () => b.spawn(2, "child").spawn(3, "sleeper"), { target: 2 })
    .step(2, "event", 'Event "go"')
    .sleepStep(3, 5, 1)
    .jump(1)
    .fire(1, 9)
    .step(1, "ready", "", () => b.wake(2, "event", 'Event "go"').cancel(3).wake(3, "cancel"))
    .wake(1, "yield")
    .finish(2, "ok", "", () => b.wake(1, "task", 'task "child"'))
    .finish(3, "cancelled")
    .finish(1, "error", "Error: boom")
    .runEnd();
  return b;
}

/**
 * `recording` with its tasks numbered 1, 2, ... in the order they first appear, in every field
 * that names one and in default names (`Task-14` becomes `Task-1`): task ids are counted per
 * process, so a golden file of a real recording must not depend on what ran before it.
 */
export function renumbered(recording: Recording): Recording {
  const ids = new Map<number, number>();
  const id = (old: number): number => {
    if (old < 0) return old;
    let mapped = ids.get(old);
    if (mapped === undefined) ids.set(old, (mapped = ids.size + 1));
    return mapped;
  };
  for (const event of recording.events) id(event.task);
  for (const task of recording.tasks.values()) id(task.id);
  const text = (value: string): string => value.replace(/-(\d+)\b/g, (whole, n: string) => (ids.has(Number(n)) ? `-${ids.get(Number(n))}` : whole));
  const events = recording.events.map((event) => {
    const copy: Record<string, unknown> = { ...event, task: id(event.task) };
    for (const key of ["parent", "by", "target"] as const) if (key in event) copy[key] = id((event as unknown as Record<string, number>)[key]!);
    for (const key of ["name", "on", "object", "error"] as const) if (key in event) copy[key] = text((event as unknown as Record<string, string>)[key]!);
    return copy as unknown as TraceEvent;
  });
  const tasks = new Map<number, TraceTask>();
  for (const task of recording.tasks.values()) tasks.set(id(task.id), { ...task, id: id(task.id), parent: id(task.parent), name: text(task.name) });
  return { version: recording.version, events, dropped: recording.dropped, tasks };
}
