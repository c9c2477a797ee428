/**
 * deadlock.ts: the report a loop throws when no task can ever run again but some still wait.
 *
 * The report lists each waiting task with what it waits on (and, for the waits a user cannot
 * guess the cause of, what to do), then draws them as taskTree() does: who started whom (or who
 * awaits whom, without a recording) and, when `loop.record()` is on, for how long each has waited.
 */

import { DeadlockError } from "./errors.js";
import type { EventLoop } from "./loop.js";
import type { Task } from "./task.js";
import { drawTree } from "./tree.js";

/**
 * @internal A DeadlockError listing each waiting task (and, for compiled code, where it awaits) and
 * what it waits on; `main` is the task a runUntilComplete() is waiting for, if it is not among them.
 */
export function deadlockError(
  loop: EventLoop,
  waiting: Task<unknown>[],
  main: Task<unknown> | null,
  why = "nothing is ready, no timer is pending",
  advice = "",
): DeadlockError {
  const lines = waiting.map(
    (t) => `  - task "${t.name}"${t._site === "" ? "" : ` (at ${t._site})`} waits on ${t._describeWait()}`,
  );
  if (main !== null && !waiting.includes(main)) {
    lines.push(`  - runUntilComplete() waits on task "${main.name}", which no running task can settle`);
  }
  const count = `${lines.length} ${lines.length === 1 ? "wait" : "waits"}`;
  const tree = waiting.length === 0 ? "" : `\nThe waiting tasks, as taskTree() draws them:\n${drawTree(loop, waiting).trimEnd()}`;
  return new DeadlockError(
    `No task can make progress: ${why}, and ${count} cannot end:\n${lines.join("\n")}${tree}${advice}`,
    waiting,
  );
}
