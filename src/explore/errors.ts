/**
 * explore/errors.ts: the errors a run under the explorer may end with that no loop throws: a run
 * that went on too long (LivelockError), and a replay whose token does not fit the program
 * (ReplayError).
 */

/**
 * A run under `explore()` went past its `timeLimit` of virtual time or its `maxSteps` steps: work
 * that keeps going without ever finishing, such as two tasks that retry forever, each undoing the
 * other. Counts as a failure of the schedule, like an error or a deadlock.
 */
export class LivelockError extends Error {
  override name = "LivelockError";
}

/**
 * `replay()` (or `HANDLOOP_REPLAY`) could not follow its token: the task it names is not ready at
 * that decision, or the decision is of another kind. The program changed since the token was
 * printed, or it depends on something outside the loop (`Math.random`, a native Promise).
 */
export class ReplayError extends Error {
  override name = "ReplayError";
}
