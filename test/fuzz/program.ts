/**
 * test/fuzz/program.ts: the random programs the fuzzer runs, and how fast-check makes them.
 *
 * A program is a tree of task scripts. A script is a list of steps: sleep (ties and zero
 * included), yield, throw, start children (awaited at once, in the background, through gather,
 * race, timeout, shield or a task group), await a background child later, use bounded queues, a
 * lock, a semaphore and an event, cancel any task (itself included, once or twice), and try/catch/
 * finally blocks that catch errors, swallow cancellations, and may sleep or throw in `finally`.
 * External cancels fall at chosen instants. Programs are plain data, so fast-check can shrink a
 * failing one to a minimal program, and `describeProgram` prints it as pseudo-code.
 *
 * `compile` numbers a program: every task gets an id (main is t0) in the order of a depth-first
 * walk, and every step an id, which names what it throws (E<id>) or puts in a queue (item <id>).
 */

import fc from "fast-check";

/** Durations of sleeps, in seconds: few values, so that deadlines tie often. */
const DURATIONS = [0, 0.5, 1, 1.5, 2] as const;
const TIMEOUTS = [0, 0.5, 1, 2, 3] as const;

export type Catches = "none" | "errors" | "all";

/** A step as generated (no ids yet). */
export type Step =
  | { k: "sleep"; d: number }
  | { k: "yield" }
  | { k: "throw" }
  | { k: "call"; task: Script }
  | { k: "spawn"; task: Script }
  | { k: "await"; nth: number }
  | { k: "gather"; tasks: Script[] }
  | { k: "race"; tasks: Script[] }
  | { k: "timeout"; d: number; task: Script }
  | { k: "shield"; task: Script }
  | { k: "group"; body: Script; spawns: Script[] }
  | { k: "put"; q: number }
  | { k: "get"; q: number }
  | { k: "lock"; body: Step[] }
  | { k: "sem"; body: Step[] }
  | { k: "wait" }
  | { k: "set" }
  | { k: "clear" }
  | { k: "cancel"; target: number; twice: boolean }
  | { k: "try"; body: Step[]; catches: Catches; fin: Step[] | null };

/** A task's script. */
export interface Script {
  steps: Step[];
}

/** A whole program: main's script, the primitives it shares, and cancels from outside. */
export interface Program {
  main: Script;
  /** The maxsize of each queue (0: unbounded). */
  queues: number[];
  /** The semaphore's permits. */
  permits: number;
  /** `cancel()` of task `target` (see targetOf) at `at` seconds, once or twice. */
  cancels: { at: number; target: number; twice: boolean }[];
}

// ---- Numbered form --------------------------------------------------------------------------------

export type CStep =
  | { k: "sleep"; id: number; d: number }
  | { k: "yield"; id: number }
  | { k: "throw"; id: number }
  | { k: "call" | "spawn" | "shield"; id: number; task: CTask }
  | { k: "await"; id: number; nth: number }
  | { k: "gather" | "race"; id: number; tasks: CTask[] }
  | { k: "timeout"; id: number; d: number; task: CTask }
  | { k: "group"; id: number; body: CTask; spawns: CTask[] }
  | { k: "put" | "get"; id: number; q: number }
  | { k: "lock" | "sem"; id: number; body: CStep[] }
  | { k: "wait" | "set" | "clear"; id: number }
  | { k: "cancel"; id: number; target: number; twice: boolean }
  | { k: "try"; id: number; body: CStep[]; catches: Catches; fin: CStep[] | null };

export interface CTask {
  id: number;
  name: string;
  steps: CStep[];
}

export interface Compiled {
  main: CTask;
  /** Every task, by id. */
  tasks: CTask[];
  /** How many steps the program has (bounds how often a task can swallow a cancellation). */
  size: number;
  program: Program;
}

/**
 * The task a cancel's `target` (0-15) names among `n` tasks: main (t0) for 0 only, since cancelling
 * main ends the whole run; the others for the rest.
 */
export function targetOf(target: number, n: number): number {
  return target === 0 || n === 1 ? 0 : 1 + ((target - 1) % (n - 1));
}

