// The differential corpus, part two: programs whose outcome depends on how many microtask ticks
// each await, return and thenable takes. Every exported `tNN_*` program runs natively and compiled
// (see corpus.test.ts), and the logs must be identical: compiled code interleaves with other
// tasks exactly as native code interleaves through the microtask queue.
//
// Rules: no sleeps, no Promise API, no `.then(` on promises; only async functions of this file,
// plain values, and hand-made thenables (plain objects with a `then` method).
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

// `while (!flag) await finished` must let the task that sets the flag run: an await of a settled
// async function result takes a tick
export async function t01_awaitSettledTaskYields(env: Env): Promise<unknown> {
  let flag = false;
  const setter = (async () => {
    await undefined;
    flag = true;
    env.log("flag set");
  })();
  const finished = (async () => 1)();
  let spins = 0;
  while (!flag) {
    await finished;
    spins++;
    env.log(`spin ${spins}`);
    if (spins > 100) return "never yielded";
  }
  await setter;
  return { spins, lines: env.lines };
}

// awaiting a thenable: its then() runs a tick later, after the code that follows the call; the
// await resumes a tick after then() calls back
export async function t02_thenableThenCalledOnALaterTick(env: Env): Promise<unknown> {
  async function a() {
    env.log("a start");
    const v = await thenable(env, "t", "v");
    env.log(`a got ${String(v)}`);
  }
  const pa = a();
  env.log("after a()");
  const pb = ticker(env, "tick", 4);
  await pa;
  await pb;
  return env.lines;
}

// a thenable resolving with another thenable is adopted again: one more tick per level
export async function t03_thenableAdoptedRecursively(env: Env): Promise<unknown> {
  const inner = thenable(env, "inner", "deep");
  const outer = thenable(env, "outer", inner);
  const ticks = ticker(env, "tick", 5);
  const v = await outer;
  env.log(`got ${String(v)}`);
  await ticks;
  return env.lines;
}

// a `then` getter that throws rejects the await on the next tick, catchable, and is read once
export async function t04_thenGetterThrows(env: Env): Promise<unknown> {
  let reads = 0;
  const hostile = {
    get then(): never {
      reads++;
      throw new RangeError("no then for you");
    },
  };
  const ticks = ticker(env, "tick", 2);
  try {
    await hostile;
    env.log("not reached");
  } catch (e) {
    env.log(`caught ${(e as Error).name}: ${(e as Error).message}`);
  }
  await ticks;
  return { reads, lines: env.lines };
}

// a thenable that calls back twice, and throws after calling back: only the first call counts
export async function t05_thenableCallsBackTwice(env: Env): Promise<unknown> {
  const unruly = {
    then(resolve: (v: unknown) => void, reject: (e: unknown) => void) {
      resolve("first");
      reject(new Error("second"));
      resolve("third");
      throw new Error("after");
    },
  };
  return { v: await unruly, lines: env.lines };
}

// returning a thenable from an async function adopts it: then() on a later tick, the caller a
// tick after it calls back
export async function t06_returnThenableAdopted(env: Env): Promise<unknown> {
  async function r() {
    env.log("r returns");
    return thenable(env, "ret", 42);
  }
  const ticks = ticker(env, "tick", 5);
  const v = await r();
  env.log(`got ${String(v)}`);
  await ticks;
  return env.lines;
}

// returning another async function's result takes the ticks native code takes to adopt a promise
export async function t07_returnTaskAdopted(env: Env): Promise<unknown> {
  async function inner() {
    env.log("inner");
    return "in";
  }
  async function outer() {
    return inner();
  }
  const ticks = ticker(env, "tick", 6);
  const v = await outer();
  env.log(`got ${v}`);
  await ticks;
  return env.lines;
}

// an async function returning its own promise never settles natively: it is a TypeError
export async function t08_returnOwnPromise(env: Env): Promise<unknown> {
  let self: Promise<unknown> | undefined;
  async function f(): Promise<unknown> {
    await undefined;
    return self;
  }
  self = f();
  try {
    await self;
    return "settled";
  } catch (e) {
    return { isTypeError: e instanceof TypeError, lines: env.lines };
  }
}

// a then() callback that returns a thenable: the derived promise adopts it, with the native ticks
export async function t09_thenCallbackReturnsThenable(env: Env): Promise<unknown> {
  async function one() {
    return 1;
  }
  const ticks = ticker(env, "tick", 6);
  const derived = one().then((v) => {
    env.log(`callback ${v}`);
    return thenable(env, "cb", v + 1);
  });
  env.log(`got ${String(await derived)}`);
  await ticks;
  return env.lines;
}

