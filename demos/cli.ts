/**
 * demos/cli.ts: the demos' command lines. Each demo names the flags it takes and how many
 * positional arguments; anything else (an unknown flag, a stray word) prints what was wrong and
 * the demo's usage on stderr and exits with status 2, before the demo does any work. `--help`
 * prints the usage and exits 0.
 */

import { parseArgs } from "node:util";

export interface DemoCommandLine<Flag extends string> {
  /** Whether each flag was given. */
  flags: Record<Flag, boolean>;
  /** The positional arguments, at most as many as the demo takes. */
  positionals: string[];
}

/** Prints `problem` and the usage on stderr, and exits with status 2. */
export function usageError(usage: string, problem: string): never {
  console.error(`${problem}\n\nUsage: ${usage}`);
  process.exit(2);
}

/**
 * Reads `process.argv` for a demo that takes `flags` (boolean `--name`s) and up to
 * `positionals` positional arguments; `usage` is its usage, flags and arguments explained.
 */
export function demoCommandLine<Flag extends string>(
  usage: string,
  flags: readonly Flag[],
  positionals = 0,
): DemoCommandLine<Flag> {
  const options = Object.fromEntries([...flags, "help"].map((flag) => [flag, { type: "boolean" as const }]));
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: process.argv.slice(2), options, allowPositionals: true, strict: true });
  } catch (error) {
    // Node's own message for an unknown flag goes on about `--`, which no demo needs.
    const { code, message } = error as { code?: string; message: string };
    const unknown = code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" ? /'([^']*)'/.exec(message)?.[1] : undefined;
    usageError(usage, unknown === undefined ? message.replace(/(?<!\.)$/, ".") : `Unknown option ${unknown}.`);
  }
  if (parsed.values.help) {
    console.log(`Usage: ${usage}`);
    process.exit(0);
  }
  if (parsed.positionals.length > positionals) {
    usageError(usage, `Unexpected argument ${JSON.stringify(parsed.positionals[positionals])}.`);
  }
  const given = Object.fromEntries(flags.map((flag) => [flag, parsed.values[flag] === true])) as Record<Flag, boolean>;
  return { flags: given, positionals: parsed.positionals };
}
