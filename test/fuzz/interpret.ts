/**
 * test/fuzz/interpret.ts: runs a fuzz program (program.ts) on handloop and checks the documented
 * rules, through the public API only. Each check names the rule it holds handloop to:
 *
 * - The run ends: `run()` returns main's result or throws main's error, nothing else (no deadlock,
 *   no UnhandledTaskError: the policy here records and goes on).
 * - Every task ends with exactly one outcome, and `done()`, `cancelled()`, `exception()` and
 *   `result()` agree with how its body ended: returned (fulfilled, unless a `cancel()` that
 *   returned true came after its last resumption: the cancel wins), raised CancelledError
 *   (cancelled), raised an error (failed with that very error); never started (cancelled).
 * - Every `finally` entered is left exactly once.
 * - Every error raised is delivered once: received by a `catch` of the program (or by run()'s
 *   caller), or reported by the unhandled-error policy, never both, never neither. The one
 *   exception the rules allow: a task awaited only after it failed, in a later turn, may be
 *   reported first and received later. An error JavaScript itself discards (a `finally` that
 *   throws replaces the error in flight) is not counted.
 * - A combinator (gather, race, timeout, a task group, and an await of a task) resumes its awaiter
 *   only once every child ended (shield aside), and gather gives its results in input order.
 * - No queue item is lost or duplicated: what puts that returned added is what gets returned plus
 *   what is left; a put that raised added nothing. A bounded queue never holds more than maxsize
 *   (the second queue is sometimes unbounded: its hand-offs take another path).
 * - The lock is never held twice; the semaphore never has more holders than permits, and its
 *   value plus its holders is always its permits (never over-released).
 * - Every sleep that returns wakes exactly at its deadline, in virtual time; a timeout that
 *   expires does so no earlier than its limit, and work that beats it returns no later.
 * - Whenever the loop is idle (nothing ready: the clock is asked to wait), nobody waits for what
 *   is there: no getter while items are held, no putter while there is room, no lock or semaphore
 *   waiter while one is free, no event waiter while it is set, and no awaiter of a task, nor a
 *   combinator whose children all ended, is still waiting.
 *
 * Programs are finite, but tasks may wait forever (a get nobody puts for) and swallow
 * cancellations. So a watchdog cancels every unfinished task at t = 1000 and every 100 s after,
 * as often as the program has steps: each round ends at least one swallow or wait, so every run
 * ends. The idle checks run before it, so it cannot hide a wait that should have ended.
 *
 * The same program gives the same log: the property runs each program twice and compares them.
 */

import {
  asleep,
  CancelledError,
  coroutine,
  currentLoop,
  currentTask,
  Event,
  gather,
  Lock,
  Queue,
  race,
  run,
  Semaphore,
  shield,
  Task,
  TaskGroupError,
  taskGroup,
  timeout,
  TimeoutError,
  VirtualClock,
  type EventLoop,
  type TaskGroup,
} from "../../src/index.js";
import { compile, targetOf, type Compiled, type CStep, type CTask, type Program } from "./program.js";

/** What a run gives: its event log, and the rules it broke (empty when it kept them all). */
export interface Report {
  log: string[];
  violations: string[];
}

/** Runs `program` once and checks it (see the header). */
export function runProgram(program: Program): Report {
  const interpreter = new Interpreter(compile(program));
  interpreter.execute();
  return { log: interpreter.log, violations: [...new Set(interpreter.violations)] };
}

/** An error a program's `throw` step raises: E<step id>. */
class ProgramError extends Error {
  override name = "ProgramError";
}

const WATCHDOG_START = 1000;
const WATCHDOG_EVERY = 100;
const NONE = Symbol("none");

interface TaskInfo {
  spec: CTask;
  task: Task<unknown> | null;
  started: boolean;
  /** Sequence number of its last resumption (or its start). */
  lastResume: number;
  /** Sequence number of the last cancel() of it that returned true. */
  lastCancel: number;
  end: { kind: "return" } | { kind: "throw"; error: unknown } | null;
  /** How many finally blocks it is in now (for the log). */
  inFinally: number;
}

