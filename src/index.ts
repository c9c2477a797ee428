/**
 * handloop: await without Promises. The public API, and nothing else: every name exported here is
 * a contract; everything not exported is internal and may change.
 *
 * Each binding is the one of the first copy of handloop loaded in this process (registry.ts):
 * this copy's own (api.ts) unless another copy of the same version came first, so two copies
 * share one runtime. A `const` holds each class and function; the `type` of the same name is the
 * class's instance type, as a class declaration would give.
 */

import type * as Api from "./api.js";
import { shared } from "./registry.js";

const api = shared.api;

// Symbol.for keys and types are the same in every copy: exported as they are.
export { __await__, type Awaitable } from "./awaitable.js";
export type { Clock, FrameClockOptions, RealClockOptions } from "./clock.js";
export type { AdvanceOptions, AdvanceResult, FrameAwaitable } from "./frame.js";
export type { AnimateOptions } from "./animate.js";
export type {
  AwaitableLike,
  EventLoopOptions,
  GlobalsOption,
  Host,
  RunAsyncLoopOptions,
  TaskOptions,
  UnhandledErrorPolicy,
  VirtualGlobalsOptions,
} from "./loop.js";
export type { RunAsyncOptions, RunOptions } from "./run.js";
export type { AbortSignalLike, FromPromiseOptions, TaskSignal } from "./interop.js";
export type { QueueOptions } from "./sync/queue.js";
export type { Instrument, StepNext, TimerInfo, Wake } from "./instrument.js";
export type { RecordOptions } from "./record.js";
export type { Finding, LintKind, LintOptions } from "./lint.js";
export {
  TRACE_SCHEMA_VERSION,
  type ClockJumpEvent,
  type CancelEvent,
  type ExitEvent,
  type NextKind,
  type Outcome,
  type ParkedEvent,
  type Recording,
  type RunBeginEvent,
  type RunEndEvent,
  type ScheduledEvent,
  type SpawnEvent,
  type StepEvent,
  type TimerAddEvent,
  type TimerCancelEvent,
  type TimerFireEvent,
  type TraceEvent,
  type TraceEventBase,
  type TraceTask,
  type WakeKind,
} from "./trace-schema.js";

// The awaitable protocol and sleeping.
/**
 * A request to the loop: "do not resume me before `seconds` have passed on your clock". The
 * post's `NotReady(float)` hint; the loop parks the task on its timer heap instead of polling it.
 *
 * @example
 * ```ts
 * const waitASecond = coroutine(function* () { yield new NotReady(1); });
 * ```
 */
export const NotReady: typeof Api.NotReady = api.NotReady;
export type NotReady = Api.NotReady;
/**
 * The awaitable from `asleep(seconds, value)`: awaiting it waits `seconds` on the loop's clock and
 * gives `value`. Its `[__await__]` (and `[Symbol.iterator]`, for a typed `yield*`) is
 * `sleep(seconds, value)`. It is also thenable, so that TypeScript types `await asleep(1, x)` in
 * an `async` function as `x`'s type; `then` runs it as a task on the running loop.
 *
 * @example
 * ```ts
 * const nap = asleep(0.25, "rested");
 * const v = yield* nap; // in a coroutine: v is "rested", a quarter second later
 * ```
 */
export const ASleep: typeof Api.ASleep = api.ASleep;
export type ASleep<T = undefined> = Api.ASleep<T>;
export const asleep: typeof Api.asleep = api.asleep;
export const sleep: typeof Api.sleep = api.sleep;

// Clocks.
/**
 * Virtual time: when nothing is ready the loop jumps straight to the next deadline, so hours of
 * sleeps finish at once and every run of a program sees the same times and the same order.
 * Starts at 0 unless told otherwise. Time also moves with `advance(seconds)`.
 *
 * @example
 * ```ts
 * const clock = new VirtualClock();
 * run(function* () { yield* asleep(3600); }, { clock });
 * clock.now(); // 3600, and no real time passed
 * ```
 */