/** Numbers a program's tasks and steps (see the header). */
export function compile(program: Program): Compiled {
  const tasks: CTask[] = [];
  let steps = 0;
  const task = (script: Script): CTask => {
    const t: CTask = { id: tasks.length, name: `t${tasks.length}`, steps: [] };
    tasks.push(t);
    t.steps = list(script.steps);
    return t;
  };
  const list = (xs: Step[]): CStep[] => xs.map(step);
  const step = (s: Step): CStep => {
    const id = steps++;
    switch (s.k) {
      case "call":
      case "spawn":
      case "shield":
        return { k: s.k, id, task: task(s.task) };
      case "gather":
      case "race":
        return { k: s.k, id, tasks: s.tasks.map(task) };
      case "timeout":
        return { k: s.k, id, d: s.d, task: task(s.task) };
      case "group": {
        const body = task(s.body);
        return { k: s.k, id, body, spawns: s.spawns.map(task) };
      }
      case "lock":
      case "sem":
        return { k: s.k, id, body: list(s.body) };
      case "try":
        return { k: s.k, id, body: list(s.body), catches: s.catches, fin: s.fin === null ? null : list(s.fin) };
      default:
        return { ...s, id } as CStep;
    }
  };
  const main = task(program.main);
  return { main, tasks, size: steps, program };
}

/** The program as indented pseudo-code, for failure reports. */
export function describeProgram(program: Program): string {
  const c = compile(program);
  const out: string[] = [
    `queues (maxsize): [${program.queues.join(", ")}]; semaphore permits: ${program.permits}`,
    ...program.cancels.map(
      (x) => `at ${x.at}: cancel ${c.tasks[targetOf(x.target, c.tasks.length)]!.name}${x.twice ? " twice" : ""}`,
    ),
  ];
  const task = (t: CTask, pad: string, label: string): void => {
    out.push(`${pad}${label}${t.name}:${t.steps.length === 0 ? " (nothing)" : ""}`);
    steps(t.steps, `${pad}  `);
  };
  const steps = (xs: CStep[], pad: string): void => {
    for (const s of xs) {
      switch (s.k) {
        case "sleep":
          out.push(`${pad}sleep ${s.d}`);
          break;
        case "throw":
          out.push(`${pad}throw E${s.id}`);
          break;
        case "call":
        case "spawn":
        case "shield":
          task(s.task, pad, `${s.k} `);
          break;
        case "await":
          out.push(`${pad}await spawned #${s.nth}`);
          break;
        case "gather":
        case "race":
          out.push(`${pad}${s.k}`);
          for (const t of s.tasks) task(t, `${pad}  `, "");
          break;
        case "timeout":
          task(s.task, pad, `timeout ${s.d} `);
          break;
        case "group":
          task(s.body, pad, "group, body ");
          for (const t of s.spawns) task(t, `${pad}  `, "spawned into it: ");
          break;
        case "put":
          out.push(`${pad}put item ${s.id} into q${s.q}`);
          break;
        case "get":
          out.push(`${pad}get from q${s.q}`);
          break;
        case "lock":
        case "sem":
          out.push(`${pad}holding the ${s.k === "lock" ? "lock" : "semaphore"}:`);
          steps(s.body, `${pad}  `);
          break;
        case "cancel":
          out.push(`${pad}cancel ${c.tasks[targetOf(s.target, c.tasks.length)]!.name}${s.twice ? " twice" : ""}`);
          break;
        case "try":
          out.push(`${pad}try:`);
          steps(s.body, `${pad}  `);
          if (s.catches !== "none") out.push(`${pad}catch ${s.catches === "all" ? "everything (swallows cancellation)" : "errors"}`);
          if (s.fin !== null) {
            out.push(`${pad}finally:`);
            steps(s.fin, `${pad}  `);
          }
          break;
        default:
          out.push(`${pad}${s.k}${"q" in s ? ` q${String(s.q)}` : ""}`);
      }
    }
  };
  task(c.main, "", "main ");
  return out.join("\n");
}

// ---- The arbitrary -------------------------------------------------------------------------------

const DEPTH = "fuzz-depth";

/** Programs, with shrinking towards fewer, shallower, simpler steps. */
export function programArbitrary(): fc.Arbitrary<Program> {
  return fc
    .record({
      // Half of main's steps are guarded by a catch, so that one failure or cancellation does not
      // end the whole program before its later steps ran.
      main: fc.record({ steps: fc.array(fc.oneof(stepArbitrary, guarded), { minLength: 2, maxLength: 8 }) }),
      // The first queue bounded; the second too, or unbounded (0), whose hand-offs take another path.
      queues: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 0, max: 2 })),
      permits: fc.integer({ min: 1, max: 2 }),
      cancels: fc.array(
        fc.record({ at: fc.integer({ min: 0, max: 16 }).map((n) => n / 2), target: fc.nat(15), twice: fc.boolean() }),
        { maxLength: 3 },
      ),
    })
    .map(withDescription);
}