// an async function returning an object whose `then` getter throws rejects with that error; the
// getter is read once
export async function t10_returnThenGetterThrows(env: Env): Promise<unknown> {
  let reads = 0;
  async function r() {
    return {
      get then(): never {
        reads++;
        throw new RangeError("hostile then");
      },
    };
  }
  try {
    await r();
    return "fulfilled";
  } catch (e) {
    return { caught: `${(e as Error).name}: ${(e as Error).message}`, reads, lines: env.lines };
  }
}

// ---------------------------------------------------------------------------------------------
// Async generators and for await: each step of 27.6 / 27.1.6 takes the jobs the spec takes
// ---------------------------------------------------------------------------------------------

/** Awaits a request of an async generator and logs how it settled: an observer set up at once. */
async function watch(env: Env, label: string, request: Promise<IteratorResult<unknown>>): Promise<void> {
  try {
    const r = await request;
    env.log(`${label}: ${String(r.value)} ${String(r.done)}`);
  } catch (e) {
    env.log(`${label} rejected: ${(e as Error).message}`);
  }
}

// requests queue while the generator runs, and settle in order, each when the spec settles it
export async function t21_requestQueueOrder(env: Env): Promise<unknown> {
  async function* g(): AsyncGenerator<number, void | string | number> {
    env.log("start");
    yield 1;
    env.log("after 1");
    yield 2;
    env.log("after 2");
  }
  const it = g();
  const ticks = ticker(env, "tick", 6);
  const watched = [
    watch(env, "next 1", it.next()),
    watch(env, "next 2", it.next()),
    watch(env, "return", it.return("r")),
    watch(env, "next 3", it.next()),
    watch(env, "throw", it.throw(new Error("late"))),
  ];
  env.log("all requested");
  for (const w of watched) await w;
  await ticks;
  return env.lines;
}

// requests made by the body itself, while it runs, wait their turn
export async function t22_requestsFromTheBody(env: Env): Promise<unknown> {
  const box: { it?: AsyncGenerator<number, void | string | number>; watched?: Promise<void>[] } = {};
  async function* g(): AsyncGenerator<number, void | string | number> {
    box.watched = [watch(env, "inner next", box.it!.next()), watch(env, "inner return", box.it!.return(42))];
    env.log("body went on");
    yield 1;
    env.log("not reached");
  }
  box.it = g();
  const ticks = ticker(env, "tick", 5);
  await watch(env, "outer next", box.it.next());
  for (const w of box.watched!) await w;
  await ticks;
  return env.lines;
}

// return() on a generator that has not started takes one job (AsyncGeneratorAwaitReturn) and
// never runs the body; throw() rejects at once
export async function t23_requestsBeforeTheStart(env: Env): Promise<unknown> {
  async function* g(): AsyncGenerator<number, void | string | number> {
    env.log("never runs");
    yield 0;
  }
  const ticks = ticker(env, "tick", 3);
  const a = watch(env, "return", g().return("early"));
  const b = watch(env, "throw", g().throw(new Error("early")));
  const c = watch(env, "return thenable", g().return(thenable(env, "r", "adopted") as PromiseLike<string>));
  await a;
  await b;
  await c;
  await ticks;
  return env.lines;
}

// `return v` awaits v, even undefined; an implicit or bare return does not
export async function t24_explicitReturnIsAwaited(env: Env): Promise<unknown> {
  async function* implicit() {}
  async function* bare() {
    return;
  }
  async function* explicit() {
    return undefined;
  }
  const ticks = ticker(env, "tick", 3);
  const watched = [watch(env, "implicit", implicit().next()), watch(env, "bare", bare().next()), watch(env, "explicit", explicit().next())];
  for (const w of watched) await w;
  await ticks;
  return env.lines;
}

// yield* to another async generator, consumed by for await
export async function t25_yieldStarTicks(env: Env): Promise<unknown> {
  async function* inner() {
    yield "a";
    yield "b";
    return "inner done";
  }
  async function* outer() {
    env.log(`yield* gave ${yield* inner()}`);
  }
  const ticks = ticker(env, "tick", 12);
  for await (const v of outer()) env.log(`got ${v}`);
  await ticks;
  return env.lines;
}

