/**
 * tree.ts: the loop's tasks at a glance, in formats people already read. `taskTree(loop)` draws
 * the live tasks as Python 3.14's `python -m asyncio pstree` does (a tree of `(T)` task lines with
 * their coroutine frames beneath), each task headed as in a Go goroutine dump with
 * `[what it waits on, for how long]`; `taskTable(loop)` lists them as `python -m asyncio ps` does,
 * plus tokio-console's split of each task's life into busy, scheduled and idle time.
 *
 * What is known without anything attached: which tasks are alive, what each waits on (the task
 * itself knows), where a compiled body awaits, and who awaits whom. What needs a recording: who
 * started whom (the tree then follows spawns; without one it follows awaits, as pstree does), how
 * long a task has waited, and the time split and step counts of the table. A loop keeps none of
 * that by itself, since a field per task would cost every program of 100,000 tasks (see task.ts's
 * header); so these functions take a recording, and by default use the loop's own recorder when
 * `loop.record()` is on. They read; they change nothing and count as observing no failure.
 */

import { describe } from "./describe.js";
import type { EventLoop } from "./loop.js";
import { describeWaitObject, Recorder, seconds, type TaskRecord } from "./record.js";
import { runningTask } from "./running.js";
import type { Task } from "./task.js";
import type { Recording, TraceEvent } from "./trace-schema.js";

/** One task of a tree: its header and frame lines, and the tasks under it. */
interface Node {
  task: Task<unknown>;
  children: Node[];
}

/**
 * The live tasks of `loop` as a tree, in the layout of Python 3.14's `python -m asyncio pstree`:
 * each task a `(T)` line headed Go-style with `[what it waits on, for how long]`, its await site
 * (`at async f (file:line)`, for compiled code) beneath it, and the tasks it started under that.
 * Parents and durations come from `recording`, by default the loop's own recorder if
 * `loop.record()` is on; without one, tasks hang under the task that awaits them, and durations
 * are left out. Ends with a newline; "" when no task is alive.
 *
 * @example
 * ```ts
 * const recorder = loop.record();
 * loop.runUntilComplete(main(), ...);   // later, from a task or between runs:
 * console.log(taskTree(loop));
 * // └── (T) task "main" [await task "crawl-2", 1.5s]
 * //     └──  at async main (main.ts:9:3)
 * //         └── (T) task "crawl-2" [sleep asleep(2), 1.5s]
 * ```
 */
export function taskTree(loop: EventLoop, recording?: Recording): string {
  return drawTree(loop, loop._liveTasks(), recording);
}

/** @internal The tree of `tasks` (live tasks of `loop`), as taskTree draws it. */
export function drawTree(loop: EventLoop, tasks: readonly Task<unknown>[], recording?: Recording): string {
  const recorder = recorderOf(loop, recording);
  const byId = new Map<number, Node>();
  const nodes: Node[] = [];
  for (const task of tasks) {
    const node: Node = { task, children: [] };
    nodes.push(node);
    byId.set(task._id, node);
  }
  const roots: Node[] = [];
  // Without a recording, who awaits whom: found once, not by a search per task (a deadlock of
  // 20,000 tasks took seconds to describe).
  const awaiter = recorder === undefined && recording === undefined ? awaiters(nodes) : undefined;
  for (const node of nodes) {
    const parent = parentOf(node.task, recorder, recording, byId, awaiter);
    if (parent === undefined || parent === node) roots.push(node);
    else parent.children.push(node);
  }
  // A cycle of awaits (a deadlock) leaves no root among its tasks: start from the oldest.
  const drawn = new Set<Node>();
  const lines: string[] = [];
  const now = loop.time();
  const draw = (node: Node, prefix: string, last: boolean): void => {
    drawn.add(node);
    const task = node.task;
    lines.push(`${prefix}${last ? "└── " : "├── "}(T) task "${task.name}" [${header(task, recorder, now)}]`);
    let inner = `${prefix}${last ? "    " : "│   "}`;
    const site = task._next().site;
    const children = node.children.filter((c) => !drawn.has(c));
    if (site !== "") {
      const fn = task._functionName;
      lines.push(`${inner}└──  at async ${fn === "" ? "<anonymous>" : fn} (${site})`);
      inner += "    ";
    }
    children.forEach((child, i) => draw(child, inner, i === children.length - 1));
  };
  // The tasks drawn at the top: the roots, then (for cycles) the oldest task no top has reached.
  // Found first, each subtree walked once, so that the last one is known to be last.
  const tops: Node[] = [];
  const reached = new Set<Node>();
  for (const node of [...roots, ...nodes]) {
    if (reached.has(node)) continue;
    tops.push(node);
    const stack = [node];
    reached.add(node);
    while (stack.length > 0) {
      for (const child of stack.pop()!.children) {
        if (!reached.has(child)) {
          reached.add(child);
          stack.push(child);
        }
      }
    }
  }
  tops.forEach((node, i) => draw(node, "", i === tops.length - 1));
  return lines.length === 0 ? "" : `${lines.join("\n")}\n`;
}

