// The published package as users install it: `npm pack`'s tarball (dist/ built by `npm test`'s
// pretest), unpacked into scratch projects outside this repository, with or without the optional
// peer dependencies (the compiler's Babel packages, tslib). A peer a project "installs" is a link
// to this repository's copy.
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));
const COMPILER = ["@babel/core", "@babel/plugin-transform-typescript"];

let tarball = "";
let packedFiles: string[] = [];
const scratch: string[] = []; // every folder made here, removed at the end

afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

beforeAll(() => {
  if (!existsSync(join(root, "dist/index.js"))) {
    expect(spawnSync("npm", ["run", "build"], { cwd: root, encoding: "utf8" }).status).toBe(0);
  }
  const out = mkdtempSync(join(tmpdir(), "handloop-pack-"));
  scratch.push(out);
  // --ignore-scripts: `prepare` would build again; dist/ is already built.
  const pack = spawnSync("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", out], { cwd: root, encoding: "utf8" });
  expect(pack.stderr.replace(/^npm warn.*\n/gm, "")).toBe("");
  const [info] = JSON.parse(pack.stdout) as [{ filename: string; files: { path: string }[] }];
  tarball = join(out, info.filename);
  packedFiles = info.files.map((f) => f.path);
}, 60_000);

/** A scratch project with handloop unpacked into node_modules and the named peers linked in. */
function project(peers: readonly string[], files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), "handloop-user-"));
  scratch.push(dir);
  const handloop = join(dir, "node_modules/handloop");
  mkdirSync(handloop, { recursive: true });
  const tar = spawnSync("tar", ["-xzf", tarball, "-C", handloop, "--strip-components=1"], { encoding: "utf8" });
  expect(tar.stderr).toBe("");
  for (const peer of peers) {
    mkdirSync(dirname(join(dir, "node_modules", peer)), { recursive: true });
    symlinkSync(join(root, "node_modules", peer), join(dir, "node_modules", peer), "dir");
  }
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "app", private: true, type: "module" }));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

function node(cwd: string, ...args: string[]): SpawnSyncReturns<string> {
  // A cache folder of the project's own, made by the hook for this user alone.
  return spawnSync(process.execPath, args, { cwd, encoding: "utf8", env: { ...process.env, HANDLOOP_CACHE_DIR: join(cwd, ".cache") } });
}

function tsc(project: string): string {
  const result = spawnSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", project], { encoding: "utf8" });
  return result.stdout + result.stderr + (result.status === 0 ? "" : `exit ${result.status}`);
}

const HELLO_LOOP = `import { asleep, run, VirtualClock } from "handloop";
async function greet(name: string): Promise<string> { await asleep(60); return "hello " + name; }
console.log(run(() => greet("loop"), { clock: new VirtualClock() }));
`;

const missingCompiler = (entry: string, file: string, dev = "") =>
  `${entry} (compiling ${file}) needs @babel/core and @babel/plugin-transform-typescript, which are not installed: ` +
  "they are optional peer dependencies of handloop, left out for programs that only use hand-written coroutines. " +
  `Install them with: npm install${dev} @babel/core@7 @babel/plugin-transform-typescript@7`;

describe("the package tarball", () => {
  it("carries the license, the built entry points and their declarations", () => {
    expect(packedFiles).toEqual(expect.arrayContaining(["LICENSE", "README.md", "package.json"]));
    for (const entry of ["index", "compile/index", "register", "register-hooks", "vite", "tslib", "explore", "explore-fast-check", "trace", "cli", "trace-preload"]) {
      expect(packedFiles).toContain(`dist/${entry}.js`);
      expect(packedFiles).toContain(`dist/${entry}.d.ts`);
    }
  });

  it("depends on nothing: Babel, tslib and fast-check are optional peers", () => {
    const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as Record<string, Record<string, unknown>>;
    expect(manifest.dependencies).toBeUndefined();
    expect(Object.keys(manifest.peerDependencies!).sort()).toEqual([...COMPILER, "fast-check", "tslib"]);
    for (const peer of [...COMPILER, "fast-check", "tslib"]) {
      expect(manifest.peerDependenciesMeta![peer]).toEqual({ optional: true });
      // The repository itself still tests with them.
      expect(manifest.devDependencies![peer]).toBe(manifest.peerDependencies![peer]);
    }
  });
});

