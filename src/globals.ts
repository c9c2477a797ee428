/**
 * globals.ts: `globals: "virtual"`, the host's timers and time on a loop while it runs.
 *
 * While a loop made with `globals: "virtual"` runs (each `runUntilComplete`, `runForever`, and
 * `run()`'s shutdown drain), `setTimeout`, `setInterval`, `setImmediate`, `queueMicrotask`, their
 * `clear*` functions, `Date`, `performance.now()` (with `timeOrigin`) and `AbortSignal.timeout` are
 * this loop's: timers are the loop's own TimerHandles, so they fire in its (deadline, stamp) order
 * together with sleeping tasks; immediates and microtasks are callbacks on its ready queue; the
 * time is its clock's. When the run ends, also by an error, each one is put back as it was, by
 * property descriptor (an accessor stays an accessor, an own property that was not there is
 * deleted again).
 *
 * Must not: cost anything on a loop with real globals (the loop holds null and looks at it once
 * per run); touch Node's own modules (see "Not faked" below).
 *
 * Invariants:
 * - At most one VirtualGlobals is installed at a time (`installed`), and only while its loop runs.
 * - The loop's unref count is the number of this loop's virtual timers that are armed and
 *   unref'd (so that runForever() can tell when only those are left).
 * - A virtual function works for its own loop only: called while another loop runs, or after its
 *   loop closed, it throws a UsageError rather than schedule on a loop that nobody will run.
 *
 * How it maps to Node's phases. Node runs timers (timers phase), then I/O, then immediates (check
 * phase), and drains `process.nextTick` and the microtask queue after every single callback. The
 * loop has one FIFO ready queue: a due timer joins its back in (deadline, stamp) order; an
 * immediate, a `queueMicrotask` callback, a resumed task and a promise job join its back when they
 * are scheduled, and run in that order. So `setImmediate(a); queueMicrotask(b)` runs a, then b
 * (Node: b, then a), and two timers due at once run back to back before the work either queued
 * (Node: the first one's microtasks in between). With a VirtualClock, time does not move while
 * anything is ready, so every immediate and microtask chain settles before the next timer is due:
 * `setTimeout(f, 0)` (1 ms, as in Node) runs after all of them, which Node leaves to chance.
 *
 * Not faked, and why. `process.nextTick`: Node's own streams and sockets queue their internal work
 * with it; handed to the loop, that work would run when the loop says and be dropped with the
 * loop when the run ends, corrupting a stream that outlives the run. A native tick queued during a
 * run runs after it returns. `node:timers/promises` (and `util.promisify(setTimeout)`) hold Node's
 * internal timers and return native Promises: no global can redirect them, and a synchronous run
 * cannot wait on a native Promise anyway (it ends in a DeadlockError). `node:timers` exports Node's
 * own functions, not the globals. `process.hrtime`, `Intl` formatting of "now" and
 * `performance.mark()` keep real time. And a reference to a global taken before the run (a module
 * that reads `setTimeout` when it is imported) is the real one.
 *
 * Discussion: @sinonjs/fake-timers fakes the same globals and its Date set the model here (the
 * statics mirrored, `Date()` as a function gives a string, `instanceof` both ways, descriptors
 * saved and put back), but it is not used: its timers live in its own scheduler, driven by
 * `tick()`, while these must be the loop's TimerHandles to keep one (deadline, stamp) order with
 * the loop's tasks; its Date makes instances of a subclass, where a plain function can make
 * genuine Dates; and its `performance` is a stand-in object, where shadowing `now` on the real
 * one also reaches code that imports `performance` from `node:perf_hooks` (the same object).
 * What would be left to use is a few dozen lines, not worth 300 kB of runtime dependencies.
 */

import { describe } from "./describe.js";
import { UsageError } from "./errors.js";
import type { Handle, TimerHandle } from "./handle.js";
import type { EventLoop } from "./loop.js";
import { running } from "./running.js";

/**
 * The `globals` option of `new EventLoop()` and `run()`: `"real"` (the default) leaves the host's
 * globals alone; `"virtual"` makes the timer globals, `Date` and `performance.now()` follow the
 * loop and its clock while it runs; `{ mode: "virtual", now }` also pins the wall-clock time.
 */