// for await over a sync iterable: each value goes through the AsyncFromSyncIterator's Await;
// break closes it, awaiting what its return() gives
export async function t26_forAwaitSyncIterableTicks(env: Env): Promise<unknown> {
  const ticks = ticker(env, "tick", 10);
  for await (const v of ["x", "y", "z"]) env.log(`got ${v}`);
  env.log("loop done");
  function* closing() {
    try {
      yield "p";
      yield "q";
    } finally {
      env.log("sync finally");
    }
  }
  for await (const v of closing()) {
    env.log(`got ${v}`);
    break;
  }
  env.log("after break");
  await ticks;
  return env.lines;
}

// return(v) at a yield awaits v there (thenables too) before the finally runs
export async function t27_returnAtAYieldTicks(env: Env): Promise<unknown> {
  async function* g(): AsyncGenerator<number, void | string | number> {
    try {
      yield 1;
      yield 2;
    } finally {
      env.log("finally");
    }
  }
  const it = g();
  const ticks = ticker(env, "tick", 8);
  const a = watch(env, "next", it.next());
  const b = watch(env, "return", it.return(thenable(env, "ret", "stop") as PromiseLike<string>));
  await a;
  await b;
  await ticks;
  return env.lines;
}

// `yield thenable` adopts it before the yield completes the request
export async function t28_yieldThenableTicks(env: Env): Promise<unknown> {
  async function* g() {
    yield thenable(env, "y", "adopted");
    env.log("resumed");
  }
  const it = g();
  const ticks = ticker(env, "tick", 6);
  await watch(env, "next", it.next());
  await watch(env, "next 2", it.next());
  await ticks;
  return env.lines;
}

// return() through yield* to an iterator without return(): the value is awaited at the yield,
// then again by yield* (15.5.5 7.c.iii); the `then` getter shows each Await
export async function t29_yieldStarReturnWithoutReturnMethod(env: Env): Promise<unknown> {
  const inner = {
    [Symbol.asyncIterator]() {
      return this;
    },
    next() {
      return { value: "inner", done: false };
    },
    get return() {
      env.log("get return");
      return undefined;
    },
  } as unknown as AsyncIterable<string>;
  async function* g(): AsyncGenerator<string, void | string> {
    env.log("start");
    yield* inner;
    env.log("not reached");
  }
  const it = g();
  const ticks = ticker(env, "tick", 5);
  const a = watch(env, "next", it.next());
  const value = {
    get then() {
      env.log("get then");
      return undefined;
    },
  };
  const b = watch(env, "return", it.return(value as unknown as string));
  await a;
  await b;
  await ticks;
  return env.lines;
}

// the resolving functions a thenable's then() is given are anonymous, of length 1, and not
// constructors, as the language's are
export async function t30_resolvingFunctionsAreAnonymous(env: Env): Promise<unknown> {
  let seen: unknown[] = [];
  await {
    then(resolve: (v: unknown) => void, reject: (e: unknown) => void) {
      seen = [resolve.name, resolve.length, reject.name, reject.length, "prototype" in resolve];
      resolve(undefined);
    },
  };
  return { seen, lines: env.lines };
}

// a `for await` over an async generator that never awaits still lets other tasks run between its
// iterations, as natively (each step is several jobs)
export async function t31_forAwaitYieldsToOthers(env: Env): Promise<unknown> {
  async function* counter(): AsyncGenerator<number> {
    for (let i = 1; i <= 3; i++) yield i;
  }
  const ticks = ticker(env, "tick", 12);
  for await (const n of counter()) env.log(`item ${n}`);
  await ticks;
  return env.lines;
}

async function failsAfter(env: Env, name: string, ticks: number): Promise<never> {
  for (let i = 0; i < ticks; i++) await undefined;
  env.log(`${name} fails`);
  throw new Error(name);
}

// Two calls that fail on the same tick, awaited one after the other, several ticks apart: neither
// is an unhandled rejection, natively (Node looks once the microtask queue drains) nor compiled
// (the loop looks once its ready queue drains); either one reported would fail the program.
export async function t32_failuresAwaitedInTurnAreNotUnhandled(env: Env): Promise<string[]> {
  const a = failsAfter(env, "a", 2);
  const b = failsAfter(env, "b", 2);
  const ticking = ticker(env, "tick", 8);
  try {
    await a;
  } catch (e) {
    env.log(`caught ${(e as Error).message}`);
  }
  for (let i = 0; i < 4; i++) await undefined;
  try {
    await b;
  } catch (e) {
    env.log(`caught ${(e as Error).message}`);
  }
  await ticking;
  return env.lines;
}