interface ErrorInfo {
  name: string;
  received: number;
  reported: number;
  firstReceived: number;
  reportedAt: number;
  /** Its task was awaited only after it had failed: it may be reported first, received later. */
  late: boolean;
  /** JavaScript discarded it: a finally threw while it was in flight. */
  superseded: boolean;
}

/** An await in progress: the task awaited, and the children that must have ended when it resumes. */
interface Waiting {
  who: string;
  on: Task<unknown>;
  children: () => Task<unknown>[];
}

/** The loop's idle moments: the clock is asked to wait only when nothing is ready. */
class IdleClock extends VirtualClock {
  constructor(readonly onIdle: () => void) {
    super();
  }
  override sleepUntil(deadline: number): void {
    this.onIdle();
    super.sleepUntil(deadline);
  }
}

const child = coroutine(function* (interpreter: Interpreter, spec: CTask) {
  return yield* interpreter.body(spec, null, []);
});

const groupBody = coroutine(function* (interpreter: Interpreter, spec: CTask, group: TaskGroup, spawns: CTask[]) {
  return yield* interpreter.body(spec, group, spawns);
});

class Interpreter {
  readonly log: string[] = [];
  readonly violations: string[] = [];
  readonly #c: Compiled;
  #loop: EventLoop | null = null;
  #seq = 0;
  readonly #info: TaskInfo[];
  readonly #byTask = new Map<Task<unknown>, TaskInfo>();
  readonly #errors = new Map<unknown, ErrorInfo>();
  readonly #fins = new Map<string, { entered: number; left: number }>();
  readonly #waiting = new Set<Waiting>();
  // The primitives, and who is inside them.
  readonly #queues: Queue<number>[];
  readonly #getters: number[];
  readonly #putters: number[];
  readonly #put: number[] = []; // items whose put returned
  readonly #putFailed: number[] = []; // items whose put raised
  readonly #gotten: number[] = [];
  readonly #lock = new Lock();
  #lockWaiters = 0;
  #lockHolders = 0;
  readonly #sem: Semaphore;
  #semWaiters = 0;
  #semHolders = 0;
  readonly #event = new Event();
  #eventWaiters = 0;