describe("the package installed without its optional peers", () => {
  it("runs hand-written coroutines", () => {
    const dir = project([], {
      "main.js": `import { asleep, coroutine, gather, run, VirtualClock } from "handloop";
const tick = coroutine(function* (name, seconds) { yield* asleep(seconds); return name; });
console.log(run(gather(tick("a", 2), tick("b", 1)), { clock: new VirtualClock() }).join(" "));`,
    });
    const { stdout, stderr, status } = node(dir, "main.js");
    expect(stderr).toBe("");
    expect(stdout).toBe("a b\n");
    expect(status).toBe(0);
  });

  it("imports handloop/compile, and says what to install when compile() first needs Babel", () => {
    const dir = project([], {
      "build.js": `import { compile, isOptedIn } from "handloop/compile";
console.log("imported", isOptedIn('"use handloop";', "a.ts"));
try { compile("export async function f() {}", { filename: "/src/app.ts" }); }
catch (error) { console.log(error.name); console.log(error.message); }`,
    });
    const { stdout, stderr } = node(dir, "build.js");
    expect(stderr).toBe("");
    expect(stdout.split("\n")).toEqual(["imported true", "MissingPeerError", missingCompiler("handloop/compile", "/src/app.ts"), ""]);
  });

  it("runs handloop/register's plain files, and says what to install at the first file to compile", () => {
    const dir = project([], {
      "plain.js": `import { run } from "handloop"; console.log(run(function* () { return "no compiler needed"; }));`,
      "app.loop.ts": HELLO_LOOP,
    });
    const plain = node(dir, "--import", "handloop/register", "plain.js");
    expect(plain.stderr).toBe("");
    expect(plain.stdout).toBe("no compiler needed\n");

    const app = node(dir, "--import", "handloop/register", "app.loop.ts");
    expect(app.status).not.toBe(0);
    // The error crosses from Node's hooks thread, which shows it as "Error [MissingPeerError]: ...".
    expect(app.stderr).toContain(`[MissingPeerError]: ${missingCompiler("handloop/register", join(dir, "app.loop.ts"))}\n`);
  });

  it("gives handloop/vite, whose plugin says to install Babel as a dev dependency when a file opts in", () => {
    const dir = project([], {
      "vite.js": `import { handloop } from "handloop/vite";
const plugin = handloop();
console.log(plugin.transform("export const x = 1;", "/src/plain.ts"));
try { plugin.transform('"use handloop";\\nexport async function f() {}', "/src/app.ts"); }
catch (error) { console.log(error.message); }`,
    });
    const { stdout, stderr } = node(dir, "vite.js");
    expect(stderr).toBe("");
    expect(stdout.split("\n")).toEqual(["null", missingCompiler("handloop/vite", "/src/app.ts", " --save-dev"), ""]);
  });

  it("explores schedules with handloop/explore: finds, shrinks and replays a lost update", () => {
    const dir = project([], {
      "race.js": `import { asleep, coroutine, gather } from "handloop";
import { check, replay, ScheduleFailure } from "handloop/explore";
const withdraw = coroutine(function* withdraw(account, amount, setup) {
  for (let i = 0; i < setup; i++) yield* asleep(0);
  const balance = account.balance;
  yield* asleep(0);
  account.balance = balance - amount;
});
const program = () => { const account = { balance: 100 };
  return coroutine(function* () { yield gather(withdraw(account, 30, 0), withdraw(account, 50, 1)); if (account.balance !== 20) throw new Error("lost update"); })(); };
const { failure } = check(program, { seed: 1 });
console.log(failure.deviations, failure.token.split(":").slice(2).join(":"));
try { replay(program, failure.token); } catch (error) { console.log(error instanceof ScheduleFailure, error.cause.message); }`,
    });
    const { stdout, stderr } = node(dir, "race.js");
    expect(stderr).toBe("");
    expect(stdout).toBe("1 dfs:1:0p1=withdraw-2\ntrue lost update\n");
  });

  it("says what to install when handloop/explore/fast-check is imported without fast-check", () => {
    const dir = project([], {
      "arb.js": `try { await import("handloop/explore/fast-check"); } catch (error) { console.log(error.name); console.log(error.message); }`,
    });
    const { stdout, stderr } = node(dir, "arb.js");
    expect(stderr).toBe("");
    expect(stdout.split("\n")).toEqual([
      "MissingPeerError",
      "handloop/explore/fast-check needs fast-check, which is not installed: it is an optional peer dependency of handloop, " +
        "left out for programs that only use hand-written coroutines. Install it with: npm install --save-dev fast-check@4",
      "",
    ]);
  });

  it("has a handloop command: trace runs a JavaScript program on a virtual clock, and says to install tsx for TypeScript", () => {
    const program = `import { asleep, coroutine, run } from "handloop";\nconst nap = coroutine(function* (s) { yield* asleep(s); return s; });\nconsole.log(run(nap(60)));\n`;
    const dir = project([], { "app.js": program, "app.ts": program });
    const cli = join(dir, "node_modules/handloop/dist/cli.js");
    const js = node(dir, cli, "trace", "app.js", "--timeline", "--width", "10");
    expect(js.stderr).toBe("");
    expect(js.status).toBe(0);
    expect(js.stdout).toMatch(/^60\n\n[^]*Task-1 #1 +█─+█ +done\n/);
    const ts = node(dir, cli, "trace", "app.ts");
    expect(ts.status).toBe(2);
    expect(ts.stderr).toMatch(/^app\.ts is TypeScript, and handloop trace runs TypeScript with tsx, which is not installed here: run `npm install -D tsx`, or trace a JavaScript file\./);
  });

  it("says what to install when handloop/tslib is imported without tslib", () => {
    const dir = project([], {
      "emit.js": `try { await import("handloop/tslib"); } catch (error) { console.log(error.name); console.log(error.message); }`,
    });
    const { stdout, stderr } = node(dir, "emit.js");
    expect(stderr).toBe("");
    expect(stdout.split("\n")).toEqual([
      "MissingPeerError",
      "handloop/tslib needs tslib, which is not installed: it is an optional peer dependency of handloop, " +
        "left out for programs that only use hand-written coroutines. Install it with: npm install tslib@2",
      "",
    ]);
  });

  it("gives declarations that type-check for the main entry and the compiler's, with no Babel types, with every module resolution", () => {
    const dir = project([], {
      "app.ts": `import { asleep, coroutine, run, VirtualClock, type Task } from "handloop";
import { compile, type CompileResult } from "handloop/compile";
import { handloop } from "handloop/vite";
import { importCompiled } from "handloop/register";
const f = coroutine(function* (n: number) { return (yield* asleep(1, "x")).length + n; });
const t: Task<number> = f(1);
export const used = [run(t, { clock: new VirtualClock() }), compile as (s: string, o: { filename: string }) => CompileResult, handloop().name, importCompiled];`,
    });
    for (const moduleResolution of ["NodeNext", "Bundler", "node"]) {
      const options = { target: "ES2022", lib: ["ES2022"], types: [], strict: true, noEmit: true, skipLibCheck: false };
      const module = moduleResolution === "NodeNext" ? "NodeNext" : "ES2022";
      writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions: { ...options, module, moduleResolution }, files: ["app.ts"] }));
      expect([moduleResolution, tsc(dir)]).toEqual([moduleResolution, ""]);
    }
  });
});

