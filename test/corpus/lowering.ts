// The differential corpus, continued: programs about how each construct is lowered (where a
// method's body lives, what an async arrow takes from around it, names, labels, keys). The rules
// of programs.ts apply: await only env.sleep, this file's async code and plain values.
import type { Env } from "./env.js";

function hMsg(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  return `non-error ${typeof e}: ${JSON.stringify(e)}`;
}

// ---------------------------------------------------------------------------------------------
// A method's body belongs to one evaluation of its class or object literal
// ---------------------------------------------------------------------------------------------

const hMakeGreeter = (tag: string) =>
  class {
    #secret = `#${tag}`;
    async hello(): Promise<string> {
      await 0;
      return `${tag} ${this.#secret}`;
    }
    static async kind(): Promise<string> {
      return `static ${tag}`;
    }
  };

class HBase {
  base(): string {
    return "base";
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const hMixin = <C extends new (...args: any[]) => HBase>(Base: C, tag: string) =>
  class extends Base {
    async mixed(): Promise<string> {
      await 0;
      return `${super.base()}+${tag}`;
    }
  };

// a class made twice by a factory keeps each evaluation's closure, #private names and super
export async function p100_classPerEvaluation(env: Env): Promise<unknown> {
  const A = hMakeGreeter("a");
  const B = hMakeGreeter("b");
  const out: unknown[] = [await new A().hello(), await new B().hello(), await A.kind(), await B.kind()];
  const M1 = hMixin(HBase, "one");
  const M2 = hMixin(HBase, "two");
  out.push(await new M1().mixed(), await new M2().mixed());
  // A's method run on a B: the #private name is A's, so it fails as it does natively.
  try {
    await A.prototype.hello.call(new B());
  } catch (e) {
    out.push(hMsg(e).startsWith("TypeError"));
  }
  const made: { get(): Promise<number> }[] = [];
  for (let i = 0; i < 3; i++) made.push(new (class { async get() { await env.sleep(1); return i; } })());
  for (const m of made) out.push(await m.get());
  return out;
}

class HWithFields {
  // An instance field: a new class per instance, named after the field.
  Inner = class {
    async name(): Promise<string> {
      return "inner";
    }
  };
  static Once = class {
    async name(): Promise<string> {
      return "once";
    }
  };
}

function hClassFromDefault(
  tag: string,
  Made = class {
    async tag(): Promise<string> {
      return tag;
    }
  },
) {
  return Made;
}

// classes in field initialisers, parameter defaults and loop tests: each evaluation its own, names kept
export async function p101_classesInRepeatedPlaces(_env: Env): Promise<unknown> {
  const one = new HWithFields();
  const two = new HWithFields();
  const out: unknown[] = [one.Inner === two.Inner, one.Inner.name, await new one.Inner().name(), HWithFields.Once.name];
  const X = hClassFromDefault("x");
  const Y = hClassFromDefault("y");
  out.push(X.name, await new X().tag(), await new Y().tag());
  const seen: string[] = [];
  let n = 0;
  let C: { new (): { at(): Promise<number> } } | undefined;
  const at = n;
  while ((C = class { async at() { return at + n; } }) && n < 2) {
    seen.push(String(await new C().at()));
    n++;
  }
  out.push(seen);
  return out;
}

class HProto {
  who(): string {
    return "proto";
  }
}

const hObjectWithSuper = (tag: string) => {
  const o = {
    __proto__: HProto.prototype,
    async first(): Promise<string> {
      await 0;
      return `${super.who()} ${tag} first`;
    },
    async second(): Promise<string> {
      return `${super.who()} ${tag} second`;
    },
  };
  return o as unknown as { first(): Promise<string>; second(): Promise<string> };
};

// object literals whose async methods use super, made twice: each keeps its own bodies, and no stray keys
export async function p102_objectLiteralPerEvaluation(_env: Env): Promise<unknown> {
  const a = hObjectWithSuper("a");
  const b = hObjectWithSuper("b");
  return [await a.first(), await b.first(), await a.second(), await b.second(), Object.keys(a)];
}

// ---------------------------------------------------------------------------------------------
// What an async arrow takes from around it: super, this, arguments, new.target
// ---------------------------------------------------------------------------------------------

class HCounterBase {
  #count = 10;
  // An accessor, so that `super.count` reads it (a field would live on the instance only).
  get count(): number {
    return this.#count;
  }
  set count(value: number) {
    this.#count = value;
  }
  static label = "base-static";
  get doubled(): number {
    return this.count * 2;
  }
  describe(suffix: string): string {
    return `count=${this.count}${suffix}`;
  }
}

class HCounter extends HCounterBase {
  log: string[] = [];
  readFromField = async (): Promise<string> => {
    await 0;
    return super.describe("!");
  };
  static fromStatic = async (): Promise<string> => `${super.label}`;
  static fromBlock: () => Promise<string>;
  static {
    this.fromBlock = async () => `${super.label} in block`;
  }
  run(key: "count"): () => Promise<unknown> {
    return async () => {
      const out: unknown[] = [super.doubled];
      await 0;
      super[key] = 1; // sets this.count (super assignment targets this)
      out.push(this.count);
      super.count += 5;
      out.push(this.count);
      const old = super.count++;
      out.push(old, this.count);
      [super.count] = [100];
      out.push(this.count);
      ({ v: super.count } = { v: 200 });
      out.push(this.count);
      out.push(super.describe("?"), super[`describe`](":"));
      const nested = () => super.doubled;
      out.push(nested());
      return out;
    };
  }
}

// super reads, calls, plain and compound assignments, ++ and destructuring into super.x inside async arrows,
// in methods, instance fields, static fields and static blocks
export async function p103_superInAsyncArrows(_env: Env): Promise<unknown> {
  const c = new HCounter();
  return [await c.run("count")(), await c.readFromField(), await HCounter.fromStatic(), await HCounter.fromBlock()];
}

class HEarly extends HCounterBase {
  early: () => Promise<string>;
  failed: Promise<number>;
  constructor() {
    // Created before super(): `this` is read when the arrow runs, by then bound.
    const early = async (): Promise<string> => {
      await 0;
      return `early sees count=${this.count}`;
    };
    // Run before super(): reading `this` fails, and the call gives a failed promise, not a throw.
    const tooEarly = async (): Promise<number> => this.count;
    const failed = tooEarly();
    super();
    this.early = early;
    this.failed = failed;
  }
}

class HTarget {
  seen: Promise<unknown>;
  constructor() {
    this.seen = (async () => new.target === HTarget)();
  }
}

function hArgsInDefault(a: number, b = async () => (arguments as IArguments).length + a) {
  return b;
}

class HDefaultSuper extends HCounterBase {
  viaDefault(get = async () => super.describe(" via default")): Promise<string> {
    return get();
  }
}

// this in an async arrow made before super() is read when it runs; new.target; arguments and super in a parameter default
export async function p104_thisNewTargetArgumentsInAsyncArrows(_env: Env): Promise<unknown> {
  const e = new HEarly();
  const out: unknown[] = [];
  try {
    await e.failed;
  } catch (error) {
    out.push(error instanceof ReferenceError);
  }
  out.push(await e.early(), await new HTarget().seen);
  out.push(await hArgsInDefault(5)(), await hArgsInDefault(5, undefined)());
  out.push(await new HDefaultSuper().viaDefault());
  return out;
}

// ---------------------------------------------------------------------------------------------
// await in a computed key of a method defined in an async body; labels on for await
// ---------------------------------------------------------------------------------------------

async function hKey(env: Env, key: string): Promise<string> {
  await env.sleep(1);
  env.log(`key ${key}`);
  return key;
}

// awaits in the computed keys of a method, getter, setter, class method and static method inside an async function
export async function p105_awaitInComputedKeys(env: Env): Promise<unknown> {
  const o = {
    [await hKey(env, "m")]() {
      return "method";
    },
    get [await hKey(env, "g")]() {
      return "getter";
    },
    set [await hKey(env, "s")](_v: unknown) {
      env.log("setter ran");
    },
  } as Record<string, unknown> & { m(): string };
  o["s"] = 1;
  class K {
    [await hKey(env, "cm")]() {
      return "class method";
    }
    static [await hKey(env, "sm")]() {
      return "static method";
    }
  }
  const k = new K() as unknown as Record<string, () => string>;
  return [o.m(), o["g"], k["cm"]!(), (K as unknown as Record<string, () => string>)["sm"]!(), env.lines];
}

async function* hTicks(env: Env, n: number): AsyncGenerator<number> {
  for (let i = 0; i < n; i++) {
    await env.sleep(1);
    yield i;
  }
}

// `a: b: for await (...)` with continue and break naming either label
export async function p106_labelsOnForAwait(env: Env): Promise<unknown> {
  const seen: string[] = [];
  outer: for (const round of [1, 2]) {
    a: b: for await (const i of hTicks(env, 4)) {
      if (i === 1) continue a;
      if (i === 2) continue b;
      if (round === 2 && i === 3) break outer;
      seen.push(`${round}:${i}`);
    }
  }
  c: d: for await (const i of hTicks(env, 5)) {
    if (i === 2) break c;
    seen.push(`c:${i}`);
    continue d;
  }
  return seen;
}

// ---------------------------------------------------------------------------------------------
// A compiled async function is not a constructor
// ---------------------------------------------------------------------------------------------

async function hNotConstructible(): Promise<number> {
  return 1;
}

// new on an async function, function expression, arrow or method throws a TypeError, as natively
async function* hNotConstructibleGenerator(): AsyncGenerator<never> {}

export async function p107_asyncFunctionsAreNotConstructors(_env: Env): Promise<unknown> {
  const expression = async function named() {};
  const arrow = async () => {};
  const object = { async method() {}, async *generatorMethod() {} };
  const generatorExpression = async function* () {};
  const out: unknown[] = [];
  for (const f of [hNotConstructible, expression, arrow, object.method, hNotConstructibleGenerator, generatorExpression, object.generatorMethod]) {
    try {
      new (f as unknown as new () => object)();
      out.push("constructed");
    } catch (e) {
      out.push(e instanceof TypeError);
    }
  }
  return out;
}