export type GlobalsOption = "real" | "virtual" | VirtualGlobalsOptions;

/**
 * `globals: { mode: "virtual", now }`: virtual globals whose `Date` reads `now` when the loop is
 * created (and `now` plus the loop's elapsed time after that), for output that is the same on
 * every run. Without `now`, `Date` starts at the real time the loop was created.
 *
 * @example
 * ```ts
 * run(main, { clock: new VirtualClock(), globals: { mode: "virtual", now: new Date("2030-01-01T00:00:00Z") } });
 * ```
 */
export interface VirtualGlobalsOptions {
  mode: "virtual";
  /** The wall-clock time when the loop is created: a Date, or milliseconds since 1970 (UTC). */
  now?: Date | number;
}

type Callback = (this: unknown, ...args: unknown[]) => unknown;

// Node's limit: a delay above it (or below 1, or not a number) becomes 1 ms.
const TIMEOUT_MAX = 2 ** 31 - 1;
const UINT32_MAX = 2 ** 32 - 1;
// The Date of the process when handloop loaded: virtual dates are genuine ones of it.
const NativeDate = Date;
const dispose: symbol | undefined = (Symbol as { dispose?: symbol }).dispose;

// The VirtualGlobals installed now, if any.
let installed: VirtualGlobals | null = null;
// Every function and value this module installs, to spot one left behind after its run.
const virtualValues = new WeakSet<object>();

// Reach a Timeout's or Immediate's private clear from clearTimeout / clearImmediate.
let clearTimeoutOf: (timeout: Timeout) => void;
let clearImmediateOf: (immediate: Immediate) => void;

/** @internal The VirtualGlobals of a new loop, or null for real globals; checks `option`. */
export function virtualGlobals(loop: EventLoop, option: unknown): VirtualGlobals | null {
  if (option === undefined || option === "real") return null;
  if (option instanceof VirtualGlobals) {
    option.retarget(loop); // (internal: explore's runs share one, see pin())
    return option;
  }
  if (option === "virtual") return new VirtualGlobals(loop, undefined);
  if (typeof option === "object" && option !== null && (option as { mode?: unknown }).mode === "virtual") {
    return new VirtualGlobals(loop, (option as { now?: unknown }).now);
  }
  throw new TypeError(
    `Expected \`globals\` of new EventLoop() to be "real", "virtual" or { mode: "virtual", now? }, got ${describe(option)}.`,
  );
}

/** One slot this module replaces: `target[key]`, with what was there before. */
interface Slot {
  readonly target: object;
  readonly key: PropertyKey;
  readonly name: string;
  readonly value: unknown;
  readonly saved: PropertyDescriptor | undefined;
}

/**
 * @internal One loop's virtual globals: made with the loop, installed by each of its runs and put
 * back at the end of it. The functions are made once, so a run sees the same ones as the last.
 */
export class VirtualGlobals {
  loop: EventLoop;
  // The wall-clock time (ms since 1970) at loop time #t0 (seconds): Date = epoch + elapsed time.
  readonly #epoch: number;
  readonly #t0: number;
  // Kept installed across runs (`pin()`): explore's runs, one short loop after another, reuse one
  // VirtualGlobals (`retarget()`) instead of making and installing a new one each.
  #pinned = false;
  // Reading the loop's clock now: a Clock that reads performance.now() or Date.now() itself (a
  // RealClock does) gets the real ones, instead of recursing into the loop.
  #reading = false;
  // The functions and values to install, by slot name; made once, so every run sees the same.
  readonly #values: ReadonlyMap<string, unknown>;
  // What the current (or last) install replaced: the slots to put back, the globals by name (the
  // clear* functions pass what is not theirs on to them), the performance object and its now().
  #slots: Slot[] = [];
  #original: Record<string, unknown> = {};
  #performance: object | null = null;
  #performanceDescriptor: PropertyDescriptor | undefined = undefined;
  #nativePerformanceNow: (() => number) | null = null;
  // Timers whose id was asked for (`+timeout`), by id, as Node's knownTimersById; ids count up.
  readonly #byId = new Map<string, Timeout>();
  #nextId = 1;

