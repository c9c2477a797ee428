"use handloop";
/**
 * Finding the schedule that breaks it. Two withdrawals from one account, each reading the balance,
 * awaiting an audit log write, then writing what it read minus its amount: a lost update, if the
 * second reads before the first writes. In FIFO order it never does (the second authenticates
 * first), so the plain run passes. `check()` from handloop/explore runs the same program under
 * many schedules, finds one that fails, shrinks it to the one pick that matters, and prints a
 * token; `replay()` runs exactly that schedule again. With the withdrawals under a Lock, every
 * schedule passes. All of it synchronous, in virtual time.
 *
 *   npx tsx demos/find-the-race.ts [--virtual]
 */

import { asleep, gather, isCompiled, Lock, run, VirtualClock } from "../src/index.js";
import { check, replay, ScheduleFailure } from "../src/explore.js";
import { demoCommandLine } from "./cli.js";

const USAGE = `npx tsx demos/find-the-race.ts [--virtual]
  --virtual  on a virtual clock (the default, and the only clock exploration uses)`;
demoCommandLine(USAGE, ["virtual"]);

// ---- The code under test -------------------------------------------------------------------------

interface Account {
  balance: number;
}

async function authenticate(): Promise<void> {
  await asleep(0.01);
}

async function writeAuditLog(amount: number): Promise<void> {
  await asleep(0.01, amount);
}

async function withdraw(account: Account, amount: number, login: boolean, lock?: Lock): Promise<void> {
  if (login) await authenticate();
  if (lock) await lock.acquire();
  try {
    const balance = account.balance;
    await writeAuditLog(amount);
    account.balance = balance - amount;
  } finally {
    lock?.release();
  }
}

/** The program explore() runs: fresh state each time, then the work. */
function transfer(lock?: Lock): Promise<void> {
  const account: Account = { balance: 100 };
  return (async () => {
    await gather(withdraw(account, 30, false, lock), withdraw(account, 50, true, lock));
    if (account.balance !== 20) throw new Error(`Lost update: the balance is ${account.balance}, not 20.`);
  })();
}

// ---- The story -----------------------------------------------------------------------------------

if (isCompiled(withdraw)) {
  run(() => transfer(), { clock: new VirtualClock() });
  console.log("1. One run, in FIFO order: passes.");

  const result = check(() => transfer(), { seed: 42 });
  const failure = result.failure!;
  console.log(`2. check() under schedules, seed 42: run ${result.runs} fails. Its report:\n`);
  console.log(failure.message.replace(/^/gm, "   | "));

  console.log(`\n3. Shrunk: ${failure.shrunkFrom} deviations -> ${failure.deviations}. Token: ${failure.token}`);
  try {
    replay(() => transfer(), failure.token);
    console.log("4. replay(): passed (it should not have).");
  } catch (error) {
    const same = error instanceof ScheduleFailure && String(error.cause) === String(failure.cause);
    console.log(`4. replay(program, token): ${same ? "fails the same way" : "fails differently"}: ${String((error as ScheduleFailure).cause)}`);
  }

  // The fix: the read and the write under one lock (authentication stays outside it).
  const fixed = check(() => transfer(new Lock()), { seed: 42, runs: 500 });
  console.log(`5. With a Lock: ${fixed.ok ? "every schedule passes" : "still fails"} (${fixed.runs} runs, ${fixed.distinct} distinct schedules).`);
} else {
  const { importCompiled } = await import("../src/register.js");
  await importCompiled(import.meta.url);
}
