// handloop/register as users run it: child Node processes, with tsx and without.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";

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
