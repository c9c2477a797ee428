/**
 * record.ts: the flight recorder. `loop.record({ limit })` attaches a Recorder, an instrument that
 * writes every hook's event into a ring of the newest `limit` events (schema: trace-schema.ts),
 * and gives it back as a `Recording`; `toJSONL()` saves it, `parseTrace()` reads it back.
 *
 * How it works. Events are stored column by column in typed arrays (struct of arrays), 42 bytes
 * an event: type and kind (one byte each), virtual time, wall time, task id, three 32-bit slots
 * and one 64-bit slot whose meaning depends on the type (see `read`). Strings (what a task waits
 * on, its await site, an error) are interned: a slot holds the string's index. Descriptions that
 * follow from numbers (`asleep(1)` from a deadline, `task "x"` from an id, `Timer #3`) are made
 * only when the events are read. `events` materializes objects on first read after a change; a
 * program that records and never reads pays for the columns alone. The arrays grow by doubling
 * up to `limit`, then wrap: the oldest event is overwritten and counted in `dropped`.
 *
 * Every task seen has a TaskRecord (id, name, parent, site, and what the task tree needs: when it
 * last parked and its function's name), kept for the recording's life even when its events are
 * dropped. Tasks are found by a WeakMap, so the recorder does not keep a finished task alive.
 *
 * Wall time is read from the `performance.now()` this module found at load: a loop with
 * `globals: "virtual"` replaces the global during its runs.
 */

import { describe } from "./describe.js";
import { UsageError } from "./errors.js";
import type { Instrument, StepNext, TimerInfo, Wake } from "./instrument.js";
import type { EventLoop } from "./loop.js";
import { isLoopPromise } from "./promise.js";
import { Task } from "./task.js";
import {
  TRACE_SCHEMA_VERSION,
  type NextKind,
  type Outcome,
  type Recording,
  type TraceEvent,
  type TraceTask,
  type WakeKind,
} from "./trace-schema.js";
import { WaitOp } from "./wait.js";

/** Options of `loop.record()`. */
export interface RecordOptions {
  /** How many events to keep, the newest (a whole number >= 1); 100,000 unless told. */
  limit?: number;
}

const DEFAULT_LIMIT = 100_000;
// Events: 176 KB of arrays. A recorder is made for every loop the CLI watches and every failing
// run explore() reports, mostly short: they grow as they fill (doubling, so a copy per event is
// amortized O(1)), rather than zeroing megabytes up front.
const FIRST_CAPACITY = 4_096;

// Event types (the `type` column): their order in TraceEvent["type"].
const RUN_BEGIN = 0;
const RUN_END = 1;
const SPAWN = 2;
const SCHEDULED = 3;
const STEP = 4;
const PARKED = 5;
const CANCEL = 6;
const EXIT = 7;
const TIMER_ADD = 8;
const TIMER_FIRE = 9;
const TIMER_CANCEL = 10;
const CLOCK_JUMP = 11;

const WAKES: readonly WakeKind[] = ["spawn", "timer", "task", "event", "cancel", "yield", "host"];
const NEXTS: readonly NextKind[] = ["ready", "exit", "sleep", "task", "event", "host"];
const OUTCOMES: readonly Outcome[] = ["ok", "error", "cancelled"];

// A string slot that holds no string index: the text follows from other slots.
const DERIVED_TIMER = -2; // `Timer #<c>`
const DERIVED_TASK = -3; // `task "<name of c / target>"`
const DERIVED_SLEEP = -4; // `asleep(<until - time>)`

// Taken when handloop loads: `globals: "virtual"` replaces performance.now() during runs, and a
// host without `performance` (a bare JavaScript engine, a vm context) falls back on Date.now().
const realNow: () => number =
  typeof performance === "object" && performance !== null ? performance.now.bind(performance) : Date.now;

/** @internal What a recording knows of a task; also what taskTree and taskTable read. */
export class TaskRecord implements TraceTask {
  id: number;
  name: string;
  parent: number;
  site: string;
  /** The name of its function, for `at async f (site)`; "" when not known. */
  fn: string;
  /** When it last parked (loop time), or NaN while it is ready, running or done. */
  parkedAt = Number.NaN;
  /** The deadline of the sleep it last parked on, or -1. */
  until = -1;
  constructor(id: number, name: string, parent: number, site: string, fn: string) {
    this.id = id;
    this.name = name;
    this.parent = parent;
    this.site = site;
    this.fn = fn;
  }
}

