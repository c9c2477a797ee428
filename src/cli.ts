#!/usr/bin/env node
/**
 * cli.ts: the `handloop` command. One subcommand so far:
 *
 *   handloop trace <file> [--out trace.json] [--svg t.svg] [--timeline] [--jsonl rec.jsonl]
 *                         [--real] [--width N] [-- program arguments]
 *
 * It runs the program in a child Node process with three things loaded first: tsx (for a
 * TypeScript file), handloop/register (so "use handloop" files are compiled) and trace-preload.ts,
 * which records every loop the program makes, on a virtual clock unless --real, and writes the
 * pictures when the program exits. This process only reads the command line, checks it (every
 * error says what to do, with the usage, exit status 2) and passes the child's exit status on.
 */

import { spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import type { TraceSettings } from "./trace-preload.js";

const USAGE = `handloop trace <file> [options] [-- program arguments]

Runs <file> (TypeScript or JavaScript) on handloop with a recorder on every loop it makes, on a
virtual clock unless --real, and writes what the options ask (the timeline when none does).

  --out <trace.json>  a Chrome trace: open it in ui.perfetto.dev or chrome://tracing
  --svg <t.svg>       the timeline as an SVG picture (a browser opens it)
  --timeline          print the timeline in the terminal, after the program's output
  --jsonl <rec.jsonl> the recording itself, as JSON Lines (schema handloop-trace)
  --real              keep the program's real clock (the Chrome trace is then in real time)
  --width <N>         columns of the terminal timeline's time axis (default 60)
  --help              this text`;

function fail(problem: string): never {
  process.stderr.write(`${problem}\n\nUsage: ${USAGE}\n`);
  process.exit(2);
}

/** Where tsx is, as a URL for --import: beside the program first, then beside handloop. */
function findTsx(program: string): string | undefined {
  for (const from of [program, fileURLToPath(import.meta.url)]) {
    try {
      return pathToFileURL(createRequire(from).resolve("tsx")).href;
    } catch {
      // not there: try the next place
    }
  }
  return undefined;
}

function trace(args: string[]): number {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: {
        out: { type: "string" },
        svg: { type: "string" },
        jsonl: { type: "string" },
        timeline: { type: "boolean" },
        real: { type: "boolean" },
        width: { type: "string" },
        help: { type: "boolean" },
      },
    });
  } catch (error) {
    const { code, message } = error as { code?: string; message: string };
    const unknown = code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" ? /'([^']*)'/.exec(message)?.[1] : undefined;
    fail(
      unknown !== undefined
        ? `Unknown option ${unknown}. Options for the program itself go after \`--\`: handloop trace app.ts -- ${unknown}`
        : message.replace(/(?<!\.)$/, "."),
    );
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(`Usage: ${USAGE}\n`);
    return 0;
  }
  const [file, ...programArgs] = positionals;
  if (file === undefined) fail("No program to trace: name its file, as in `npx handloop trace app.ts --timeline`.");
  const program = resolve(file);
  if (!existsSync(program) || !statSync(program).isFile()) fail(`Cannot find the program ${JSON.stringify(file)} (looked for ${program}).`);
  let width = 60;
  if (values.width !== undefined) {
    width = Number(values.width);
    if (!Number.isInteger(width) || width < 10) fail(`Expected --width to be a whole number >= 10, got ${JSON.stringify(values.width)}.`);
  }
  // The files are written when the program exits: a path that cannot be written must be refused
  // now, not found out after the whole run (as a stack trace, with the other pictures lost).
  for (const [option, example] of [["out", "trace.json"], ["svg", "timeline.svg"], ["jsonl", "recording.jsonl"]] as const) {
    const given = values[option];
    if (given === undefined) continue;
    const path = resolve(given);
    if (existsSync(path) && statSync(path).isDirectory()) {
      fail(`Cannot write --${option} to ${JSON.stringify(path)}: it is a directory. Name a file, as in --${option} ${JSON.stringify(join(path, example))}.`);
    }
    const dir = dirname(path);
    if (!existsSync(dir) || !statSync(dir).isDirectory()) {
      fail(`Cannot write --${option} to ${JSON.stringify(path)}: the directory ${JSON.stringify(dir)} does not exist. Create it first, or name a file in an existing directory.`);
    }
  }
  const settings: TraceSettings = {
    ...(values.out !== undefined && { out: resolve(values.out) }),
    ...(values.svg !== undefined && { svg: resolve(values.svg) }),
    ...(values.jsonl !== undefined && { jsonl: resolve(values.jsonl) }),
    timeline: values.timeline === true || (values.out === undefined && values.svg === undefined && values.jsonl === undefined),
    real: values.real === true,
    width,
    title: basename(file),
  };
  // This file's siblings: dist/*.js when installed, src/*.ts when run from a checkout by tsx.
  const ext = import.meta.url.endsWith(".ts") ? ".ts" : ".js";
  const imports: string[] = [];
  if (/\.[cm]?tsx?$/.test(program) || ext === ".ts") {
    const tsx = findTsx(program);
    if (tsx === undefined) {
      fail(`${file} is TypeScript, and handloop trace runs TypeScript with tsx, which is not installed here: run \`npm install -D tsx\`, or trace a JavaScript file.`);
    }
    imports.push(tsx);
  }
  imports.push(new URL(`./register${ext}`, import.meta.url).href, new URL(`./trace-preload${ext}`, import.meta.url).href);
  const child = spawnSync(process.execPath, [...imports.flatMap((url) => ["--import", url]), program, ...programArgs], {
    stdio: "inherit",
    env: { ...process.env, HANDLOOP_TRACE: JSON.stringify(settings) },
  });
  if (child.error) throw child.error;
  return child.status ?? 1;
}

const [command, ...rest] = process.argv.slice(2);
if (command === "trace") process.exit(trace(rest));
if (command === "--help" || command === "-h" || command === "help") {
  process.stdout.write(`Usage: ${USAGE}\n`);
  process.exit(0);
}
fail(command === undefined ? "No command: handloop has one, `trace`." : `Unknown command ${JSON.stringify(command)}: handloop has one, \`trace\`.`);
