/**
 * register-hooks.ts: the Node module hooks behind `handloop/register`. They run in Node's hooks
 * thread, not in the program's.
 *
 * `load` compiles opted-in files (a `.loop.ts` name or a `"use handloop"` directive, see
 * compile.ts) and hands every other file, untouched, to the next hook (tsx's, or Node's own).
 * Compiled code imports its helpers as `handloop/runtime`, resolved like the program's own
 * `import "handloop"` (through tsx's tsconfig paths, or the installed package), so both find the
 * same files; `resolve` falls back on the copy next to this file only where the program itself
 * could not find handloop (a script outside any project). Copies that still differ share one
 * runtime through the registry (registry.ts). Results are cached on disk by content, so a
 * re-run does not load the compiler at all. The hook never evaluates strings.
 *
 * Invariant: a cached file runs as the user's own code, so it is read only from a folder that
 * only this user can write, and only when this user owns it (see openCache).
 */

import { createHash } from "node:crypto";
import { closeSync, constants, existsSync, fstatSync, mkdirSync, openSync, readFileSync, renameSync, statSync, writeFileSync, type Stats } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { isAbsolute, join } from "node:path";
import { fileURLToPath } from "node:url";
import { compileFor, isOptedIn } from "./compile/compile.js";

interface LoadContext {
  format?: string | null;
  conditions?: readonly string[];
  importAttributes?: Record<string, string>;
}
interface LoadResult {
  format: string;
  source?: string | ArrayBuffer | Uint8Array | null;
  shortCircuit?: boolean;
}
type NextLoad = (url: string, context?: LoadContext) => LoadResult | Promise<LoadResult>;
interface ResolveContext {
  conditions?: readonly string[];
  importAttributes?: Record<string, string>;
  parentURL?: string;
}
interface ResolveResult {
  url: string;
  format?: string | null;
  shortCircuit?: boolean;
}
type NextResolve = (specifier: string, context?: ResolveContext) => ResolveResult | Promise<ResolveResult>;

/** What compiled code imports its helpers from. */
const RUNTIME = "handloop/runtime";
/** The helpers next to this file, for code that cannot resolve RUNTIME itself. */
const ownRuntime = new URL(import.meta.url.endsWith(".ts") ? "./runtime.ts" : "./runtime.js", import.meta.url).href;
const CANDIDATE = /\.(?:[mc]?[jt]s|[jt]sx)$/i;

/**
 * Where compiled modules are cached: `HANDLOOP_CACHE_DIR`; else the project's
 * node_modules/.cache, as other compilers use; else, so that a run from elsewhere never creates a
 * node_modules, the user's own cache folder (`$XDG_CACHE_HOME` or `~/.cache`, `~/Library/Caches`
 * on macOS, `%LOCALAPPDATA%` on Windows); a temporary folder named for the user only when there is
 * no home folder.
 *
 * Discussion: the cache used to default to a shared `handloop-cache` in the system's temporary
 * folder, keyed by a hash anyone can compute, so another local user could plant a file there that
 * would run as your code. A per-user folder is the first defence; openCache checks it anyway.
 * @internal
 */