/**
 * A flight recorder of a loop's events: an Instrument that keeps the newest `limit` events
 * (`events`, oldest first; `dropped` counts the older ones) and every task seen (`tasks`), until
 * `stop()`. `loop.record()` makes one and attaches it; `new Recorder()` makes one to hand to
 * `run(main, { instruments: [recorder] })`, which records the loop it is attached to (one loop: a
 * second is a UsageError). It is a `Recording`, as renderers read one; `toJSONL()` writes it as
 * JSON Lines (schema `handloop-trace`, see trace-schema.ts), which `parseTrace()` reads back.
 * About 43 bytes an event, in typed arrays; event objects are made when `events` is read.
 *
 * @example
 * ```ts
 * const recorder = new Recorder();
 * run(main, { clock: new VirtualClock(), instruments: [recorder] });
 * console.log(timeline(recorder));
 * writeFileSync("trace.jsonl", recorder.toJSONL());
 * ```
 */
export class Recorder implements Recording, Instrument {
  readonly name = "Recorder";
  readonly version: number = TRACE_SCHEMA_VERSION;
  // The loop it records: the first it is attached to (see _attachTo).
  #loop: EventLoop | null = null;
  readonly #limit: number;
  readonly #start = realNow();
  #capacity: number;
  #count = 0; // events ever recorded
  #slot = 0; // where the next event goes, or #capacity when that is to wrap (or grow) first
  #lastType = -1; // the type of the last event recorded
  // The columns, interleaved by event: [type, kind], [time, wall, f], [task, a, b, c].
  #bytes: Uint8Array;
  #floats: Float64Array;
  #ints: Int32Array;
  readonly #strings: string[] = [""];
  readonly #stringIds = new Map<string, number>([["", 0]]);
  readonly #records = new WeakMap<Task<unknown>, TaskRecord>();
  readonly #tasks = new Map<number, TaskRecord>();
  #events: TraceEvent[] | null = null;
  #eventsAt = -1; // the #count #events was made at
  // The two tasks met last, and their records: a hand-off between two tasks meets them in turn,
  // and this spares the WeakMap most lookups.
  #task0: Task<unknown> | null = null;
  #record0: TaskRecord | null = null;
  #task1: Task<unknown> | null = null;
  #record1: TaskRecord | null = null;
  #replace0 = true;
  // The clocks as last read (see #push): loop time, wall ms, and the host turn they were read in.
  #now = 0;
  #wallNow = 0;
  #epoch = -1;
  // The object described last, and its string: a task parks on a wait (afterStep) that later
  // wakes it (taskScheduled), so the second description is the first one again.
  #object0: unknown = undefined;
  #objectText0 = 0;
  #object1: unknown = undefined;
  #objectText1 = 0;
  // The string interned last, by identity (descriptions are mostly the same literal again).
  #lastText = "";
  #lastTextId = 0;

  /** A recorder not attached yet: hand it to `run()`'s or `new EventLoop()`'s `instruments`, or to `loop.addInstrument()`. */
  constructor(options: RecordOptions = {}) {
    if (typeof options !== "object" || options === null) {
      throw new TypeError(`Expected the options of record() to be an object, got ${describe(options)}.`);
    }
    const limit = options.limit ?? DEFAULT_LIMIT;
    if (typeof limit !== "number" || !Number.isInteger(limit) || limit < 1 || limit > 2 ** 30) {
      throw new RangeError(`Expected \`limit\` of record() to be a whole number from 1 to 2^30, got ${describe(limit)}.`);
    }
    this.#limit = limit;
    this.#capacity = Math.min(limit, FIRST_CAPACITY);
    const n = this.#capacity;
    this.#bytes = new Uint8Array(2 * n);
    this.#floats = new Float64Array(3 * n);
    this.#ints = new Int32Array(4 * n);
  }

  /** The events kept, oldest first: the newest `limit` of them. */
  get events(): readonly TraceEvent[] {
    if (this.#eventsAt !== this.#count) {
      this.#events = this.#materialize();
      this.#eventsAt = this.#count;
    }
    return this.#events!;
  }