  constructor(compiled: Compiled) {
    this.#c = compiled;
    this.#info = compiled.tasks.map((spec) => ({
      spec,
      task: null,
      started: false,
      lastResume: 0,
      lastCancel: 0,
      end: null,
      inFinally: 0,
    }));
    const { queues, permits } = compiled.program;
    this.#queues = queues.map((maxsize) => new Queue<number>({ maxsize }));
    this.#getters = queues.map(() => 0);
    this.#putters = queues.map(() => 0);
    this.#sem = new Semaphore(permits);
  }

  #violate(rule: string): void {
    this.violations.push(rule);
    this.#note(`VIOLATION ${rule}`);
  }

  #note(event: string): void {
    this.log.push(`${this.#loop === null ? "-" : this.#loop.time()} ${event}`);
  }

  // ---- Running ----------------------------------------------------------------------------------

  execute(): void {
    const self = this;
    const main = this.#c.main;
    let outcome: string;
    // Every cancel() that returns true counts, also those handloop makes itself (passing a cancel
    // on to an awaited task, a combinator cancelling its children): it may be the one that wins.
    const cancel = Task.prototype.cancel;
    Task.prototype.cancel = function (this: Task<unknown>, message?: string): boolean {
      const accepted = cancel.call(this, message);
      const info = self.#byTask.get(this);
      if (accepted && info !== undefined) info.lastCancel = ++self.#seq;
      return accepted;
    };
    try {
      const result = run(
        function* () {
          self.#register(main, currentTask()!);
          self.#setUp();
          return yield* self.body(main, null, []);
        },
        { clock: new IdleClock(() => this.#idle()), unhandledError: (error, task) => this.#reported(error, task as Task<unknown>) },
      );
      outcome = `run returned ${String(result)}`;
    } catch (error) {
      outcome = `run threw ${label(error)}`;
      if (error instanceof CancelledError) {
        // main ended cancelled: run() throws its CancelledError, which is no error to deliver.
      } else if (isProgramError(error)) this.#received(error, "run()");
      else this.#violate(`run() threw ${label(error)}: ${String((error as Error)?.stack ?? error)}`);
    } finally {
      Task.prototype.cancel = cancel;
    }
    this.#note(outcome);
    this.#loop = null;
    this.#checkAtEnd();
  }

  /** External cancels, and the watchdog that makes every run end (see the header). */
  #setUp(): void {
    const loop = (this.#loop = currentLoop());
    const tasks = this.#info.length;
    for (const { at, target, twice } of this.#c.program.cancels) {
      loop.callAt(at, () => {
        this.#cancel(targetOf(target, tasks), "outside");
        if (twice) this.#cancel(targetOf(target, tasks), "outside");
      });
    }
    for (let round = 0; round <= this.#c.size + 2; round++) {
      loop.callAt(WATCHDOG_START + round * WATCHDOG_EVERY, () => {
        for (const info of this.#info) if (info.task !== null && !info.task.done()) this.#cancel(info.spec.id, "watchdog");
      });
    }
  }

  #register(spec: CTask, task: Task<unknown>): Task<unknown> {
    const info = this.#info[spec.id]!;
    if (info.task !== null) this.#violate(`${spec.name} was created twice`);
    info.task = task;
    this.#byTask.set(task, info);
    if (task.name !== spec.name) task.name = spec.name;
    return task;
  }

  #cancel(id: number, by: string): void {
    const info = this.#info[id]!;
    if (info.task === null) return this.#note(`${by} cancels ${info.spec.name}: not created`);
    const accepted = info.task.cancel();
    this.#note(`${by} cancels ${info.spec.name}: ${accepted}${accepted && info.inFinally > 0 ? " (finally-cancel)" : ""}`);
  }

  /** Starts a child at once (as a coroutine call inside a running loop does). */
  #start(spec: CTask): Task<unknown> {
    return this.#register(spec, child(this, spec));
  }

  /** A task's body: its script, with its end recorded. */
  *body(spec: CTask, group: TaskGroup | null, spawns: CTask[]): Generator<unknown, string, unknown> {
    const info = this.#info[spec.id]!;
    info.started = true;
    info.lastResume = ++this.#seq;
    this.#note(`${spec.name} starts`);
    try {
      for (const c of spawns) this.#register(c, group!.spawn(this.body(c, null, []), { name: c.name }));
      yield* this.#steps(spec, spec.steps);
    } catch (error) {
      this.#ended(info, { kind: "throw", error });
      throw error;
    }
    this.#ended(info, { kind: "return" });
    return `r${spec.id}`;
  }

  #ended(info: TaskInfo, end: NonNullable<TaskInfo["end"]>): void {
    if (info.end !== null) this.#violate(`${info.spec.name}'s body ended twice`);
    info.end = end;
    this.#note(`${info.spec.name} ${end.kind === "return" ? "returns" : `raises ${label(end.error)}`}`);
  }

  /**
   * Every await goes through here: `yield* op`, with a real resumption recorded and any error met
   * there registered (a TimeoutError or TaskGroupError is first seen at the await).
   *
   * Not every await suspends: the stepper answers some at once, in the same step (a task that
   * already finished, a free lock). Only a real suspension delivers a pending cancel, so only one
   * counts as a resumption. A turn counter tells them apart: a ticker queued before the await
   * runs before anything that resumes it on a later turn, never within the same step.
   */
  *#suspend<T>(t: CTask, op: Iterable<unknown, T, unknown> | null): Generator<unknown, T, unknown> {
    const info = this.#info[t.id]!;
    if (!this.#tickPending) {
      this.#tickPending = true;
      this.#loop!.callSoon(this.#tick);
    }
    const turn = this.#turns;
    try {
      const value = op === null ? ((yield undefined) as T) : yield* op;
      if (this.#turns !== turn) info.lastResume = ++this.#seq;
      return value;
    } catch (error) {
      if (this.#turns !== turn) info.lastResume = ++this.#seq;
      this.#met(error);
      throw error;
    }
  }

  #turns = 0;
  #tickPending = false;
  readonly #tick = (): void => {
    this.#turns++;
    this.#tickPending = false;
  };

  /** Awaits a task (a combinator's or a child's): when it resumes, every child must have ended. */
  *#await<T>(t: CTask, what: string, on: Task<T>, children: Task<unknown>[], exempt = false): Generator<unknown, T, unknown> {
    return yield* this.#awaitEach(t, what, on, () => children, exempt);
  }

  *#awaitEach<T>(
    t: CTask,
    what: string,
    on: Task<T>,
    children: () => Task<unknown>[],
    exempt = false,
  ): Generator<unknown, T, unknown> {
    const waiting: Waiting = { who: `${t.name}'s ${what}`, on, children };
    this.#waiting.add(waiting);
    try {
      return yield* this.#suspend(t, on);
    } finally {
      this.#waiting.delete(waiting);
      if (!exempt) {
        const running = children().filter((c) => !c.done()).map((c) => this.#nameOf(c));
        if (running.length > 0) this.#violate(`${t.name}'s ${what} resumed while ${running.join(", ")} still ran`);
      }
    }
  }

  *#steps(t: CTask, steps: CStep[]): Generator<unknown, void, unknown> {
    for (const s of steps) yield* this.#step(t, s);
  }

  *#step(t: CTask, s: CStep): Generator<unknown, void, unknown> {
    const loop = this.#loop!;
    switch (s.k) {
      case "sleep": {
        const start = loop.time();
        yield* this.#suspend(t, asleep(s.d));
        if (loop.time() !== start + s.d) this.#violate(`${t.name} slept ${s.d} from ${start} and woke at ${loop.time()}`);
        return;
      }
      case "yield":
        yield* this.#suspend(t, null);
        return;
      case "throw": {
        const error = new ProgramError(`E${s.id}`);
        this.#errors.set(error, newErrorInfo(error.message));
        this.#note(`${t.name} throws E${s.id}`);
        throw error;
      }
      case "call": {
        const c = this.#start(s.task);
        yield* this.#await(t, "call", c, [c]);
        return;
      }
      case "spawn": {
        const c = this.#register(s.task, loop.createTask(this.body(s.task, null, []), { name: s.task.name }));
        (spawned.get(t) ?? spawned.set(t, []).get(t)!).push(c);
        return;
      }
      case "await": {
        const handles = spawned.get(t);
        if (handles === undefined || handles.length === 0) return;
        const c = handles[s.nth % handles.length]!;
        const end = this.#info.find((i) => i.task === c)!.end;
        if (c.done() && end?.kind === "throw") this.#markLate(end.error);
        yield* this.#await(t, "await", c, [c]);
        return;
      }
      case "gather": {
        const children = s.tasks.map((spec) => this.#start(spec));
        const results = yield* this.#await(t, "gather", gather(...children), children);
        const expected = s.tasks.map((spec) => `r${spec.id}`);
        if (JSON.stringify(results) !== JSON.stringify(expected)) {
          this.#violate(`${t.name}'s gather gave ${JSON.stringify(results)}, not ${JSON.stringify(expected)}`);
        }
        return;
      }
      case "race": {
        const children = s.tasks.map((spec) => this.#start(spec));
        const result = yield* this.#await(t, "race", race(...children), children);
        if (!s.tasks.some((spec) => `r${spec.id}` === result)) this.#violate(`${t.name}'s race gave ${String(result)}`);
        return;
      }
      case "timeout": {
        const c = this.#start(s.task);
        const start = loop.time();
        try {
          yield* this.#await(t, "timeout", timeout(s.d, c), [c]);
        } catch (error) {
          // Its own TimeoutError names its work's task; an inner timeout's passes through as is.
          const own = error instanceof TimeoutError && error.message.includes(`task "${s.task.name}"`);
          if (own && loop.time() < start + s.d) {
            this.#violate(`${t.name}'s timeout(${s.d}) from ${start} expired early, at ${loop.time()}`);
          }
          throw error;
        }
        if (loop.time() > start + s.d) this.#violate(`${t.name}'s timeout(${s.d}) from ${start} returned late, at ${loop.time()}`);
        return;
      }
      case "shield": {
        const c = this.#start(s.task);
        yield* this.#await(t, "shield", shield(c), [c], true);
        return;
      }
      case "group": {
        const self = this;
        const group = taskGroup((g) => self.#register(s.body, groupBody(self, s.body, g, s.spawns)));
        // The body and the children it spawns, as far as they were created.
        const children = () => [s.body, ...s.spawns].flatMap((c) => this.#info[c.id]!.task ?? []);
        yield* this.#awaitEach(t, "group", group, children);
        return;
      }
      case "put": {
        const queue = this.#queues[s.q]!;
        this.#putters[s.q]!++;
        try {
          yield* this.#suspend(t, queue.put(s.id));
        } catch (error) {
          this.#putFailed.push(s.id);
          this.#note(`${t.name}'s put of ${s.id} raised (put-raised)`);
          throw error;
        } finally {
          this.#putters[s.q]!--;
        }
        this.#put.push(s.id);
        this.#note(`${t.name} put ${s.id} in q${s.q}`);
        return;
      }
      case "get": {
        const queue = this.#queues[s.q]!;
        this.#getters[s.q]!++;
        let item: number;
        try {
          item = yield* this.#suspend(t, queue.get());
        } finally {
          this.#getters[s.q]!--;
        }
        this.#gotten.push(item);
        this.#note(`${t.name} got ${item} from q${s.q}`);
        return;
      }
      case "lock":
      case "sem": {
        const isLock = s.k === "lock";
        if (isLock) this.#lockWaiters++;
        else this.#semWaiters++;
        try {
          yield* this.#suspend(t, isLock ? this.#lock.acquire() : this.#sem.acquire());
        } finally {
          if (isLock) this.#lockWaiters--;
          else this.#semWaiters--;
        }
        if (isLock && ++this.#lockHolders > 1) this.#violate(`${t.name} took the lock while another task held it`);
        if (!isLock && ++this.#semHolders > this.#c.program.permits) {
          this.#violate(`${t.name} took a semaphore permit beyond its ${this.#c.program.permits}`);
        }
        try {
          yield* this.#steps(t, s.body);
        } finally {
          if (isLock) {
            this.#lockHolders--;
            this.#lock.release();
          } else {
            this.#semHolders--;
            this.#sem.release();
          }
        }
        return;
      }
      case "wait":
        this.#eventWaiters++;
        try {
          yield* this.#suspend(t, this.#event.wait());
        } finally {
          this.#eventWaiters--;
        }
        return;
      case "set":
        this.#event.set();
        return;
      case "clear":
        this.#event.clear();
        return;
      case "cancel": {
        const id = targetOf(s.target, this.#info.length);
        this.#cancel(id, t.name);
        if (s.twice) this.#cancel(id, t.name);
        return;
      }
      case "try": {
        // try/catch/finally written out, so that an error a throwing finally replaces is known.
        let pending: unknown = NONE;
        try {
          yield* this.#steps(t, s.body);
        } catch (error) {
          if (s.catches === "all" || (s.catches === "errors" && !(error instanceof CancelledError))) {
            this.#received(error, t.name);
          } else pending = error;
        }
        if (s.fin !== null) {
          const fin = this.#fin(`${t.name}:${s.id}`);
          const info = this.#info[t.id]!;
          fin.entered++;
          info.inFinally++;
          try {
            yield* this.#steps(t, s.fin);
          } catch (error) {
            fin.left++;
            info.inFinally--;
            if (pending !== NONE) this.#supersede(pending);
            throw error;
          }
          fin.left++;
          info.inFinally--;
        }
        if (pending !== NONE) throw pending;
        return;
      }
    }
  }

  #fin(key: string): { entered: number; left: number } {
    let fin = this.#fins.get(key);
    if (fin === undefined) this.#fins.set(key, (fin = { entered: 0, left: 0 }));
    return fin;
  }

  // ---- Errors ----------------------------------------------------------------------------------

  /** An error met at an await: register what handloop made (a TimeoutError), check the rest. */
  #met(error: unknown): void {
    for (const e of leaves(error)) {
      if (e instanceof CancelledError || this.#errors.has(e)) continue;
      if (e instanceof TimeoutError) this.#errors.set(e, newErrorInfo(`TimeoutError(${e.seconds})`));
      else this.#violate(`an unexpected error reached the program: ${label(e)}: ${String((e as Error)?.stack ?? e)}`);
    }
  }

  #received(error: unknown, by: string): void {
    for (const e of leaves(error)) {
      if (e instanceof CancelledError) {
        this.#note(`${by} swallows a CancelledError`);
        continue;
      }
      const info = this.#errors.get(e);
      if (info === undefined) {
        this.#met(e);
        continue;
      }
      if (info.received++ === 0) info.firstReceived = ++this.#seq;
      this.#note(`${by} receives ${info.name}`);
    }
  }

  #reported(error: unknown, task: Task<unknown>): void {
    for (const e of leaves(error)) {
      let info = this.#errors.get(e);
      if (e instanceof CancelledError) {
        this.#violate(`the policy was given a CancelledError of ${this.#nameOf(task)}`);
        continue;
      }
      if (info === undefined && e instanceof TimeoutError) {
        // A timeout that expired while its awaiter was being cancelled: nobody met it, and it is
        // nobody's result, so the policy is the first and only one to see it.
        this.#errors.set(e, (info = newErrorInfo(`TimeoutError(${e.seconds})`)));
      }
      if (info === undefined) {
        this.#violate(`the policy reported an unknown error of ${this.#nameOf(task)}: ${label(e)}`);
        continue;
      }
      info.reported++;
      info.reportedAt = ++this.#seq;
      this.#note(`policy reports ${info.name} of ${this.#nameOf(task)}`);
    }
  }

  /** A task's name in the log: the program's for its own tasks, the kind for handloop's (its number is global). */
  #nameOf(task: Task<unknown>): string {
    return this.#byTask.get(task)?.spec.name ?? task.name.replace(/-\d+$/, "");
  }

  #markLate(error: unknown): void {
    for (const e of leaves(error)) {
      const info = this.#errors.get(e);
      if (info !== undefined) info.late = true;
    }
  }

  #supersede(error: unknown): void {
    for (const e of leaves(error)) {
      const info = this.#errors.get(e);
      if (info !== undefined) info.superseded = true;
    }
  }

  // ---- Checks ----------------------------------------------------------------------------------

  /** Nothing is ready: nobody may be waiting for what is there (see the header). */
  #idle(): void {
    this.#queues.forEach((queue, q) => {
      if (this.#getters[q]! > 0 && queue.size > 0) this.#violate(`a getter waits on q${q} while it holds ${queue.size} items`);
      if (this.#putters[q]! > 0 && !queue.full()) this.#violate(`a putter waits on q${q} while it has room`);
      if (queue.maxsize > 0 && queue.size > queue.maxsize) this.#violate(`q${q} holds ${queue.size} items, over its maxsize ${queue.maxsize}`);
    });
    if (this.#lockWaiters > 0 && this.#lockHolders === 0) this.#violate("a task waits for the lock while nobody holds it");
    if (this.#lock.locked() !== this.#lockHolders > 0) {
      this.#violate(`the lock says locked=${this.#lock.locked()} with ${this.#lockHolders} holders`);
    }
    if (this.#semWaiters > 0 && this.#sem.value > 0) this.#violate("a task waits for a permit while one is free");
    if (this.#sem.value + this.#semHolders !== this.#c.program.permits) {
      this.#violate(`the semaphore's value ${this.#sem.value} and ${this.#semHolders} holders do not make its ${this.#c.program.permits} permits`);
    }
    if (this.#eventWaiters > 0 && this.#event.isSet()) this.#violate("a task waits for the event while it is set");
    for (const w of this.#waiting) {
      if (w.on.done()) this.#violate(`${w.who} still waits on ${this.#nameOf(w.on)}, which has ended`);
      else if (w.children().length > 0 && w.children().every((c) => c.done())) {
        this.#violate(`${w.who} still waits although all its children ended`);
      }
    }
  }

  #checkAtEnd(): void {
    for (const info of this.#info) {
      const { task, spec } = info;
      if (task === null) continue;
      if (!task.done()) {
        this.#violate(`${spec.name} is still pending after the run`);
        continue;
      }
      if (!info.started) {
        if (!task.cancelled()) this.#violate(`${spec.name} never ran, yet did not end cancelled`);
        continue;
      }
      const end = info.end;
      if (end === null) {
        this.#violate(`${spec.name} started, and its body never ended`);
      } else if (end.kind === "return") {
        const cancelWins = info.lastCancel > info.lastResume;
        if (cancelWins && !task.cancelled()) this.#violate(`${spec.name} returned after a cancel() that returned true, yet did not end cancelled`);
        if (!cancelWins && (task.cancelled() || task.exception() !== undefined || task.result() !== `r${spec.id}`)) {
          this.#violate(`${spec.name} returned, yet its task did not end with its value`);
        }
      } else if (end.error instanceof CancelledError) {
        if (!task.cancelled()) this.#violate(`${spec.name} raised CancelledError, yet did not end cancelled`);
      } else if (task.cancelled() || task.exception() !== end.error) {
        this.#violate(`${spec.name} raised ${label(end.error)}, yet its task did not fail with it`);
      }
    }
    for (const [key, fin] of this.#fins) {
      if (fin.entered !== 1 || fin.left !== 1) this.#violate(`the finally ${key} was entered ${fin.entered} and left ${fin.left} times`);
    }
    for (const info of this.#errors.values()) {
      if (info.superseded) continue;
      if (info.received + info.reported === 0) this.#violate(`${info.name} was lost: nobody received it and it was not reported`);
      if (info.reported > 1) this.#violate(`${info.name} was reported ${info.reported} times`);
      if (info.received > 0 && info.reported > 0 && !(info.late && info.reportedAt < info.firstReceived)) {
        this.#violate(`${info.name} was both received and reported`);
      }
    }
    // Queues: what went in is what came out plus what is left.
    const left: number[] = [];
    for (const queue of this.#queues) while (!queue.empty()) left.push(queue.getNowait());
    const out = [...this.#gotten, ...left].sort((a, b) => a - b);
    const into = [...this.#put].sort((a, b) => a - b);
    if (JSON.stringify(out) !== JSON.stringify(into)) {
      this.#violate(`queue items put [${into.join(", ")}] but got or left [${out.join(", ")}]`);
    }
    for (const item of this.#putFailed) if (out.includes(item)) this.#violate(`item ${item}'s put raised, yet it was in a queue`);
    if (this.#lock.locked() || this.#lockHolders !== 0) this.#violate("the lock is still held after the run");
    if (this.#sem.value !== this.#c.program.permits) this.#violate(`the semaphore ends at ${this.#sem.value} of ${this.#c.program.permits}`);
  }
}

/** Each task's background children, in the order spawned (for the `await` step). */
const spawned = new WeakMap<CTask, Task<unknown>[]>();

function newErrorInfo(name: string): ErrorInfo {
  return { name, received: 0, reported: 0, firstReceived: 0, reportedAt: 0, late: false, superseded: false };
}

/** The errors an error stands for: the ones a TaskGroupError holds, at any depth; else itself. */
function leaves(error: unknown): unknown[] {
  return error instanceof TaskGroupError ? error.errors.flatMap(leaves) : [error];
}

function isProgramError(error: unknown): boolean {
  return leaves(error).every((e) => e instanceof ProgramError || e instanceof TimeoutError);
}

function label(error: unknown): string {
  if (error instanceof TaskGroupError) return `TaskGroupError[${error.errors.map(label).join(", ")}]`;
  if (error instanceof TimeoutError) return `TimeoutError(${error.seconds})`;
  if (error instanceof Error) return error instanceof ProgramError ? error.message : error.name;
  return String(error);
}