export function cacheLocation(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string {
  if (env.HANDLOOP_CACHE_DIR) return env.HANDLOOP_CACHE_DIR;
  if (existsSync(join(cwd, "node_modules"))) return join(cwd, "node_modules", ".cache", "handloop");
  // XDG: a relative $XDG_CACHE_HOME is invalid and must be ignored.
  if (env.XDG_CACHE_HOME && isAbsolute(env.XDG_CACHE_HOME)) return join(env.XDG_CACHE_HOME, "handloop");
  if (process.platform === "win32" && env.LOCALAPPDATA) return join(env.LOCALAPPDATA, "handloop", "Cache");
  // As os.homedir() finds it (it reads $HOME first on POSIX), from the environment given.
  let home = process.platform === "win32" ? "" : (env.HOME ?? "");
  try {
    home ||= homedir();
  } catch {
    // No home folder (a system user): the temporary folder below.
  }
  if (home !== "") return join(home, process.platform === "darwin" ? "Library/Caches" : ".cache", "handloop");
  return join(tmpdir(), `handloop-${process.getuid?.() ?? "user"}`);
}

/**
 * Why this user must not trust a cache folder or file with these stats, or undefined when it may:
 * it must belong to `uid` and be writable by nobody else. Windows has no owner or mode here; its
 * cache folder is in the user's own profile.
 * @internal
 */
export function untrusted(stats: Pick<Stats, "uid" | "mode">, uid = process.getuid?.()): string | undefined {
  if (uid === undefined) return undefined;
  if (stats.uid !== uid) return `it belongs to another user (uid ${stats.uid})`;
  if ((stats.mode & 0o022) !== 0) return `other users can write to it (mode ${(stats.mode & 0o7777).toString(8)})`;
  return undefined;
}

let cacheDir: string | null | undefined;

/**
 * The cache folder, created for this user alone (mode 0700) when it does not exist; null, after
 * one warning, when it cannot be trusted or created: then every file is compiled afresh.
 */
function openCache(): string | null {
  if (cacheDir !== undefined) return cacheDir;
  const dir = cacheLocation();
  let problem: string | undefined;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const stats = statSync(dir);
    problem = stats.isDirectory() ? untrusted(stats) : "it is not a folder";
  } catch (error) {
    problem = `it cannot be created (${(error as Error).message})`;
  }
  if (problem !== undefined) {
    console.warn(
      `handloop/register: not using the compile cache ${dir}: ${problem}, and a file there runs as your code. ` +
        "Files are compiled on every run instead. Remove that folder so that handloop creates it for you alone, " +
        "or set HANDLOOP_CACHE_DIR to a folder only you can write.",
    );
  }
  return (cacheDir = problem === undefined ? dir : null);
}

/** A cached file's text, if it is there and this user owns it (a folder swapped since openCache). */
function readCached(file: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  } catch {
    return undefined; // a miss
  }
  try {
    return untrusted(fstatSync(fd)) === undefined ? readFileSync(fd, "utf8") : undefined;
  } finally {
    closeSync(fd);
  }
}

// The compiler's own code, hashed into every cache key: a compiler that changed (an upgrade, a
// local edit) never reads what an older one wrote, whose output may call helpers that are gone.
const extension = import.meta.url.endsWith(".ts") ? ".ts" : ".js";
const compilerStamp = createHash("sha256")
  .update(readFileSync(new URL(`./compile/compile${extension}`, import.meta.url)))
  .update(readFileSync(new URL(`./compile/lower-async${extension}`, import.meta.url)))
  .digest("hex");

export async function resolve(specifier: string, context: ResolveContext, nextResolve: NextResolve): Promise<ResolveResult> {
  if (specifier !== RUNTIME) return nextResolve(specifier, context);
  try {
    return await nextResolve(specifier, context);
  } catch {
    return { url: ownRuntime, shortCircuit: true };
  }
}

export async function load(url: string, context: LoadContext, nextLoad: NextLoad): Promise<LoadResult> {
  if (url.startsWith("file:") && !url.includes("/node_modules/")) {
    const filename = fileURLToPath(url.replace(/[?#].*$/, ""));
    if (CANDIDATE.test(filename)) {
      let source: string | undefined;
      try {
        source = readFileSync(filename, "utf8");
      } catch {
        // Not ours to report: the next hook says what is wrong with the file.
      }
      if (source !== undefined && isOptedIn(source, filename)) {
        return { format: "module", source: compileCached(source, filename), shortCircuit: true };
      }
    }
  }
  return nextLoad(url, context);
}

function compileCached(source: string, filename: string): string {
  const key = createHash("sha256").update(`${compilerStamp}\0${filename}\0${source}`).digest("hex");
  const dir = openCache();
  const file = dir === null ? null : join(dir, `${key}.js`);
  const cached = file === null ? undefined : readCached(file);
  if (cached !== undefined) return cached;
  const { code, map } = compileFor("handloop/register", source, { filename, runtime: RUNTIME });
  const inlineMap = map ? `\n//# sourceMappingURL=data:application/json;base64,${Buffer.from(JSON.stringify(map)).toString("base64")}\n` : "";
  const output = code + inlineMap;
  if (file === null) return output;
  try {
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, output, { mode: 0o600 });
    renameSync(temp, file); // atomic: a concurrent reader sees the whole file or none
  } catch {
    // A cache that cannot be written only costs speed.
  }
  return output;
}
