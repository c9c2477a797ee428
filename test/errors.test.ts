// The mistakes every new user makes, each made as a user would make it, and the whole message they
// then read. This file is NOT compiled by handloop (no "use handloop" directive): its `async`
// functions are native, as they are in a file someone forgot to opt in.
import { spawnSync } from "node:child_process";
import { inspect } from "node:util";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  asleep,
  coroutine,
  DeadlockError,
  EventLoop,

  gather,
  run,
  Task,
  UsageError,
  VirtualClock,
} from "../src/index.js";
import { NOT_COMPILED_ADVICE, virtualLoop, vrun } from "./helpers.js";

const NATIVE_PROMISE =
  "a native Promise, which cannot settle while a synchronous run blocks the thread (its callbacks need the microtask queue). If an async function returned it, handloop did not compile that function. " +
  `${NOT_COMPILED_ADVICE} Otherwise, pass a handloop task or awaitable.`;

async function fetchPage(): Promise<string> {
  await asleep(1);
  return "page";
}

describe("an async function handloop did not compile", () => {
  it("is refused by run() at once, before it runs, saying what to do", () => {
    let ran = false;
    expect(() =>
      run(
        async () => {
          ran = true;
          await asleep(1);
        },
        { clock: new VirtualClock() },
      ),
    ).toThrow(
      new TypeError(
        `run() was given an anonymous async function, which handloop did not compile: it is native, so its awaits wait on native Promises, which cannot settle while a synchronous run blocks the thread. ${NOT_COMPILED_ADVICE}`,
      ),
    );
    expect(ran).toBe(false);
    expect(() => vrun(fetchPage)).toThrow(
      new TypeError(
        `run() was given the async function fetchPage, which handloop did not compile: it is native, so its awaits wait on native Promises, which cannot settle while a synchronous run blocks the thread. ${NOT_COMPILED_ADVICE}`,
      ),
    );
  });

  it("is refused when its Promise is handed to run(), runUntilComplete() or createTask(), instead of deadlocking", () => {
    expect(() => vrun(fetchPage())).toThrow(new TypeError(`run() was given ${NATIVE_PROMISE}`));
    expect(() => vrun(() => fetchPage())).toThrow(new TypeError(`run() was given a function that returned ${NATIVE_PROMISE}`));
    const main = () => fetchPage();
    expect(() => vrun(main)).toThrow(new TypeError(`run() was given the function main, which returned ${NATIVE_PROMISE}`));
    const loop = virtualLoop();
    expect(() => loop.runUntilComplete(fetchPage())).toThrow(new TypeError(`runUntilComplete() was given ${NATIVE_PROMISE}`));
    expect(() => loop.createTask(fetchPage())).toThrow(new TypeError(`createTask() was given ${NATIVE_PROMISE}`));
  });

  it("fails a gather() that is given its Promise, and the other work is cancelled", () => {
    const log: string[] = [];
    const other = coroutine(function* () {
      try {
        yield* asleep(5);
      } finally {
        log.push("other cleaned up");
      }
    });
    expect(() =>
      vrun(function* () {
        yield* gather(other(), fetchPage());
      }),
    ).toThrow(new TypeError(`createTask() was given ${NATIVE_PROMISE}`));
    expect(log).toEqual(["other cleaned up"]);
  });

  it("says so when it awaits asleep() natively, outside any run", async () => {
    await expect(fetchPage()).rejects.toThrow(
      new UsageError(
        `asleep(1) was awaited by a native await, where no handloop loop runs: in an async function handloop did not compile, or in a module's top-level code (never compiled: start a run there instead, run(main)). ${NOT_COMPILED_ADVICE}`,
      ),
    );
  });

  it("is refused by Task.from(), which says what is missing", () => {
    expect(() => Task.from(fetchPage())).toThrow(
      new TypeError(
        `Task.from() expects the result of an async function compiled by handloop, got a native Promise. The async function that returned it was not compiled. ${NOT_COMPILED_ADVICE}`,
      ),
    );
  });

  it("says the hook is missing when the file has the directive but no hook is registered", () => {
    const { stdout, stderr } = node([
      "--import",
      "tsx",
      "--input-type=module",
      "-e",
      `import { Task } from "./src/index.ts";
       import { fetchPage } from "./test/fixtures/compile/opted-in.ts"; // "use handloop", yet native here
       try { Task.from(fetchPage()); } catch (error) { console.log(error.message); }`,
    ]);
    expect(stderr).toBe("");
    expect(stdout).toBe(
      `Task.from() expects the result of an async function compiled by handloop, got a native Promise. The async function that returned it was not compiled. ${NOT_COMPILED_ADVICE}\n`,
    );
  });

  it("says its file is not opted in when the hook is registered", () => {
    const { stdout, stderr } = node([
      "--import",
      "tsx",
      "--import",
      "./src/register.ts",
      "--input-type=module",
      "-e",
      `import { run } from "./src/index.ts";
       import { native } from "./test/fixtures/compile/not-opted-in.ts";
       try { run(native); } catch (error) { console.log(error.message); }`,
    ]);
    expect(stderr).toBe("");
    expect(stdout).toBe(
      'run() was given the async function native, which handloop did not compile: it is native, so its awaits wait on native Promises, which cannot settle while a synchronous run blocks the thread. handloop\'s Node hook is registered, so the function\'s file is not opted in: add a "use handloop" directive as the file\'s first statement, or name it *.loop.ts (a file under node_modules is compiled only when its package is named in HANDLOOP_INCLUDE or in the "handloop": { "include": [...] } field of your package.json).\n',
    );
  });
});

