/**
 * compile/include.ts: which packages under node_modules get compiled, for the Vite plugin and the
 * Node hook (the `include` option, `HANDLOOP_INCLUDE`, package.json's `"handloop": { "include" }`).
 *
 * An entry is a package name (`"p-limit"`, `"@scope/name"`), which matches that package exactly,
 * or a regular expression, tested against the whole package name, scope included (`/^p-/`,
 * `/^@acme\//`). Where only strings can be written (an environment variable, JSON), a string
 * written as a regular expression literal, `"/^p-/"` or `"/^p-/i"`, is one.
 *
 * A file belongs to the package named after the last `node_modules` folder in its path, so a
 * package nested in another's node_modules is its own, and pnpm's
 * `node_modules/.pnpm/<name>@<version>/node_modules/<name>/` layout names `<name>`. A file
 * outside any node_modules belongs to no package here: the user's own files, and packages linked
 * from elsewhere, opt in with the directive instead.
 *
 * Loads no Babel: the Vite plugin and register.ts import it before anything is compiled.
 */

import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";

/** An entry of `include`: a package name, or a regular expression over package names. */
export type IncludeEntry = string | RegExp;

/**
 * Which packages to compile: a test on package names, built from validated entries.
 * @internal
 */
export interface Include {
  /** Whether the package named `name` is one to compile. */
  matches(name: string): boolean;
  /** The entries that are names, for options that take only names (Vite's optimizeDeps.exclude). */
  readonly names: readonly string[];
  /** The entries that are regular expressions, stateless (no `g` or `y` flag). */
  readonly patterns: readonly RegExp[];
}

// npm's rules, loosened to what older packages were allowed (capitals): an optional @scope/, then
// a name that does not start with a dot or an underscore; no slash beyond the scope's, no spaces.
const PACKAGE_NAME = /^(?:@[^\s/@]+\/)?[^\s/@._][^\s/]*$/;
const REGEXP_LITERAL = /^\/(.+)\/([a-z]*)$/s;

/**
 * Validates `entries` and builds the test. `where` names the option in error messages ("the
 * `include` option of handloop/vite", "HANDLOOP_INCLUDE"...). Throws a TypeError naming the first
 * bad entry and what is expected.
 * @internal
 */
export function createInclude(entries: unknown, where: string): Include {
  if (!Array.isArray(entries)) {
    throw new TypeError(`Expected ${where} to be an array of package names and regular expressions, got ${describe(entries)}.`);
  }
  const names: string[] = [];
  const patterns: RegExp[] = [];
  for (const entry of entries as unknown[]) {
    if (entry instanceof RegExp) {
      patterns.push(stateless(entry));
    } else if (typeof entry === "string" && entry.startsWith("/")) {
      patterns.push(parseRegExp(entry, where));
    } else if (typeof entry === "string" && PACKAGE_NAME.test(entry)) {
      names.push(entry);
    } else {
      throw new TypeError(
        `Expected each entry of ${where} to be a package name (such as "p-limit" or "@scope/name") or a regular expression ` +
          `(/^p-/, or the string "/^p-/" where only strings can be written), got ${describe(entry)}` +
          (typeof entry === "string" && entry.includes("/") && !entry.startsWith("@") ? ": name the package, not a path in it." : "."),
      );
    }
  }
  const exact = new Set(names);
  return {
    names,
    patterns,
    matches: (name) => exact.has(name) || patterns.some((pattern) => pattern.test(name)),
  };
}

/**
 * The package a file belongs to, from its path or URL: the name after the last `node_modules/`
 * (two segments for a scoped name), or undefined when the path has no node_modules or what follows
 * is not a package (`node_modules/.vite/...`).
 * @internal
 */
export function packageOf(path: string): string | undefined {
  const normalized = path.replace(/\\/g, "/");
  const at = normalized.lastIndexOf("/node_modules/");
  if (at === -1) return undefined;
  const [first, second] = normalized.slice(at + "/node_modules/".length).split("/");
  const name = first?.startsWith("@") ? `${first}/${second ?? ""}` : first;
  return name !== undefined && PACKAGE_NAME.test(name) ? name : undefined;
}

/**
 * Whether a path or URL is inside a node_modules folder.
 * @internal
 */
export function inNodeModules(path: string): boolean {
  return /[\\/]node_modules[\\/]/.test(path);
}

