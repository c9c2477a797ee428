// handloop/register as users run it: child Node processes, with tsx and without.
import { spawnSync } from "node:child_process";
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { cacheLocation, untrusted } from "../src/register-hooks.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const fixture = "test/fixtures/compile/hello.loop.ts";
const failLine = readFileSync(join(root, fixture), "utf8").split("\n").findIndex((l) => l.includes("throw new Error")) + 1;

function node(args: string[], cacheDir = mkdtempSync(join(tmpdir(), "handloop-cache-"))) {
  const result = spawnSync(process.execPath, args, {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, HANDLOOP_CACHE_DIR: cacheDir },
  });
  return { ...result, cacheDir };
}

// What another user plants: it would print this if handloop ran it.
const PLANTED = 'console.log("planted code ran");\n';

/** A cache folder holding a planted entry under the very name a run of the fixture reads. */
function plantedCache(): { dir: string; entry: string } {
  const first = node(["--import", "handloop/register", fixture]);
  const [entry] = readdirSync(first.cacheDir);
  const dir = mkdtempSync(join(tmpdir(), "handloop-planted-")); // mode 0700, ours
  writeFileSync(join(dir, entry!), PLANTED);
  return { dir, entry: entry! };
}

const asRoot = process.getuid?.() === 0;
const NOBODY = 65534;

describe("handloop/register", () => {
  it("compiles an opted-in file under plain node, with no tsx", () => {
    const { stdout, stderr, status } = node(["--import", "handloop/register", fixture]);
    expect(stderr).toBe("");
    expect(status).toBe(0);
    expect(stdout).toBe("hello loop 60\n");
  });

  it("compiles an opted-in file under tsx", () => {
    const { stdout, status } = node(["--import", "tsx", "--import", "./src/register.ts", fixture]);
    expect(status).toBe(0);
    expect(stdout).toBe("hello loop 60\n");
  });

  it("maps a stack trace through compiled code to the original file and line", () => {
    const { stderr, status } = node(["--import", "handloop/register", fixture, "--fail"]);
    expect(status).not.toBe(0);
    expect(stderr).toContain("Error: boom from hello.loop.ts");
    expect(stderr).toMatch(new RegExp(`hello\\.loop\\.ts:${failLine}:\\d+`));
  });

  it("caches compiled files by content, so a re-run does not compile again", () => {
    const first = node(["--import", "handloop/register", fixture]);
    const cached = readdirSync(first.cacheDir);
    expect(cached).toHaveLength(1);
    const second = node(["--import", "handloop/register", fixture], first.cacheDir);
    expect(second.stdout).toBe("hello loop 60\n");
    expect(readdirSync(first.cacheDir)).toEqual(cached);
  });

  it("reads a cached entry from a folder only this user can write (the control for the tests below)", () => {
    const { dir } = plantedCache();
    expect(node(["--import", "handloop/register", fixture], dir).stdout).toBe("planted code ran\n");
  });

  it("never reads a planted entry from a cache folder others can write, and says why", () => {
    const { dir, entry } = plantedCache();
    chmodSync(dir, 0o777);
    const { stdout, stderr, status } = node(["--import", "handloop/register", fixture], dir);
    expect(stdout).toBe("hello loop 60\n");
    expect(status).toBe(0);
    expect(stderr).toBe(
      `handloop/register: not using the compile cache ${dir}: other users can write to it (mode 777), and a file there runs as your code. ` +
        "Files are compiled on every run instead. Remove that folder so that handloop creates it for you alone, " +
        "or set HANDLOOP_CACHE_DIR to a folder only you can write.\n",
    );
    expect(readdirSync(dir)).toEqual([entry]); // nothing written there either
    expect(readFileSync(join(dir, entry), "utf8")).toBe(PLANTED);
  });

  it.runIf(asRoot)("never reads a planted entry from a cache folder another user owns", () => {
    const { dir } = plantedCache();
    chownSync(dir, NOBODY, NOBODY); // root can still read it: only handloop's check stops it
    const { stdout, stderr } = node(["--import", "handloop/register", fixture], dir);
    expect(stdout).toBe("hello loop 60\n");
    expect(stderr).toContain(`not using the compile cache ${dir}: it belongs to another user (uid ${NOBODY})`);
  });

  it.runIf(asRoot)("never reads a cached file another user owns, even in a folder of this user's", () => {
    const { dir, entry } = plantedCache();
    chownSync(join(dir, entry), NOBODY, NOBODY);
    const { stdout, stderr } = node(["--import", "handloop/register", fixture], dir);
    expect(stderr).toBe("");
    expect(stdout).toBe("hello loop 60\n");
  });

  it("trusts a cache folder or file only when this user owns it and nobody else can write it", () => {
    expect(untrusted({ uid: 1000, mode: 0o40700 }, 1000)).toBeUndefined();
    expect(untrusted({ uid: 1000, mode: 0o40755 }, 1000)).toBeUndefined();
    expect(untrusted({ uid: 1001, mode: 0o40700 }, 1000)).toBe("it belongs to another user (uid 1001)");
    expect(untrusted({ uid: 1000, mode: 0o40775 }, 1000)).toBe("other users can write to it (mode 775)");
    expect(untrusted({ uid: 1000, mode: 0o41777 }, 1000)).toBe("other users can write to it (mode 1777)");
  });

  it("caches in the user's own cache folder, created for the user alone, when there is no node_modules", () => {
    const home = mkdtempSync(join(tmpdir(), "handloop-home-"));
    const cwd = mkdtempSync(join(tmpdir(), "handloop-cwd-"));
    const temp = mkdtempSync(join(tmpdir(), "handloop-tmp-"));
    const { HANDLOOP_CACHE_DIR: _, ...env } = process.env;
    const { stdout, stderr } = spawnSync(process.execPath, ["--import", `${root}dist/register.js`, join(root, fixture)], {
      cwd,
      encoding: "utf8",
      env: { ...env, XDG_CACHE_HOME: join(home, "cache"), TMPDIR: temp },
    });
    expect(stderr).toBe("");
    expect(stdout).toBe("hello loop 60\n");
    expect(readdirSync(join(home, "cache/handloop"))).toHaveLength(1);
    expect(statSync(join(home, "cache/handloop")).mode & 0o777).toBe(0o700);
    expect(readdirSync(temp)).toEqual([]); // nothing in the shared temporary folder
    expect(readdirSync(cwd)).toEqual([]); // and no node_modules made here
  });

  it("picks the cache folder: HANDLOOP_CACHE_DIR, the project's node_modules/.cache, then the user's", () => {
    const project = mkdtempSync(join(tmpdir(), "handloop-project-"));
    mkdirSync(join(project, "node_modules"));
    const bare = mkdtempSync(join(tmpdir(), "handloop-bare-"));
    expect(cacheLocation({ HANDLOOP_CACHE_DIR: "/c" }, project)).toBe("/c");
    expect(cacheLocation({ XDG_CACHE_HOME: "/x" }, project)).toBe(join(project, "node_modules/.cache/handloop"));
    expect(cacheLocation({ XDG_CACHE_HOME: "/x" }, bare)).toBe("/x/handloop");
    if (process.platform === "linux") {
      // A relative XDG_CACHE_HOME is invalid (XDG Base Directory): the home folder's .cache.
      expect(cacheLocation({ XDG_CACHE_HOME: "rel", HOME: "/home/u" }, bare)).toBe("/home/u/.cache/handloop");
    }
  });

  it("says which Node it needs on a Node without module.register()", () => {
    // A Node before 20.6, as far as handloop can tell: module.register is gone before it loads.
    const older = "data:text/javascript," + encodeURIComponent(
      'import m from "node:module"; m.register = undefined; m.syncBuiltinESMExports();',
    );
    const { stderr, status } = node(["--import", older, "--import", "handloop/register", fixture]);
    expect(status).not.toBe(0);
    expect(stderr).toContain(
      `Error: handloop/register needs Node 20.6 or later, for module.register(); this is Node ${process.version}. ` +
        "Upgrade Node, or compile ahead of time with compile() from handloop/compile.\n",
    );
  });

  it("leaves a file without the directive alone", () => {
    const { stdout, status } = node([
      "--import",
      "tsx",
      "--import",
      "./src/register.ts",
      "--input-type=module",
      "-e",
      `import { isCompiled } from "./src/index.ts";
       import { native } from "./test/fixtures/compile/not-opted-in.ts";
       import { outer } from "./test/fixtures/compile/chain.loop.ts";
       console.log(isCompiled(native), isCompiled(outer));`,
    ]);
    expect(status).toBe(0);
    expect(stdout).toBe("false true\n");
  });

  it("gives compiled code outside any project, where handloop/runtime cannot be resolved, the hook's own helpers", () => {
    const dir = mkdtempSync(join(tmpdir(), "handloop-outside-"));
    const file = join(dir, "lonely.loop.mjs");
    writeFileSync(file, "async function twice(x) { await null; return 2 * x; }\nconsole.log(twice(21).constructor.name);\n");
    const hook = pathToFileURL(join(root, "dist/register.js")).href;
    const { stdout, stderr, status } = node(["--import", hook, file]);
    expect(stderr).toBe("");
    expect(status).toBe(0);
    expect(stdout).toBe("Task\n");
  });
});

