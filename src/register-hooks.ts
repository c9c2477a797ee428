/**
 * register-hooks.ts: the Node module hooks behind `handloop/register`. They run in Node's hooks
 * thread, not in the program's.
 *
 * `load` compiles opted-in files (a `.loop.ts` name or a `"use handloop"` directive, see
 * compile.ts) and every file of a package named in the include list (HANDLOOP_INCLUDE or
 * package.json, read by register.ts and passed to `initialize`), and hands every other file,
 * untouched, to the next hook (tsx's, or Node's own). An included file keeps the format Node gives
 * it: an ES module is compiled as one; a CommonJS file is compiled as CommonJS, whose `require()`s
 * Node 20 then sends through these hooks too, and reads its helpers from the runtime register.ts
 * loaded (see registry.ts), since Node 20 cannot `require()` an ES module from there.
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
import { closeSync, constants, existsSync, fstatSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync, type Stats } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { isAbsolute, join } from "node:path";
import { fileURLToPath } from "node:url";
import { compileFor, DEFAULT_PROMISE, isOptedIn } from "./compile/compile.js";
import { COMMONJS_MARK, createInclude, inNodeModules, packageOf, type Include } from "./compile/include.js";

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

// The compiler's own code, every file of it, hashed into every cache key: a compiler that changed
// (an upgrade, a local edit) never reads what an older one wrote, whose output may call helpers
// that are gone.
const extension = import.meta.url.endsWith(".ts") ? ".ts" : ".js";
const compilerFolder = new URL("./compile/", import.meta.url);
const compilerStamp = readdirSync(compilerFolder)
  .filter((file) => file.endsWith(extension) && !file.endsWith(".d.ts"))
  .sort()
  .reduce((hash, file) => hash.update(file).update(readFileSync(new URL(file, compilerFolder))), createHash("sha256"))
  .digest("hex");

/**
 * What register.ts passes to `initialize`: the include list, validated there, as written.
 * @internal
 */
export interface HooksData {
  include: string[];
  /** Where the list came from, for messages. */
  where: string;
}

let include: Include = createInclude([], "HANDLOOP_INCLUDE");

/**
 * Called by Node with register.ts's data, before any other hook.
 * @internal
 */
export function initialize(data: HooksData | undefined): void {
  if (data !== undefined) include = createInclude(data.include, data.where);
}

export async function resolve(specifier: string, context: ResolveContext, nextResolve: NextResolve): Promise<ResolveResult> {
  if (specifier !== RUNTIME) return nextResolve(specifier, context);
  try {
    return await nextResolve(specifier, context);
  } catch {
    return { url: ownRuntime, shortCircuit: true };
  }
}

export async function load(url: string, context: LoadContext, nextLoad: NextLoad): Promise<LoadResult> {
  if (!url.startsWith("file:")) return nextLoad(url, context);
  const filename = fileURLToPath(url.replace(/[?#].*$/, ""));
  if (!CANDIDATE.test(filename)) return nextLoad(url, context);
  if (inNodeModules(filename)) {
    const name = packageOf(filename);
    if (name === undefined || !include.matches(name)) return nextLoad(url, context);
    // Node's own load says which format the file is (package.json "type", the extension); for
    // CommonJS it gives no source, which is then read here.
    const loaded = await nextLoad(url, context);
    if (loaded.format !== "module" && loaded.format !== "commonjs") return loaded;
    const source = loaded.source == null ? readFileSync(filename, "utf8") : typeof loaded.source === "string" ? loaded.source : Buffer.from(loaded.source as Uint8Array).toString("utf8");
    return { format: loaded.format, source: compileCached(source, filename, loaded.format === "commonjs"), shortCircuit: true };
  }
  let source: string | undefined;
  try {
    source = readFileSync(filename, "utf8");
  } catch {
    // Not ours to report: the next hook says what is wrong with the file.
  }
  if (source !== undefined && isOptedIn(source, filename)) {
    return { format: "module", source: compileCached(source, filename, false), shortCircuit: true };
  }
  return nextLoad(url, context);
}

/** What the hook compiles with, besides the file: all of it goes into the cache key. */
interface HookCompileOptions {
  promise: "loop" | "native";
  commonjs: boolean;
}

/**
 * The name of a file's entry in the cache: a hash of everything that changes the output (the
 * compiler's code, the options, the file's name and source).
 * @internal
 */
export function cacheKey(source: string, filename: string, options: HookCompileOptions): string {
  return createHash("sha256").update(`${compilerStamp}\0${options.promise}\0${options.commonjs}\0${filename}\0${source}`).digest("hex");
}

function compileCached(source: string, filename: string, commonjs: boolean): string {
  const options: HookCompileOptions = { promise: DEFAULT_PROMISE, commonjs };
  const key = cacheKey(source, filename, options);
  const dir = openCache();
  const file = dir === null ? null : join(dir, `${key}.js`);
  const cached = file === null ? undefined : readCached(file);
  if (cached !== undefined) return cached;
  const { code, map } = compileFor("handloop/register", source, { filename, runtime: RUNTIME, promise: options.promise }, { commonjs });
  const inlineMap = map ? `\n//# sourceMappingURL=data:application/json;base64,${Buffer.from(JSON.stringify(map)).toString("base64")}\n` : "";
  const output = code + inlineMap + (commonjs ? COMMONJS_MARK : "");
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
