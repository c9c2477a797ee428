/**
 * api.ts: this copy's public API, as `handloop` exports it. The entry (index.ts) does not export
 * these bindings directly: it exports the ones of the first copy of handloop loaded in the process
 * (see registry.ts), which are these unless another copy of the same version came first.
 */
export { __await__, NotReady, type Awaitable } from "./awaitable.js";
export { ASleep, asleep, sleep } from "./asleep.js";
export { VirtualClock, RealClock, FrameClock, type Clock, type FrameClockOptions, type RealClockOptions } from "./clock.js";
export { gather, race, shield, timeout } from "./combinators.js";
export { coroutine, __awaiter } from "./coroutine.js";
export {
  CancelledError,
  DeadlockError,
  QueueEmptyError,
  QueueFullError,
  QueueShutDownError,
  TaskGroupError,
  TimeoutError,
  UnhandledTaskError,
  UsageError,
} from "./errors.js";
export { asleepRealtime, frames, nextFrame, type AdvanceOptions, type AdvanceResult, type FrameAwaitable } from "./frame.js";
export { animate, type AnimateOptions } from "./animate.js";
export { taskGroup, TaskGroup } from "./group.js";
export { Handle, TimerHandle } from "./handle.js";
export {
  EventLoop,
  currentLoop,
  currentTask,
  type AwaitableLike,
  type EventLoopOptions,
  type GlobalsOption,
  type Host,
  type RunAsyncLoopOptions,
  type TaskOptions,
  type UnhandledErrorPolicy,
  type VirtualGlobalsOptions,
} from "./loop.js";
export { run, runAsync, type RunAsyncOptions, type RunOptions } from "./run.js";
export {
  currentSignal,
  fromPromise,
  toPromise,
  type AbortSignalLike,
  type FromPromiseOptions,
  type TaskSignal,
} from "./interop.js";
export { LoopPromise } from "./promise.js";
export { createFuture, Future } from "./future.js";
export { Barrier } from "./sync/barrier.js";
export { Condition } from "./sync/condition.js";
export { Event } from "./sync/event.js";
export { Lock, Semaphore } from "./sync/lock.js";
export { Queue, type QueueOptions } from "./sync/queue.js";
export { Task } from "./task.js";
export { Operation, WaitOp } from "./wait.js";
export { isCompiled } from "./compile/runtime.js";
export type { Instrument, StepNext, TimerInfo, Wake } from "./instrument.js";
export { parseTrace, Recorder, type RecordOptions } from "./record.js";
export { taskTable, taskTree } from "./tree.js";
export { lint, type Finding, type LintKind, type LintOptions } from "./lint.js";
export {
  TRACE_SCHEMA_VERSION,
  type NextKind,
  type Outcome,
  type Recording,
  type TraceEvent,
  type TraceTask,
  type WakeKind,
} from "./trace-schema.js";
// Pictures of a recording (issue 14, renderers): pure and browser-safe.
export { toChromeTrace, type ChromeTrace, type ChromeTraceEvent, type ChromeTraceOptions } from "./chrome-trace.js";
export { timeline, type TimelineOptions } from "./timeline.js";
export { timelineSVG, type TimelineSVGOptions } from "./timeline-svg.js";
