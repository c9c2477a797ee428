// LoopPromise against the engine's Promise, tick for tick: every program of corpus/promise-ticks.ts
// runs natively (P = Promise, real microtasks) and compiled onto handloop (P = LoopPromise, a
// virtual clock, microtasks switched off), and must give the same log, or throw the same error.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { compile } from "../src/compile/index.js";
import { asleep, LoopPromise, run, VirtualClock } from "../src/index.js";
import type { Env } from "./corpus/env.js";
import * as nativePrograms from "./corpus/promise-ticks.js";
import { withoutMicrotasks } from "./helpers.js";

type Program = (env: Env, P: PromiseConstructor) => PromiseLike<unknown>;
type Outcome = { value: unknown } | { error: string };

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

function envWith(sleep: (ms: number) => PromiseLike<void>): Env {
  const lines: string[] = [];
  return { sleep, lines, log: (line) => lines.push(line) };
}

const describeError = (error: unknown): Outcome => ({
  error: error instanceof Error ? `${error.constructor.name}: ${error.message}` : JSON.stringify(error),
});

async function runNatively(program: Program): Promise<Outcome> {
  try {
    return { value: await program(envWith(() => Promise.resolve()), Promise) };
  } catch (error) {
    return describeError(error);
  }
}

function runCompiled(program: Program): Outcome {
  const env = envWith((ms) => asleep(ms / 1000));
  try {
    const P = LoopPromise as unknown as PromiseConstructor;
    return { value: withoutMicrotasks(() => run(() => program(env, P) as never, { clock: new VirtualClock() })) };
  } catch (error) {
    return describeError(error);
  }
}

const source = here("./corpus/promise-ticks.ts");
const out = here("./.generated/corpus/");
mkdirSync(out, { recursive: true });
const { code } = compile(readFileSync(source, "utf8"), { filename: source, runtime: here("../src/runtime.ts") });
writeFileSync(`${out}promise-ticks.js`, code);
const compiled = (await import(/* @vite-ignore */ `${out}promise-ticks.js`)) as Record<string, Program>;
const names = Object.keys(nativePrograms).filter((name) => /^q\d+_/.test(name));

describe("LoopPromise, tick for tick against the engine's Promise", () => {
  it("has its programs, all compiled", () => {
    expect(names.length).toBeGreaterThanOrEqual(10);
    expect(Object.keys(compiled).filter((name) => names.includes(name))).toEqual(names);
  });

  it.each(names)("%s gives the same log natively and on the loop", async (name) => {
    const native = await runNatively((nativePrograms as unknown as Record<string, Program>)[name]!);
    expect("value" in native, JSON.stringify(native)).toBe(true);
    expect(runCompiled(compiled[name]!)).toEqual(native);
  });
});
