// The differential corpus: every program in test/corpus/programs.ts runs natively (real Promises)
// and compiled onto handloop (virtual time, microtasks switched off), and must give the same
// result or throw the same error.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseSync, traverse } from "@babel/core";
import { describe, expect, it } from "vitest";
import { compile } from "../src/compile/index.js";
import { asleep, run, VirtualClock } from "../src/index.js";
import type { Env } from "./corpus/env.js";
import * as loweringPrograms from "./corpus/lowering.js";
import * as nativePrograms from "./corpus/programs.js";
import * as nativeTicks from "./corpus/ticks.js";
import { withoutMicrotasks } from "./helpers.js";

type Program = (env: Env) => PromiseLike<unknown>;
type Outcome = { value: unknown } | { error: { name: string; message: string } | string };

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

function envWith(sleep: (ms: number) => PromiseLike<void>): Env {
  const lines: string[] = [];
  return { sleep, lines, log: (line) => lines.push(line) };
}

function outcomeOfError(error: unknown): Outcome {
  return {
    error: error instanceof Error ? { name: error.constructor.name, message: error.message } : JSON.stringify(error),
  };
}

async function runNatively(program: Program): Promise<Outcome> {
  const env = envWith((ms) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  try {
    return { value: JSON.parse(JSON.stringify(await program(env)) ?? "null") };
  } catch (error) {
    return outcomeOfError(error);
  }
}

function runCompiled(program: Program): Outcome {
  const env = envWith((ms) => asleep(ms / 1000));
  try {
    const value = withoutMicrotasks(() => run(() => program(env) as never, { clock: new VirtualClock() }));
    return { value: JSON.parse(JSON.stringify(value) ?? "null") };
  } catch (error) {
    return outcomeOfError(error);
  }
}

const out = here("./.generated/corpus/");
mkdirSync(out, { recursive: true });

/** Compiles a corpus file onto handloop and imports both forms: its programs by name. */
async function loadCorpus(name: string, native: Record<string, unknown>, prefix = /^p\d+_/) {
  const source = here(`./corpus/${name}.ts`);
  const { code } = compile(readFileSync(source, "utf8"), { filename: source, runtime: here("../src/runtime.ts") });
  writeFileSync(`${out}${name}.js`, code);
  const compiled = (await import(/* @vite-ignore */ `${out}${name}.js`)) as Record<string, Program>;
  const names = Object.keys(native).filter((key) => prefix.test(key));
  return { name, code, native: native as Record<string, Program>, compiled, names };
}

// ticks.ts pins interleavings tick for tick: the same outcome means the same order of events.
const corpora = [
  await loadCorpus("programs", nativePrograms),
  await loadCorpus("lowering", loweringPrograms),
  await loadCorpus("ticks", nativeTicks, /^t\d+_/),
];
const cases = corpora.flatMap((c) => c.names.map((name) => [`${c.name}: ${name}`, c.native[name]!, c.compiled[name]!] as const));

describe("the differential corpus", () => {
  it.each(corpora)("$name.ts has its programs all compiled, with no async syntax left", ({ code, names, compiled }) => {
    expect(names.length).toBeGreaterThanOrEqual(5);
    expect(Object.keys(compiled).filter((name) => names.includes(name))).toEqual(names);
    const left: string[] = [];
    traverse(parseSync(code, { sourceType: "module", configFile: false, babelrc: false })!, {
      Function(path) {
        if (path.node.async) left.push(`async function at line ${path.node.loc?.start.line}`);
      },
      AwaitExpression(path) {
        left.push(`await at line ${path.node.loc?.start.line}`);
      },
      ForOfStatement(path) {
        if (path.node.await) left.push(`for await at line ${path.node.loc?.start.line}`);
      },
    });
    expect(left).toEqual([]);
  });

  it("has at least 40 programs", () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
  });

  it.each(cases)("%s gives the same outcome natively and compiled", async (_name, native, compiled) => {
    expect(runCompiled(compiled)).toEqual(await runNatively(native));
  });
});

