/**
 * handloop: await without Promises. The public API, and nothing else: every name exported here is
 * a contract; everything not exported is internal and may change.
 */

export { __await__, NotReady, type Awaitable } from "./awaitable.js";
export { ASleep, asleep, sleep } from "./asleep.js";
export { VirtualClock, RealClock, type Clock, type RealClockOptions } from "./clock.js";
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
export { taskGroup, TaskGroup } from "./group.js";
export { Handle, TimerHandle } from "./handle.js";
export {
  EventLoop,
  currentLoop,
  currentTask,
  type AwaitableLike,
  type EventLoopOptions,
  type TaskOptions,
  type UnhandledErrorPolicy,
} from "./loop.js";
export { run, type RunOptions } from "./run.js";
export { Barrier } from "./sync/barrier.js";
export { Condition } from "./sync/condition.js";
export { Event } from "./sync/event.js";
export { Lock, Semaphore } from "./sync/lock.js";
export { Queue, type QueueOptions } from "./sync/queue.js";
export { Task } from "./task.js";
export { Operation, WaitOp } from "./wait.js";
// The contract of code compiled by handloop/compile (not for hand use; see compile/runtime.ts).
export { AsyncGen, __agen, __wrapAgen, __yieldStar, __yieldValue } from "./compile/async-generator.js";
export { __forAwait, __forAwaitClose } from "./compile/iteration.js";
export {
  __aw,
  __deleteSuper,
  __notConstructor,
  __run,
  __superRef,
  __wrap,
  __wrapArrow,
  isCompiled,
} from "./compile/runtime.js";
export { DisposeCapability, __dispose, __disposeAsync, __using, __usingError, __usingScope } from "./compile/using.js";
