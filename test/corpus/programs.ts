// The differential test corpus: every exported `pNN_*` program is run natively (real Promises,
// setTimeout) and compiled onto handloop (virtual time), and both runs must give the same JSON
// result or the same error (name and message).
//
// Rules the programs follow (the compiled run is synchronous and has no microtask queue):
// - they await only `env.sleep(ms)`, async functions/methods/arrows/generators of this file, and
//   plain non-promise values; no Promise API, timers, `.then(`, Date or Math.random;
// - the order between concurrent chains depends only on sleep deadlines at least 5 ms apart (with
//   wider margins for chains of several sleeps), never on how many microtask ticks an await takes;
// - no top-level mutable state is shared between runs (each program may be run many times).
import type { Env } from "./env.js";

// ---------------------------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------------------------

/** Describes any thrown value deterministically. */
function hMsg(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  return `non-error ${typeof e}: ${JSON.stringify(e)}`;
}

/** Resolves to `v` after `ms` milliseconds. */
async function hValue<T>(env: Env, v: T, ms = 1): Promise<T> {
  await env.sleep(ms);
  return v;
}

/** Logs when evaluated (after a 1 ms sleep) and resolves to `v`. */
async function hTrace<T>(env: Env, label: string, v: T): Promise<T> {
  await env.sleep(1);
  env.log(`eval ${label}`);
  return v;
}

/** Synchronous marker: logs `label` and returns `v`. */
function hMark<T>(env: Env, label: string, v: T): T {
  env.log(`mark ${label}`);
  return v;
}

/** Resolves to `v` after `ms` and logs that the value is ready. */
async function hSlowValue(env: Env, v: string, ms: number): Promise<string> {
  await env.sleep(ms);
  env.log(`value ${v} ready`);
  return v;
}

/** Rejects with an Error(msg) after `ms`. */
async function hFailAfter(env: Env, ms: number, msg: string): Promise<never> {
  await env.sleep(ms);
  throw new Error(msg);
}

/** Maps sequentially with an async callback. */
async function hMapSeq<T, U>(items: readonly T[], fn: (item: T, index: number) => Promise<U>): Promise<U[]> {
  const out: U[] = [];
  for (let i = 0; i < items.length; i++) {
    out.push(await fn(items[i]!, i));
  }
  return out;
}

/** A custom error class with its own name and an extra field. */
class HCustomError extends Error {
  override name = "HCustomError";
  code: number;
  constructor(message: string, code: number) {
    super(message);
    this.code = code;
  }
}

// ---------------------------------------------------------------------------------------------
// Loops
// ---------------------------------------------------------------------------------------------

// for loop with an await in the body accumulating a sum over sleeps of different lengths
export async function p01_loopSum(env: Env): Promise<unknown> {
  let sum = 0;
  for (let i = 1; i <= 5; i++) {
    await env.sleep(i);
    sum += i * i;
    env.log(`i=${i} sum=${sum}`);
  }
  return { sum, lines: env.lines };
}

async function hIsBelow(env: Env, n: number, limit: number): Promise<boolean> {
  await env.sleep(1);
  env.log(`check ${n}<${limit}`);
  return n < limit;
}

// while loop with an awaited condition, and do-while with awaits in the body and the condition
export async function p02_whileAndDoWhile(env: Env): Promise<unknown> {
  let n = 0;
  while (await hIsBelow(env, n, 3)) {
    n++;
    await 0;
  }
  let m = 10;
  do {
    await env.sleep(2);
    m -= 3;
    env.log(`m=${m}`);
  } while (await hIsBelow(env, 0, m));
  return { n, m, lines: env.lines };
}

async function hList(env: Env): Promise<string[]> {
  await env.sleep(3);
  env.log("list loaded");
  return ["a", "bb", "ccc"];
}

// for-of over an awaited array with awaits in the body, then for-of over entries with await
export async function p03_forOfArrayWithAwaits(env: Env): Promise<unknown> {
  const out: string[] = [];
  for (const s of await hList(env)) {
    await env.sleep(s.length);
    out.push(s.toUpperCase());
    env.log(`item ${s}`);
  }
  for (const [i, s] of out.entries()) {
    out[i] = `${s}${await i}`;
  }
  return { out, lines: env.lines };
}

// await in every part of a for head (init, test, update): evaluation order is logged
export async function p04_awaitInForHead(env: Env): Promise<unknown> {
  const seen: number[] = [];
  for (let i = await hTrace(env, "init", 2); i < (await hTrace(env, "test", 8)); i += await hTrace(env, "update", 3)) {
    env.log(`body ${i}`);
    seen.push(i);
  }
  return { seen, lines: env.lines };
}

// ---------------------------------------------------------------------------------------------
// try / catch / finally
// ---------------------------------------------------------------------------------------------

// await inside try; an error thrown after an await in a callee is caught by the catch clause
export async function p05_awaitInTry(env: Env): Promise<unknown> {
  try {
    env.log("try start");
    await env.sleep(2);
    env.log("before failing call");
    await hFailAfter(env, 3, "boom");
    env.log("unreachable");
  } catch (e) {
    env.log(`caught ${hMsg(e)}`);
  }
  return env.lines;
}

// await inside catch, including a throw from the catch after an await that an outer catch handles
export async function p06_awaitInCatch(env: Env): Promise<unknown> {
  let result = "";
  try {
    throw new RangeError("bad range");
  } catch (e) {
    env.log(`catch got ${hMsg(e)}`);
    await env.sleep(4);
    result = await hValue(env, "recovered", 2);
    env.log("catch done");
  }
  try {
    try {
      await hFailAfter(env, 1, "first");
    } catch (e) {
      await env.sleep(1);
      throw new TypeError(`wrapped ${hMsg(e)}`);
    }
  } catch (e) {
    env.log(`outer got ${hMsg(e)}`);
  }
  return { result, lines: env.lines };
}

async function hFinallyAwait(env: Env, fail: boolean): Promise<string> {
  try {
    env.log(`body fail=${fail}`);
    if (fail) throw new Error("body failed");
    return "body value";
  } finally {
    env.log("finally start");
    await env.sleep(3);
    env.log("finally end");
  }
}

// await inside finally, on a normal return and on a throw (the value/error survives the await)
export async function p07_awaitInFinally(env: Env): Promise<unknown> {
  const ok = await hFinallyAwait(env, false);
  let err = "";
  try {
    await hFinallyAwait(env, true);
  } catch (e) {
    err = hMsg(e);
  }
  return { ok, err, lines: env.lines };
}

// awaits in try, catch and finally together, nested, for three outcomes in a loop
export async function p08_tryCatchFinallyAllAwait(env: Env): Promise<unknown> {
  const results: string[] = [];
  for (const mode of ["ok", "fail", "failInCatch"]) {
    try {
      try {
        await env.sleep(1);
        if (mode !== "ok") throw new Error(`try-${mode}`);
        results.push(await hValue(env, `${mode}-value`));
      } catch (e) {
        env.log(`inner catch ${hMsg(e)}`);
        await env.sleep(2);
        if (mode === "failInCatch") throw new TypeError(`catch-${mode}`);
        results.push("recovered");
      } finally {
        await env.sleep(1);
        env.log(`inner finally ${mode}`);
      }
    } catch (e) {
      await env.sleep(1);
      env.log(`outer catch ${hMsg(e)}`);
    } finally {
      env.log(`outer finally ${mode}`);
    }
  }
  return { results, lines: env.lines };
}

async function hReturnAwaitInTry(env: Env): Promise<string> {
  try {
    return await hSlowValue(env, "awaited", 5);
  } finally {
    env.log("finally after awaited value");
  }
}

async function hReturnNoAwaitInTry(env: Env): Promise<string> {
  try {
    return hSlowValue(env, "not-awaited", 5);
  } finally {
    env.log("finally before value");
  }
}

// `return await x` in try/finally: finally runs after the value; `return x()` (no await): finally runs first
export async function p09_returnAwaitInTryFinally(env: Env): Promise<unknown> {
  const a = await hReturnAwaitInTry(env);
  env.log(`got ${a}`);
  const b = await hReturnNoAwaitInTry(env);
  env.log(`got ${b}`);
  return env.lines;
}

async function hCatchesOnlyAwaited(env: Env, useAwait: boolean): Promise<string> {
  try {
    if (useAwait) return await hFailAfter(env, 2, "awaited failure");
    return hFailAfter(env, 2, "unawaited failure");
  } catch (e) {
    env.log(`local catch ${hMsg(e)}`);
    return "caught locally";
  }
}