  /** How many older events were dropped to stay within the limit. */
  get dropped(): number {
    return this.#count - Math.min(this.#count, this.#capacity);
  }

  /** Every task seen, by id. */
  get tasks(): ReadonlyMap<number, TraceTask> {
    return this.#tasks;
  }

  /** Detaches the recorder from its loop: what it recorded stays readable. */
  stop(): void {
    this.#loop?.removeInstrument(this);
  }

  /** @internal `loop.addInstrument(this)`: a recorder records one loop, the first it is attached to. */
  _attachTo(loop: EventLoop): void {
    if (this.#loop === null || this.#loop === loop) {
      this.#loop = loop;
      // The events of a step take the clocks read when it began (see #readClocks): attached
      // during a step, there was no such reading, and its first events would say time 0.
      this.#readClocks();
      return;
    }
    throw new UsageError(
      "Cannot attach this Recorder to a second EventLoop: a recorder records one loop, and it records another already. Make a new Recorder for this loop (or call loop.record()).",
    );
  }

  /**
   * The recording as JSON Lines: a header `{"schema":"handloop-trace","version":1,"dropped":N,
   * "tasks":[...]}`, then one event a line, oldest first.
   */
  toJSONL(): string {
    return recordingToJSONL(this);
  }

  /** @internal What the recording knows of `task`, if it has seen it. */
  _record(task: Task<unknown>): TaskRecord | undefined {
    return this.#records.get(task);
  }

  // ---- Hooks ------------------------------------------------------------------------------------

  beforeRun(): void {
    this.#readClocks();
    this.#push(RUN_BEGIN, 0, -1, 0, 0, 0, 0);
  }

  afterRun(): void {
    this.#readClocks();
    this.#push(RUN_END, 0, -1, 0, 0, 0, 0);
  }

  taskSpawned(task: Task<unknown>, parent: Task<unknown> | undefined, site: string): void {
    if (parent === undefined) this.#readClocks(); // made by host code, between steps
    const record = this.#recordOf(task);
    record.parent = parent === undefined ? -1 : this.#recordOf(parent).id;
    record.site = site;
    this.#push(SPAWN, 0, record.id, 0, 0, 0, 0);
  }

  taskScheduled(task: Task<unknown>, wake: Wake): void {
    // Woken by no task: by host code or the loop, between steps (a timer's, after its timer-fire).
    if (wake.by === undefined && wake.kind !== "timer") this.#readClocks();
    const by = wake.by === undefined ? -1 : this.#recordOf(wake.by).id;
    const object = wake.object;
    let b = 0;
    let c = 0;
    let kind: number;
    switch (wake.kind) {
      case "event":
        kind = 3;
        b = this.#describe(object);
        break;
      case "yield":
        kind = 5;
        break;
      case "task":
        kind = 2;
        b = DERIVED_TASK;
        c = this.#recordOf(object as Task<unknown>).id;
        break;
      case "timer":
        kind = 1;
        b = DERIVED_TIMER;
        c = object as number;
        break;
      case "host":
        kind = 6;
        b = this.#describe(object);
        break;
      case "spawn":
        kind = 0;
        break;
      default: // cancel
        kind = 4;
    }
    this.#push(SCHEDULED, kind, this.#recordOf(task).id, by, b, c, 0);
  }

