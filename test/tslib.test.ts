import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { run, Task, VirtualClock } from "../src/index.js";
import { withoutMicrotasks } from "./helpers.js";

const fixture = fileURLToPath(new URL("./fixtures/tsc-app.ts", import.meta.url));
const outDir = fileURLToPath(new URL("./.generated/", import.meta.url));

describe("handloop/tslib", () => {
  it("runs real `tsc --target es2016 --importHelpers` output on the loop, async generators included, with no Promise", async () => {
    const { outputText } = ts.transpileModule(readFileSync(fixture, "utf8"), {
      fileName: fixture,
      compilerOptions: {
        target: ts.ScriptTarget.ES2016,
        module: ts.ModuleKind.ESNext,
        importHelpers: true,
        removeComments: true,
      },
    });
    // It really is the downlevel emit: helpers imported from "tslib", no async function left.
    expect(outputText).toMatch(/import \{[^}]*__awaiter[^}]*\} from "tslib"/);
    expect(outputText).not.toMatch(/\basync\b/);
    expect(outputText).toContain("function* ()");

    mkdirSync(outDir, { recursive: true });
    const compiled = `${outDir}tsc-app.js`;
    writeFileSync(compiled, outputText);
    const app = (await import(/* @vite-ignore */ compiled)) as {
      main(): Task<unknown[]>;
      log: string[];
    };

    const result = withoutMicrotasks(() => {
      const main = app.main();
      expect(main).toBeInstanceOf(Task);
      return run(main, { clock: new VirtualClock() });
    });
    expect(result).toEqual([
      "A",
      "B",
      ">> hello loop",
      42,
      "caught inside",
      6,
      "RangeError: early",
      [3, 2, 1, 0, 7, 8],
      7,
    ]);
    expect(app.log).toEqual(["b@1", "a@2", "countdown closed@4.5", "finally@7"]);
  });

  it("awaits an async generator's own yield that its body did not await first", async () => {
    // TypeScript always emits `yield yield __await(v)`; a body written otherwise, here one that
    // yields through tslib's own __asyncDelegator, still gets each value awaited before it is yielded.
    const ours = await import("../src/tslib.js");
    const theirs = await import("tslib/tslib.es6.mjs");
    const thenable = { then: (resolve: (v: unknown) => void) => resolve("adopted") };
    const gen = ours.__asyncGenerator(undefined, [], function* () {
      const inner = ours.__asyncGenerator(undefined, [], function* () {
        yield yield ours.__await("from inner");
      });
      yield* theirs.__asyncDelegator(ours.__asyncValues(inner) as AsyncIterable<unknown>);
      yield thenable;
    }) as AsyncGenerator<unknown>;
    const values = withoutMicrotasks(() =>
      run(
        function* () {
          const out: unknown[] = [];
          for (;;) {
            const r = (yield gen.next()) as IteratorResult<unknown>;
            if (r.done) return out;
            out.push(r.value);
          }
        },
        { clock: new VirtualClock() },
      ),
    );
    expect(values).toEqual(["from inner", "adopted"]);
  });

  it("exports every helper tslib exports", async () => {
    const ours = await import("../src/tslib.js");
    const theirs = await import("tslib/tslib.es6.mjs");
    const names = (m: object) => Object.keys(m).filter((k) => k !== "default").sort();
    expect(names(ours)).toEqual(names(theirs));
    expect(ours.__awaiter).not.toBe(theirs.__awaiter);
  });
});
