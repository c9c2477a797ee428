/** What a corpus program may use to wait: the only source of asynchrony besides awaiting its own async functions and plain values. */
export interface Env {
  /** Resolves after `ms` milliseconds (native: setTimeout; compiled: virtual time). Use small distinct values (1-50). */
  sleep(ms: number): PromiseLike<void>;
  /** Pushes a line to the program's log; return env.lines (or something derived) so ordering is compared. */
  log(line: string): void;
  readonly lines: string[];
}