// `return await f()` in try is caught locally; `return f()` escapes the local catch and rejects the caller
export async function p10_returnPromiseEscapesCatch(env: Env): Promise<unknown> {
  const a = await hCatchesOnlyAwaited(env, true);
  let b: string;
  try {
    b = await hCatchesOnlyAwaited(env, false);
  } catch (e) {
    b = `caller caught ${hMsg(e)}`;
  }
  return { a, b, lines: env.lines };
}

// break and continue inside try/finally in a loop: finally (which awaits) runs on every exit path
export async function p11_finallyOnBreakContinue(env: Env): Promise<unknown> {
  for (let i = 0; i < 5; i++) {
    try {
      await env.sleep(1);
      if (i === 1) continue;
      if (i === 3) break;
      env.log(`body ${i}`);
    } finally {
      await env.sleep(1);
      env.log(`finally ${i}`);
    }
  }
  let swallowed = "no";
  while (true) {
    try {
      await env.sleep(1);
      throw new Error("swallowed by break");
    } finally {
      swallowed = "yes";
      break;
    }
  }
  return { swallowed, lines: env.lines };
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

async function hValidate(env: Env, n: number): Promise<number> {
  env.log(`validate ${n}`);
  if (n < 0) throw new RangeError(`negative: ${n}`);
  await env.sleep(2);
  return n * 2;
}

// a throw before the first await rejects the returned promise instead of throwing at the call
export async function p12_throwBeforeFirstAwait(env: Env): Promise<unknown> {
  let syncThrow = false;
  let p: Promise<number>;
  try {
    p = hValidate(env, -1);
  } catch {
    syncThrow = true;
    p = hValidate(env, 0);
  }
  env.log("after call");
  let outcome: string;
  try {
    outcome = `value ${await p}`;
  } catch (e) {
    outcome = `rejected ${hMsg(e)}`;
  }
  const ok = await hValidate(env, 21);
  return { syncThrow, outcome, ok, lines: env.lines };
}

// an error thrown after several awaits propagates out of the program (harness compares a TypeError)
export async function p13_throwAfterAwaitEscapes(env: Env): Promise<unknown> {
  env.log("start");
  await env.sleep(2);
  const v = await hValue(env, 7);
  await undefined;
  throw new TypeError(`failed after awaits with v=${v} lines=${env.lines.length}`);
}

async function hLevel3(env: Env): Promise<number> {
  await env.sleep(2);
  env.log("level3 throwing");
  throw new HCustomError("deep failure", 42);
}

async function hLevel2(env: Env): Promise<number> {
  env.log("level2 enter");
  try {
    const v = await hLevel3(env);
    env.log("level2 unreachable");
    return v + 1;
  } finally {
    env.log("level2 finally");
  }
}

async function hLevel1(env: Env): Promise<string> {
  try {
    const v = await hLevel2(env);
    return `got ${v}`;
  } catch (e) {
    await env.sleep(1);
    return e instanceof HCustomError ? `level1 caught ${e.name} code=${e.code} ${e.message}` : "other";
  }
}

// an error thrown three calls deep is caught by a caller two levels up; the middle finally runs
export async function p14_errorCaughtTwoLevelsUp(env: Env): Promise<unknown> {
  const r = await hLevel1(env);
  return { r, lines: env.lines };
}

// a custom Error subclass thrown deep inside escapes the program after a finally logs (harness compares it)
export async function p15_customErrorEscapes(env: Env): Promise<unknown> {
  try {
    await hLevel2(env);
    return "unreachable";
  } finally {
    env.log("program cleanup");
    await env.sleep(1);
  }
}

// a RangeError thrown after a loop of awaits escapes; its message records the log
export async function p16_rangeErrorAfterLoop(env: Env): Promise<unknown> {
  let total = 0;
  for (const n of [4, 8, 15]) {
    total += await hValue(env, n, 2);
    env.log(`total ${total}`);
  }
  if (total > 20) throw new RangeError(`total ${total} too large after [${env.lines.join("; ")}]`);
  return total;
}

async function hThrowValue(env: Env, kind: string): Promise<never> {
  if (kind === "early-string") throw "thrown before await";
  await env.sleep(1);
  if (kind === "string") throw "a string";
  if (kind === "number") throw 42;
  if (kind === "object") throw { code: 7, reason: "plain object" };
  if (kind === "null") throw null;
  throw [1, "array"];
}

// thrown non-Error values (string, number, object, null, array) are caught unchanged
export async function p17_throwNonErrorValues(env: Env): Promise<unknown> {
  const caught: string[] = [];
  for (const kind of ["early-string", "string", "number", "object", "null", "array"]) {
    try {
      await hThrowValue(env, kind);
    } catch (e) {
      caught.push(`${kind}: ${typeof e} ${e instanceof Error} ${JSON.stringify(e)}`);
    }
  }
  return caught;
}

async function hFinallyThrows(env: Env): Promise<string> {
  try {
    await env.sleep(1);
    throw new Error("original");
  } finally {
    await env.sleep(1);
    env.log("finally replacing error");
    throw new TypeError("from finally");
  }
}

async function hCatchRethrowsFinallyOverrides(env: Env): Promise<string> {
  try {
    await hFailAfter(env, 1, "first");
    return "unreachable";
  } catch (e) {
    env.log(`rethrowing ${hMsg(e)}`);
    throw new Error(`rethrown ${hMsg(e)}`);
  } finally {
    await env.sleep(2);
    throw new RangeError("finally wins over rethrow");
  }
}

// a throw in finally (after an await) replaces the error from try, and an error rethrown by catch
export async function p18_finallyThrowOverridesError(env: Env): Promise<unknown> {
  const out: string[] = [];
  try {
    await hFinallyThrows(env);
  } catch (e) {
    out.push(hMsg(e));
  }
  try {
    await hCatchRethrowsFinallyOverrides(env);
  } catch (e) {
    out.push(hMsg(e));
  }
  return { out, lines: env.lines };
}

async function hFinallyReturnSwallows(env: Env): Promise<string> {
  try {
    await env.sleep(1);
    throw new Error("lost");
  } finally {
    await env.sleep(1);
    return "finally wins";
  }
}

async function hFinallyReturnOverridesReturn(env: Env): Promise<string> {
  try {
    return await hSlowValue(env, "from try", 2);
  } finally {
    return "from finally";
  }
}

// `return` in finally overrides a thrown error (and a returned value)
export async function p19_finallyReturnOverridesThrow(env: Env): Promise<unknown> {
  const a = await hFinallyReturnSwallows(env);
  const b = await hFinallyReturnOverridesReturn(env);
  return { a, b, lines: env.lines };
}

// the program ends by a TypeError thrown from a finally that overrode an earlier error
export async function p20_finallyOverrideEscapes(env: Env): Promise<unknown> {
  env.log("start");
  return await hFinallyThrows(env);
}

// ---------------------------------------------------------------------------------------------
// Calls, recursion, closures
// ---------------------------------------------------------------------------------------------

async function hNestA(env: Env, d: number): Promise<number> {
  env.log(`A enter ${d}`);
  const b = await hNestB(env, d + 1);
  await env.sleep(1);
  env.log(`A exit ${d}`);
  return b * 2;
}

async function hNestB(env: Env, d: number): Promise<number> {
  env.log(`B enter ${d}`);
  await env.sleep(2);
  const c = (await hNestC(env, d + 1)) + (await hNestC(env, d + 10));
  env.log(`B exit ${d}`);
  return c;
}

async function hNestC(env: Env, d: number): Promise<number> {
  await env.sleep(1);
  env.log(`C ${d}`);
  return d;
}

// nested async calls three deep: enter/exit order
export async function p21_nestedCalls(env: Env): Promise<unknown> {
  const r = await hNestA(env, 0);
  return { r, lines: env.lines };
}

async function hFactorial(env: Env, n: number): Promise<number> {
  if (n <= 1) return 1;
  if (n % 5 === 0) await env.sleep(1);
  else await n;
  return n * (await hFactorial(env, n - 1));
}

async function hCollectDepth(env: Env, n: number): Promise<string[]> {
  if (n === 0) return [];
  const rest = await hCollectDepth(env, n - 1);
  if (n % 7 === 0) await env.sleep(1);
  rest.push(`d${n}`);
  return rest;
}

async function hSumTo(n: number): Promise<number> {
  if (n === 0) return 0;
  return n + (await hSumTo(n - 1));
}

// recursive async factorial to depth 20, recursion building a list, and a 300-deep recursive sum
export async function p22_recursiveFactorial(env: Env): Promise<unknown> {
  const f20 = await hFactorial(env, 20);
  const f12 = await hFactorial(env, 12);
  const depth = await hCollectDepth(env, 20);
  const sum = await hSumTo(300);
  return { f20, f12, depth, sum };
}

async function hFib(n: number): Promise<number> {
  if (n < 2) return n;
  return (await hFib(n - 1)) + (await hFib(n - 2));
}

function hMemoFib(n: number, memo: Map<number, Promise<number>>): Promise<number> {
  let p = memo.get(n);
  if (p === undefined) {
    p = (async (): Promise<number> => (n < 2 ? n : (await hMemoFib(n - 1, memo)) + (await hMemoFib(n - 2, memo))))();
    memo.set(n, p);
  }
  return p;
}

// naive async fibonacci (thousands of calls) and a memo of shared promises awaited many times
export async function p23_recursiveFibonacci(env: Env): Promise<unknown> {
  const naive = await hFib(16);
  await env.sleep(1);
  const memo = new Map<number, Promise<number>>();
  const big = await hMemoFib(40, memo);
  const again = await hMemoFib(30, memo);
  env.log(`memo size ${memo.size}`);
  return { naive, big, again, lines: env.lines };
}

// a named async function expression calls itself recursively by its own name
export async function p24_namedFunctionExpressionRecursion(env: Env): Promise<unknown> {
  const countdown = async function tick(n: number): Promise<string[]> {
    if (n === 0) return ["liftoff"];
    await env.sleep(1);
    env.log(`tick ${n}`);
    return [String(n), ...(await tick(n - 1))];
  };
  const r = await countdown(4);
  return { name: countdown.name, r, lines: env.lines };
}

// closures over `let` loop variables: async arrows created in a loop and called later
export async function p25_closuresCaptureLoopVariables(env: Env): Promise<unknown> {
  const fns: Array<() => Promise<string>> = [];
  for (let i = 0; i < 4; i++) {
    const label = `f${i}`;
    fns.push(async () => {
      await env.sleep(i + 1);
      return `${label}:${i}`;
    });
  }
  let shared = 0;
  const sharedFns: Array<() => Promise<number>> = [];
  for (; shared < 3; shared++) {
    sharedFns.push(async () => {
      await env.sleep(1);
      return shared;
    });
  }
  const perIteration: string[] = [];
  for (const f of fns.reverse()) perIteration.push(await f());
  const sharedResults: number[] = [];
  for (const f of sharedFns) sharedResults.push(await f());
  const afterAwait: number[] = [];
  for (let i = 0; i < 3; i++) {
    const read = async (): Promise<number> => i * 10;
    await env.sleep(1);
    afterAwait.push(await read());
  }
  return { perIteration, sharedResults, afterAwait };
}

// async arrows created in a loop are started without awaiting; they finish in sleep order (5 ms apart)
export async function p26_closuresStartedConcurrently(env: Env): Promise<unknown> {
  const started: Array<Promise<string>> = [];
  for (let i = 0; i < 4; i++) {
    const run = async (): Promise<string> => {
      env.log(`start ${i}`);
      await env.sleep(25 - 6 * i);
      env.log(`done ${i}`);
      return `r${i}`;
    };
    started.push(run());
  }
  const results: string[] = [];
  for (const p of started) results.push(await p);
  return { results, lines: env.lines };
}

async function hWorker(env: Env, name: string, delays: number[]): Promise<string> {
  env.log(`${name} start`);
  for (const d of delays) {
    await env.sleep(d);
    env.log(`${name} after ${d}`);
  }
  return `${name} done`;
}

// three concurrent tasks interleave by sleep deadlines (5, 10, 20, 30, 40 ms); results awaited in start order
export async function p27_concurrentSleepOrder(env: Env): Promise<unknown> {
  const a = hWorker(env, "A", [40]);
  const b = hWorker(env, "B", [5, 15]);
  const c = hWorker(env, "C", [10, 20]);
  env.log("all started");
  const results = [await a, await b, await c];
  return { results, lines: env.lines };
}

// a concurrent task that rejects later is awaited before it rejects; awaiting a rejected promise twice
export async function p28_concurrentFailureAwaitedLater(env: Env): Promise<unknown> {
  const bad = hFailAfter(env, 20, "late failure");
  const good = hSlowValue(env, "good", 10);
  env.log(`good gave ${await good}`);
  const outcomes: string[] = [];
  for (let k = 0; k < 2; k++) {
    try {
      await bad;
    } catch (e) {
      outcomes.push(`attempt ${k}: ${hMsg(e)}`);
    }
  }
  return { outcomes, lines: env.lines };
}

// one promise awaited by two waiters that then sleep different amounts; awaiting a settled promise again
export async function p29_sharedPromiseWaiters(env: Env): Promise<unknown> {
  const shared = hSlowValue(env, "shared", 10);
  const w1 = (async (): Promise<string> => {
    const v = await shared;
    await env.sleep(5);
    env.log(`w1 saw ${v}`);
    return `w1:${v}`;
  })();
  const w2 = (async (): Promise<string> => {
    const v = await shared;
    await env.sleep(15);
    env.log(`w2 saw ${v}`);
    return `w2:${v}`;
  })();
  const r = [await w2, await w1, await shared];
  return { r, lines: env.lines };
}

async function hInner(env: Env, v: string): Promise<string> {
  await env.sleep(2);
  env.log(`inner ${v}`);
  return `inner:${v}`;
}

async function hPassThrough(env: Env, v: string): Promise<string> {
  env.log(`pass ${v}`);
  return hInner(env, v);
}

async function hPassTwice(env: Env, v: string): Promise<string> {
  return hPassThrough(env, `${v}!`);
}

function hPlainReturnsPromise(env: Env, v: string): Promise<string> {
  return hPassTwice(env, `${v}?`);
}

// an async function returns another async function's promise without awaiting (`return f()`), chained
export async function p30_returnPromiseWithoutAwait(env: Env): Promise<unknown> {
  const a = await hPassThrough(env, "a");
  const b = await hPassTwice(env, "b");
  const c = await hPlainReturnsPromise(env, "c");
  return { a, b, c, lines: env.lines };
}

// ---------------------------------------------------------------------------------------------
// this, arguments, super
// ---------------------------------------------------------------------------------------------

class HCounter {
  count = 0;
  readonly name: string;
  constructor(name: string) {
    this.name = name;
  }
  async bump(env: Env, by: number): Promise<number> {
    await env.sleep(1);
    this.count += by;
    return this.count;
  }
  async bumpMany(env: Env, values: number[]): Promise<number[]> {
    const step = async (v: number): Promise<number> => {
      await env.sleep(1);
      env.log(`${this.name} step ${v}`);
      return this.bump(env, v);
    };
    return hMapSeq(values, step);
  }
  tick = async (env: Env): Promise<string> => {
    await env.sleep(1);
    this.count++;
    return `${this.name}:${this.count}`;
  };
}

// `this` in async methods, in async arrows inside methods, and in an async arrow class field (detached)
export async function p31_thisInAsyncMethods(env: Env): Promise<unknown> {
  const c = new HCounter("ctr");
  const first = await c.bump(env, 5);
  const many = await c.bumpMany(env, [1, 2, 3]);
  const { tick } = c;
  const ticked = await tick(env);
  const other = new HCounter("other");
  const borrowed = await c.bump.call(other, env, 100);
  return { first, many, ticked, borrowed, count: c.count, otherCount: other.count, lines: env.lines };
}

async function hArgsFn(env: Env, a: number, b?: number): Promise<string> {
  const before = arguments.length;
  await env.sleep(1);
  a = a + 100;
  const rest = Array.from(arguments).slice(1).join(",");
  return `len=${before} rest=${rest} arg1=${arguments[1]} a=${a} b=${b}`;
}

class HArgsMethod {
  async count(...xs: number[]): Promise<string> {
    await xs.length;
    return `${arguments.length}:${xs.join("")}`;
  }
}

// `arguments` inside an async function (unmapped in strict mode, survives awaits) and an async method
export async function p32_argumentsInAsyncFunction(env: Env): Promise<unknown> {
  const loose = hArgsFn as (...args: unknown[]) => Promise<string>;
  const r1 = await hArgsFn(env, 1);
  const r2 = await hArgsFn(env, 1, 2);
  const r3 = await loose(env, 1, 2, 3, "four");
  const r4 = await new HArgsMethod().count(7, 8, 9);
  return [r1, r2, r3, r4];
}

function hMakeArgsReader(env: Env, x: number, y: number): () => Promise<string> {
  return async () => {
    await env.sleep(2);
    return `len=${arguments.length} sum=${x + y} args=${Array.from(arguments).slice(1).join("+")}`;
  };
}

// `arguments` inside an async arrow refers to the enclosing normal function's arguments
export async function p33_argumentsInArrowInNormalFunction(env: Env): Promise<unknown> {
  const loose = hMakeArgsReader as (...args: unknown[]) => () => Promise<string>;
  const r1 = await hMakeArgsReader(env, 3, 4)();
  const r2 = await loose(env, 10, 20, 30)();
  return [r1, r2];
}

class HAnimal {
  readonly name: string;
  constructor(name: string) {
    this.name = name;
  }
  async describe(env: Env): Promise<string> {
    await env.sleep(1);
    return `animal ${this.name}`;
  }
  async sound(): Promise<string> {
    return "...";
  }
  static async create(env: Env, name: string): Promise<HAnimal> {
    await env.sleep(1);
    return new this(name);
  }
}

class HDog extends HAnimal {
  override async describe(env: Env): Promise<string> {
    const base = await super.describe(env);
    const viaArrow = async (): Promise<string> => `${await super.sound()}!`;
    return `${base} / dog says ${await viaArrow()}`;
  }
  override async sound(): Promise<string> {
    await undefined;
    return "woof";
  }
  static override async create(env: Env, name: string): Promise<HDog> {
    const made = await super.create(env, name.toUpperCase());
    if (!(made instanceof HDog)) throw new TypeError("super.create did not use this");
    return made;
  }
}

class HPuppy extends HDog {
  override async describe(env: Env): Promise<string> {
    env.log("puppy describe");
    const parent = await super.describe(env);
    await env.sleep(1);
    return `${parent} / puppy`;
  }
}

// super.method() in async methods overriding async methods, in an async arrow, and in a static async method
export async function p34_superInAsyncClassMethods(env: Env): Promise<unknown> {
  const dog = await HDog.create(env, "rex");
  const d1 = await dog.describe(env);
  const d2 = await new HPuppy("bit").describe(env);
  const d3 = await new HAnimal("cat").describe(env);
  return { d1, d2, d3, ownName: dog.name, lines: env.lines };
}

// super.method() inside async methods of object literals (Object.setPrototypeOf and a __proto__ literal)
export async function p35_superInObjectLiteralMethods(env: Env): Promise<unknown> {
  const base = {
    label: "base",
    async greet(who: string): Promise<string> {
      await env.sleep(1);
      return `hello ${who} from ${this.label}`;
    },
  };
  const viaSet = {
    label: "viaSet",
    async greet(who: string): Promise<string> {
      const b: string = await super.greet(who);
      return `${b} (set)`;
    },
  };
  Object.setPrototypeOf(viaSet, base);
  const viaProto = {
    __proto__: base,
    label: "viaProto",
    async greet(who: string): Promise<string> {
      await env.sleep(1);
      const b: string = await super.greet(who.toUpperCase());
      return `${b} (proto)`;
    },
  };
  const r = [await viaSet.greet("ann"), await viaProto.greet("bob"), await base.greet("cy")];
  return r;
}

// ---------------------------------------------------------------------------------------------
// Parameters
// ---------------------------------------------------------------------------------------------

async function hDefaults(env: Env, a: number, b: number = a * 2, c: string = `${a}-${b}`, d: number = hMark(env, `default d for ${a}`, 9)): Promise<string> {
  await env.sleep(1);
  return `a=${a} b=${b} c=${c} d=${d}`;
}

// default parameters (referring to earlier ones; undefined triggers a default, null does not) evaluated at call time
export async function p36_defaultParameters(env: Env): Promise<unknown> {
  const p = hDefaults(env, 1);
  env.log("after call");
  const r1 = await p;
  const r2 = await hDefaults(env, 2, 5);
  const r3 = await hDefaults(env, 3, undefined, "given", 4);
  const arrow = async (x: number, y = x + 1, z = [x, y]): Promise<string> => `${x},${y},${z.join("|")}`;
  const r4 = await arrow(10);
  const nullish = async (v: string | null = "dflt"): Promise<string> => `${v}`;
  const r5 = [await nullish(undefined), await nullish(null)];
  return { r1, r2, r3, r4, r5, lines: env.lines };
}

function hRequired(name: string): never {
  throw new TypeError(`missing ${name}`);
}

async function hNeedsArg(env: Env, x: number = hRequired("x")): Promise<number> {
  await env.sleep(1);
  return x + 1;
}

// a throwing default parameter rejects the promise instead of throwing synchronously (function, arrow, method)
export async function p37_throwingDefaultParameter(env: Env): Promise<unknown> {
  const outcomes: string[] = [];
  const arrow = async (v: number = hRequired("v")): Promise<number> => v * 2;
  const obj = {
    async method(w: string = hRequired("w")): Promise<string> {
      await env.sleep(1);
      return w;
    },
  };
  const calls: Array<[string, () => Promise<unknown>]> = [
    ["function", () => hNeedsArg(env)],
    ["arrow", () => arrow()],
    ["method", () => obj.method()],
  ];
  for (const [label, call] of calls) {
    let p: Promise<unknown> | undefined;
    try {
      p = call();
      env.log(`${label}: no sync throw`);
    } catch (e) {
      env.log(`${label}: sync throw ${hMsg(e)}`);
    }
    try {
      outcomes.push(`${label} value ${JSON.stringify(await p)}`);
    } catch (e) {
      outcomes.push(`${label} rejected ${hMsg(e)}`);
    }
  }
  const ok = await hNeedsArg(env, 4);
  return { outcomes, ok, lines: env.lines };
}

interface HShape {
  name: string;
  tags?: string[];
  size?: { w?: number; h?: number };
}

async function hDestructure(
  env: Env,
  { name, tags = ["none"], size: { w = 1, h = 1 } = {} }: HShape,
  [first, second = "second-default", ...others]: string[] = [],
): Promise<string> {
  await env.sleep(1);
  return `${name} tags=${tags.join("/")} area=${w * h} first=${first} second=${second} others=${others.length}`;
}

// destructuring parameters (object and array, nested, with defaults) in a function and in async arrows
export async function p38_destructuringParameters(env: Env): Promise<unknown> {
  const r1 = await hDestructure(env, { name: "a" });
  const r2 = await hDestructure(env, { name: "b", tags: ["x", "y"], size: { w: 3 } }, ["one"]);
  const r3 = await hDestructure(env, { name: "c", size: { w: 2, h: 5 } }, ["p", "q", "r", "s"]);
  const points = await hMapSeq(
    [{ x: 1, y: 2 }, { x: 3 }],
    async ({ x, y = 10 }: { x: number; y?: number }, i) => {
      await env.sleep(1);
      return `${i}:${x + y}`;
    },
  );
  const swap = async ([a, b]: [string, string]): Promise<string> => `${b}${await a}`;
  return [r1, r2, r3, points, await swap(["L", "R"])];
}

async function hSumRest(env: Env, label: string, ...nums: number[]): Promise<string> {
  let total = 0;
  for (const n of nums) total += await n;
  await env.sleep(1);
  return `${label}:${nums.length}:${total}`;
}

// rest parameters in an async function and an async arrow, called with spread arguments
export async function p39_restParameters(env: Env): Promise<unknown> {
  const r1 = await hSumRest(env, "none");
  const r2 = await hSumRest(env, "three", 1, 2, 3);
  const r3 = await hSumRest(env, "spread", ...[10, 20], 30, ...[40]);
  const joinAll = async (sep: string, ...parts: string[]): Promise<string> => {
    await env.sleep(1);
    return parts.join(sep);
  };
  const r4 = await joinAll("/", "a", "b", "c");
  return [r1, r2, r3, r4];
}

// async arrows passed as callbacks to a hand-written sequential map, including nested maps
export async function p40_asyncArrowCallbacks(env: Env): Promise<unknown> {
  const doubled = await hMapSeq([3, 1, 2], async (n, i) => {
    await env.sleep(n);
    env.log(`map ${i}:${n}`);
    return n * 2;
  });
  const words = await hMapSeq(["x", "yy"], async (s) => `${s}${await hValue(env, s.length)}`);
  const nested = await hMapSeq([1, 2], async (n) =>
    hMapSeq([10, 20], async (m) => {
      await env.sleep(1);
      return n * m;
    }),
  );
  return { doubled, words, nested, lines: env.lines };
}

// ---------------------------------------------------------------------------------------------
// Classes and objects
// ---------------------------------------------------------------------------------------------

class HAccount {
  #balance: number;
  readonly id: string;
  constructor(id: string, initial: number) {
    this.id = id;
    this.#balance = initial;
  }
  async #audit(env: Env, what: string): Promise<void> {
    await env.sleep(1);
    env.log(`audit ${this.id} ${what} balance=${this.#balance}`);
  }
  async #peek(env: Env): Promise<number> {
    await env.sleep(1);
    return this.#balance;
  }
  async deposit(env: Env, amount: number): Promise<number> {
    await this.#audit(env, `deposit ${amount}`);
    this.#balance += amount;
    return this.#balance;
  }
  async withdraw(env: Env, amount: number): Promise<number> {
    if (amount > (await this.#peek(env))) {
      await this.#audit(env, `refused ${amount}`);
      throw new RangeError(`insufficient funds for ${amount}`);
    }
    this.#balance -= amount;
    await this.#audit(env, `withdrew ${amount}`);
    return this.#balance;
  }
  static async #validate(env: Env, initial: number): Promise<number> {
    await env.sleep(1);
    if (initial < 0) throw new RangeError("negative opening balance");
    return initial;
  }
  static async open(env: Env, id: string, initial: number): Promise<HAccount> {
    return new HAccount(id, await HAccount.#validate(env, initial));
  }
  static async total(env: Env, ...accounts: HAccount[]): Promise<number> {
    let t = 0;
    for (const a of accounts) t += await a.#peek(env);
    return t;
  }
}

