// The differential corpus, for LoopPromise: programs that build promises by hand (the Promise
// constructor, its statics, then/catch/finally) and whose outcome depends on how many microtask
// ticks each step takes. Every exported `qNN_*` program runs natively, with `P` the engine's
// Promise, and compiled onto handloop, with `P` LoopPromise (as compiled code will see the global
// Promise), and the logs must be identical: promise jobs and tasks interleave on the loop exactly
// as they do through the microtask queue (see promise-ticks.test.ts).
//
// Rules: no sleeps, timers or native-only statics (Node 20 has no Promise.withResolvers or try);
// no rejection left unhandled (natively it would be reported); only `P`, async functions of this
// file, plain values and hand-made thenables.
import type { Env } from "./env.js";

/** A chain that logs `name n` once per tick, `ticks` times: the clock the others are read by. */
async function ticker(env: Env, name: string, ticks: number): Promise<void> {
  for (let i = 1; i <= ticks; i++) {
    await undefined;
    env.log(`${name} ${i}`);
  }
}

/** A thenable that calls back at once, with `value`, and logs that its then() ran. */
function thenable(env: Env, name: string, value: unknown): PromiseLike<unknown> {
  return {
    then(resolve: (v: unknown) => void) {
      env.log(`${name}.then called`);
      resolve(value);
      return undefined as never;
    },
  } as PromiseLike<unknown>;
}

// an await of a fulfilled promise takes one tick; of one fulfilled later, one tick after that
export async function q01_awaitSettledAndPending(env: Env, P: PromiseConstructor): Promise<unknown> {
  const ticks = ticker(env, "tick", 6);
  env.log(`got ${await P.resolve("settled")}`);
  let resolveLater!: (v: string) => void;
  const later = new P<string>((resolve) => (resolveLater = resolve));
  void (async () => {
    await undefined;
    await undefined;
    env.log("resolving");
    resolveLater("later");
  })();
  env.log(`got ${await later}`);
  await ticks;
  return env.lines;
}

// then() chains interleave with async functions one job per step
export async function q02_thenChains(env: Env, P: PromiseConstructor): Promise<unknown> {
  const ticks = ticker(env, "tick", 6);
  const p = P.resolve(1)
    .then((v) => {
      env.log(`then 1 got ${v}`);
      return v + 1;
    })
    .then((v) => {
      env.log(`then 2 got ${v}`);
      return v + 1;
    });
  p.then((v) => env.log(`branch got ${v}`));
  env.log(`awaited ${await p}`);
  await ticks;
  return env.lines;
}

// reactions of one promise run in the order they subscribed, awaits among them
export async function q03_reactionOrder(env: Env, P: PromiseConstructor): Promise<unknown> {
  let resolve!: (v: string) => void;
  const p = new P<string>((r) => (resolve = r));
  p.then(() => env.log("then A"));
  const waiter = (async () => {
    env.log(`await B got ${await p}`);
  })();
  p.then(() => env.log("then C"));
  const settled = P.resolve("s");
  const early = (async () => {
    await settled;
    env.log("await D (settled)");
  })();
  settled.then(() => env.log("then E (settled)"));
  resolve("v");
  env.log("resolved");
  await waiter;
  await early;
  return env.lines;
}

// resolving with a promise or a thenable adopts it: NewPromiseResolveThenableJob, then its then
export async function q04_adoption(env: Env, P: PromiseConstructor): Promise<unknown> {
  const ticks = ticker(env, "tick", 8);
  const viaPromise = new P((resolve) => resolve(P.resolve("inner")));
  const viaThenable = new P((resolve) => resolve(thenable(env, "t", "thenable")));
  viaPromise.then((v) => env.log(`viaPromise ${String(v)}`));
  viaThenable.then((v) => env.log(`viaThenable ${String(v)}`));
  const derived = P.resolve(0).then(() => P.resolve("from then"));
  env.log(`derived ${String(await derived)}`);
  await ticks;
  return env.lines;
}

// an async function returning a promise adopts it (three ticks in all, as natively)
export async function q05_returnPromise(env: Env, P: PromiseConstructor): Promise<unknown> {
  async function f() {
    env.log("f returns");
    return P.resolve("returned");
  }
  const ticks = ticker(env, "tick", 6);
  env.log(`got ${await f()}`);
  await ticks;
  return env.lines;
}