/**
 * Splits `HANDLOOP_INCLUDE`'s value into entries: commas separate them, except inside a regular
 * expression literal (`/a{1,2}/`, up to its closing slash outside a character class). Spaces
 * around entries are ignored, and so are empty entries.
 * @internal
 */
export function splitIncludeList(value: string): string[] {
  const entries: string[] = [];
  let i = 0;
  while (i < value.length) {
    while (value[i] === " " || value[i] === ",") i++;
    if (i >= value.length) break;
    let end = i;
    if (value[i] === "/") {
      // To the closing slash of the literal, then its flags.
      let inClass = false;
      for (end = i + 1; end < value.length; end++) {
        const c = value[end];
        if (c === "\\") end++;
        else if (c === "[") inClass = true;
        else if (c === "]") inClass = false;
        else if (c === "/" && !inClass) break;
      }
    }
    const comma = value.indexOf(",", end);
    const stop = comma === -1 ? value.length : comma;
    entries.push(value.slice(i, stop).trim());
    i = stop + 1;
  }
  return entries;
}

/**
 * Where the Node hook's include list came from, and its entries, as written.
 * @internal
 */
export interface IncludeConfig {
  /** `HANDLOOP_INCLUDE`, or the `"handloop"` field of a package.json (its path), for messages. */
  where: string;
  entries: string[];
}

/**
 * The Node hook's include list: `HANDLOOP_INCLUDE` when it is set (even to nothing, which
 * compiles no package), else the `"handloop": { "include": [...] }` field of the nearest
 * package.json from `cwd` up, else none. The variable replaces the field rather than adding to
 * it, so a run can narrow or clear the list without editing package.json. Throws a TypeError
 * naming the source when the field is malformed; entries are validated by createInclude.
 * @internal
 */
export function readIncludeConfig(env: Readonly<Record<string, string | undefined>> = process.env, cwd = process.cwd()): IncludeConfig {
  const fromEnv = env.HANDLOOP_INCLUDE;
  if (fromEnv !== undefined) return { where: "HANDLOOP_INCLUDE", entries: splitIncludeList(fromEnv) };
  const file = nearestPackageJson(cwd);
  if (file === undefined) return { where: "HANDLOOP_INCLUDE", entries: [] };
  let manifest: unknown;
  try {
    manifest = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new TypeError(`handloop/register cannot read the "handloop" field of ${file}: ${(error as Error).message}`);
  }
  const field = (manifest as { handloop?: unknown } | null)?.handloop;
  const where = `"handloop.include" in ${file}`;
  if (field === undefined) return { where, entries: [] };
  if (typeof field !== "object" || field === null || Array.isArray(field)) {
    throw new TypeError(`Expected the "handloop" field of ${file} to be an object such as { "include": ["p-limit"] }, got ${describe(field)}.`);
  }
  const include = (field as { include?: unknown }).include;
  if (include === undefined) return { where, entries: [] };
  if (!Array.isArray(include) || !include.every((entry) => typeof entry === "string")) {
    throw new TypeError(`Expected ${where} to be an array of strings (package names, or regular expressions written "/^p-/"), got ${describe(include)}.`);
  }
  return { where, entries: include as string[] };
}

function nearestPackageJson(from: string): string | undefined {
  for (let dir = from; ; ) {
    const file = join(dir, "package.json");
    if (existsSync(file)) return file;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

function parseRegExp(text: string, where: string): RegExp {
  const literal = REGEXP_LITERAL.exec(text);
  if (literal === null) {
    throw new TypeError(`Expected the entry ${JSON.stringify(text)} of ${where} to be a regular expression written /.../flags, such as "/^p-/".`);
  }
  try {
    return stateless(new RegExp(literal[1]!, literal[2]));
  } catch (error) {
    throw new TypeError(`The entry ${JSON.stringify(text)} of ${where} is not a valid regular expression: ${(error as Error).message}.`);
  }
}

/** The same expression without `g` or `y`, whose `test()` would depend on the last match. */
function stateless(pattern: RegExp): RegExp {
  return pattern.global || pattern.sticky ? new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, "")) : pattern;
}

function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) return "an array";
  if (value === null) return "null";
  return typeof value === "object" ? "an object" : `${typeof value} ${String(value)}`;
}

/**
 * The comment the Node hook ends every CommonJS file it compiled with. register.ts refuses a file
 * of an included package that reaches Node's CommonJS loader without it: Node loaded it past the
 * hooks (a `require()` from code the hooks never saw), so it runs uncompiled.
 * @internal
 */
export const COMMONJS_MARK = "\n// compiled by handloop/register\n";