/** For each awaited task, the first of `nodes` that awaits it (pstree's "awaited by"). */
function awaiters(nodes: readonly Node[]): Map<Task<unknown>, Node> {
  const by = new Map<Task<unknown>, Node>();
  for (const node of nodes) {
    const target = node.task._next().target;
    if (target !== undefined && !by.has(target)) by.set(target, node);
  }
  return by;
}

/**
 * The live tasks of `loop` (and, with a recording, the finished ones it saw) as a table in the
 * shape of `python -m asyncio ps`: id, name, the function it runs, where it awaits, who awaits it,
 * its state, and from the recording tokio-console's split of its life in wall milliseconds: busy
 * (stepping), scheduled (ready, waiting for its turn), idle (parked), and its step count. The
 * statistics cover the events the recording kept; they come from `recording`, by default the
 * loop's own recorder when `loop.record()` is on, and read "-" without one.
 *
 * @example
 * ```ts
 * const recorder = loop.record();
 * loop.runUntilComplete(main());
 * console.log(taskTable(loop, recorder));
 * ```
 */
export function taskTable(loop: EventLoop, recording?: Recording): string {
  const recorder = recorderOf(loop, recording);
  const source = recording ?? recorder;
  const stats = source === undefined ? undefined : taskStats(source);
  const live = loop._liveTasks();
  const liveIds = new Set(live.map((t) => t._id));
  const awaiters = new Map<Task<unknown>, Task<unknown>[]>();
  for (const task of live) {
    const target = task._next().target;
    if (target === undefined) continue;
    const list = awaiters.get(target);
    if (list === undefined) awaiters.set(target, [task]);
    else list.push(task); // (not a copy per awaiter: thousands may await one task)
  }
  const now = loop.time();
  const current = runningTask();
  const rows: string[][] = [["tid", "name", "coroutine", "awaits at", "awaited by", "state", "busy ms", "sched ms", "idle ms", "steps"]];
  const statCells = (id: number): string[] => {
    const s = stats?.get(id);
    if (s === undefined) return ["-", "-", "-", "-"];
    return [s.busy.toFixed(2), s.scheduled.toFixed(2), s.idle.toFixed(2), String(s.steps)];
  };
  for (const task of live) {
    const by = awaitedBy(awaiters.get(task));
    const state = task === current ? "running" : header(task, recorder, now);
    rows.push([String(task._id), task.name, task._functionName, task._next().site, by, state, ...statCells(task._id)]);
  }
  if (source !== undefined) {
    for (const record of source.tasks.values()) {
      if (liveIds.has(record.id) || !stats?.has(record.id)) continue;
      rows.push([String(record.id), record.name, (record as Partial<TaskRecord>).fn ?? "", "", "", stats.get(record.id)!.exit ?? "done", ...statCells(record.id)]);
    }
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c]!)).join("  ").trimEnd()).join("\n") + "\n";
}

const AWAITERS_SHOWN = 5;

