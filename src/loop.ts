/**
 * loop.ts: the hand loop. A FIFO ready queue, a timer heap, a clock; nothing else.
 *
 * One turn (`#turn`): timers whose deadline has passed join the back of the ready queue in
 * (deadline, stamp) order, then everything that was ready at the start of the turn runs once, in
 * order; what becomes ready meanwhile waits for the next turn. Between turns, when nothing is
 * ready, the loop asks its clock to wait until the earliest deadline (`#run`): virtual time jumps
 * there, real time blocks the thread. When nothing is ready, no timer is pending and tasks still
 * wait, nothing can ever wake them in a synchronous run: that is a DeadlockError, not a hang.
 * A loop on a FrameClock runs only in `advance(dt)`, one frame at a time: there, when nothing is
 * ready, frame.ts's FrameDriver moves the clock to the next deadline of the frame, or ends the run
 * at the frame's end.
 *
 * The loop does not know what tasks do: it runs Runnables and fires TimerEntries. What a
 * coroutine may ask for is in awaitable.ts; how it is resumed is in task.ts.
 *
 * Host mode (host.ts) runs the very same turn; only who calls it and how the loop waits change.
 * A driver calls `_hostTurn()` from the host's own callbacks instead of `#run` calling `#turn` in
 * a loop, and, when nothing is ready, arms a host timer instead of asking the clock to block.
 * While a driver is attached, this loop is the thread's running loop between its turns too, so
 * host code (a native callback, an HTTP handler) that starts tasks or settles promises feeds this
 * loop; whatever reaches it from outside a turn while it is idle wakes the driver (`#wake`).
 *
 * Instruments (instrument.ts) watch the loop through hooks that fire where things happen: here
 * (runs, wakes, timers armed and fired, clock jumps) and in the stepper (spawns, steps, cancels,
 * exits). With none attached, `_hooks` is null and each such place costs one null check; a
 * flight recorder (`record()`, record.ts) is one instrument among others.
 *
 * Invariants:
 * - At most one loop runs on a thread at a time (`running.loop`): synchronously, or attached to
 *   the host by a driver.
 * - Every adopted task that has not finished is in the live list, oldest first.
 * - `#idle` implies a driver is attached, the ready queue is empty, and no microtask or host task
 *   is queued to run a turn (a host timer may be armed).
 */

import { toTask, type AwaitableLike } from "./adopt.js";
import { checkFunction, checkSeconds } from "./checks.js";
import { FrameClock, RealClock, VirtualClock, type Clock } from "./clock.js";
import { describe } from "./describe.js";
import { deadlockError } from "./deadlock.js";
import { UsageError, type DeadlockError, type UnhandledTaskError } from "./errors.js";
import { FrameDriver, type AdvanceOptions, type AdvanceResult } from "./frame.js";
import { virtualGlobals, type GlobalsOption, type VirtualGlobals } from "./globals.js";
import { Handle, TimerHandle } from "./handle.js";
import { checkInstrument, fire, Hooks, type HookList, type Instrument } from "./instrument.js";
import { attachHost, runOnHost, type Host, type RunAsyncLoopOptions } from "./host.js";
import type { LoopPromise } from "./promise.js";
import { ReadyQueue, type Runnable } from "./ready-queue.js";
import { Recorder, type RecordOptions } from "./record.js";
import { running, runningTask } from "./running.js";
import { Task } from "./task.js";
import { TimerHeap, type TimerEntry } from "./timer-heap.js";
import type { WakeKind } from "./trace-schema.js";
import { UnhandledErrors, type UnhandledErrorPolicy } from "./unhandled.js";
import { loopWatcher } from "./loop-watcher.js";

export type { AwaitableLike } from "./adopt.js";
export type { AdvanceOptions, AdvanceResult } from "./frame.js";
export type { Host, RunAsyncLoopOptions } from "./host.js";
export type { GlobalsOption, VirtualGlobalsOptions } from "./globals.js";
export type { UnhandledErrorPolicy } from "./unhandled.js";

/** Options of `new EventLoop()`. */
export interface EventLoopOptions {
  /** Where time comes from; a `RealClock` unless told otherwise, as in asyncio. */
  clock?: Clock;
  /** What to do with a task that failed unobserved; `"throw"` unless told otherwise. */
  unhandledError?: UnhandledErrorPolicy;
  /**
   * `"virtual"`: while this loop runs, `setTimeout` and the other timer globals, `queueMicrotask`,
   * `Date` and `performance.now()` are its own and follow its clock (see globals.ts); `"real"`
   * (the default) leaves them alone. `{ mode: "virtual", now }` also pins the wall-clock time.
   */
  globals?: GlobalsOption;
  /** Instruments watching this loop from the start (see `addInstrument()`). */
  instruments?: readonly Instrument[];
}