// instance, static, private (#m) and private static async methods using private fields (this.#x)
export async function p41_classPrivateAndStaticMethods(env: Env): Promise<unknown> {
  const a = await HAccount.open(env, "A", 100);
  const b = await HAccount.open(env, "B", 5);
  const r: unknown[] = [await a.deposit(env, 50), await a.withdraw(env, 30)];
  try {
    await b.withdraw(env, 10);
  } catch (e) {
    r.push(hMsg(e));
  }
  try {
    await HAccount.open(env, "C", -1);
  } catch (e) {
    r.push(hMsg(e));
  }
  r.push(await HAccount.total(env, a, b));
  return { r, lines: env.lines };
}

class HLazy {
  readonly #env: Env;
  #loads = 0;
  constructor(env: Env) {
    this.#env = env;
  }
  async load(): Promise<number> {
    this.#loads++;
    await this.#env.sleep(2);
    this.#env.log(`load #${this.#loads}`);
    return this.#loads * 10;
  }
  get value(): Promise<number> {
    return this.load();
  }
  get loads(): number {
    return this.#loads;
  }
}

// getters that call async methods return the promise; the caller awaits it (class and object literal)
export async function p42_gettersReturningPromises(env: Env): Promise<unknown> {
  const lazy = new HLazy(env);
  const pending = lazy.value;
  const loadsBeforeAwait = lazy.loads;
  const v1 = await pending;
  const v2 = await lazy.value;
  const obj = {
    base: 5,
    async compute(): Promise<number> {
      await env.sleep(1);
      return this.base * 3;
    },
    get tripled(): Promise<number> {
      return this.compute();
    },
  };
  const v3 = await obj.tripled;
  return { loadsBeforeAwait, v1, v2, v3, loads: lazy.loads, lines: env.lines };
}

