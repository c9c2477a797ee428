/**
 * explore/token.ts: the replay token, a printable string that names one schedule.
 *
 * `hl1:<library version>:<strategy>[;ties][;jitter=<s>][;real][;time=<s>][;steps=<n>]:<seed>:<deviations>`.
 * The flags after the strategy are the settings that change which decisions a run has (timer
 * ties explored, jitter), what it reads (real globals) or when it counts as a livelock (timeLimit,
 * maxSteps, when not the defaults), so that a replay runs the same way. Only
 * the decisions that differ from
 * FIFO are written, comma-separated, each as `<decision index><kind><choice>[=<label>]`: kind `p`
 * is a pick of the next ready item (its label names the task, so that a replay can say which task
 * it expected), `t` the order of timers due at one instant, `j` a timer's jitter, `d` a user draw
 * (`choose` / `chance`). Every decision not written was FIFO's (choice 0). Labels are
 * percent-encoded, so they never hold `:`, `,` or `=`.
 *
 * Invariant: `decodeToken(encodeToken(t))` gives `t` back.
 */

import { describe } from "../describe.js";

/** The kinds of decision: a pick of the next ready item, a timer tie, a jitter, a user draw. */
export type DecisionKind = "p" | "t" | "j" | "d";

/** One decision that differs from FIFO's: at decision `index`, choice `choice` (> 0). */
export interface Deviation {
  readonly index: number;
  readonly kind: DecisionKind;
  readonly choice: number;
  /** For a pick: the label of the item run (a task's name, its number made run-relative). */
  readonly label?: string | undefined;
}

/** What a token holds. */
export interface Token {
  readonly format: 1;
  readonly version: string;
  readonly strategy: string;
  /** Whether timer ties were decisions (`timerTies: "explore"`). */
  readonly ties: boolean;
  /** The jitter, in seconds (0: none). */
  readonly jitter: number;
  readonly globals: "virtual" | "real";
  /** The livelock bounds: virtual seconds (Infinity: none) and steps. */
  readonly timeLimit: number;
  readonly maxSteps: number;
  readonly seed: number;
  readonly deviations: readonly Deviation[];
}

const PREFIX = "hl1";

/** @internal `maxSteps` unless told otherwise, in explore() and in a token. */
export const DEFAULT_MAX_STEPS = 100_000;

/** @internal The printable form of `token`. */
export function encodeToken(token: Token): string {
  const deviations = token.deviations.map(
    (d) => `${d.index}${d.kind}${d.choice}${d.label === undefined ? "" : `=${encodeURIComponent(d.label)}`}`,
  );
  let strategy = token.strategy;
  if (token.ties) strategy += ";ties";
  if (token.jitter !== 0) strategy += `;jitter=${token.jitter}`;
  if (token.globals === "real") strategy += ";real";
  if (token.timeLimit !== Number.POSITIVE_INFINITY) strategy += `;time=${token.timeLimit}`;
  if (token.maxSteps !== DEFAULT_MAX_STEPS) strategy += `;steps=${token.maxSteps}`;
  return `${PREFIX}:${token.version}:${strategy}:${token.seed}:${deviations.join(",")}`;
}

const DEVIATION = /^(\d+)([ptjd])(\d+)(?:=(.*))?$/;

/** @internal Reads a token; a TypeError that says what is wrong when `text` is not one. */
export function decodeToken(text: unknown): Token {
  const bad = (why: string): TypeError =>
    new TypeError(`Expected a replay token (as a ScheduleFailure prints it, "hl1:..."), got ${describe(text)}: ${why}.`);
  if (typeof text !== "string") throw bad("not a string");
  const parts = text.trim().split(":");
  if (parts[0] !== PREFIX) {
    throw bad(parts[0]?.startsWith("hl") ? `format "${parts[0]}" is not one this version of handloop reads (it reads "${PREFIX}")` : `it does not start with "${PREFIX}:"`);
  }
  if (parts.length !== 5) throw bad(`it has ${parts.length} parts separated by ":", not 5`);
  const [, version, settings, seedText, list] = parts as [string, string, string, string, string];
  const [strategy, ...flags] = settings.split(";") as [string, ...string[]];
  let ties = false;
  let jitter = 0;
  let globals: "virtual" | "real" = "virtual";
  let timeLimit = Number.POSITIVE_INFINITY;
  let maxSteps = DEFAULT_MAX_STEPS;
  for (const flag of flags) {
    const [key, value = ""] = flag.split("=") as [string, string?];
    const number = Number(value);
    if (flag === "ties") ties = true;
    else if (flag === "real") globals = "real";
    else if (key === "jitter" && value !== "" && number >= 0 && number < Number.POSITIVE_INFINITY) jitter = number;
    else if (key === "time" && value !== "" && number > 0) timeLimit = number;
    else if (key === "steps" && /^[1-9]\d*$/.test(value)) maxSteps = number;
    else throw bad(`its setting ${JSON.stringify(flag)} is not "ties", "jitter=<seconds>", "real", "time=<seconds>" or "steps=<n>"`);
  }
  if (!/^\d+$/.test(seedText)) throw bad(`its seed ${JSON.stringify(seedText)} is not a whole number`);
  const deviations: Deviation[] = [];
  let last = -1;
  for (const item of list === "" ? [] : list.split(",")) {
    const m = DEVIATION.exec(item);
    if (m === null) throw bad(`its decision ${JSON.stringify(item)} is not <index><kind><choice>[=<label>]`);
    const index = Number(m[1]);
    const choice = Number(m[3]);
    if (index <= last) throw bad(`its decisions are not in increasing order at ${JSON.stringify(item)}`);
    if (choice === 0) throw bad(`its decision ${JSON.stringify(item)} is FIFO's choice, which a token leaves out`);
    last = index;
    let label: string | undefined;
    if (m[4] !== undefined) {
      try {
        label = decodeURIComponent(m[4]);
      } catch {
        throw bad(`the label of its decision ${JSON.stringify(item)} is not percent-encoded`);
      }
    }
    deviations.push({ index, kind: m[2] as DecisionKind, choice, label });
  }
  return { format: 1, version, strategy, ties, jitter, globals, timeLimit, maxSteps, seed: Number(seedText), deviations };
}