/** Options of `createTask()`. */
export interface TaskOptions {
  /** The task's name in errors and traces; `Task-<id>` by default. */
  name?: string;
}

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
export class EventLoop {
  /** The clock this loop reads and waits on. */
  readonly clock: Clock;
  #ready = new ReadyQueue();
  #timers = new TimerHeap<TimerEntry>();
  // Adopted tasks that outlived their first step, oldest first (shutdown cancels them in that
  // order, a DeadlockError lists them). Finished ones leave lazily: `#liveCount` is how many have
  // not finished, and the list is compacted once they are under half of it.
  #live: Task<unknown>[] = [];
  #liveCount = 0;
  #stopping = false;
  #closed = false;
  // While the run loop calls code of the user's between turns (an unhandled-error policy, a
  // Clock's now() or sleepUntil()): the head of the ready queue is not being run then.
  #betweenTurns = false;
  readonly #unhandled: UnhandledErrors;
  // `globals: "virtual"`: installed for each run, put back at its end; null for real globals.
  readonly #globals: VirtualGlobals | null;
  // Armed virtual timers that were unref'd: they do not keep runForever() going (globals.ts).
  #unrefTimers = 0;
  // Host mode (host.ts): the attached driver, whether it waits to be woken, and how many host
  // waits are pending (thenables of the host's whose `then` was called and that have not called
  // back yet: what can still wake a task when nothing on the loop can).
  #driver: Driver | null = null;
  #idle = false;
  #hostWaits = 0;
  /** @internal Task steps run on this loop: a task's step counts one (see #spinning). */
  _steps = 0;
  #stepsAtJump = -1;
  #jumpsWithoutStep = 0;
  #spinHorizon = 0;
  /**
   * @internal A schedule explorer's (explore/): when set, it chooses what runs next, the order of
   * timers due at one instant and any jitter of deadlines; null (the default) is FIFO, at the cost
   * of one null check per pick.
   */
  _chooser: Chooser | null = null;
  // Instruments (instrument.ts), in the order they were added, and per hook the ones that have it:
  // null while there is none, so that an unwatched loop pays one null check where a hook could fire.
  #instruments: readonly Instrument[] = [];
  /** @internal Read by the stepper and the loop wherever a hook may fire; see instrument.ts. */
  _hooks: Hooks | null = null;
  /** @internal How many turns a host driver has called (see record.ts). */
  _hostTurns = 0;

  constructor(options: EventLoopOptions = {}) {
    // `handloop trace` watches every loop (loop-watcher.ts): one global read per loop made.
    const watcher = loopWatcher();
    if (watcher !== undefined) options = watcher.options(options);
    const clock = options.clock ?? new RealClock();
    if (typeof clock?.now !== "function" || typeof clock.sleepUntil !== "function") {
      throw new TypeError(`Expected \`clock\` of new EventLoop() to be a Clock, got ${describe(clock)}.`);
    }
    this.clock = clock;
    this.#unhandled = new UnhandledErrors(options.unhandledError ?? "throw");
    this.#globals = virtualGlobals(this, options.globals);
    const instruments = options.instruments;
    if (instruments !== undefined) {
      if (!Array.isArray(instruments)) {
        throw new TypeError(`Expected \`instruments\` of new EventLoop() to be an array of instruments, got ${describe(instruments)}.`);
      }
      for (const instrument of instruments) this.addInstrument(instrument);
    }
    watcher?.created(this);
  }