describe("a yield the loop cannot wait on", () => {
  it("names the coroutine function and its task", () => {
    const loop = virtualLoop();
    const worker = coroutine(function* worker() {
      yield 42 as never;
    });
    const task = worker();
    expect(() => loop.runUntilComplete(task)).toThrow(TypeError);
    const renamed = loop.createTask(worker(), { name: "fetch-7" });
    expect(() => loop.runUntilComplete(renamed)).toThrow(TypeError);
    const hint =
      "which the loop cannot wait on. Yield a NotReady hint, a Task or other thenable, an awaitable (an object with [__await__]), or undefined; `yield* x` gives a typed result.";
    expect(task.exception()).toEqual(new TypeError(`The coroutine worker (task "${task.name}") yielded 42, ${hint}`));
    expect(renamed.exception()).toEqual(new TypeError(`The coroutine worker (task "fetch-7") yielded 42, ${hint}`));
  });
});

describe("run() inside a run", () => {
  it("names run() in its UsageError", () => {
    const helper = () => run(function* () {}, { clock: new VirtualClock() });
    expect(() =>
      vrun(function* () {
        yield* asleep(1);
        helper();
      }),
    ).toThrow(
      new UsageError(
        "Cannot call run() while an EventLoop is running on this thread: run() starts a loop of its own. Await the work from inside the running loop instead.",
      ),
    );
  });
});

describe("a task in a log", () => {
  it("shows its name, its state and what it waits on through console.log", () => {
    const loop = new EventLoop({ clock: new VirtualClock(), unhandledError: () => {} });
    const child = loop.createTask(asleep(10), { name: "child-4" });
    const parent = loop.createTask(
      coroutine(function* () {
        yield* child;
      })(),
      { name: "fetch-3" },
    );
    const failing = loop.createTask(
      coroutine(function* () {
        throw new RangeError("out of pages\nsecond line");
      })(),
      { name: "failing" },
    );
    expect(inspect(parent)).toBe('Task "fetch-3" pending, ready to run');
    loop.runUntilComplete(asleep(1));
    expect(inspect(parent)).toBe('Task "fetch-3" pending, waiting on Task "child-4"');
    expect(inspect(child)).toBe('Task "child-4" pending, waiting on a timer');
    expect(String(failing)).toBe('Task "failing" rejected with RangeError: out of pages ...');
    loop.runUntilComplete(parent);
    expect(inspect(parent)).toBe('Task "fetch-3" fulfilled with undefined');
    expect(inspect(loop.createTask(asleep(0, "x"), { name: "later" }))).toBe('Task "later" pending, ready to run');
  });

  it("is readable in a DeadlockError's waiting list", () => {
    const loop = virtualLoop();
    const never = { then() {} };
    const stuck = coroutine(function* stuck() {
      yield never;
    });
    const main = loop.createTask(
      coroutine(function* () {
        yield stuck();
      })(),
      { name: "main" },
    );
    let error: unknown;
    try {
      loop.runUntilComplete(main);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DeadlockError);
    const name = (error as DeadlockError).waiting[1]!.name;
    expect(inspect((error as DeadlockError).waiting)).toBe(
      `[\n  Task "main" pending, waiting on Task "${name}",\n  Task "${name}" pending, waiting on a plain object (a thenable)\n]`,
    );
  });
});

const root = fileURLToPath(new URL("..", import.meta.url));

function node(args: string[]) {
  return spawnSync(process.execPath, args, { cwd: root, encoding: "utf8" });
}