class HResource {
  readonly steps: string[] = [];
  readonly ready: Promise<string>;
  constructor(env: Env, name: string, ms: number) {
    this.steps.push(`constructed ${name}`);
    this.ready = this.init(env, name, ms);
    this.steps.push(`constructor done ${name}`);
  }
  private async init(env: Env, name: string, ms: number): Promise<string> {
    this.steps.push(`init start ${name}`);
    await env.sleep(ms);
    this.steps.push(`init done ${name}`);
    env.log(`ready ${name}`);
    return name.toUpperCase();
  }
}

// constructors store promises from async methods; they finish in sleep order; a settled one is awaited twice
export async function p43_constructorStoresPromise(env: Env): Promise<unknown> {
  const slow = new HResource(env, "slow", 20);
  const fast = new HResource(env, "fast", 5);
  env.log("both constructed");
  const r = [await slow.ready, await fast.ready, await slow.ready];
  return { r, slow: slow.steps, fast: fast.steps, lines: env.lines };
}

// async methods in object literals using `this`, plus an async arrow property
export async function p44_objectLiteralAsyncMethods(env: Env): Promise<unknown> {
  const store = {
    items: [] as string[],
    async add(item: string): Promise<number> {
      await env.sleep(1);
      this.items.push(item);
      return this.items.length;
    },
    async addAll(...xs: string[]): Promise<number> {
      let n = 0;
      for (const x of xs) n = await this.add(x);
      return n;
    },
    triple: async (x: number): Promise<number> => (await x) * 3,
  };
  const n1 = await store.add("first");
  const n2 = await store.addAll("b", "c", "d");
  const t = await store.triple(7);
  return { n1, n2, t, items: store.items };
}

