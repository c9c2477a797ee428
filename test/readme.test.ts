// Every code block of README.md, checked as a reader would use it. Each block is preceded by a
// marker that says what it is, and the test for each block says how it is checked:
//
//   <!-- check: program -->         a TypeScript program: type-checked, then run (with
//                                   handloop/register when it opts in with "use handloop"); each
//                                   `// prints <text>` comment must be a line of its output, in order
//   <!-- check: module -->          a complete TypeScript module that is not a program (a config
//                                   file, a reference card): type-checked
//   <!-- check: test -->            a Vitest test file: type-checked, then run by Vitest with the
//                                   README's own vitest.config.ts block
//   <!-- check: file -->            a JavaScript file that later commands use: Node checks its syntax
//   <!-- check: commands -->        shell commands: every npm script, file, handloop entry point and
//                                   package to install that they name exists (commands are not run)
//   <!-- check: commands, run -->   shell commands run, in order, in the scratch project
//   <!-- check: drawing -->         a drawing, not code
//
// `, file <name>` after the kind names the file the block is written to (later blocks and
// commands may use it). The blocks are written into a scratch project outside this repository
// whose node_modules links to this package (its built dist/, as published) and to the tools the
// README names.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));
const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
  name: string;
  scripts: Record<string, string>;
  exports: Record<string, unknown>;
  peerDependencies: Record<string, string>;
};

const KINDS = ["program", "module", "test", "file", "commands", "commands, run", "drawing"] as const;
type Kind = (typeof KINDS)[number];

interface Block {
  /** The line of the opening fence, 1-based. */
  line: number;
  lang: string;
  kind: Kind | undefined;
  /** The marker as written, for a message when it is not understood. */
  marker: string | undefined;
  file: string;
  code: string;
}

const HOW: Record<Kind, string> = {
  program: "type-checked, then run",
  module: "type-checked",
  test: "type-checked, then run by Vitest with the README's vitest.config.ts",
  file: "written for the commands after it, its syntax checked by Node",
  commands: "the scripts, files, entry points and packages it names exist",
  "commands, run": "run in a scratch project",
  drawing: "a drawing: not checked",
};