/**
 * One step. Steps nest (try, lock, children's scripts) a few levels deep; the weights favour what
 * makes tasks meet: children, queue traffic (mostly on the first queue, so that puts and gets
 * meet), locks and cancels.
 */
const stepArbitrary: fc.Arbitrary<Step> = fc.letrec<{ step: Step; steps: Step[]; script: Script }>((tie) => {
  const steps = fc.array(tie("step"), { maxLength: 3, depthIdentifier: DEPTH });
  const script = tie("script");
  const scripts = (minLength: number, maxLength: number) =>
    fc.array(script, { minLength, maxLength, depthIdentifier: DEPTH });
  const leaf = <K extends Step["k"]>(k: K) => fc.constant({ k }) as fc.Arbitrary<Step>;
  const queue = fc.constantFrom(0, 0, 0, 1);
  return {
    script: fc.record({ steps: fc.array(tie("step"), { minLength: 1, maxLength: 5, depthIdentifier: DEPTH }) }),
    steps,
    step: fc.oneof(
      // Leaves first: shrinking and the depth limit fall back on the first one.
      { maxDepth: 6, depthIdentifier: DEPTH, withCrossShrink: true },
      { weight: 4, arbitrary: fc.record({ k: fc.constant("sleep" as const), d: fc.constantFrom(...DURATIONS) }) },
      { weight: 1, arbitrary: leaf("yield") },
      { weight: 1, arbitrary: leaf("throw") },
      { weight: 4, arbitrary: fc.record({ k: fc.constant("put" as const), q: queue }) },
      { weight: 4, arbitrary: fc.record({ k: fc.constant("get" as const), q: queue }) },
      { weight: 1, arbitrary: leaf("wait") },
      { weight: 1, arbitrary: leaf("set") },
      { weight: 1, arbitrary: leaf("clear") },
      { weight: 4, arbitrary: fc.record({ k: fc.constant("cancel" as const), target: fc.nat(15), twice: fc.boolean() }) },
      {
        weight: 4,
        arbitrary: fc.record({
          k: fc.constant("try" as const),
          body: steps,
          catches: fc.constantFrom<Catches>("none", "errors", "errors", "all", "all"),
          fin: fc.option(steps, { nil: null }),
        }),
      },
      { weight: 2, arbitrary: fc.record({ k: fc.constant("lock" as const), body: steps }) },
      { weight: 2, arbitrary: fc.record({ k: fc.constant("sem" as const), body: steps }) },
      { weight: 2, arbitrary: fc.record({ k: fc.constant("call" as const), task: script }) },
      { weight: 3, arbitrary: fc.record({ k: fc.constant("spawn" as const), task: script }) },
      { weight: 1, arbitrary: fc.record({ k: fc.constant("await" as const), nth: fc.nat(3) }) },
      { weight: 3, arbitrary: fc.record({ k: fc.constant("gather" as const), tasks: scripts(1, 3) }) },
      { weight: 2, arbitrary: fc.record({ k: fc.constant("race" as const), tasks: scripts(1, 3) }) },
      {
        weight: 2,
        arbitrary: fc.record({ k: fc.constant("timeout" as const), d: fc.constantFrom(...TIMEOUTS), task: script }),
      },
      { weight: 1, arbitrary: fc.record({ k: fc.constant("shield" as const), task: script }) },
      { weight: 2, arbitrary: fc.record({ k: fc.constant("group" as const), body: script, spawns: scripts(0, 2) }) },
    ) as fc.Arbitrary<Step>,
  };
}).step;

/** One step in a try that catches errors, or everything. */
const guarded: fc.Arbitrary<Step> = fc.record({
  k: fc.constant("try" as const),
  body: fc.tuple(stepArbitrary),
  catches: fc.constantFrom<Catches>("errors", "all"),
  fin: fc.constant(null),
});

/** Gives a program fast-check's printed form: its pseudo-code. */
function withDescription(program: Program): Program {
  Object.defineProperty(program, fc.toStringMethod, { value: () => `\n${describeProgram(program)}\n`, enumerable: false });
  return program;
}