/** The "awaited by" cell: the first few ids, and how many more (every row is as wide as the widest cell). */
function awaitedBy(tasks: readonly Task<unknown>[] | undefined): string {
  if (tasks === undefined) return "";
  const ids = tasks.slice(0, AWAITERS_SHOWN).map((t) => t._id).join(",");
  return tasks.length > AWAITERS_SHOWN ? `${ids} and ${tasks.length - AWAITERS_SHOWN} more` : ids;
}

/** Per-task statistics from a recording's events (wall ms), as taskTable shows them. */
export interface TaskStats {
  steps: number;
  busy: number;
  scheduled: number;
  idle: number;
  /** How it ended ("ok", "error", "cancelled"), if its exit was recorded. */
  exit?: string;
}

/** @internal Busy/scheduled/idle time and steps of each task, over the events kept. */
export function taskStats(recording: Recording): Map<number, TaskStats> {
  const stats = new Map<number, TaskStats>();
  const since = new Map<number, { state: "busy" | "scheduled" | "idle"; at: number }>();
  const of = (id: number): TaskStats => {
    let s = stats.get(id);
    if (s === undefined) stats.set(id, (s = { steps: 0, busy: 0, scheduled: 0, idle: 0 }));
    return s;
  };
  const enter = (event: TraceEvent, state: "busy" | "scheduled" | "idle" | null): void => {
    const s = of(event.task);
    const previous = since.get(event.task);
    if (previous !== undefined) s[previous.state] += event.wall - previous.at;
    if (state === null) since.delete(event.task);
    else since.set(event.task, { state, at: event.wall });
  };
  let last = 0;
  for (const event of recording.events) {
    last = event.wall;
    if (event.task < 0) continue;
    switch (event.type) {
      case "spawn":
        enter(event, "idle");
        break;
      case "scheduled":
        enter(event, "scheduled");
        break;
      case "step":
        of(event.task).steps++;
        enter(event, "busy");
        break;
      case "parked":
        enter(event, event.next === "exit" ? null : event.next === "ready" ? "scheduled" : "idle");
        break;
      case "exit":
        of(event.task).exit = event.outcome;
        break;
    }
  }
  for (const [id, { state, at }] of since) of(id)[state] += last - at;
  return stats;
}

/** The recorder that answers for `loop`: the one given, if it is one, else the loop's first. */
function recorderOf(loop: EventLoop, recording: Recording | undefined): Recorder | undefined {
  if (recording instanceof Recorder) return recording;
  if (recording !== undefined) return undefined;
  return loop.instruments.find((i): i is Recorder => i instanceof Recorder);
}

function parentOf(
  task: Task<unknown>,
  recorder: Recorder | undefined,
  recording: Recording | undefined,
  byId: Map<number, Node>,
  awaiter: Map<Task<unknown>, Node> | undefined,
): Node | undefined {
  const known = recorder?._record(task)?.parent ?? recording?.tasks.get(task._id)?.parent;
  if (known !== undefined && known >= 0) return byId.get(known);
  // No recording: under the live task that awaits it (pstree's "awaited by").
  return awaiter?.get(task);
}

/** Go's `[wait reason, duration]`, without the brackets: `sleep asleep(1), 2.5s`. */
function header(task: Task<unknown>, recorder: Recorder | undefined, now: number): string {
  if (task === runningTask()) return "running";
  const next = task._next();
  const record = recorder?._record(task);
  const parkedAt = record?.parkedAt ?? Number.NaN;
  const waited = Number.isNaN(parkedAt) ? "" : `, ${seconds(now - parkedAt)}s`;
  switch (next.kind) {
    case "ready":
      return "ready";
    case "exit":
      return "done";
    case "sleep": {
      const until = record !== undefined && record.until >= 0 ? record.until : next.deadline;
      return `sleep ${until >= 0 && !Number.isNaN(parkedAt) ? `asleep(${seconds(until - parkedAt)})` : "until a timer fires"}${waited}`;
    }
    case "task":
      return `await task "${next.target!.name}"${waited}`;
    case "event":
      return `wait ${describeWaitObject(next.object)}${waited}`;
    case "host":
      return `host ${describe(next.object)}${waited}`;
  }
}