/** The README's fenced blocks, each with the marker on the closest non-blank line before it. */
function readBlocks(text: string): Block[] {
  const lines = text.split("\n");
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)\s*$/.exec(lines[i]!);
    if (!open) continue;
    const start = i;
    const body: string[] = [];
    while (++i < lines.length && !/^```\s*$/.test(lines[i]!)) body.push(lines[i]!);
    let m = start - 1;
    while (m >= 0 && lines[m]!.trim() === "") m--;
    const marker = /^<!-- check: (.*?) -->$/.exec(lines[m]?.trim() ?? "")?.[1];
    const [, kind, file] = /^([a-z ,]+?)(?:, file (\S+))?$/.exec(marker ?? "") ?? [];
    const lang = open[1]!;
    const extension = lang === "ts" ? "ts" : lang === "js" ? "mjs" : lang === "sh" ? "sh" : "txt";
    blocks.push({
      line: start + 1,
      lang: lang || "(none)",
      kind: (KINDS as readonly string[]).includes(kind ?? "") ? (kind as Kind) : undefined,
      marker,
      file: file ?? `readme-${start + 1}.${extension}`,
      code: `${body.join("\n")}\n`,
    });
  }
  return blocks;
}

const blocks = readBlocks(readFileSync(join(root, "README.md"), "utf8"));
const scratch = mkdtempSync(join(tmpdir(), "handloop-readme-"));
let typeErrors = "";

/** Links a package of this repository's node_modules (or this package itself) into the scratch project. */
function link(name: string, target = join(root, "node_modules", name)): void {
  mkdirSync(dirname(join(scratch, "node_modules", name)), { recursive: true });
  symlinkSync(target, join(scratch, "node_modules", name), "dir");
}

const TOOLS = ["@types/node", "typescript", "tsx", "vite", "vitest", "tslib", "@babel/core", "@babel/plugin-transform-typescript"];
// Libraries the README compiles through `include`: copied, not linked, so that they sit in the
// scratch project's node_modules beside handloop, where their compiled code finds handloop/runtime.
const LIBRARIES = ["p-limit", "yocto-queue"];
const BINS: Record<string, string> = { tsc: "typescript/bin/tsc", tsx: "tsx/dist/cli.mjs", vitest: "vitest/vitest.mjs" };

function env(): NodeJS.ProcessEnv {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("VITEST")));
  return {
    ...clean,
    PATH: `${join(scratch, "node_modules/.bin")}:${process.env.PATH}`,
    HANDLOOP_CACHE_DIR: join(scratch, ".cache"),
    NO_COLOR: "1",
    FORCE_COLOR: "0",
  };
}

beforeAll(() => {
  if (!existsSync(join(root, "dist/index.js"))) {
    expect(spawnSync("npm", ["run", "build"], { cwd: root, encoding: "utf8" }).status).toBe(0);
  }
  link("handloop", root);
  for (const tool of TOOLS) link(tool);
  for (const library of LIBRARIES) cpSync(join(root, "node_modules", library), join(scratch, "node_modules", library), { recursive: true });
  mkdirSync(join(scratch, "node_modules/.bin"));
  for (const [bin, path] of Object.entries(BINS)) symlinkSync(join(root, "node_modules", path), join(scratch, "node_modules/.bin", bin));
  writeFileSync(join(scratch, "package.json"), JSON.stringify({ name: "readme", private: true, type: "module" }));
  writeFileSync(
    join(scratch, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        target: "ES2022",
        lib: ["ES2022"],
        types: ["node"],
        module: "NodeNext",
        moduleResolution: "NodeNext",
        strict: true,
        noEmit: true,
        skipLibCheck: true,
      },
      include: ["*.ts"],
    }),
  );
  for (const block of blocks) if (block.kind !== "drawing") writeFileSync(join(scratch, block.file), block.code);
  // Run from the scratch project, so that tsc names each file as the block it holds.
  const tsc = spawnSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", "."], { cwd: scratch, encoding: "utf8" });
  typeErrors = tsc.stdout + tsc.stderr;
}, 120_000);

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The type errors tsc reported in one block's file, with the README's line numbers. */
function typeErrorsOf(block: Block): string[] {
  return typeErrors
    .split("\n")
    .filter((line) => line.startsWith(`${block.file}(`))
    .map((line) => line.replace(/^[^(]+\((\d+),(\d+)\)/, (_, n: string, c: string) => `README.md:${block.line + Number(n)}:${c}`));
}

function run(command: string, args: string[]) {
  return spawnSync(command, args, { cwd: scratch, encoding: "utf8", env: env(), timeout: 60_000 });
}

/** The `// prints <text>` comments of a program, in order. */
function printed(code: string): string[] {
  return [...code.matchAll(/\/\/ prints (.*)$/gm)].map((m) => m[1]!.trim());
}

/** The lines of `output` that contain `expected`, in order: each must follow the one before. */
function inOrder(output: string, expected: readonly string[]): string[] {
  const lines = output.split("\n");
  const found: string[] = [];
  let from = 0;
  for (const text of expected) {
    const at = lines.findIndex((line, i) => i >= from && line === text);
    if (at === -1) break;
    found.push(text);
    from = at + 1;
  }
  return found;
}

/** What a `commands` block names, each checked against this package. */
function checkCommands(code: string): void {
  for (const raw of code.split("\n")) {
    const line = raw.replace(/\s#.*$/, "").trim();
    if (line === "") continue;
    const script = /^npm run (\S+)/.exec(line)?.[1];
    if (script !== undefined) expect(Object.keys(manifest.scripts), line).toContain(script);
    for (const entry of line.match(/\bhandloop\/[\w-]+/g) ?? []) {
      expect(Object.keys(manifest.exports), line).toContain(`./${entry.slice("handloop/".length)}`);
    }
    for (const path of line.match(/\b(?:demos|bench|conformance|test)\/[\w./-]+/g) ?? []) {
      expect(existsSync(join(root, path)), `${line}: ${path} exists`).toBe(true);
    }
    const install = /^npm install(?: --save-dev)? (.+)$/.exec(line)?.[1];
    for (const spec of install?.split(/\s+/) ?? []) {
      // handloop itself, or a peer at a major line its peerDependencies accept.
      const [, name, major] = /^(@?[^@]+)(?:@(\d+))?$/.exec(spec) ?? [];
      if (name === manifest.name) continue;
      expect(Object.keys(manifest.peerDependencies), line).toContain(name);
      expect(manifest.peerDependencies[name!], line).toMatch(new RegExp(`^\\^${major}\\.`));
    }
  }
}

describe("README.md", () => {
  it("type-checks every TypeScript block (tsc reports nothing outside them)", () => {
    const known = new Set(blocks.map((b) => b.file));
    expect(typeErrors.split("\n").filter((line) => line !== "" && !known.has(line.replace(/\(.*$/, "")))).toEqual([]);
  });

  it("marks every code block with how it is checked", () => {
    const unmarked = blocks.filter((b) => b.kind === undefined).map((b) => `README.md:${b.line}: ${b.marker ?? "no <!-- check: ... --> marker"}`);
    expect(unmarked).toEqual([]);
    expect(blocks.length).toBeGreaterThan(10);
  });

  it.each(blocks.filter((b) => b.kind !== undefined).map((b) => [`line ${b.line} (${b.lang}, ${b.kind}): ${HOW[b.kind!]}`, b] as const))(
    "%s",
    (_, block) => {
        switch (block.kind) {
          case "program": {
            expect(typeErrorsOf(block)).toEqual([]);
            const compiled = /^"use handloop";/.test(block.code);
            const result = run(process.execPath, ["--import", "tsx", ...(compiled ? ["--import", "handloop/register"] : []), block.file]);
            expect(result.stderr).toBe("");
            expect(result.status).toBe(0);
            expect(inOrder(result.stdout, printed(block.code))).toEqual(printed(block.code));
            break;
          }
          case "module":
            expect(typeErrorsOf(block)).toEqual([]);
            break;
          case "test": {
            expect(typeErrorsOf(block)).toEqual([]);
            expect(existsSync(join(scratch, "vitest.config.ts")), "the README has a vitest.config.ts block").toBe(true);
            const test = `${block.file.replace(/\.ts$/, "")}.test.ts`;
            writeFileSync(join(scratch, test), block.code);
            const result = run(join(scratch, "node_modules/.bin/vitest"), ["run", test]);
            expect(result.stdout + result.stderr).toMatch(/Tests +1 passed/);
            expect(result.status).toBe(0);
            break;
          }
          case "file": {
            const result = run(process.execPath, ["--check", block.file]);
            expect(result.stderr).toBe("");
            break;
          }
          case "commands":
            checkCommands(block.code);
            break;
          case "commands, run": {
            const result = run("bash", ["-euo", "pipefail", block.file]);
            expect(result.stderr).toBe("");
            expect(result.stdout).not.toMatch(/error TS\d+/); // tsc reports on stdout
            expect(result.status).toBe(0);
            break;
          }
          case "drawing":
            expect(block.lang).toBe("(none)");
            break;
        }
    },
    90_000,
  );
});
