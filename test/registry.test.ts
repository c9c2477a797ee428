// Two copies of handloop in one process share one runtime when they are the same version, and
// refuse to load together when they are not (src/registry.ts).
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import * as source from "../src/index.js";
import { VERSION } from "../src/version.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const dist = pathToFileURL(`${root}dist/index.js`).href;

function node(args: string[]) {
  // A hang is what this guards against: give up long before vitest's own timeout.
  return spawnSync(process.execPath, args, { cwd: root, encoding: "utf8", timeout: 20_000 });
}

describe("two copies of handloop in one process", () => {
  it("of the same version export one runtime: the first copy's classes, loop and helpers", async () => {
    const built = (await import(/* @vite-ignore */ dist)) as typeof source;
    expect(built.Task).toBe(source.Task);
    expect(built.run).toBe(source.run);
    // A task made through one copy, run and awaited through the other.
    const sleeper = built.coroutine(function* () {
      yield* built.asleep(2);
      return "woke";
    });
    const result = source.run(
      source.coroutine(function* () {
        const task = sleeper();
        return `${yield* task} at ${source.currentLoop().time()} ${task instanceof source.Task}`;
      }),
      { clock: new built.VirtualClock() },
    );
    expect(result).toBe("woke at 2 true");
  });

  it("run the issue's app: tsx resolves handloop to src, the hook compiles against the same files, and it ends", () => {
    const { stdout, stderr, status, error } = node(["--import", "tsx", "--import", "handloop/register", "test/fixtures/copies/app.ts"]);
    expect(error).toBeUndefined();
    expect(stderr).toBe("");
    expect(status).toBe(0);
    expect(stdout).toBe("6 true 3\n");
  });

  it("share one runtime even when the program and its compiled code load different copies", () => {
    // src/ through tsx for the program, dist/ for the helpers compiled code calls.
    const { stdout, stderr, status, error } = node([
      "--import",
      "tsx",
      "--input-type=module",
      "-e",
      `import { run, VirtualClock, Task } from "./src/index.ts";
       import { __run, __aw } from "./dist/runtime.js";
       import { asleep } from "./dist/index.js";
       function* body(n) { yield __aw(asleep(n), "inline:1:1"); return n + 1; }
       const clock = new VirtualClock();
       console.log(run(() => { const t = __run(body, undefined, [4], "body"); return t; }, { clock }), clock.now(), __run(body, undefined, [0], "b") instanceof Task);`,
    ]);
    expect(error).toBeUndefined();
    expect(stderr).toBe("");
    expect(status).toBe(0);
    expect(stdout).toBe("5 4 true\n");
  });

  it("of different versions fail at once with a UsageError naming both versions and where each came from", () => {
    const elsewhere = "file:///elsewhere/node_modules/handloop/dist/registry.js";
    const { stdout, status } = node([
      "--input-type=module",
      "-e",
      `globalThis[Symbol.for("handloop")] = { version: "0.0.9", url: ${JSON.stringify(elsewhere)} };
       try { await import(${JSON.stringify(dist)}); console.log("loaded"); }
       catch (e) { console.log(e.name + ": " + e.message); }`,
    ]);
    expect(status).toBe(0);
    expect(stdout).toBe(
      `UsageError: Two versions of handloop are loaded in one process: 0.0.9 from ${elsewhere}, and ${VERSION} from ${pathToFileURL(`${root}dist/registry.js`).href}. ` +
        "Tasks, loops and compiled code of different versions cannot work together: make every dependency use the same version (npm ls handloop shows which ask for which), then reinstall.\n",
    );
  });

  it("know their own version: the one package.json gives", () => {
    expect(VERSION).toBe(JSON.parse(readFileSync(`${root}package.json`, "utf8")).version);
  });

  it("still document each class the entry exports: index.ts repeats the class's own doc comment", () => {
    // The entry exports each class as a const (the first copy's), which would show no doc in an
    // editor; the doc is repeated there, and this keeps the two from drifting apart.
    const classDocs = new Map<string, string>();
    for (const file of readdirSync(`${root}src`, { recursive: true }) as string[]) {
      if (!file.endsWith(".ts")) continue;
      const text = readFileSync(`${root}src/${file}`, "utf8");
      for (const m of text.matchAll(/(\/\*\*(?:(?!\*\/)[\s\S])*?\*\/)\s*\nexport (?:abstract )?class (\w+)/g)) classDocs.set(m[2]!, m[1]!);
    }
    const index = readFileSync(`${root}src/index.ts`, "utf8");
    const exported = [...index.matchAll(/^export type (\w+)(?:<[^>]*>)? = Api\./gm)].map((m) => m[1]!);
    expect(exported.length).toBeGreaterThan(20);
    for (const name of exported) {
      const doc = new RegExp(`(\\/\\*\\*(?:(?!\\*\\/)[\\s\\S])*?\\*\\/)\\s*\\nexport const ${name}:`).exec(index)?.[1];
      expect(doc, name).toBe(classDocs.get(name));
    }
  });
});