const hSpecial = Symbol("special");
const hKey = "dynamic";

class HComputed {
  async [hKey](n: number): Promise<string> {
    await hValue(this.env, n);
    return `class ${hKey} ${n}`;
  }
  async ["lit" + "eral"](): Promise<string> {
    return "class literal";
  }
  async [hSpecial](): Promise<string> {
    return "class symbol";
  }
  readonly env: Env;
  constructor(env: Env) {
    this.env = env;
  }
}

// computed method names (const string, concatenated string, symbol) on async methods of classes and objects
export async function p45_computedMethodNames(env: Env): Promise<unknown> {
  const c = new HComputed(env);
  const obj = {
    async [hKey](): Promise<string> {
      await env.sleep(1);
      return `object ${hKey}`;
    },
    async [hSpecial](): Promise<string> {
      return "object symbol";
    },
  };
  const dynamicName = ["lit", "eral"].join("");
  const viaIndex = (c as unknown as Record<string, () => Promise<string>>)[dynamicName]!;
  return [await c.dynamic(3), await viaIndex.call(c), await c[hSpecial](), await obj.dynamic(), await obj[hSpecial]()];
}

// async arrows returning object literals (with awaited fields and nested awaited objects)
export async function p46_asyncArrowReturningObjectLiteral(env: Env): Promise<unknown> {
  const make = async (n: number) => ({ n, square: n * n, tag: `n${n}` });
  const makeAwaited = async (n: number) => ({ n, later: await hValue(env, n + 1) });
  const nested = async () => ({ inner: await make(2), list: [await make(3), await makeAwaited(4)] });
  return [await make(1), await makeAwaited(5), await nested()];
}

class HCollection {
  readonly #items: string[];
  readonly #env: Env;
  constructor(env: Env, items: string[]) {
    this.#env = env;
    this.#items = items;
  }
  async *items(): AsyncGenerator<string> {
    for (const it of this.#items) {
      await this.#env.sleep(1);
      yield it;
    }
  }
  async *pairs(): AsyncGenerator<string> {
    let i = 0;
    for await (const it of this.items()) yield `${i++}:${it}`;
  }
  static async *range(env: Env, n: number): AsyncGenerator<number> {
    for (let i = 0; i < n; i++) {
      await env.sleep(1);
      yield i;
    }
  }
  async *[Symbol.asyncIterator](): AsyncGenerator<string> {
    yield* this.items();
    yield "end";
  }
}