export const VirtualClock: typeof Api.VirtualClock = api.VirtualClock;
export type VirtualClock = Api.VirtualClock;
/**
 * Real, monotonic time (`performance.now()`, in seconds). Waiting blocks the whole thread in
 * `Atomics.wait`, as the post blocks in `time.sleep`: an idle loop uses no CPU. Each wait ends
 * on a multiple of the timer slack (half a millisecond by default), so thousands of timers spread
 * over a second cost at most two thousand wake-ups, each under a millisecond late (see
 * bench/RESULTS.md). While it blocks, Node's own event loop, I/O and native timers wait too; that
 * is the price of a synchronous run. Where a thread may not block in `Atomics.wait` (a browser's
 * main thread, a page without SharedArrayBuffer), it spins until the deadline instead.
 *
 * @example
 * ```ts
 * run(function* () { yield* asleep(0.5); }, { clock: new RealClock() }); // returns after ~0.5 s
 * ```
 */
export const RealClock: typeof Api.RealClock = api.RealClock;
export type RealClock = Api.RealClock;
/**
 * Frame time: the clock of a loop that a host drives one frame at a time with `loop.advance(dt)`
 * (a game's frame loop, `requestAnimationFrame`). It never waits and never reads a real clock:
 * it moves only inside `advance`, which steps it through each deadline due in the frame in
 * order, so a fixed-step simulation takes the same steps at any frame rate.
 *
 * It keeps two times. `now()` is *scaled* time, what the loop's timers, `asleep` and `loop.time()`
 * follow; `realtime()` is *frame* time, the sum of the `dt`s advanced, which `asleepRealtime`
 * follows. `timeScale` relates them: 0.5 is slow motion, 0 pauses the game's time while menus,
 * UI animations and `nextFrame()` go on. Both start at 0.
 *
 * Discussion: `timeScale` lives here rather than on the loop because it is how this clock's two
 * times relate, as Unity's `Time.timeScale` relates `time` and `unscaledTime`; the loop only knows
 * `now()`. A change takes effect at once, even in the middle of an advance: scaled time already
 * passed stays passed, deadlines ahead are reached sooner or later.
 *
 * @example
 * ```ts
 * const clock = new FrameClock();
 * const loop = new EventLoop({ clock });
 * loop.createTask(coroutine(function* () { yield* asleep(0.1); })());
 * loop.advance(1 / 60);   // frame 1: 0.0167 s
 * clock.timeScale = 0;    // paused: the sleeper waits, however many frames pass
 * ```
 */
export const FrameClock: typeof Api.FrameClock = api.FrameClock;
export type FrameClock = Api.FrameClock;

// Frame mode: frames and frame time, in a task of a loop driven by loop.advance(dt).
export const nextFrame: typeof Api.nextFrame = api.nextFrame;
export const frames: typeof Api.frames = api.frames;
export const asleepRealtime: typeof Api.asleepRealtime = api.asleepRealtime;
export const animate: typeof Api.animate = api.animate;

// Coroutines, tasks and the loop.
export const coroutine: typeof Api.coroutine = api.coroutine;
export const __awaiter: typeof Api.__awaiter = api.__awaiter;
/**
 * One coroutine's life on a loop: a custom thenable, as asyncio's Task is a Future. Its `then`
 * callbacks are called by the loop (never by the microtask queue while a loop runs), so a task can
 * be awaited by native code too. Create tasks with `coroutine(...)(...)`, `loop.createTask(x)`,
 * or compiled `async` functions; `await` / `yield*` them, `gather` them, `cancel()` them.
 *
 * @example
 * ```ts
 * const child = coroutine(function* () { yield* asleep(1); return 42; });
 * run(function* () {
 *   const t = child();          // already running, parked on its sleep
 *   const v = yield* t;          // 42, typed as number
 *   return t.done() && v === t.result();
 * }, { clock: new VirtualClock() }); // true
 * ```
 *
 * A Task is a LoopPromise too (`task instanceof LoopPromise`, and so, in compiled code, where the
 * global `Promise` is LoopPromise, `asyncFn() instanceof Promise`), with its own `then`, `catch`,
 * `finally` and `constructor`.
 *
 * (Internally also a Runnable, a Waiter, a PromiseSubscriber and a TimerEntry, checked where it is
 * passed as one.)
 */