describe("the package installed with its optional peers", () => {
  it("gives handloop/explore/fast-check's arbitrary, which fast-check shrinks to one choice", () => {
    const dir = project(["fast-check"], {
      "prop.js": `import fc from "fast-check";
import { asleep, coroutine, gather } from "handloop";
import { hlSchedule } from "handloop/explore/fast-check";
const program = () => { const box = { n: 0 };
  const inc = coroutine(function* inc(wait) { for (let i = 0; i < wait; i++) yield* asleep(0); const n = box.n; yield* asleep(0); box.n = n + 1; });
  return coroutine(function* () { yield gather(inc(0), inc(1)); if (box.n !== 2) throw new Error("lost"); })(); };
const details = fc.check(fc.property(hlSchedule(), (s) => s.run(program)), { seed: 1 });
console.log(details.failed, JSON.stringify(details.counterexample[0].choices));`,
    });
    const { stdout, stderr } = node(dir, "prop.js");
    expect(stderr).toBe("");
    expect(stdout).toBe("true [1]\n");
  });

  it("compiles through handloop/register", () => {
    const dir = project([...COMPILER], { "app.loop.ts": HELLO_LOOP });
    const { stdout, stderr, status } = node(dir, "--import", "handloop/register", "app.loop.ts");
    expect(stderr).toBe("");
    expect(stdout).toBe("hello loop\n");
    expect(status).toBe(0);
  });

  it("gives a consumer project declarations that type-check, for every entry point, with either module resolution", () => {
    const dir = project([...COMPILER, "tslib"]);
    cpSync(join(root, "test/fixtures/consumer"), dir, { recursive: true });
    expect(tsc(dir)).toBe("");
    // The classic resolution reads package.json's `types` and `typesVersions`, not `exports`.
    const config = JSON.parse(readFileSync(join(dir, "tsconfig.json"), "utf8")) as { compilerOptions: Record<string, unknown> };
    Object.assign(config.compilerOptions, { module: "ES2022", moduleResolution: "node" });
    writeFileSync(join(dir, "tsconfig.json"), JSON.stringify(config));
    expect(tsc(dir)).toBe("");
  });
});
