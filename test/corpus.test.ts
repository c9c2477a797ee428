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
async function compiledModule(file: string): Promise<{ code: string; programs: Record<string, Program> }> {
  const source = here(`./corpus/${file}.ts`);
  const { code } = compile(readFileSync(source, "utf8"), { filename: source, runtime: here("../src/index.ts") });
  writeFileSync(`${out}${file}.js`, code);
  return { code, programs: (await import(/* @vite-ignore */ `${out}${file}.js`)) as Record<string, Program> };
}
const { code, programs: compiledPrograms } = await compiledModule("programs");
const names = Object.keys(nativePrograms).filter((name) => /^p\d+_/.test(name));

describe("the differential corpus", () => {
  it("has at least 40 programs, all compiled", () => {
    expect(names.length).toBeGreaterThanOrEqual(40);
    expect(Object.keys(compiledPrograms).filter((name) => /^p\d+_/.test(name))).toEqual(names);
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

  it.each(names)("%s gives the same outcome natively and compiled", async (name) => {
    const native = await runNatively((nativePrograms as unknown as Record<string, Program>)[name]!);
    const compiled = runCompiled(compiledPrograms[name]!);
    expect(compiled).toEqual(native);
  });
});

describe("the differential corpus, tick for tick", () => {
  const ticks = Object.keys(nativeTicks).filter((name) => /^t\d+_/.test(name));
  it.each(ticks)("%s interleaves compiled exactly as it does natively", async (name) => {
    const { programs } = await compiledModule("ticks");
    const native = await runNatively((nativeTicks as unknown as Record<string, Program>)[name]!);
    const compiled = runCompiled(programs[name]!);
    expect(compiled).toEqual(native);
  });
});
