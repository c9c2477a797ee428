/**
 * register-hooks.ts: the Node module hooks behind `handloop/register`. They run in Node's hooks
 * thread, not in the program's.
 *
 * `load` compiles opted-in files (a `.loop.ts` name or a `"use handloop"` directive, see
 * compile.ts) and hands every other file, untouched, to the next hook (tsx's, or Node's own).
 * Compiled code imports its helpers from the handloop module next to this file, so a program
 * and the code compiled for it share one copy of the runtime. Results are cached on disk by
 * content, so a re-run does not load the compiler at all. The hook never evaluates strings.
 */

import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
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

const runtime = new URL(import.meta.url.endsWith(".ts") ? "./index.ts" : "./index.js", import.meta.url).href;
const CANDIDATE = /\.(?:[mc]?[jt]s|[jt]sx)$/i;
// The project's node_modules/.cache, as other compilers use; a temporary folder when there is no
// node_modules here, so a run from elsewhere never creates one.
const cacheDir =
  process.env.HANDLOOP_CACHE_DIR ??
  (existsSync(join(process.cwd(), "node_modules"))
    ? join(process.cwd(), "node_modules", ".cache", "handloop")
    : join(tmpdir(), "handloop-cache"));
// The compiler's own code, hashed into every cache key: a compiler that changed (an upgrade, a
// local edit) never reads what an older one wrote, whose output may call helpers that are gone.
const extension = import.meta.url.endsWith(".ts") ? ".ts" : ".js";
const compilerStamp = createHash("sha256")
  .update(readFileSync(new URL(`./compile/compile${extension}`, import.meta.url)))
  .update(readFileSync(new URL(`./compile/lower-async${extension}`, import.meta.url)))
  .digest("hex");

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
  const key = createHash("sha256").update(`${compilerStamp}\0${runtime}\0${filename}\0${source}`).digest("hex");
  const file = join(cacheDir, `${key}.js`);
  try {
    return readFileSync(file, "utf8");
  } catch {
    // A miss: compile below.
  }
  const { code, map } = compileFor("handloop/register", source, { filename, runtime });
  const inlineMap = map ? `\n//# sourceMappingURL=data:application/json;base64,${Buffer.from(JSON.stringify(map)).toString("base64")}\n` : "";
  const output = code + inlineMap;
  try {
    mkdirSync(cacheDir, { recursive: true });
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, output);
    renameSync(temp, file); // atomic: a concurrent reader sees the whole file or none
  } catch {
    // A cache that cannot be written only costs speed.
  }
  return output;
}
