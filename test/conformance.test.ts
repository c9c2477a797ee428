// The test262 runner's reading of the suite: front matter, scenarios, harness order and the
// expectations file. (The suite itself is not needed: `npm run test262` runs it.)
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  formatExpectations,
  harnessOf,
  parseFrontMatter,
  readExpectations,
  scenariosOf,
} from "../conformance/suite.js";

const sample = `// Copyright
/*---
description: a sample
flags: [async, onlyStrict]
includes:
  - compareArray.js
  - asyncHelpers.js
features: [async-iteration, Symbol.asyncIterator]
negative:
  phase: parse
  type: SyntaxError
---*/
$DONOTEVALUATE();
`;

describe("the test262 runner", () => {
  it("reads flags, includes in both list forms, features and negative from the front matter", () => {
    expect(parseFrontMatter(sample)).toEqual({
      flags: ["async", "onlyStrict"],
      includes: ["compareArray.js", "asyncHelpers.js"],
      features: ["async-iteration", "Symbol.asyncIterator"],
      negative: { phase: "parse", type: "SyntaxError" },
    });
  });

  it("runs a test in both modes unless a flag picks one, as INTERPRETING.md says", () => {
    const scenarios = (flags: string[]) => scenariosOf({ flags, includes: [], features: [], negative: null });
    expect(scenarios([])).toEqual(["strict", "sloppy"]);
    expect(scenarios(["onlyStrict"])).toEqual(["strict"]);
    expect(scenarios(["noStrict"])).toEqual(["sloppy"]);
    expect(scenarios(["raw"])).toEqual(["raw"]);
  });

  it("loads assert.js, sta.js, doneprintHandle.js for async tests, then the includes in order; nothing for raw tests", () => {
    const meta = parseFrontMatter(sample);
    expect(harnessOf(meta)).toEqual(["assert.js", "sta.js", "doneprintHandle.js", "compareArray.js", "asyncHelpers.js"]);
    expect(harnessOf({ ...meta, flags: ["raw"] })).toEqual([]);
  });

  it("reads back the expectations file it writes (host mode's names its command), and refuses an entry without a known category", () => {
    const dir = mkdtempSync(join(tmpdir(), "handloop-test262-"));
    const file = join(dir, "expectations.txt");
    writeFileSync(
      file,
      formatExpectations(
        [
          { key: "language/b.js:sloppy", category: "native-promise", note: "" },
          { key: "language/a.js", category: "function-metadata", note: "reaches AsyncFunction" },
        ],
        false,
      ),
    );
    expect([...readExpectations(file).values()]).toEqual([
      { key: "language/a.js", category: "function-metadata", note: "reaches AsyncFunction" },
      { key: "language/b.js:sloppy", category: "native-promise", note: "" },
    ]);
    const host = formatExpectations([], false, false, true);
    expect(host.split("\n")[0]).toBe(
      "# test262 expectations for handloop's compiled code (`npm run test262 -- --host`), each test run under runAsync() (host mode), where native Promises settle.",
    );
    expect(host).toContain("`npm run test262 -- --host --update` rewrites this file");
    writeFileSync(file, "language/c.js  flaky\n");
    expect(() => readExpectations(file)).toThrow(/"flaky" is not a category of the expectations file/);
  });
});