export const Task: typeof Api.Task = api.Task;
export type Task<T> = Api.Task<T>;
/**
 * A Promise whose jobs run on handloop's loop: ECMA-262's Promise (27.2) to the letter (test262's
 * `built-ins/Promise` is the judge), with reactions on the running loop's ready queue instead of
 * the engine's microtask queue, so that a synchronous run settles it, in the order native code
 * would. Code compiled by handloop sees it as its global `Promise`; hand-written code can use it
 * directly. A task awaiting one (`await p` compiled, `yield p` by hand) takes the ticks a native
 * `await` takes; with no loop running, its jobs run as microtasks. A Task is an instance of it
 * (`task instanceof LoopPromise`), as an async function's result is a Promise.
 *
 * Rejections nobody handles go to the running loop's unhandled-error policy (see
 * `UnhandledErrorPolicy`), or, with no loop running, to the host's own unhandled-rejection
 * tracking, as a native promise's would.
 *
 * @example
 * ```ts
 * const loaded = new LoopPromise<string>((resolve) => currentLoop().callLater(1, () => resolve("data")));
 * const text = run(async () => await loaded, { clock: new VirtualClock() }); // "data", after 1 virtual second
 * ```
 */
export const LoopPromise: typeof Api.LoopPromise = api.LoopPromise;
export type LoopPromise<T> = Api.LoopPromise<T>;
/**
 * A value that will be there later, settled by hand: asyncio's `Future`. Make one with
 * `createFuture<T>()`, hand it to the code that will produce the value (a callback, another task),
 * and await it: `yield* fut` in a coroutine (typed `T`), `await fut` in compiled code, or `then`.
 * It is a Task with no coroutine, so everything a Task has it has: `done()`, `result()`,
 * `exception()`, `cancel()`, `cancelled()`, `name`, and the unhandled-error policy (a future
 * rejected with nobody awaiting it is reported as a failed task is).
 *
 * The first of `resolve`, `reject` and `cancel` settles it; later calls do nothing and return
 * `false`, so a callback may resolve a future that a timeout already cancelled. As with asyncio,
 * a task awaiting a future that is cancelled cancels the future too (wrap it in `shield()` when
 * others still need it).
 *
 * @example
 * ```ts
 * const loop = new EventLoop({ clock: new VirtualClock() });
 * const reply = createFuture<string>();
 * loop.callLater(2, () => reply.resolve("pong"));
 * loop.runUntilComplete(coroutine(function* () {
 *   const text = yield* reply; // "pong", typed as string, at 2 s
 *   return text;
 * })());
 * ```
 */
export const Future: typeof Api.Future = api.Future;
export type Future<T> = Api.Future<T>;
/**
 * A new pending Future, settled by hand with `resolve(value)` or `reject(error)` (asyncio's
 * `loop.create_future()`). `name` names it in errors and `toString()` (`Future-<id>` otherwise).
 *
 * @example
 * ```ts
 * const ready = createFuture<number>({ name: "answer" });
 * setAnswerLater(ready);             // code of yours that calls ready.resolve(42)
 * const answer = yield* ready;       // in a coroutine: 42, typed as number
 * ```
 */
export const createFuture: typeof Api.createFuture = api.createFuture;
/**
 * An event loop that steps coroutines by hand: a FIFO ready queue, a min-heap of timers ordered
 * by (deadline, sequence), and a pluggable clock. Runs are synchronous: `runUntilComplete`
 * returns the result (or throws the error) when the work is done, without a single Promise.
 *
 * @example
 * ```ts
 * const loop = new EventLoop({ clock: new VirtualClock() });
 * loop.createTask(sleep(3, "Sleep 3 over"));
 * loop.createTask(sleep(1, "Sleep 1 over"));
 * loop.runForever();  // returns when both are done
 * loop.time();        // 3
 * ```
 */
export const EventLoop: typeof Api.EventLoop = api.EventLoop;
export type EventLoop = Api.EventLoop;
export const currentLoop: typeof Api.currentLoop = api.currentLoop;
export const currentTask: typeof Api.currentTask = api.currentTask;
/**
 * A callback scheduled on a loop with `callSoon`. `cancel()` stops it from running if it has not
 * run yet. A callback that throws stops the run and the error propagates out of the loop's run
 * call; the loop stays usable.
 *
 * @example
 * ```ts
 * const h = loop.callSoon(() => console.log("never printed"));
 * h.cancel();
 * ```
 */
