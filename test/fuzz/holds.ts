/** test/fuzz/holds.ts: the fuzzer's property, shared by test/fuzz.test.ts and `npm run fuzz`. */

import { runProgram } from "./interpret.js";
import type { Program } from "./program.js";

/** Runs `program` twice: it must keep every rule, and give the same event log both times. */
export function holds(program: Program): void {
  const first = runProgram(program);
  if (first.violations.length > 0) {
    throw new Error(`broke the rules:\n  ${first.violations.join("\n  ")}\nlog:\n  ${first.log.join("\n  ")}`);
  }
  const second = runProgram(program);
  const a = first.log.join("\n");
  const b = second.log.join("\n");
  if (a !== b) throw new Error(`the same program gave two different event logs:\n${a}\n-----\n${b}`);
}