  beforeStep(task: Task<unknown>): void {
    // Right after another task's step ended in the same turn, the clocks read then still hold.
    if (this.#lastType !== PARKED || this.#epoch !== this.#loop!._hostTurns) this.#readClocks();
    const record = this.#recordOf(task);
    const name = task.name;
    if (record.name !== name) record.name = name; // renamed since it was seen (createTask of a started task)
    this.#push(STEP, 0, record.id, 0, 0, 0, 0);
  }

  afterStep(task: Task<unknown>, next: StepNext): void {
    const record = this.#recordOf(task);
    let on = 0;
    let target = -1;
    let kind: number;
    switch (next.kind) {
      case "event":
        kind = 4;
        on = this.#describe(next.object);
        break;
      case "ready":
        kind = 0;
        break;
      case "task":
        kind = 3;
        on = DERIVED_TASK;
        target = this.#recordOf(next.target!).id;
        break;
      case "sleep":
        kind = 2;
        on = next.deadline < 0 ? this.#intern("a timer") : DERIVED_SLEEP;
        break;
      case "exit":
        kind = 1;
        break;
      default: // host
        kind = 5;
        on = this.#describe(next.object);
    }
    this.#readClocks();
    this.#push(PARKED, kind, record.id, on, target, next.site === "" ? 0 : this.#intern(next.site), next.deadline);
    record.parkedAt = kind <= 1 ? Number.NaN : this.#now;
    record.until = next.deadline;
  }

  taskCancelled(task: Task<unknown>, by: Task<unknown> | undefined): void {
    if (by === undefined) this.#readClocks();
    this.#push(CANCEL, 0, this.#recordOf(task).id, by === undefined ? -1 : this.#recordOf(by).id, 0, 0, 0);
  }

  taskExited(task: Task<unknown>, outcome: Outcome, error: unknown): void {
    const text = outcome === "error" ? this.#intern(errorText(error)) : 0;
    this.#push(EXIT, OUTCOMES.indexOf(outcome), this.#recordOf(task).id, text, 0, 0, 0);
  }

  timerAdded(timer: TimerInfo): void {
    if (timer.task === undefined) this.#readClocks(); // a callback's timer: maybe armed by host code
    const task = timer.task === undefined ? -1 : this.#recordOf(timer.task).id;
    this.#push(TIMER_ADD, 0, task, timer.id, 0, 0, timer.deadline);
  }

  timerFired(timer: TimerInfo): void {
    this.#readClocks();
    const task = timer.task === undefined ? -1 : this.#recordOf(timer.task).id;
    this.#push(TIMER_FIRE, 0, task, timer.id, 0, 0, 0);
  }

  timerCancelled(timer: TimerInfo): void {
    const task = timer.task === undefined ? -1 : this.#recordOf(timer.task).id;
    this.#push(TIMER_CANCEL, 0, task, timer.id, 0, 0, 0);
  }

  clockJumped(from: number): void {
    this.#readClocks();
    this.#push(CLOCK_JUMP, 0, -1, 0, 0, 0, from);
  }

  // ---- Storage ----------------------------------------------------------------------------------

  #recordOf(task: Task<unknown>): TaskRecord {
    if (task === this.#task0) return this.#record0!;
    if (task === this.#task1) return this.#record1!;
    let record = this.#records.get(task);
    if (record === undefined) {
      // First seen here (it was made before the recording began, or is a future): known from now on.
      record = new TaskRecord(task._id, task.name, -1, "", task._functionName);
      this.#records.set(task, record);
      this.#tasks.set(record.id, record);
    }
    // Replace the older of the two (a hit changes nothing: no writes on the common path).
    if (this.#replace0) {
      this.#task0 = task;
      this.#record0 = record;
    } else {
      this.#task1 = task;
      this.#record1 = record;
    }
    this.#replace0 = !this.#replace0;
    return record;
  }

  #describe(object: unknown): number {
    if (object === this.#object0) return this.#objectText0;
    if (object === this.#object1) return this.#objectText1;
    const text = this.#intern(describeWaitObject(object));
    this.#object1 = this.#object0;
    this.#objectText1 = this.#objectText0;
    this.#object0 = object;
    this.#objectText0 = text;
    return text;
  }

  #intern(text: string): number {
    if (text === this.#lastText) return this.#lastTextId;
    let id = this.#stringIds.get(text);
    if (id === undefined) {
      id = this.#strings.length;
      this.#strings.push(text);
      this.#stringIds.set(text, id);
    }
    this.#lastText = text;
    this.#lastTextId = id;
    return id;
  }

  /**
   * Reads both clocks. Not every event does: a wall clock read costs about as much as the rest of
   * an event, so they are read when a step ends (parked), when one begins other than right after
   * another's end in the same turn, when a run begins or ends, when time jumps or a timer fires,
   * and for what host code or the loop does between steps (a spawn, wake or cancel by no task, a
   * callback's timer); the events of a step (spawns, wakes, timers, cancels, its exit) take the
   * last reading: the time its step began.
   */
  #readClocks(): void {
    const loop = this.#loop!; // (hooks are called only once it is attached)
    this.#now = loop.clock.now();
    this.#wallNow = realNow() - this.#start;
    this.#epoch = loop._hostTurns;
  }

  #push(type: number, kind: number, task: number, a: number, b: number, c: number, f: number): void {
    let i = this.#slot;
    if (i === this.#capacity) {
      // The arrays are full: grow them (up to the limit), else wrap around over the oldest.
      if (this.#capacity < this.#limit) this.#grow();
      else i = 0;
    }
    this.#slot = i + 1;
    this.#lastType = type;
    const bytes = this.#bytes;
    bytes[2 * i] = type;
    bytes[2 * i + 1] = kind;
    const floats = this.#floats;
    floats[3 * i] = this.#now;
    floats[3 * i + 1] = this.#wallNow;
    floats[3 * i + 2] = f;
    const ints = this.#ints;
    ints[4 * i] = task;
    ints[4 * i + 1] = a;
    ints[4 * i + 2] = b;
    ints[4 * i + 3] = c;
    this.#count++;
  }

  // (Only before the ring wraps: the events are in order from slot 0.)
  #grow(): void {
    const n = Math.min(this.#capacity * 2, this.#limit);
    this.#bytes = grown(this.#bytes, new Uint8Array(2 * n));
    this.#floats = grown(this.#floats, new Float64Array(3 * n));
    this.#ints = grown(this.#ints, new Int32Array(4 * n));
    this.#capacity = n;
  }

  #materialize(): TraceEvent[] {
    const kept = Math.min(this.#count, this.#capacity);
    const first = this.#count - kept;
    const events: TraceEvent[] = new Array<TraceEvent>(kept);
    for (let k = 0; k < kept; k++) events[k] = this.#read(first + k);
    return events;
  }

  /** The event numbered `seq`, as an object (see the columns' meaning per type in #push's callers). */
  #read(seq: number): TraceEvent {
    const i = seq % this.#capacity;
    const time = this.#floats[3 * i]!;
    const wall = this.#floats[3 * i + 1]!;
    const f = this.#floats[3 * i + 2]!;
    const task = this.#ints[4 * i]!;
    const a = this.#ints[4 * i + 1]!;
    const b = this.#ints[4 * i + 2]!;
    const c = this.#ints[4 * i + 3]!;
    const kind = this.#bytes[2 * i + 1]!;
    const base = { seq, time, wall, task };
    switch (this.#bytes[2 * i]!) {
      case RUN_BEGIN:
        return { ...base, type: "run-begin" };
      case RUN_END:
        return { ...base, type: "run-end" };
      case SPAWN: {
        const record = this.#tasks.get(task)!;
        return { ...base, type: "spawn", name: record.name, parent: record.parent, site: record.site };
      }
      case SCHEDULED:
        return { ...base, type: "scheduled", wake: WAKES[kind]!, by: a, object: this.#text(b, c, time, f) };
      case STEP:
        return { ...base, type: "step" };
      case PARKED: {
        const site = this.#strings[c]!;
        const fn = this.#tasks.get(task)?.fn ?? "";
        return {
          ...base,
          type: "parked",
          next: NEXTS[kind]!,
          on: this.#text(a, b, time, f),
          target: b,
          until: kind === 2 ? f : -1,
          site: site === "" || fn === "" ? site : `${fn} (${site})`,
        };
      }
      case CANCEL:
        return { ...base, type: "cancel", by: a };
      case EXIT:
        return { ...base, type: "exit", outcome: OUTCOMES[kind]!, error: this.#strings[a]! };
      case TIMER_ADD:
        return { ...base, type: "timer-add", timer: a, deadline: f };
      case TIMER_FIRE:
        return { ...base, type: "timer-fire", timer: a };
      case TIMER_CANCEL:
        return { ...base, type: "timer-cancel", timer: a };
      default:
        return { ...base, type: "clock-jump", from: f, to: time };
    }
  }

  /** A string slot's text: an interned string, or one made from the slots it follows from. */
  #text(slot: number, other: number, time: number, until: number): string {
    switch (slot) {
      case DERIVED_TIMER:
        return `Timer #${other}`;
      case DERIVED_TASK:
        return `task "${this.#tasks.get(other)?.name ?? other}"`;
      case DERIVED_SLEEP:
        return `asleep(${seconds(until - time)})`;
      default:
        return this.#strings[slot]!;
    }
  }
}

function grown<A extends Uint8Array | Int32Array | Float64Array>(old: A, bigger: A): A {
  bigger.set(old as never);
  return bigger;
}

/** A duration in seconds, without the float noise of a subtraction (`1`, `0.25`). */
export function seconds(s: number): string {
  return String(Number(s.toPrecision(12)));
}

/** What a task waits on or was woken by, in a phrase: `an item from a Queue (get)`, `task "x"`. */
export function describeWaitObject(object: unknown): string {
  if (object instanceof WaitOp) return object._describe();
  if (object instanceof Task) return `${object._isFuture ? "future" : "task"} "${object.name}"`;
  if (isLoopPromise(object)) return "a LoopPromise";
  return describe(object);
}

function errorText(error: unknown): string {
  try {
    if (error instanceof Error) return `${error.name}: ${error.message}`;
  } catch {
    // fall through
  }
  return describe(error);
}

// ---- JSON Lines -------------------------------------------------------------------------------------

const SCHEMA = "handloop-trace";

/** @internal A recording as JSON Lines (see Recorder#toJSONL). */
export function recordingToJSONL(recording: Recording): string {
  const tasks = [...recording.tasks.values()].map(({ id, name, parent, site }) => ({ id, name, parent, site }));
  const lines = [JSON.stringify({ schema: SCHEMA, version: recording.version, dropped: recording.dropped, tasks })];
  for (const event of recording.events) lines.push(JSON.stringify(event));
  return `${lines.join("\n")}\n`;
}

/**
 * Reads a recording back from the JSON Lines that `recorder.toJSONL()` (or `handloop trace`)
 * wrote, for the renderers and `lint()`. A recording of a newer schema version than this copy of
 * handloop reads is refused with an Error that says so; text that is not such a recording is a
 * TypeError naming the line.
 *
 * @example
 * ```ts
 * const recording = parseTrace(readFileSync("trace.jsonl", "utf8"));
 * lint(recording);
 * ```
 */
export function parseTrace(text: string): Recording {
  if (typeof text !== "string") throw new TypeError(`Expected the text of parseTrace() to be a string, got ${describe(text)}.`);
  const lines = text.split("\n").filter((line) => line.trim() !== "");
  const parse = (line: string, n: number): unknown => {
    try {
      return JSON.parse(line);
    } catch (error) {
      throw new TypeError(`parseTrace(): line ${n} is not JSON (${(error as Error).message}); expected a handloop-trace recording written by recorder.toJSONL().`);
    }
  };
  const header = lines.length === 0 ? undefined : (parse(lines[0]!, 1) as Record<string, unknown>);
  if (header === undefined || header === null || typeof header !== "object" || header.schema !== SCHEMA) {
    throw new TypeError(`parseTrace(): the first line is not a handloop-trace header ({"schema":"handloop-trace",...}); expected a recording written by recorder.toJSONL().`);
  }
  const version = header.version;
  if (typeof version !== "number" || !Number.isInteger(version) || version < 1) {
    throw new TypeError(`parseTrace(): the header's version is ${describe(version)}; expected a whole number >= 1.`);
  }
  if (version > TRACE_SCHEMA_VERSION) {
    throw new Error(
      `parseTrace(): this recording has schema version ${version}, newer than the version ${TRACE_SCHEMA_VERSION} this copy of handloop reads. Upgrade handloop to read it.`,
    );
  }
  const tasks = new Map<number, TraceTask>();
  for (const task of (Array.isArray(header.tasks) ? header.tasks : []) as TraceTask[]) tasks.set(task.id, task);
  const events: TraceEvent[] = [];
  for (let n = 1; n < lines.length; n++) {
    const event = parse(lines[n]!, n + 1) as TraceEvent;
    if (typeof event !== "object" || event === null || typeof event.type !== "string" || typeof event.seq !== "number") {
      throw new TypeError(`parseTrace(): line ${n + 1} is not an event (an object with \`seq\` and \`type\`).`);
    }
    events.push(event);
  }
  return { version, events, dropped: typeof header.dropped === "number" ? header.dropped : 0, tasks };
}