describe("importCompiled", () => {
  it("refuses, saying why, when the compiled copy still finds its check uncompiled, instead of importing itself forever", () => {
    const dir = mkdtempSync(join(tmpdir(), "handloop-import-compiled-"));
    const src = (file: string) => pathToFileURL(fileURLToPath(new URL(`../src/${file}`, import.meta.url))).href;
    writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module" }));
    writeFileSync(join(dir, "helper.ts"), `"use handloop";\nexport async function helper(): Promise<void> {}\n`);
    writeFileSync(
      join(dir, "main.ts"),
      `"use handloop";
import { isCompiled } from ${JSON.stringify(src("index.ts"))};
import { importCompiled } from ${JSON.stringify(src("register.ts"))};
import { helper } from "./helper.ts";
if (isCompiled(helper)) console.log("compiled");
else await importCompiled(import.meta.url);
`,
    );
    const tsx = fileURLToPath(new URL("../node_modules/.bin/tsx", import.meta.url));
    const child = spawnSync(tsx, [join(dir, "main.ts")], { encoding: "utf8", timeout: 30_000, env: { ...process.env, HANDLOOP_CACHE_DIR: join(dir, ".cache") } });
    expect(child.status).not.toBe(0);
    expect(child.stderr).toContain(
      `importCompiled() was called from the compiled copy of ${pathToFileURL(join(dir, "main.ts")).href}, so the check before it found code that is still not compiled.`,
    );
  });
});