export const Handle: typeof Api.Handle = api.Handle;
export type Handle = Api.Handle;
/**
 * A callback scheduled at a deadline with `callLater` or `callAt`. Cancelling it disarms its timer:
 * the loop no longer waits for it.
 *
 * @example
 * ```ts
 * const h = loop.callLater(5, () => console.log("five seconds on the loop's clock"));
 * h.deadline; // loop.time() + 5 at the time of the call
 * ```
 */
export const TimerHandle: typeof Api.TimerHandle = api.TimerHandle;
export type TimerHandle = Api.TimerHandle;
export const run: typeof Api.run = api.run;
export const runAsync: typeof Api.runAsync = api.runAsync;
export const isCompiled: typeof Api.isCompiled = api.isCompiled;

// Seeing the loop: recordings (instruments are an interface: see the types above).
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
export const Recorder: typeof Api.Recorder = api.Recorder;
export type Recorder = Api.Recorder;
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
export const parseTrace: typeof Api.parseTrace = api.parseTrace;
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
export const taskTree: typeof Api.taskTree = api.taskTree;
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
export const taskTable: typeof Api.taskTable = api.taskTable;
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
export const lint: typeof Api.lint = api.lint;

// Native Promises and AbortSignal (host mode).
export const fromPromise: typeof Api.fromPromise = api.fromPromise;
export const toPromise: typeof Api.toPromise = api.toPromise;
export const currentSignal: typeof Api.currentSignal = api.currentSignal;

// Structured concurrency.
export const gather: typeof Api.gather = api.gather;
export const race: typeof Api.race = api.race;
export const shield: typeof Api.shield = api.shield;
export const timeout: typeof Api.timeout = api.timeout;
export const taskGroup: typeof Api.taskGroup = api.taskGroup;
/**
 * The handle a task group's body gets: `spawn` starts a child the group owns. Spawning into a
 * group that has finished is a UsageError. (Internally the group is a waiter on each child.)
 *
 * @example
 * ```ts
 * const results = yield* taskGroup(function* (group) {
 *   const a = group.spawn(fetchPage("a"));
 *   const b = group.spawn(fetchPage("b"));
 *   return [yield* a, yield* b];
 * });
 * ```
 */
export const TaskGroup: typeof Api.TaskGroup = api.TaskGroup;
export type TaskGroup = Api.TaskGroup;

// Synchronisation.
/**
 * Makes `parties` tasks wait for each other: `wait()` blocks until `parties` tasks are waiting,
 * then all of them go on, each given its arrival index (0 for the first). The barrier then starts
 * over for the next round. A task cancelled while waiting leaves, and the round waits for another.
 *
 * @example
 * ```ts
 * const start = new Barrier(3);
 * const runner = coroutine(function* (name: string) { yield* start.wait(); console.log(`${name} goes`); });
 * ```
 */
export const Barrier: typeof Api.Barrier = api.Barrier;
export type Barrier = Api.Barrier;
/**
 * A condition variable over a Lock (a new one unless given). With the lock held, `wait()` releases
 * it, waits for `notify()`, and takes the lock again before returning, even when cancelled.
 * `waitFor(predicate)` waits until `predicate()` is true. `notify(n)` wakes the first `n` waiters,
 * `notifyAll()` every one. Waiting or notifying without holding the lock is a UsageError.
 *
 * @example
 * ```ts
 * const cond = new Condition();
 * const consumer = coroutine(function* () {
 *   yield* cond.acquire();
 *   try { yield* cond.waitFor(() => items.length > 0); return items.shift(); } finally { cond.release(); }
 * });
 * ```
 */
export const Condition: typeof Api.Condition = api.Condition;
export type Condition = Api.Condition;
/**
 * A flag that starts clear. `wait()` returns at once while it is set, else waits until `set()`;
 * `set()` wakes every waiter, in the order they started waiting. `clear()` clears it again.
 *
 * @example
 * ```ts
 * const ready = new Event();
 * const waiter = coroutine(function* () { yield* ready.wait(); console.log("go"); });
 * loop.callLater(1, () => ready.set());
 * ```
 */
export const Event: typeof Api.Event = api.Event;
export type Event = Api.Event;
/**
 * A mutual-exclusion lock. `acquire()` waits until the lock is free and takes it; `release()`
 * frees it (handing it to the first waiter). Releasing a lock that is not held is a UsageError.
 * Hold it with try/finally so that cancellation releases it too.
 *
 * @example
 * ```ts
 * const lock = new Lock();
 * const critical = coroutine(function* () {
 *   yield* lock.acquire();
 *   try { yield* asleep(1); } finally { lock.release(); }
 * });
 * ```
 */