  /**
   * Attaches `instrument`: from the next event on, the loop calls its hooks (see Instrument). One
   * already attached is not added twice. An instrument whose hook throws is removed, with a warning.
   *
   * @example
   * ```ts
   * loop.addInstrument({ taskExited(task, outcome) { console.log(task.name, outcome); } });
   * ```
   */
  addInstrument(instrument: Instrument): void {
    checkInstrument(instrument, "addInstrument()");
    if (this.#instruments.includes(instrument)) return;
    if (instrument instanceof Recorder) instrument._attachTo(this);
    this.#instruments = [...this.#instruments, instrument];
    this._hooks = Hooks.of(this.#instruments, this._hooks);
  }

  /** Detaches `instrument` from the next event on; gives whether it was attached. */
  removeInstrument(instrument: Instrument): boolean {
    const i = this.#instruments.indexOf(instrument);
    if (i === -1) return false;
    this.#instruments = this.#instruments.filter((x) => x !== instrument);
    this._hooks = Hooks.of(this.#instruments, this._hooks);
    return true;
  }

  /**
   * Starts a flight recorder on this loop: an instrument that keeps the newest `limit` events
   * (100,000 unless told) of what the loop does from now on, until its `stop()`. See Recorder.
   *
   * @example
   * ```ts
   * const recorder = loop.record({ limit: 10_000 });
   * loop.runUntilComplete(main());
   * recorder.stop();
   * console.log(recorder.events.length, recorder.dropped);
   * ```
   */
  record(options?: RecordOptions): Recorder {
    const recorder = new Recorder(options);
    this.addInstrument(recorder);
    return recorder;
  }

  /** The instruments attached, in the order they were added. */
  get instruments(): readonly Instrument[] {
    return this.#instruments;
  }

  /** The current time on this loop's clock, in seconds. */
  time(): number {
    return this.clock.now();
  }

  /** Whether this loop is the one running on this thread now. */
  isRunning(): boolean {
    return running.loop === this;
  }

  /** Whether `close()` was called. */
  isClosed(): boolean {
    return this.#closed;
  }

  /**
   * Wraps `work` in a task owned by this loop and schedules its first step (it runs on a later
   * turn, as asyncio's `create_task`). A task this loop already owns is returned unchanged; a task
   * created outside any loop is adopted; a task of another loop is a UsageError.
   */
  createTask<T>(work: AwaitableLike<T>, options?: TaskOptions): Task<T> {
    this.#checkOpen("createTask()");
    // Named before it is adopted, so that instruments see its name at its spawn.
    const task = toTask(work, "createTask()", this);
    if (options?.name !== undefined) task.name = options.name;
    if (task._adoptable) this._adopt(task);
    return task;
  }

  /**
   * Runs the loop until `work` is done and returns its result, or throws its error. Synchronous:
   * with a virtual clock it returns at once, with a real clock after the real time has passed.
   * Other tasks still pending when it returns stay pending, to run again on the next run.
   */
  runUntilComplete<T>(work: AwaitableLike<T>): T {
    this.#checkCanRun("runUntilComplete()");
    const task = this.#toTask(work, "runUntilComplete()");
    task._markObserved(); // its outcome is what this call returns or throws
    if (!task.done()) this.#run(task);
    return task.result();
  }

  /**
   * Runs until `stop()` is called, or until no task, timer or callback is left (as the post's
   * `run_forever`). Throws a DeadlockError if tasks are left that nothing can wake.
   */
  runForever(): void {
    this.#checkCanRun("runForever()");
    this.#run(FOREVER);
  }

  /**
   * Frame mode: runs one frame of a loop made with `new EventLoop({ clock: new FrameClock() })`,
   * moving its clock `dt` seconds on (a finite number >= 0) and stepping through each deadline
   * due on the way, in order: the turns due at each instant run before time moves on, then those
   * released at the frame's end (`nextFrame()`), until nothing is left to run in the frame.
   * Synchronous, and never waits. `maxSteps` and `budgetMs` bound the turns it runs; what it
   * leaves (`pending: true`) the next advance runs first. Calling it while a loop runs is a
   * UsageError. See frame.ts.
   *
   * @example
   * ```ts
   * const loop = new EventLoop({ clock: new FrameClock() });
   * loop.createTask(physics());                 // `await asleep(0.1)` between steps
   * function onAnimationFrame(dtSeconds: number) {
   *   loop.advance(dtSeconds, { budgetMs: 4 }); // every step due by now, at its own instant
   *   draw();
   * }
   * ```
   */
  advance(dt: number, options?: AdvanceOptions): AdvanceResult {
    this.#checkOpen("advance()");
    const frame = FrameDriver._begin(this, dt, options);
    this.#run(frame);
    return frame._result();
  }

  /** Frame mode: the number of `advance()` calls begun on this loop, the current one included (0 for none). */
  get frame(): number {
    return FrameDriver._frameOf(this);
  }

  /** Makes `runForever()` (or `advance()`) return at the end of the current turn. */
  stop(): void {
    this.#stopping = true;
  }

  /**
   * Closes the loop: pending callbacks and timers are dropped, and any further use is a
   * UsageError. Closing a running loop is a UsageError; closing twice is a no-op.
   */
  close(): void {
    if (running.loop === this) throw new UsageError("Cannot call close() on a running EventLoop; call stop() first.");
    this.#closed = true;
    this.#ready = new ReadyQueue();
    this.#timers = new TimerHeap();
  }

  /** Runs `callback` on the next turn. */
  callSoon(callback: () => void): Handle {
    this.#checkOpen("callSoon()");
    const handle = new Handle(checkFunction(callback, "callback", "callSoon()"));
    this._schedule(handle);
    return handle;
  }

  /** Runs `callback` once `delay` seconds have passed on this loop's clock. */
  callLater(delay: number, callback: () => void): TimerHandle {
    this.#checkOpen("callLater()");
    return this.#callAt(this.time() + checkSeconds(delay, "delay", "callLater()"), callback, "callLater()");
  }

  /** Runs `callback` once this loop's clock reaches `deadline` (or at once if it has). */
  callAt(deadline: number, callback: () => void): TimerHandle {
    this.#checkOpen("callAt()");
    if (typeof deadline !== "number" || Number.isNaN(deadline)) {
      throw new TypeError(`Expected \`deadline\` of callAt() to be a number, got ${describe(deadline)}.`);
    }
    return this.#callAt(deadline, callback, "callAt()");
  }

  #callAt(deadline: number, callback: () => void, call: string): TimerHandle {
    const handle = new TimerHandle(this, checkFunction(callback, "callback", call), deadline);
    const due = this._chooser === null ? deadline : this._chooser._deadline(deadline);
    handle._stamp = this.#timers.push(handle, due);
    const hooks = this._hooks;
    if (hooks !== null && hooks.timerAdded !== null) {
      fire(this, hooks.timerAdded, "timerAdded", { id: handle._stamp, deadline: due, task: undefined });
    }
    if (this.#idle) this.#wake();
    return handle;
  }

  /**
   * Runs `work` on this loop with the host (Node's event loop) calling its turns, and gives a
   * native Promise of its result: the asynchronous `runUntilComplete`. While it runs, Node's own
   * I/O, timers and native Promises go on, and tasks may await them. Other tasks still pending
   * when it settles stay pending. Several may run at once, and inside a loop attached with
   * `attach()`; `signal` cancels `work` and rejects with `signal.reason` once it has ended.
   *
   * @example
   * ```ts
   * const loop = new EventLoop();
   * const body = await loop.runAsync(fetchPage(url)); // fetchPage may await fetch()
   * ```
   */
  runAsync<T>(work: AwaitableLike<T>, options?: RunAsyncLoopOptions): Promise<T> {
    return runOnHost(this, work, options);
  }

  /**
   * Hands this loop to the host until the returned function is called: Node's event loop runs its
   * turns when there is work, and host code (an HTTP handler, a stream's callback) that calls a
   * compiled async function, creates a task or settles a Future is served by it at once. No
   * DeadlockError is raised meanwhile: host code may still wake any task. `host` is Node's event
   * loop unless given. Calling the returned function again does nothing.
   *
   * @example
   * ```ts
   * const loop = new EventLoop();
   * const detach = loop.attach();
   * http.createServer((req, res) => void handle(req, res)).listen(8080); // handle: compiled async
   * ```
   */
  attach(host?: Host): () => void {
    return attachHost(this, host);
  }

  // ---- The loop itself ---------------------------------------------------------------------------

  /**
   * Runs turns until `until` holds: `main` is done (runUntilComplete), the loop is stopped or out of
   * work (runForever), no task is left and nothing is queued (shutdown's drain), or the frame is
   * over (advance: the FrameDriver says where time goes instead of the clock's sleepUntil).
   */
  #run(until: Task<unknown> | typeof FOREVER | typeof DRAIN | FrameDriver): void {
    const globals = this.#globals;
    if (globals !== null) globals.install(); // all or nothing: a misuse throws before any is replaced
    running.loop = this;
    const beginHooks = this._hooks;
    if (beginHooks !== null && beginHooks.beforeRun !== null) fire(this, beginHooks.beforeRun, "beforeRun");
    const main = until instanceof Task ? until : null;
    const frame = until instanceof FrameDriver ? until : null;
    const ready = this.#ready; // (close(), which replaces it, is refused while running)
    const unhandled = this.#unhandled;
    let turning = false; // in #turn, running what it picked
    let threw = false;
    try {
      for (;;) {
        if (main !== null) {
          if (main.done()) break;
          if (this.#stopping) {
            throw new UsageError(
              `The loop was stopped before task "${main.name}" completed; stop() ends runForever(), not runUntilComplete().`,
            );
          }
        } else if (until === DRAIN) {
          if (this.#liveCount === 0 && ready.length === 0) break;
        } else if (this.#stopping) break; // runForever, advance
        if (ready.length === 0 && frame !== null) {
          const hooks = this._hooks;
          if (hooks !== null && hooks.clockJumped !== null) {
            if (!this.#frameIdleWatched(frame, hooks.clockJumped)) break;
          } else if (!frame._idle(this.#timers.nextDeadline())) break;
        } else if (ready.length === 0) {
          const next = this.#timers.nextDeadline();
          if (next === Number.POSITIVE_INFINITY) {
            if (until === FOREVER && this.#liveCount === 0) break;
            throw this.#deadlock(main);
          }
          // Only unref'd timers left: as in Node, they keep nothing going (runUntilComplete waits).
          if (this.#unrefTimers !== 0 && until === FOREVER && this.#liveCount === 0 && this.#timers.armed === this.#unrefTimers) break;
          if (this._steps !== this.#stepsAtJump) {
            this.#stepsAtJump = this._steps;
            this.#jumpsWithoutStep = 0;
          } else if (++this.#jumpsWithoutStep >= SPIN_LIMIT) this.#checkSpinning(main, next);
          this.#betweenTurns = true;
          const hooks = this._hooks;
          if (hooks !== null && hooks.clockJumped !== null) this.#sleepWatched(next, hooks.clockJumped);
          else this.clock.sleepUntil(next);
          this.#betweenTurns = false;
        }
        if (frame !== null && !frame._mayTurn()) break;
        turning = true;
        this.#turn();
        turning = false;
        // Failures nobody observed are looked at once the ready queue drains, as Node looks at
        // unhandled rejections once the microtask queue drains: whatever the work in flight would
        // still do about them (await them, catch them) it has done by then.
        if (unhandled.pending && ready.length === 0) {
          this.#checkUnhandled();
          if (unhandled.fatal && until !== DRAIN) break; // like an uncaught exception
        }
      }
      // A run that ends before its queue drained (main is done, stop() was called) looks at them
      // now: an error must not wait, unseen, for a run that may never come.
      if (unhandled.pending) this.#checkUnhandled();
    } catch (error) {
      if (turning) ready.shift(); // a callback threw out of #turn: it has run all the same
      threw = true;
      throw error;
    } finally {
      const hooks = this._hooks;
      if (hooks !== null && hooks.afterRun !== null) fire(this, hooks.afterRun, "afterRun");
      running.loop = null;
      this.#stopping = false;
      this.#betweenTurns = false;
      if (globals !== null) restoreGlobals(globals, threw);
    }
    if (unhandled.fatal) throw unhandled.takeError();
  }

  /** Waits for `deadline` as #run does, telling `clockJumped` instruments how far the clock moved. */
  #sleepWatched(deadline: number, list: HookList): void {
    const from = this.clock.now();
    this.clock.sleepUntil(deadline);
    const to = this.clock.now();
    if (to !== from) fire(this, list, "clockJumped", from, to);
  }

  /** A frame's idle step (frame.ts), telling `clockJumped` instruments how far the clock moved. */
  #frameIdleWatched(frame: FrameDriver, list: HookList): boolean {
    const from = this.clock.now();
    const more = frame._idle(this.#timers.nextDeadline());
    const to = this.clock.now();
    if (to !== from) fire(this, list, "clockJumped", from, to);
    return more;
  }

  #checkUnhandled(): void {
    this.#betweenTurns = true;
    this.#unhandled.check();
    this.#betweenTurns = false;
  }

  #turn(): void {
    const timers = this.#timers;
    if (!timers.empty) {
      this.#betweenTurns = true;
      const now = this.clock.now();
      this.#betweenTurns = false;
      if (this._chooser !== null) this._chooser._release(timers, now);
      else while (timers.nextDeadline() <= now) timers.pop()!._due();
    }
    const ready = this.#ready;
    // (A callback that throws out of here is dealt with in #run.)
    for (let n = ready.length; n > 0; n--) {
      // Run where it stands and only then leave the queue: that is how _stepping() knows it.
      this.#pickNext(ready)._run();
      ready.shift();
    }
  }

  /**
   * The one place that chooses what runs next, and moves it to the head of the ready queue, where
   * it runs. FIFO: the order tasks became ready, timers in (deadline, stamp) order; the head is
   * already the one. A seeded explorer of schedules replaces this choice and nothing else.
   */
  #pickNext(ready: ReadyQueue): Runnable {
    if (this._chooser !== null) this._chooser._pick(ready);
    return ready.first()!;
  }

  #deadlock(main: Task<unknown> | null): DeadlockError {
    return deadlockError(this, this.#live.filter((t) => !t.done()), main);
  }

  /**
   * Virtual time has jumped SPIN_LIMIT times with no task stepping, only timer callbacks: an
   * interval nothing clears would go on so forever, at full speed, in a synchronous run no test
   * runner can time out, while the tasks waiting are as stuck as in a deadlock. But a task may
   * also wait, rightly, for a far timer (a month's sleep beside a heartbeat): so the loop notes the
   * latest deadline armed now, and gives up only once time has passed it with still no step.
   */
  #checkSpinning(main: Task<unknown> | null, next: number): void {
    if (!(this.clock instanceof VirtualClock) || (main === null && this.#liveCount === 0)) return;
    if (this.#jumpsWithoutStep === SPIN_LIMIT) this.#spinHorizon = this.#timers.lastDeadline();
    else if (next > this.#spinHorizon) {
      this.#jumpsWithoutStep = 0;
      throw this.#spinning(main, next);
    }
  }

  #spinning(main: Task<unknown> | null, next: number): DeadlockError {
    const why = `no task has stepped while virtual time jumped ${SPIN_LIMIT.toLocaleString("en")} times, to ${next} s, running only timer callbacks (a setInterval, or a callback that arms itself again, that nothing clears)`;
    const advice =
      "\nClear such a timer once the work it serves is done (or unref() it: unref'd timers keep nothing going), or settle what these tasks await.";
    return deadlockError(this, this.#live.filter((t) => !t.done()), main, why, advice);
  }

  #toTask<T>(work: AwaitableLike<T>, call: string): Task<T> {
    const task = toTask(work, call, this);
    if (task._adoptable) this._adopt(task);
    return task;
  }

  #checkOpen(call: string): void {
    if (this.#closed) throw new UsageError(`Cannot call ${call} on a closed EventLoop; create a new EventLoop.`);
  }

  #checkCanRun(call: string): void {
    this.#checkOpen(call);
    if (this.clock instanceof FrameClock) {
      throw new UsageError(
        `Cannot call ${call} on a loop driven by a FrameClock: its time moves only in loop.advance(dt). Create its tasks with loop.createTask(), then call loop.advance(dt) once per frame.`,
      );
    }
    if (running.loop !== null) {
      throw new UsageError(
        `Cannot call ${call} while ${running.loop === this ? "this" : "another"} EventLoop is running on this thread; await the work from inside the running loop instead.`,
      );
    }
  }

  // ---- Internals for tasks and handles ---------------------------------------------------------------

  /**
   * @internal The end of `run()`, as asyncio.run's: cancels every task still alive and runs until
   * they have finished their cleanup and no callback is left queued. Pending timers are dropped.
   */
  _shutdown(): void {
    this.#checkCanRun("run()");
    this._cancelLive();
    this.#run(DRAIN);
  }

  /**
   * @internal Cancels every task still alive, oldest first (a shutdown's first step). By index,
   * over the tasks there when it began (a cancel settles none of them at once, so the list is not
   * compacted meanwhile): no Array method or iterator, which the program may have replaced.
   */
  _cancelLive(): void {
    const live = this.#live;
    for (let i = 0, n = live.length; i < n; i++) live[i]!.cancel();
  }

  /** @internal Takes an unowned task and queues its first step. */
  _adopt(task: Task<unknown>): void {
    this.#checkOpen("createTask()");
    task._adoptBy(this);
  }

  /**
   * @internal A task failed with nobody waiting on it, or a LoopPromise was rejected with no
   * handler: check again once the ready queue drains.
   */
  _noteUnobserved(source: Task<unknown> | LoopPromise<unknown>): void {
    this.#unhandled.note(source);
    if (this.#idle) this.#wake();
  }

  /**
   * @internal The task being stepped by this loop's turn right now, if any (see running.ts). Code
   * of the user's runs on a running loop only in a turn, where the head of the ready queue is what
   * runs, or between turns, where #betweenTurns says so (a Clock, an unhandled-error policy).
   */
  _stepping(): Task<unknown> | null {
    if (running.loop !== this || this.#betweenTurns) return null;
    const item = this.#ready.first();
    return item instanceof Task ? item : null;
  }

  /**
   * @internal Queues `item` for the next turn. A task says why it became ready (`wake`, and what
   * woke it), for the instruments' taskScheduled; callbacks and jobs say nothing.
   */
  _schedule(item: Runnable, wake?: WakeKind, object?: unknown): void {
    this.#ready.push(item);
    if (wake !== undefined && this._hooks !== null) this.#scheduled(item as Task<unknown>, wake, object);
    if (this.#idle) this.#wake();
  }

  #scheduled(task: Task<unknown>, kind: WakeKind, object: unknown): void {
    const hooks = this._hooks!;
    if (hooks.taskScheduled === null) return;
    // A timer's wake happens while the turn fires timers, before anything steps: the loop's own.
    const wake = hooks.wake;
    wake.kind = kind;
    wake.by = kind === "timer" || kind === "spawn" ? undefined : (runningTask() ?? undefined);
    wake.object = object;
    fire(this, hooks.taskScheduled, "taskScheduled", task, wake);
  }

  /** @internal Arms a timer; gives its stamp (see timer-heap.ts). `task`: the task sleeping on it. */
  _addTimer(entry: TimerEntry, deadline: number, task?: Task<unknown>): number {
    const due = this._chooser === null ? deadline : this._chooser._deadline(deadline);
    const stamp = this.#timers.push(entry, due);
    const hooks = this._hooks;
    if (hooks !== null) {
      hooks.lastStamp = stamp;
      hooks.lastDeadline = due;
      if (hooks.timerAdded !== null) fire(this, hooks.timerAdded, "timerAdded", { id: stamp, deadline: due, task });
    }
    if (this.#idle) this.#wake();
    return stamp;
  }

  /** @internal A timer reached its deadline (called by its entry's `_due`), for the instruments. */
  _timerFired(stamp: number, deadline: number, task: Task<unknown> | undefined): void {
    const hooks = this._hooks;
    if (hooks !== null && hooks.timerFired !== null) fire(this, hooks.timerFired, "timerFired", { id: stamp, deadline, task });
  }

  /** @internal A virtual timer was unref'd (+1), or ref'd, fired or cleared while unref'd (-1). */
  _unrefTimer(delta: 1 | -1): void {
    this.#unrefTimers += delta;
  }

  /** @internal A timer was disarmed: its entry answers `_armed` false from now on. */
  _timerCancelled(stamp: number, deadline: number, task: Task<unknown> | undefined): void {
    if (!this.#closed) this.#timers.cancelled(); // close() dropped the heap it was on
    const hooks = this._hooks;
    if (hooks !== null && hooks.timerCancelled !== null) {
      fire(this, hooks.timerCancelled, "timerCancelled", { id: stamp, deadline, task });
    }
    if (this.#idle) this.#wake(); // the host timer may be for it
  }

  /** @internal Appends a task that outlived its first step to the live list. */
  _link(task: Task<unknown>): void {
    this.#live.push(task);
    this.#liveCount++;
  }

  /** @internal A linked task finished; it leaves the list lazily. */
  _unlink(): void {
    this.#liveCount--;
    const live = this.#live;
    if (live.length > 64 && this.#liveCount * 2 < live.length) {
      // In place, oldest first still.
      let kept = 0;
      for (let i = 0; i < live.length; i++) {
        const task = live[i]!;
        if (!task.done()) live[kept++] = task;
      }
      live.length = kept;
    }
  }

  // ---- Host mode: what a driver (host.ts) needs -----------------------------------------------------

  /**
   * @internal `driver` drives this loop from now on: it is the thread's running loop, between
   * turns too, with its virtual globals installed if it has them. A UsageError if another loop
   * runs, or this one runs synchronously.
   */
  _attachDriver(driver: Driver, call: string): void {
    this.#checkCanRun(call);
    if (this.#globals !== null) this.#globals.install();
    running.loop = this;
    this.#driver = driver;
    this.#betweenTurns = true; // code that runs now is the host's, not a task's step
    const hooks = this._hooks;
    if (hooks !== null && hooks.beforeRun !== null) fire(this, hooks.beforeRun, "beforeRun");
  }

  /** @internal The driver lets go: the loop is no longer running. Puts the globals back. */
  _detachDriver(): void {
    const hooks = this._hooks;
    if (hooks !== null && hooks.afterRun !== null && this.#driver !== null) fire(this, hooks.afterRun, "afterRun");
    if (running.loop === this) running.loop = null;
    this.#driver = null;
    this.#idle = false;
    this.#betweenTurns = false;
    this.#stopping = false;
    if (this.#globals !== null) this.#globals.restore();
  }

  /**
   * @internal One turn, called by the driver from a host callback: exactly the one #run takes. A
   * callback that throws has run all the same; its error goes on to the driver, which also looks
   * at unhandled failures once the loop is idle.
   */
  _hostTurn(): void {
    const ready = this.#ready;
    this._hostTurns++; // (host time passed since the last turn: the recorder reads its clocks afresh)
    this.#idle = false;
    this.#betweenTurns = false;
    let turning = true;
    try {
      this.#turn();
      turning = false;
    } finally {
      if (turning) ready.shift();
      this.#betweenTurns = true;
    }
  }

  /**
   * @internal The driver waits: the next thing to reach the loop from outside a turn (a job or a
   * task made ready, a timer armed or cancelled, a failure noted, a host wait ended) wakes it.
   */
  _idle(): void {
    this.#idle = this.#ready.length === 0;
    if (!this.#idle) this.#wake();
  }

  #wake(): void {
    this.#idle = false;
    this.#driver!._wake();
  }

  /** @internal Whether anything is queued to run on the next turn. */
  get _hasReady(): boolean {
    return this.#ready.length !== 0;
  }

  /** @internal How many adopted tasks have not finished. */
  get _liveCount(): number {
    return this.#liveCount;
  }

  /** @internal The earliest armed deadline, or Infinity when no timer is armed. */
  _nextDeadline(): number {
    return this.#timers.nextDeadline();
  }

  /** @internal False when the only armed timers are virtual ones that were unref'd (globals.ts). */
  get _timersKeepAlive(): boolean {
    return this.#unrefTimers === 0 || this.#timers.armed !== this.#unrefTimers;
  }

  /** @internal A host wait began (+1) or ended (-1): see task.ts's ThenableJob. */
  _hostWait(delta: 1 | -1): void {
    this.#hostWaits += delta;
    if (delta < 0 && this.#idle) this.#wake(); // with the last one gone, the driver looks again
  }

  /** @internal How many host waits are pending. */
  get _hostWaits(): number {
    return this.#hostWaits;
  }

  /** @internal Whether failures were noted that the unhandled-error policy has not looked at. */
  get _unhandledPending(): boolean {
    return this.#unhandled.pending;
  }

  /**
   * @internal Looks at the unhandled failures noted so far, as #run does when the ready queue
   * drains; gives the UnhandledTaskError the "throw" policy collected, if any.
   */
  _takeUnhandled(): UnhandledTaskError | null {
    if (this.#unhandled.pending) this.#checkUnhandled();
    return this.#unhandled.fatal ? this.#unhandled.takeError() : null;
  }

  /** @internal The tasks adopted by this loop that have not finished, oldest first. */
  _liveTasks(): Task<unknown>[] {
    return this.#live.filter((t) => !t.done());
  }

  /** @internal The DeadlockError of the tasks still waiting; `main` is the one a run waits for. */
  _deadlockError(main: Task<unknown> | null): DeadlockError {
    return this.#deadlock(main);
  }
}

/**
 * @internal What a schedule explorer (explore/) plugs into a loop: `_pick` moves the ready item to
 * run next to the head of the queue (it may be any item, one made ready this turn too);
 * `_release` moves the timers due by `now` to the ready queue, in the order it chooses among those
 * with equal deadlines (never across deadlines); `_deadline` gives the deadline a timer is armed
 * for, jittered or not.
 */
export interface Chooser {
  _pick(ready: ReadyQueue): void;
  _release(timers: TimerHeap<TimerEntry>, now: number): void;
  _deadline(deadline: number): number;
}

/** @internal What drives a loop from the host's callbacks (host.ts): woken when the loop idles. */
export interface Driver {
  _wake(): void;
}

/**
 * The running loop, as asyncio's `get_running_loop()`: a UsageError when no loop is running.
 *
 * @example
 * ```ts
 * const now = coroutine(function* () { yield; return currentLoop().time(); });
 * ```
 */
export function currentLoop(): EventLoop {
  const loop = running.loop;
  if (loop === null) {
    throw new UsageError("currentLoop() was called with no EventLoop running; call it from code a loop is running.");
  }
  return loop;
}

/** The task being stepped right now, or `undefined` between steps and outside any loop. */
export function currentTask(): Task<unknown> | undefined {
  return runningTask() ?? undefined;
}

/**
 * Puts back the globals a run replaced. Someone who replaced them meanwhile gets a UsageError,
 * unless the run is already throwing: its own error goes on, and the misuse is written to stderr
 * rather than lost.
 */
function restoreGlobals(globals: VirtualGlobals, threw: boolean): void {
  if (!threw) return globals.restore();
  try {
    globals.restore();
  } catch (error) {
    console.error(`handloop: ${(error as Error).message}`);
  }
}

// Virtual-time jumps in a row with no task step before a run with waiting tasks gives up (#spinning).
const SPIN_LIMIT = 1_000_000;

const FOREVER = Symbol("forever");
const DRAIN = Symbol("drain");