  constructor(loop: EventLoop, now: unknown) {
    this.loop = loop;
    this.#t0 = loop.time();
    this.#epoch = now === undefined ? NativeDate.now() : wallTime(now);
    this.#values = this.#make();
  }

  // ---- Install and restore (the loop's #run) ----------------------------------------------------

  /** Replaces the globals with this loop's; a UsageError, with nothing replaced, on misuse. */
  install(): void {
    if (this.#pinned && installed === this) return;
    if (installed !== null) {
      throw new UsageError(
        'Cannot run an EventLoop with `globals: "virtual"` while another loop\'s virtual globals are installed; run one loop at a time.',
      );
    }
    const g = globalThis as unknown as Record<string, unknown>;
    const slots: Slot[] = [];
    const values = this.#values;
    const add = (target: object, key: PropertyKey, name: string, value: unknown) => {
      const saved = Object.getOwnPropertyDescriptor(target, key);
      const current: unknown = saved?.value;
      if ((typeof current === "function" || typeof current === "object") && current !== null && virtualValues.has(current)) {
        throw new UsageError(
          `Cannot run an EventLoop with \`globals: "virtual"\`: ${name} is still the virtual one of an earlier run (most likely put back by a fake-timer library that was installed during that run and uninstalled after it). Put the real ${name} back first, and install fake timers outside runs with virtual globals.`,
        );
      }
      slots.push({ target, key, name, value, saved });
    };
    const original: Record<string, unknown> = {};
    for (const name of GLOBAL_NAMES) {
      if (!(name in g)) continue; // fake only what the host has, as fake-timers does
      original[name] = g[name];
      add(g, name, name, values.get(name));
    }
    add(NativeDate.prototype, "constructor", "Date.prototype.constructor", values.get("Date"));
    const perf = g.performance as { now?: unknown } | undefined;
    if (typeof perf?.now === "function") {
      add(perf, "now", "performance.now", values.get("performance.now"));
      add(perf, "timeOrigin", "performance.timeOrigin", values.get("performance.timeOrigin"));
    }
    const abortSignal = g.AbortSignal as { timeout?: unknown } | undefined;
    if (typeof abortSignal?.timeout === "function") add(abortSignal, "timeout", "AbortSignal.timeout", values.get("AbortSignal.timeout"));
    // Checked, nothing replaced yet: from here on, replace them all.
    this.#slots = slots;
    this.#original = original;
    const hasPerformance = typeof perf?.now === "function";
    this.#performance = hasPerformance ? perf! : null;
    // Not replaced (patching `now` on it also reaches node:perf_hooks), but put back if someone does.
    this.#performanceDescriptor = Object.getOwnPropertyDescriptor(g, "performance");
    this.#nativePerformanceNow = hasPerformance ? (perf!.now as () => number) : null;
    for (const slot of slots) {
      const saved = slot.saved;
      Object.defineProperty(slot.target, slot.key, {
        value: slot.value,
        writable: slot.key !== "timeOrigin",
        enumerable: saved?.enumerable ?? slot.key !== "constructor",
        configurable: true,
      });
    }
    installed = this;
  }

  /**
   * Puts back what install() replaced, all of it. If someone replaced one of ours during the run
   * (fake timers installed inside it), throws a UsageError naming them, after putting them back.
   */
  restore(): void {
    if (installed !== this || this.#pinned) return;
    installed = null;
    const replaced: string[] = [];
    const perf = this.#performance;
    if (perf !== null && (globalThis as { performance?: unknown }).performance !== perf) {
      replaced.push("performance");
      const descriptor = this.#performanceDescriptor;
      if (descriptor === undefined) delete (globalThis as { performance?: unknown }).performance;
      else Object.defineProperty(globalThis, "performance", descriptor);
      // Node 20's is a lazy accessor whose setter keeps what it is given: give it back the real one.
      if (descriptor?.set !== undefined) (globalThis as { performance?: unknown }).performance = perf;
    }
    for (const slot of this.#slots) {
      if (Object.getOwnPropertyDescriptor(slot.target, slot.key)?.value !== slot.value) replaced.push(slot.name);
      if (slot.saved === undefined) delete (slot.target as Record<PropertyKey, unknown>)[slot.key];
      else Object.defineProperty(slot.target, slot.key, slot.saved);
    }
    this.#slots = [];
    if (replaced.length > 0) {
      throw new UsageError(
        `${replaced.join(", ")} ${replaced.length === 1 ? "was" : "were"} replaced while an EventLoop ran with \`globals: "virtual"\` (by vi.useFakeTimers(), sinon or another fake-timer library?); the globals from before the run are back now. Install fake timers before or after a run with virtual globals, not inside it.`,
      );
    }
  }

  /**
   * @internal Installs these globals and keeps them installed across runs until `unpin()`: the
   * runs of their loops (see `retarget`) neither install nor restore them.
   */
  pin(): void {
    this.install();
    this.#pinned = true;
  }

  /** @internal Ends `pin()`: puts the globals back (a UsageError if someone replaced them meanwhile). */
  unpin(): void {
    this.#pinned = false;
    this.restore();
  }

  /**
   * @internal Serves `loop` from now on, as if made for it: timer ids start again and the timers
   * of the last loop are forgotten. `loop`'s clock must read what the first loop's did when these
   * were made (explore's fresh VirtualClocks read 0), so that Date and timeOrigin stay right.
   */
  retarget(loop: EventLoop): void {
    if (loop.time() !== this.#t0) {
      throw new RangeError(`VirtualGlobals.retarget() needs a loop whose clock reads ${this.#t0}, got ${loop.time()}.`);
    }
    this.loop = loop;
    this.#byId.clear();
    this.#nextId = 1;
  }

  // ---- What the virtual functions share --------------------------------------------------------

  /** Throws a UsageError unless this loop may be used: it is open, and no other loop runs. */
  enter(call: string): void {
    const loop = this.loop;
    const other = running.loop !== null && running.loop !== loop;
    if (!other && !loop.isClosed()) return;
    throw new UsageError(
      `Cannot call ${call}: it belongs to the virtual globals of ${other ? "another EventLoop than the one running" : "an EventLoop that is closed"}, read while that loop ran with \`globals: "virtual"\` and kept. Read the global where you call it; if a fake-timer library was installed during that run, install it outside the run instead.`,
    );
  }

  /** The loop's time in seconds, read with `#reading` set (see there). */
  #time(): number {
    this.#reading = true;
    try {
      return this.loop.time();
    } finally {
      this.#reading = false;
    }
  }

  /** `performance.now()`: the loop's clock in ms, to the nanosecond (float noise rounded off). */
  #performanceNow(): number {
    if (this.#reading) return Reflect.apply(this.#nativePerformanceNow!, this.#performance, []) as number;
    this.enter("performance.now()");
    return Math.round(this.#time() * 1e9) / 1e6;
  }

  /** `Date.now()`: the epoch plus the loop's time since it was created, in whole ms. */
  #dateNow(name: string): number {
    if (this.#reading) return NativeDate.now();
    this.enter(name);
    return this.#epoch + Math.floor(Math.round((this.#time() - this.#t0) * 1e9) / 1e6);
  }

  /** @internal A timer whose id was asked for (`+timeout`): clearTimeout(id) finds it. */
  remember(timeout: Timeout, id: number): void {
    this.#byId.set(String(id), timeout);
  }

  /** @internal A timer that will not fire again: its id no longer finds it. */
  forget(id: number): void {
    this.#byId.delete(String(id));
  }

  /** @internal A fresh timer id, in creation order, per loop (so the same on every run). */
  nextId(): number {
    return this.#nextId++;
  }

  /** The functions and values to install, by the name install() gives their slot. */
  #make(): ReadonlyMap<string, unknown> {
    const globals = this; // (the functions below are called with any `this`; `globals.loop` may change, see retarget)
    const original = (name: string) => this.#original[name] as ((value: unknown) => void) | undefined;

    function setTimeout(callback: unknown, delay?: unknown, ...args: unknown[]): Timeout {
      globals.enter("setTimeout()");
      return new Timeout(globals, checkCallback(callback, "setTimeout()"), delayMs(delay), false, args.length === 0 ? undefined : args);
    }
    function setInterval(callback: unknown, delay?: unknown, ...args: unknown[]): Timeout {
      globals.enter("setInterval()");
      return new Timeout(globals, checkCallback(callback, "setInterval()"), delayMs(delay), true, args.length === 0 ? undefined : args);
    }
    // Node's clearTimeout and clearInterval are one function: either clears either kind.
    function clearTimeout(timeout: unknown): void {
      if (timeout instanceof Timeout) return clearTimeoutOf(timeout);
      if (typeof timeout === "number" || typeof timeout === "string") {
        const known = globals.#byId.get(String(timeout));
        if (known !== undefined) return clearTimeoutOf(known);
      }
      original("clearTimeout")?.(timeout); // a real timer made before the run; junk is ignored there
    }
    function clearInterval(timeout: unknown): void {
      if (timeout instanceof Timeout) return clearTimeoutOf(timeout);
      if (typeof timeout === "number" || typeof timeout === "string") {
        const known = globals.#byId.get(String(timeout));
        if (known !== undefined) return clearTimeoutOf(known);
      }
      original("clearInterval")?.(timeout);
    }
    function setImmediate(callback: unknown, ...args: unknown[]): Immediate {
      globals.enter("setImmediate()");
      return new Immediate(globals.loop, checkCallback(callback, "setImmediate()"), args.length === 0 ? undefined : args);
    }
    function clearImmediate(immediate: unknown): void {
      if (immediate instanceof Immediate) return clearImmediateOf(immediate);
      original("clearImmediate")?.(immediate);
    }
    function queueMicrotask(callback: unknown): void {
      globals.enter("queueMicrotask()");
      globals.loop.callSoon(checkCallback(callback, "queueMicrotask()") as () => void);
    }

    // Date: a plain function rather than a subclass, so that `new Date()` is a genuine Date of
    // the process (its prototype is Date.prototype, `instanceof` holds both ways, and it stays a
    // plain Date after the run). install() also points Date.prototype.constructor at it.
    function Date(this: unknown, ...args: unknown[]): unknown {
      if (new.target === undefined) return new NativeDate(globals.#dateNow("Date()")).toString();
      const values = args.length === 0 ? [globals.#dateNow("new Date()")] : args;
      return Reflect.construct(NativeDate, values, new.target === Date ? NativeDate : new.target);
    }
    for (const key of Reflect.ownKeys(NativeDate)) {
      Object.defineProperty(Date, key, Object.getOwnPropertyDescriptor(NativeDate, key)!);
    }
    Object.defineProperty(Date, "now", {
      value: function now(): number {
        return globals.#dateNow("Date.now()");
      },
      writable: true,
      enumerable: false,
      configurable: true,
    });

    function now(): number {
      return globals.#performanceNow();
    }
    // So that timeOrigin + performance.now() is Date.now(), as it is natively.
    const timeOrigin = this.#epoch - this.#t0 * 1000;

    // As Node's: an unref'd timer that aborts with a DOMException named "TimeoutError".
    function timeout(delay: unknown): AbortSignal {
      globals.enter("AbortSignal.timeout()");
      if (typeof delay !== "number") {
        throw nodeError(TypeError, `Expected \`delay\` of AbortSignal.timeout() to be a number, got ${describe(delay)}.`, "ERR_INVALID_ARG_TYPE");
      }
      if (!Number.isInteger(delay) || delay < 0 || delay > UINT32_MAX) {
        throw nodeError(RangeError, `Expected \`delay\` of AbortSignal.timeout() to be an integer from 0 to ${UINT32_MAX}, got ${describe(delay)}.`, "ERR_OUT_OF_RANGE");
      }
      const controller = new AbortController();
      const abort = () => controller.abort(new DOMException("The operation was aborted due to timeout", "TimeoutError"));
      new Timeout(globals, abort, delayMs(delay), false, undefined).unref();
      return controller.signal;
    }

    const values = new Map<string, unknown>([
      ["setTimeout", setTimeout],
      ["clearTimeout", clearTimeout],
      ["setInterval", setInterval],
      ["clearInterval", clearInterval],
      ["setImmediate", setImmediate],
      ["clearImmediate", clearImmediate],
      ["queueMicrotask", queueMicrotask],
      ["Date", Date],
      ["performance.now", now],
      ["performance.timeOrigin", timeOrigin],
      ["AbortSignal.timeout", timeout],
    ]);
    for (const value of values.values()) if (typeof value === "function") virtualValues.add(value);
    return values;
  }
}

// The globals install() replaces on globalThis, where the host has them.
const GLOBAL_NAMES = [
  "setTimeout",
  "clearTimeout",
  "setInterval",
  "clearInterval",
  "setImmediate",
  "clearImmediate",
  "queueMicrotask",
  "Date",
] as const;

/**
 * What a virtual `setTimeout` / `setInterval` returns: Node's Timeout, on the loop. `ref`/`unref`/
 * `hasRef` (an unref'd timer does not keep `runForever()` going), `refresh` (re-arms it from now,
 * also after it fired), `close` (clears it), `+timeout` (a numeric id `clearTimeout` accepts) and
 * `[Symbol.dispose]` (clears it). The callback runs with the Timeout as `this`.
 */
class Timeout {
  readonly #globals: VirtualGlobals;
  // The loop it was made on: its globals may serve another loop later (retarget).
  readonly #loop: EventLoop;
  // Null once cleared: it never fires again, and refresh() does nothing.
  #callback: Callback | null;
  readonly #args: unknown[] | undefined;
  readonly #ms: number;
  readonly #repeat: boolean;
  readonly #id: number;
  readonly #due = () => this.#fire();
  // Armed on the loop (not yet due, not cleared).
  #handle: TimerHandle | null = null;
  #ref = true;

  static {
    clearTimeoutOf = (timeout) => timeout.#clear();
  }

  constructor(globals: VirtualGlobals, callback: Callback, ms: number, repeat: boolean, args: unknown[] | undefined) {
    this.#globals = globals;
    this.#loop = globals.loop;
    this.#callback = callback;
    this.#args = args;
    this.#ms = ms;
    this.#repeat = repeat;
    this.#id = globals.nextId();
    this.#arm(this.#loop.time());
  }

  /** Keeps `runForever()` going while it is armed (the default). */
  ref(): this {
    if (!this.#ref) {
      this.#ref = true;
      if (this.#handle !== null) this.#loop._unrefTimer(-1);
    }
    return this;
  }

  /** Lets `runForever()` end while it is armed; it still fires if the loop runs that long. */
  unref(): this {
    if (this.#ref) {
      this.#ref = false;
      if (this.#handle !== null) this.#loop._unrefTimer(1);
    }
    return this;
  }

  /** Whether it keeps `runForever()` going. */
  hasRef(): boolean {
    return this.#ref;
  }

  /** Re-arms it for its delay from now, also after it fired; a cleared timer stays cleared. */
  refresh(): this {
    if (this.#callback === null) return this;
    this.#globals.enter("timeout.refresh()");
    this.#disarm();
    this.#arm(this.#loop.time());
    return this;
  }

  /** Clears it, as `clearTimeout(this)`. */
  close(): this {
    this.#clear();
    return this;
  }

  /** The id `clearTimeout(id)` accepts (from then on, as in Node). */
  [Symbol.toPrimitive](): number {
    if (this.#callback !== null && this.#globals.loop === this.#loop) this.#globals.remember(this, this.#id);
    return this.#id;
  }

  #arm(from: number): void {
    const loop = this.#loop;
    // On a grid of nanoseconds, so that whole milliseconds add up exactly (0.6 s + 300 ms is 0.9 s,
    // not 0.8999999999999999), as Node's timers count in whole milliseconds.
    this.#handle = loop.callAt(Math.round((from * 1e3 + this.#ms) * 1e6) / 1e9, this.#due);
    if (!this.#ref) loop._unrefTimer(1);
  }

  #disarm(): void {
    const handle = this.#handle;
    if (handle === null) return;
    this.#handle = null;
    handle.cancel();
    if (!this.#ref) this.#loop._unrefTimer(-1);
  }

  #clear(): void {
    if (this.#callback === null) return;
    this.#callback = null;
    this.#disarm();
    if (this.#globals.loop === this.#loop) this.#globals.forget(this.#id);
  }

  #fire(): void {
    const loop = this.#loop;
    this.#handle = null;
    if (!this.#ref) loop._unrefTimer(-1);
    const callback = this.#callback!; // (a cleared timer's handle was cancelled)
    if (!this.#repeat) this.#globals.forget(this.#id); // (it fires only while its loop is the one served)
    // An interval is re-armed from the time it started to run, as Node does from libuv's time
    // then: with a VirtualClock, its due time exactly; a refresh() in the callback is overruled.
    const start = loop.time();
    try {
      if (this.#args === undefined) callback.call(this);
      else callback.apply(this, this.#args);
    } finally {
      if (this.#repeat && this.#callback !== null) {
        this.#disarm();
        this.#arm(start);
      }
    }
  }
}
if (dispose !== undefined) {
  Object.defineProperty(Timeout.prototype, dispose, {
    value: function (this: Timeout) {
      clearTimeoutOf(this);
    },
    writable: true,
    configurable: true,
  });
}

/**
 * What a virtual `setImmediate` returns: Node's Immediate, on the loop's ready queue. `ref`,
 * `unref` and `hasRef` are kept for compatibility (an immediate runs on the next turn either way).
 */
class Immediate {
  #handle: Handle | null;
  #ref = true;

  static {
    clearImmediateOf = (immediate) => {
      immediate.#handle?.cancel();
      immediate.#handle = null;
    };
  }

  constructor(loop: EventLoop, callback: Callback, args: unknown[] | undefined) {
    this.#handle = loop.callSoon(() => {
      this.#handle = null;
      if (args === undefined) callback.call(this);
      else callback.apply(this, args);
    });
  }

  ref(): this {
    this.#ref = true;
    return this;
  }

  unref(): this {
    this.#ref = false;
    return this;
  }

  hasRef(): boolean {
    return this.#ref;
  }
}
if (dispose !== undefined) {
  Object.defineProperty(Immediate.prototype, dispose, {
    value: function (this: Immediate) {
      clearImmediateOf(this);
    },
    writable: true,
    configurable: true,
  });
}

/** Node's delay coercion: a number from 1 to 2^31-1, else 1 (with a warning above it); whole ms. */
function delayMs(delay: unknown): number {
  let after = (delay as number) * 1; // ToNumber, as Node's `after *= 1` (a Symbol throws there too)
  if (!(after >= 1 && after <= TIMEOUT_MAX)) {
    if (after > TIMEOUT_MAX) {
      (globalThis as { process?: { emitWarning?(message: string, type: string): void } }).process?.emitWarning?.(
        `${after} does not fit into a 32-bit signed integer.\nTimeout duration was set to 1.`,
        "TimeoutOverflowWarning",
      );
    }
    after = 1;
  }
  return Math.trunc(after); // "accuracy of sub-millisecond timers is not assumed" (Node's insert())
}

function checkCallback(callback: unknown, call: string): Callback {
  if (typeof callback === "function") return callback as Callback;
  throw nodeError(TypeError, `Expected \`callback\` of ${call} to be a function, got ${describe(callback)}.`, "ERR_INVALID_ARG_TYPE");
}

/** A TypeError or RangeError with the `code` Node's own would carry, for code that checks it. */
function nodeError(Type: ErrorConstructor, message: string, code: string): Error {
  return Object.assign(new Type(message), { code });
}

/** The `now` option as a time value (ms since 1970), checked. */
function wallTime(now: unknown): number {
  if (typeof now !== "number" && !(now instanceof NativeDate)) {
    throw new TypeError(`Expected \`now\` of the \`globals\` option to be a Date or a number of milliseconds, got ${describe(now)}.`);
  }
  const time = new NativeDate(now).getTime();
  if (Number.isNaN(time)) {
    throw new RangeError(`Expected \`now\` of the \`globals\` option to be a valid date, got ${describe(typeof now === "number" ? now : "an invalid Date")}.`);
  }
  return time;
}