export const Lock: typeof Api.Lock = api.Lock;
export type Lock = Api.Lock;
/**
 * A counter of permits, `value` at the start. `acquire()` waits until a permit is free and takes
 * it; `release()` gives one back (to the first waiter). Releasing above the starting value is a
 * UsageError: it means some task released a permit it never acquired.
 *
 * @example
 * ```ts
 * const slots = new Semaphore(4); // at most four fetches at a time
 * const fetchLimited = coroutine(function* (url: string) {
 *   yield* slots.acquire();
 *   try { return yield* fetchPage(url); } finally { slots.release(); }
 * });
 * ```
 */
export const Semaphore: typeof Api.Semaphore = api.Semaphore;
export type Semaphore = Api.Semaphore;
/**
 * A first-in, first-out queue for passing items between tasks, with asyncio's API: `put` and `get`
 * wait (for room, for an item); `putNowait` and `getNowait` do not, and throw QueueFullError /
 * QueueEmptyError instead. `taskDone` and `join` count items through to their processing.
 * `shutdown()` ends it: putting throws QueueShutDownError, and so does getting once it is empty.
 *
 * @example
 * ```ts
 * const queue = new Queue<string>({ maxsize: 10 });
 * const producer = coroutine(function* () { for (const url of urls) yield* queue.put(url); queue.shutdown(); });
 * const consumer = coroutine(function* () {
 *   for (;;) {
 *     try { console.log(yield* queue.get()); } catch (e) { if (e instanceof QueueShutDownError) return; throw e; }
 *   }
 * });
 * ```
 */
export const Queue: typeof Api.Queue = api.Queue;
export type Queue<T> = Api.Queue<T>;
/**
 * A wait on a synchronisation primitive, as `queue.get()`, `lock.acquire()` or `event.wait()`
 * return: await it (`await op`, `yield* op`, or `yield op`) to wait, typed `T`. Each primitive
 * keeps one per kind of wait and hands out the same object every time, so waiting allocates
 * nothing; the stepper recognises it and parks the task in the primitive's own FIFO.
 */
export const WaitOp: typeof Api.WaitOp = api.WaitOp;
export type WaitOp<T> = Api.WaitOp<T>;
/**
 * An operation of a primitive that takes more than one wait (`Condition.wait()`, a Queue's
 * `for await` step): awaited (`await op`, `yield* op`), it runs *in the awaiting task*, not in a
 * task of its own. That matters for cancellation: a cancel of the awaiting task lands inside the
 * operation, where what it was handed (a notification, an item) is passed on. Were it a task of
 * its own, the operation could finish, having taken the item, and the awaiting task be cancelled
 * before it resumed: the item would be gone with nobody holding it. Each await runs it afresh.
 * It is also a thenable (`then` runs it as a task of the running loop), typed as a Promise so it
 * can be an async iterator's `next()` result.
 */
export const Operation: typeof Api.Operation = api.Operation;
export type Operation<T> = Api.Operation<T>;

// Errors.
/**
 * Thrown into a coroutine at its suspension point when its task is cancelled, and by
 * `result()`, `exception()` or an `await` of a task that ended cancelled.
 *
 * A coroutine may catch it to clean up (its `finally` blocks may even await); if it catches it
 * and returns a value, the task ends normally instead of cancelled.
 *
 * @example
 * ```ts
 * const worker = coroutine(function* () {
 *   try { yield* asleep(60); } catch (e) { if (e instanceof CancelledError) return "stopped"; throw e; }
 * });
 * ```
 */
export const CancelledError: typeof Api.CancelledError = api.CancelledError;
export type CancelledError = Api.CancelledError;
/**
 * Thrown by a run when no task can ever be resumed again but some are still waiting: nothing is
 * ready, no timer is pending, and every live task waits on a task or thenable that cannot settle
 * (for example a native Promise, whose callbacks need the microtask queue that a synchronous run
 * blocks). `waiting` lists those tasks; the message says what each one waits on.
 *
 * The loop stays usable: the tasks stay parked where they were.
 */