// async generator methods in a class: instance, delegating, static, and [Symbol.asyncIterator]
export async function p47_asyncGeneratorClassMethods(env: Env): Promise<unknown> {
  const col = new HCollection(env, ["a", "b", "c"]);
  const out: string[] = [];
  for await (const x of col.items()) out.push(x);
  for await (const x of col.pairs()) out.push(x);
  for await (const n of HCollection.range(env, 3)) out.push(`n${n}`);
  for await (const x of col) out.push(`it ${x}`);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Expressions
// ---------------------------------------------------------------------------------------------

function hTag(strings: TemplateStringsArray, ...values: unknown[]): string {
  return strings.raw.map((s, i) => (i < values.length ? `${s}[${String(values[i])}]` : s)).join("");
}

// await inside template literals (untagged and tagged): evaluated left to right
export async function p48_awaitInTemplateLiterals(env: Env): Promise<unknown> {
  const s = `a=${await hSlowValue(env, "A", 5)} b=${await hValue(env, 2)} c=${await "plain"}`;
  const t = hTag`x${await hTrace(env, "t1", 1)}y${hMark(env, "t2", 2)}z${await hTrace(env, "t3", 3)}`;
  const nested = `outer(${`inner(${await hValue(env, "deep")})`})`;
  return { s, t, nested, lines: env.lines };
}

// await in ternaries and in short-circuiting &&, ||, ?? and logical assignments (skipped sides never run)
export async function p49_awaitInConditionalAndLogical(env: Env): Promise<unknown> {
  const t1 = (await hTrace(env, "cond", true)) ? await hTrace(env, "then", "yes") : await hTrace(env, "else", "no");
  const t2 = (await hTrace(env, "cond2", 0)) > 0 ? await hTrace(env, "then2", "pos") : await hTrace(env, "else2", "non-pos");
  const and1 = (await hTrace<number>(env, "and-left", 0)) && (await hTrace<number>(env, "and-right", 5));
  const and2 = (await hTrace<number>(env, "and-left2", 1)) && (await hTrace<number>(env, "and-right2", 6));
  const or1 = (await hTrace<string>(env, "or-left", "")) || (await hTrace<string>(env, "or-right", "fallback"));
  const nullish1 = (await hTrace<string | null>(env, "nullish-left", null)) ?? (await hTrace(env, "nullish-right", "dflt"));
  const nullish2 = (await hTrace<number | null>(env, "nullish-left2", 0)) ?? (await hTrace(env, "skipped", 99));
  let assigned: string | undefined;
  assigned ??= await hTrace(env, "assign-nullish", "set");
  assigned ||= await hTrace(env, "skipped-or", "never");
  assigned &&= await hTrace(env, "assign-and", `${assigned}+and`);
  return { t1, t2, and1, and2, or1, nullish1, nullish2, assigned, lines: env.lines };
}

function hAdd3(a: number, b: number, c: number): string {
  return `${a}+${b}+${c}=${a + b + c}`;
}

// evaluation order with awaits inside array literals, object literals (incl. computed keys), call arguments and operands
export async function p50_evaluationOrder(env: Env): Promise<unknown> {
  const arr = [hMark(env, "a0", 0), await hTrace(env, "a1", 1), hMark(env, "a2", 2), ...(await hTrace(env, "a-spread", [3, 4]))];
  const obj = {
    x: hMark(env, "o-x", "x"),
    [hMark(env, "o-key", "k")]: await hTrace(env, "o-k-val", "kv"),
    z: await hTrace(env, "o-z", "z"),
  };
  const sum = hAdd3(hMark(env, "arg0", 1), await hTrace(env, "arg1", 2), hMark(env, "arg2", 3));
  const picked = hMark(env, "callee", (n: number) => n * 100)(await hTrace(env, "callee-arg", 5));
  const target = { scale: 7, mul(n: number): number { return n * this.scale; } };
  const method = (await hTrace(env, "receiver", target)).mul(await hTrace(env, "method-arg", 6));
  const binary = hMark(env, "left", 10) - (await hTrace(env, "right", 4));
  return { arr, obj, sum, picked, method, binary, lines: env.lines };
}

// compound assignment reads its target before the await (`x += await f()` where f changes x)
export async function p51_compoundAssignmentOrder(env: Env): Promise<unknown> {
  let total = 10;
  const bump = async (): Promise<number> => {
    total = 100;
    await env.sleep(1);
    return 1;
  };
  total += await bump();
  const obj = { n: 5 };
  obj.n += await (async (): Promise<number> => {
    obj.n = 50;
    await env.sleep(1);
    return 1;
  })();
  const arr = [1, 2, 3];
  let idx = 0;
  arr[idx++]! += await hValue(env, 10);
  let s = "a";
  s = s + (await (async (): Promise<string> => {
    s = "changed";
    return "b";
  })());
  return { total, n: obj.n, arr, idx, s };
}

// await in a switch discriminant, in case expressions (evaluated only until a match) and in case bodies with fall-through
export async function p52_awaitInSwitch(env: Env): Promise<unknown> {
  const out: string[] = [];
  for (const input of [8, 1, 2, 3, 4, 9]) {
    switch (await hValue(env, input % 8)) {
      case 0:
        out.push(`zero:${input}`);
        break;
      case await hTrace(env, `case-one for ${input}`, 1):
        out.push(`one:${await hValue(env, "a")}`);
        break;
      case 2:
        await env.sleep(2);
        out.push("two");
      // falls through
      case 3:
        out.push(`three-ish:${input}`);
        break;
      default:
        out.push(`default:${input}`);
    }
  }
  return { out, lines: env.lines };
}

// labeled break and continue across awaits (nested loops, a labeled block, and finally on labeled exits)
export async function p53_labeledBreakContinue(env: Env): Promise<unknown> {
  const pairs: string[] = [];
  outer: for (let i = 0; i < 4; i++) {
    inner: for (let j = 0; j < 4; j++) {
      await env.sleep(1);
      if (j === 1) continue inner;
      if (i === 1 && j === 2) continue outer;
      if (i === 3) break outer;
      pairs.push(`${i}${j}`);
    }
    pairs.push(`end ${i}`);
  }
  block: {
    await hValue(env, 0);
    if (pairs.length > 0) break block;
    pairs.push("unreachable");
  }
  loop: for (const k of [1, 2, 3]) {
    try {
      await env.sleep(1);
      if (k === 2) break loop;
      env.log(`k ${k}`);
    } finally {
      await env.sleep(1);
      env.log(`finally k ${k}`);
    }
  }
  return { pairs, lines: env.lines };
}

// typeof await x for numbers, strings, undefined, null, objects, functions and async-function results
export async function p54_typeofAwait(env: Env): Promise<unknown> {
  return [
    typeof await hValue(env, 1),
    typeof await "s",
    typeof await undefined,
    typeof await null,
    typeof await hValue(env, { a: 1 }),
    typeof await hMark,
    typeof (await hValue(env, [1])),
    typeof await hValue(env, true),
  ];
}

// awaiting plain values: numbers, undefined, null, the same object, arrays, and an object whose `then` is not callable
export async function p55_awaitPlainValues(env: Env): Promise<unknown> {
  const obj = { v: 1 };
  const notThenable = { then: 5, v: 2 };
  const a = await 5;
  const b = await undefined;
  const c = await null;
  const same = (await obj) === obj;
  const arr = await [1, 2];
  const nt = await notThenable;
  env.log("awaited plain values");
  return { a, b: b === undefined, c, same, arr, ntSame: nt === notThenable, ntThen: nt.then, lines: env.lines };
}

// ---------------------------------------------------------------------------------------------
// Async generators
// ---------------------------------------------------------------------------------------------

async function* hCountUp(env: Env, n: number): AsyncGenerator<number, string> {
  for (let i = 1; i <= n; i++) {
    await env.sleep(i);
    env.log(`gen yield ${i}`);
    yield i * 10;
    env.log(`gen resumed after ${i}`);
  }
  return "count done";
}

// async generator mixing await and yield, consumed with for await (the consumer also awaits)
export async function p56_asyncGeneratorForAwait(env: Env): Promise<unknown> {
  const seen: number[] = [];
  for await (const v of hCountUp(env, 3)) {
    env.log(`got ${v}`);
    seen.push(v);
    await env.sleep(1);
  }
  return { seen, lines: env.lines };
}

async function* hWithCleanup(env: Env, name: string): AsyncGenerator<string> {
  try {
    for (let i = 0; ; i++) {
      await env.sleep(1);
      yield `${name}${i}`;
    }
  } finally {
    env.log(`${name} finally start`);
    await env.sleep(3);
    env.log(`${name} finally end`);
  }
}

// break out of for await: the generator's finally runs (and awaits) before the loop is left
export async function p57_forAwaitBreakRunsFinally(env: Env): Promise<unknown> {
  for await (const v of hWithCleanup(env, "g")) {
    env.log(`got ${v}`);
    if (v === "g2") break;
  }
  env.log("after loop");
  return env.lines;
}

async function hFindFirst(env: Env, wanted: string): Promise<string> {
  for await (const v of hWithCleanup(env, "r")) {
    if (v === wanted) {
      env.log(`returning ${v}`);
      return `found ${v}`;
    }
    env.log(`skipping ${v}`);
  }
  return "not found";
}

// return from inside a for await loop: the generator's finally runs before the function's promise settles
export async function p58_returnInsideForAwait(env: Env): Promise<unknown> {
  const r = await hFindFirst(env, "r1");
  env.log(`caller got ${r}`);
  return env.lines;
}

// an error thrown inside a for await body: the generator's finally runs, then the error reaches the catch
export async function p59_errorInForAwaitBody(env: Env): Promise<unknown> {
  try {
    for await (const v of hWithCleanup(env, "e")) {
      if (v === "e1") throw new HCustomError(`body failed at ${v}`, 1);
      env.log(`body ${v}`);
    }
  } catch (e) {
    env.log(`caught ${hMsg(e)}`);
  }
  return env.lines;
}

// an error from a for await body propagates through a helper; the program ends with an Error holding the log
export async function p60_errorInForAwaitBodyEscapes(env: Env): Promise<unknown> {
  const consume = async (): Promise<number> => {
    let n = 0;
    for await (const v of hWithCleanup(env, "x")) {
      if (v === "x2") throw new TypeError(`stop at ${v}`);
      n++;
    }
    return n;
  };
  try {
    return await consume();
  } catch (e) {
    throw new Error(`${hMsg(e)} after [${env.lines.join("; ")}]`);
  }
}

function* hSyncGen(env: Env): Generator<number> {
  try {
    yield 1;
    yield 2;
    yield 3;
  } finally {
    env.log("sync gen finally");
  }
}

// for await over a plain array, over an array of started async calls (delivered in array order), and over a sync generator (break)
export async function p61_forAwaitOverSyncIterables(env: Env): Promise<unknown> {
  const out: Array<string | number> = [];
  for await (const x of [1, "two", 3]) out.push(x);
  const started = [hSlowValue(env, "p1", 10), hSlowValue(env, "p2", 5)];
  for await (const x of started) {
    env.log(`for await got ${x}`);
    out.push(x);
  }
  for await (const x of hSyncGen(env)) {
    out.push(x * 100);
    if (x === 2) break;
  }
  return { out, lines: env.lines };
}

async function* hFlaky(env: Env): AsyncGenerator<number> {
  yield 1;
  await env.sleep(2);
  yield 2;
  await env.sleep(1);
  env.log("flaky about to throw");
  throw new HCustomError("flaky failed", 3);
}

// an async generator throwing mid-way: the consumer catches it; a failed generator is then done
export async function p62_asyncGeneratorThrowsMidway(env: Env): Promise<unknown> {
  const got: number[] = [];
  try {
    for await (const v of hFlaky(env)) got.push(v);
  } catch (e) {
    env.log(`consumer caught ${hMsg(e)}`);
  }
  const g = hFlaky(env);
  const steps: string[] = [];
  for (let k = 0; k < 4; k++) {
    try {
      const r = await g.next();
      steps.push(`${r.done}:${String(r.value)}`);
    } catch (e) {
      steps.push(`threw ${hMsg(e)}`);
    }
  }
  return { got, steps, lines: env.lines };
}

async function* hInnerGen(env: Env, prefix: string): AsyncGenerator<string, number> {
  try {
    await env.sleep(1);
    yield `${prefix}-a`;
    await env.sleep(1);
    yield `${prefix}-b`;
    return prefix.length;
  } finally {
    env.log(`inner ${prefix} finally`);
  }
}

async function* hOuterGen(env: Env): AsyncGenerator<string, string> {
  try {
    yield "start";
    const n1 = yield* hInnerGen(env, "x");
    const n2 = yield* hInnerGen(env, "long");
    yield* ["sync-1", "sync-2"];
    yield `lens ${n1},${n2}`;
    return "outer done";
  } finally {
    env.log("outer finally");
  }
}

// yield* delegating to other async generators (and a sync iterable), its return value, and break inside a delegation
export async function p63_yieldStarDelegation(env: Env): Promise<unknown> {
  const g = hOuterGen(env);
  const values: string[] = [];
  let ret = "";
  for (;;) {
    const r = await g.next();
    if (r.done) {
      ret = r.value;
      break;
    }
    values.push(r.value);
  }
  env.log("second run");
  for await (const v of hOuterGen(env)) {
    env.log(`got ${v}`);
    if (v === "long-a") break;
  }
  return { values, ret, lines: env.lines };
}

// manual .next() and .return() calls on async generators (return runs the awaiting finally; unstarted skips it)
export async function p64_manualNextAndReturn(env: Env): Promise<unknown> {
  const g = hWithCleanup(env, "m");
  const r1 = await g.next();
  const r2 = await g.next();
  const r3 = await g.return("early");
  const r4 = await g.next();
  const fresh = hWithCleanup(env, "never");
  const r5 = await fresh.return("unstarted");
  const r6 = await fresh.next();
  return { r: [r1, r2, r3, r4, r5, r6], lines: env.lines };
}

async function* hAccumulator(env: Env): AsyncGenerator<number, string, number> {
  let total = 0;
  for (;;) {
    const v = yield total;
    await env.sleep(1);
    env.log(`received ${v}`);
    if (v < 0) return `final ${total}`;
    total += v;
  }
}

// passing values into next(v) (the first next's argument is ignored) until the generator returns
export async function p65_nextWithValues(env: Env): Promise<unknown> {
  const g = hAccumulator(env);
  const results = [await g.next(999), await g.next(5), await g.next(10), await g.next(-1), await g.next(7)];
  return { results, lines: env.lines };
}

async function* hResilient(env: Env): AsyncGenerator<string, string> {
  let errors = 0;
  for (let attempt = 0; ; attempt++) {
    try {
      yield `attempt ${attempt}`;
      await env.sleep(1);
    } catch (e) {
      env.log(`gen caught ${hMsg(e)}`);
      await env.sleep(2);
      if (++errors >= 2) return "gave up";
    }
  }
}

// manual .throw() into an async generator: caught inside it (which awaits), then ends it; throw on a done generator rejects
export async function p66_generatorThrowMethod(env: Env): Promise<unknown> {
  const g = hResilient(env);
  const r: unknown[] = [await g.next(), await g.next(), await g.throw(new Error("first")), await g.throw(new TypeError("second"))];
  try {
    await g.throw(new RangeError("after done"));
  } catch (e) {
    r.push(`rejected ${hMsg(e)}`);
  }
  return { r, lines: env.lines };
}

async function* hYieldsPromises(env: Env): AsyncGenerator<string, string> {
  yield hSlowValue(env, "y1", 5);
  const plain = yield "plain";
  env.log(`plain resumed with ${String(plain)}`);
  yield await hSlowValue(env, "y2", 2);
  return hSlowValue(env, "ret", 3);
}

// yield and return of a promise from an async call inside an async generator deliver the awaited value
export async function p67_yieldAwaitsPromises(env: Env): Promise<unknown> {
  const g = hYieldsPromises(env);
  const r = [await g.next(), await g.next(), await g.next(), await g.next(), await g.next()];
  return { r, lines: env.lines };
}

// several next() calls issued before awaiting any are queued and answered in order
export async function p68_queuedNextCalls(env: Env): Promise<unknown> {
  const g = hCountUp(env, 3);
  const p1 = g.next();
  const p2 = g.next();
  const p3 = g.next();
  const p4 = g.next();
  env.log("all requested");
  const results = [await p1, await p2, await p3, await p4];
  return { results, lines: env.lines };
}

// ---------------------------------------------------------------------------------------------
// The async generator protocol (ECMA-262 27.6): return(), throw(), yield* and the request queue
// ---------------------------------------------------------------------------------------------

async function* hGuarded(env: Env): AsyncGenerator<string, string> {
  try {
    yield "first";
    yield "second";
    return "end";
  } catch (e) {
    env.log(`gen caught ${hMsg(e)}`);
    yield "from catch";
    return "caught";
  } finally {
    env.log("gen finally");
  }
}

// return(p) at a suspended yield awaits p there, before the finally runs; a rejected p is thrown at the yield, where a catch may yield again
export async function p69_returnAwaitsAtTheYield(env: Env): Promise<unknown> {
  const g = hGuarded(env);
  const r1 = await g.next();
  const r2 = await g.return(hSlowValue(env, "returned", 5));
  const h = hGuarded(env);
  await h.next();
  const r3 = await h.return(hFailAfter(env, 3, "return refused"));
  const r4 = await h.next();
  const r5 = await h.next();
  return { r: [r1, r2, r3, r4, r5], lines: env.lines };
}

async function* hReturnsLate(env: Env): AsyncGenerator<string, string> {
  try {
    yield "only";
    return hSlowValue(env, "late", 4);
  } finally {
    env.log("late finally");
  }
}

// return(p) on a finished or unstarted generator awaits p; `return p` inside try/finally awaits p before the finally runs
export async function p70_returnValuesAreAwaited(env: Env): Promise<unknown> {
  const g = hReturnsLate(env);
  const r1 = await g.next();
  const r2 = await g.next();
  const r3 = await g.return(hSlowValue(env, "after end", 2));
  const fresh = hReturnsLate(env);
  const r4 = await fresh.return(hSlowValue(env, "before start", 2));
  const r5 = await fresh.next();
  return { r: [r1, r2, r3, r4, r5], lines: env.lines };
}

async function* hYieldsFailure(env: Env, catchIt: boolean): AsyncGenerator<string, string> {
  try {
    yield hFailAfter(env, 2, "yielded promise failed");
    return "not reached";
  } catch (e) {
    if (!catchIt) throw e;
    env.log(`gen caught ${hMsg(e)}`);
    yield "recovered";
    return "done after recovery";
  } finally {
    env.log(`gen finally (catchIt=${catchIt})`);
  }
}

// `yield p` where p rejects throws at the yield inside the generator: a catch there may go on; uncaught, it ends the generator
export async function p71_rejectedYieldThrowsInside(env: Env): Promise<unknown> {
  const steps: string[] = [];
  for (const catchIt of [true, false]) {
    const g = hYieldsFailure(env, catchIt);
    for (let k = 0; k < 3; k++) {
      try {
        const r = await g.next();
        steps.push(`${r.done}:${String(r.value)}`);
      } catch (e) {
        steps.push(`rejected ${hMsg(e)}`);
      }
    }
  }
  return { steps, lines: env.lines };
}

/** A hand-written async iterator whose results carry promises as their values. */
function hPromiseValues(env: Env): AsyncIterable<Promise<string>> {
  let i = 0;
  return {
    [Symbol.asyncIterator]: () => ({
      next: async (): Promise<IteratorResult<Promise<string>>> => {
        i++;
        return i <= 2 ? { value: hSlowValue(env, `inner ${i}`, 3), done: false } : { value: undefined, done: true };
      },
    }),
  };
}

// (TypeScript types what yield* gives as awaited; it is not, so the yielded type is left open.)
async function* hDelegatesPromises(env: Env): AsyncGenerator<unknown, void> {
  yield* hPromiseValues(env);
}

// yield* over an async iterator passes its values on untouched: a promise value is not awaited
export async function p72_yieldStarPassesValuesUntouched(env: Env): Promise<unknown> {
  const got: string[] = [];
  for await (const p of hDelegatesPromises(env)) {
    const isPromise = typeof (p as { then?: unknown }).then === "function";
    got.push(isPromise ? `a promise of ${await p}` : `the value ${String(p)}`);
  }
  return { got, lines: env.lines };
}

async function* hInnerCleanup(env: Env): AsyncGenerator<string, string> {
  try {
    yield "inner a";
    yield "inner b";
    return "inner end";
  } catch (e) {
    env.log(`inner caught ${hMsg(e)}`);
    yield "inner recovered";
    return "inner gave up";
  } finally {
    env.log("inner finally");
    yield "inner cleanup";
    env.log("inner finally done");
  }
}

async function* hInnerOverride(env: Env): AsyncGenerator<string, string> {
  try {
    yield "override a";
    return "not reached";
  } finally {
    env.log("override finally");
    // eslint-disable-next-line no-unsafe-finally
    return "overridden";
  }
}

async function* hOuterDelegates(env: Env, inner: AsyncGenerator<string, string>): AsyncGenerator<string, string> {
  try {
    const r = yield* inner;
    env.log(`outer got ${r}`);
    return `outer end (${r})`;
  } finally {
    env.log("outer finally");
  }
}

// return(v) and throw(e) on a generator inside yield* reach the inner generator with their argument, and use what it does: a finally that yields, or returns
export async function p73_returnAndThrowReachTheDelegate(env: Env): Promise<unknown> {
  const a = hOuterDelegates(env, hInnerCleanup(env));
  const ra = [await a.next(), await a.return("stop"), await a.next(), await a.next()];
  env.log("-- throw");
  const b = hOuterDelegates(env, hInnerCleanup(env));
  const rb = [await b.next(), await b.throw(new HCustomError("thrown in", 7)), await b.next(), await b.next(), await b.next()];
  env.log("-- override");
  const c = hOuterDelegates(env, hInnerOverride(env));
  const rc = [await c.next(), await c.return("stop"), await c.next()];
  return { ra, rb, rc, lines: env.lines };
}

function hSyncWithThrow(env: Env): Iterable<string> {
  return {
    [Symbol.iterator]: () => {
      let i = 0;
      return {
        next: (): IteratorResult<string> => ({ value: `sync ${++i}`, done: false }),
        throw: (e: unknown): IteratorResult<string> => {
          env.log(`sync throw() got ${hMsg(e)}`);
          return { value: "sync handled it", done: false };
        },
        return: (v?: unknown): IteratorResult<string> => {
          env.log(`sync return() got ${String(v)}`);
          return { value: `sync closed with ${String(v)}`, done: true };
        },
      };
    },
  };
}

async function* hDelegatesToSync(env: Env): AsyncGenerator<string, string> {
  const r = yield* hSyncWithThrow(env);
  env.log(`not reached: ${String(r)}`);
  return "not reached";
}

// throw(e) during yield* over a sync iterator reaches its throw() (through the AsyncFromSyncIterator); return(v) reaches its return()
export async function p74_throwReachesASyncDelegate(env: Env): Promise<unknown> {
  const g = hDelegatesToSync(env);
  const r = [await g.next(), await g.throw(new HCustomError("into sync", 2)), await g.next(), await g.return("bye"), await g.next()];
  return { r, lines: env.lines };
}

// the iterator protocol: `next` is read once per loop, a result that is not an object and a `return` that is not callable are TypeErrors
export async function p75_iteratorProtocolChecks(_env: Env): Promise<unknown> {
  let gets = 0;
  const counted = {
    [Symbol.asyncIterator]() {
      let i = 0;
      return {
        get next() {
          gets++;
          return async () => (++i <= 3 ? { value: i, done: false } : { value: undefined, done: true });
        },
      };
    },
  } as unknown as AsyncIterable<number>;
  const seen: unknown[] = [];
  for await (const v of counted) seen.push(v);

  const nonObject = { [Symbol.asyncIterator]: () => ({ next: async () => 42 }) } as unknown as AsyncIterable<number>;
  let nonObjectResult = "no error";
  try {
    for await (const v of nonObject) {
      seen.push(v);
      if (seen.length > 10) break;
    }
  } catch (e) {
    nonObjectResult = e instanceof TypeError ? "TypeError" : hMsg(e);
  }

  const badReturn = {
    [Symbol.asyncIterator]: () => ({ next: async () => ({ value: "x", done: false }), return: 7 }),
  } as unknown as AsyncIterable<string>;
  let breakResult = "no error";
  try {
    for await (const v of badReturn) {
      seen.push(v);
      break;
    }
  } catch (e) {
    breakResult = e instanceof TypeError ? "TypeError" : hMsg(e);
  }
  let throwResult = "no error";
  try {
    for await (const v of badReturn) {
      seen.push(v);
      throw new HCustomError("the loop's own error", 5);
    }
  } catch (e) {
    throwResult = hMsg(e);
  }

  async function* delegatesToNonObject(): AsyncGenerator<number> {
    yield* nonObject;
  }
  let yieldStarResult = "no error";
  try {
    await delegatesToNonObject().next();
  } catch (e) {
    yieldStarResult = e instanceof TypeError ? "TypeError" : hMsg(e);
  }
  return { gets, seen, nonObjectResult, breakResult, throwResult, yieldStarResult };
}

async function* hSelfRequests(env: Env, box: { gen?: AsyncGenerator<string, string>; queued?: Promise<IteratorResult<string, string>>[] }): AsyncGenerator<string, string> {
  // Requests made while the generator runs wait in its queue.
  box.queued = [box.gen!.next(), box.gen!.return("early return")];
  env.log("requests queued");
  try {
    yield "one";
    yield "two";
    return "end";
  } finally {
    env.log("self finally");
  }
}

async function* hSlowSteps(env: Env): AsyncGenerator<string, string> {
  try {
    await env.sleep(2);
    yield "a";
    await env.sleep(2);
    yield "b";
  } catch (e) {
    env.log(`slow caught ${hMsg(e)}`);
    yield "after catch";
  }
  return "slow end";
}

// next/throw/return called while the generator runs or awaits are queued and settle in order
export async function p76_requestQueue(env: Env): Promise<unknown> {
  const box: { gen?: AsyncGenerator<string, string>; queued?: Promise<IteratorResult<string, string>>[] } = {};
  box.gen = hSelfRequests(env, box);
  const self = [await box.gen.next(), await box.queued![0], await box.queued![1], await box.gen.next()];
  const g = hSlowSteps(env);
  const pending = [g.next(), g.next(), g.throw(new HCustomError("queued throw", 4)), g.next(), g.return("queued return"), g.next()];
  const slow: string[] = [];
  for (const p of pending) {
    try {
      const r = await p;
      slow.push(`${r.done}:${String(r.value)}`);
    } catch (e) {
      slow.push(`rejected ${hMsg(e)}`);
    }
  }
  return { self, slow, lines: env.lines };
}