// Promise.all, allSettled, race and any: ticks of values, promises and async functions' results
export async function q06_combinators(env: Env, P: PromiseConstructor): Promise<unknown> {
  async function slow(v: string, n: number) {
    for (let i = 0; i < n; i++) await undefined;
    return v;
  }
  async function fail(m: string, n: number): Promise<never> {
    for (let i = 0; i < n; i++) await undefined;
    throw new Error(m);
  }
  const ticks = ticker(env, "tick", 12);
  const all = P.all([1, P.resolve(2), slow("three", 2), thenable(env, "all", 4)]).then((vs) => env.log(`all ${vs.join(",")}`));
  const settled = P.allSettled([slow("a", 1), fail("b", 2), 3]).then((rs) =>
    env.log(`allSettled ${rs.map((r) => (r.status === "fulfilled" ? r.value : (r.reason as Error).message)).join(",")}`),
  );
  const race = P.race([slow("slow", 3), slow("fast", 1)]).then((v) => env.log(`race ${v}`));
  const any = P.any([fail("x", 1), slow("y", 2)]).then((v) => env.log(`any ${v}`));
  const none = P.any([fail("p", 1), P.reject(new Error("q"))]).catch((e: AggregateError) =>
    env.log(`any rejected ${e.constructor.name}: ${e.message} [${e.errors.map((x: Error) => x.message).join(",")}]`),
  );
  await all;
  await settled;
  await race;
  await any;
  await none;
  await ticks;
  return env.lines;
}

// finally passes the outcome on, after awaiting what the callback returns
export async function q07_finally(env: Env, P: PromiseConstructor): Promise<unknown> {
  const ticks = ticker(env, "tick", 10);
  const a = P.resolve("kept").finally(() => env.log("finally a"));
  const b = P.reject(new Error("passed on")).finally(() => {
    env.log("finally b");
    return P.resolve("ignored");
  });
  const c = P.resolve("lost").finally(() => {
    throw new Error("from finally");
  });
  env.log(`a ${await a}`);
  try {
    await b;
  } catch (e) {
    env.log(`b ${(e as Error).message}`);
  }
  try {
    await c;
  } catch (e) {
    env.log(`c ${(e as Error).message}`);
  }
  await ticks;
  return env.lines;
}

// a rejection caught by await, by catch, and by a second then argument
export async function q08_rejections(env: Env, P: PromiseConstructor): Promise<unknown> {
  const ticks = ticker(env, "tick", 6);
  const rejected = P.reject(new RangeError("no"));
  rejected.then(undefined, (e: Error) => env.log(`then caught ${e.name}`));
  rejected.catch((e: Error) => env.log(`catch caught ${e.message}`));
  try {
    await rejected;
  } catch (e) {
    env.log(`await caught ${(e as Error).name}`);
  }
  const thrown = new P((_, reject) => {
    env.log("executor runs at once");
    reject(new Error("first"));
    throw new Error("ignored: already rejected");
  });
  try {
    await thrown;
  } catch (e) {
    env.log(`executor ${(e as Error).message}`);
  }
  await ticks;
  return env.lines;
}

// a subclass instance is not given back by PromiseResolve: await adopts it as a thenable
export async function q09_subclass(env: Env, P: PromiseConstructor): Promise<unknown> {
  class Logged<T> extends P<T> {}
  const ticks = ticker(env, "tick", 6);
  const sub = new Logged<string>((resolve) => resolve("sub"));
  env.log(`subclass then gives ${sub.then(() => 0) instanceof Logged}`);
  env.log(`got ${await sub}`);
  env.log(`resolve of it is itself: ${Logged.resolve(sub) === sub}, of P: ${P.resolve(sub) === sub}`);
  await ticks;
  return env.lines;
}

// an async function's result is a Promise: instanceof, and Promise.resolve gives it back
export async function q10_asyncResultIsAPromise(env: Env, P: PromiseConstructor): Promise<unknown> {
  async function f() {
    await undefined;
    env.log("f done");
    return "f";
  }
  const r = f();
  env.log(`instanceof ${r instanceof P}, resolve gives it back ${P.resolve(r) === r}`);
  const ticks = ticker(env, "tick", 5);
  P.resolve(r).then((v) => env.log(`then ${v}`));
  P.all([r]).then((v) => env.log(`all ${v.join(",")}`));
  P.race([r]).then((v) => env.log(`race ${v}`));
  await r;
  env.log("awaited");
  await ticks;
  return env.lines;
}

// a promise resolved with itself rejects with a TypeError; a then() reaction returning its own
// derived promise does too
export async function q11_selfResolution(env: Env, P: PromiseConstructor): Promise<unknown> {
  let resolveSelf!: (v: unknown) => void;
  const self = new P((resolve) => (resolveSelf = resolve));
  resolveSelf(self);
  try {
    await self;
  } catch (e) {
    env.log(`self ${e instanceof TypeError}`);
  }
  const derived: Promise<unknown> = P.resolve(1).then(() => derived);
  try {
    await derived;
  } catch (e) {
    env.log(`derived ${e instanceof TypeError}`);
  }
  return env.lines;
}

// many awaiters of one pending promise resume in the order they awaited, each a job
export async function q12_manyAwaiters(env: Env, P: PromiseConstructor): Promise<unknown> {
  let resolve!: () => void;
  const gate = new P<void>((r) => (resolve = r));
  const waiters = [1, 2, 3].map(async (n) => {
    await gate;
    env.log(`waiter ${n} woke`);
    await undefined;
    env.log(`waiter ${n} again`);
  });
  gate.then(() => env.log("then woke"));
  const ticks = ticker(env, "tick", 4);
  resolve();
  for (const w of waiters) await w;
  await ticks;
  return env.lines;
}