export const DeadlockError: typeof Api.DeadlockError = api.DeadlockError;
export type DeadlockError = Api.DeadlockError;
/** `getNowait()` on a Queue that is empty. */
export const QueueEmptyError: typeof Api.QueueEmptyError = api.QueueEmptyError;
export type QueueEmptyError = Api.QueueEmptyError;
/** `putNowait()` on a Queue that is full. */
export const QueueFullError: typeof Api.QueueFullError = api.QueueFullError;
export type QueueFullError = Api.QueueFullError;
/** A `put` on a Queue after `shutdown()`, or a `get` on one that is shut down and empty. */
export const QueueShutDownError: typeof Api.QueueShutDownError = api.QueueShutDownError;
export type QueueShutDownError = Api.QueueShutDownError;
/**
 * A task group failed: `errors` holds every error (other than cancellations) that its body and
 * children raised, in the order they happened. The first one made the group cancel the rest.
 */
export const TaskGroupError: typeof Api.TaskGroupError = api.TaskGroupError;
export type TaskGroupError = Api.TaskGroupError;
/**
 * Thrown by `timeout(seconds, work)` when `work` did not finish in time: the work was cancelled,
 * its cleanup has finished, and this error names the limit and the task that timed out. Our own
 * class (not the DOM's), so `instanceof TimeoutError` is reliable.
 */
export const TimeoutError: typeof Api.TimeoutError = api.TimeoutError;
export type TimeoutError = Api.TimeoutError;
/**
 * A task failed and nothing observed its outcome (nobody awaited it, gathered it, or called
 * `then`, `catch`, `result()` or `exception()`), or a LoopPromise was rejected and nothing
 * handled it (no `await`, `then` or `catch`). With the loop's default `unhandledError: "throw"`
 * policy, the run ends once the ready queue drains and throws this error. `cause` is the first
 * such error, `tasks` every task that failed unobserved, `promises` every LoopPromise rejected
 * unhandled, each in the order they failed.
 */
export const UnhandledTaskError: typeof Api.UnhandledTaskError = api.UnhandledTaskError;
export type UnhandledTaskError = Api.UnhandledTaskError;
/**
 * A call that breaks a rule of the API: running a loop inside a running loop, using a closed
 * loop, asking a pending task for its `result()`, releasing what is not held. The message names
 * the call and the rule.
 */
export const UsageError: typeof Api.UsageError = api.UsageError;
export type UsageError = Api.UsageError;

// Pictures of a recording (issue 14, renderers): pure functions of a Recording, browser-safe.
export type { ChromeTrace, ChromeTraceEvent, ChromeTraceOptions } from "./chrome-trace.js";
export type { TimelineOptions } from "./timeline.js";
export type { TimelineSVGOptions } from "./timeline-svg.js";
/**
 * A recording as a Chrome trace object: `JSON.stringify` it into a file and open that in
 * ui.perfetto.dev or chrome://tracing. One track per task with its running, ready, sleeping and
 * awaiting slices, instants for cancellations and timers, arrows for spawns and wake-ups.
 *
 * @example
 * ```ts
 * const recorder = loop.record();
 * loop.runUntilComplete(main());
 * const json = JSON.stringify(toChromeTrace(recorder, { time: "virtual" }));
 * ```
 */
export const toChromeTrace: typeof Api.toChromeTrace = api.toChromeTrace;
/**
 * A recording as a terminal picture: one row per task over time (running `█`, ready `▒`,
 * sleeping `─`, awaiting `┄`, cancelled `✕`), a time axis, a legend, and at each row's end how the
 * task ended (`done`, `cancelled`, `failed: ...`) or what it still waits on.
 *
 * @example
 * ```ts
 * const recorder = loop.record();
 * loop.runUntilComplete(main());
 * console.log(timeline(recorder, { width: 60 }));
 * ```
 */
export const timeline: typeof Api.timeline = api.timeline;
/**
 * A recording as a standalone SVG document (a string: write it to a `.svg` file and open it in a
 * browser): a row per task with its running, ready, sleeping and awaiting bars on one time axis, a
 * legend, each task's ending, and arrows from waker to woken.
 *
 * @example
 * ```ts
 * const recorder = loop.record();
 * loop.runUntilComplete(main());
 * const svg = timelineSVG(recorder, { title: "my program", width: 900 });
 * ```
 */
export const timelineSVG: typeof Api.timelineSVG = api.timelineSVG;
