// The fuzzer (test/fuzz/): random programs of tasks, checked against the documented rules. See
// test/fuzz/interpret.ts for the rules. `npm test` runs 3,000 programs from a fixed seed, so that a
// commit's result does not depend on luck (FUZZ_SEED and FUZZ_RUNS change them); exploring is
// `npm run fuzz -- --runs N`, from a new seed each time.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { holds } from "./fuzz/holds.js";
import { describeProgram, programArbitrary, type Program } from "./fuzz/program.js";

describe("random programs (fuzzer)", () => {
  it("keep every documented rule: outcomes, cleanup, errors delivered once, children first, queues, locks, time", () => {
    const seed = Number(process.env["FUZZ_SEED"] ?? 20261202);
    const numRuns = Number(process.env["FUZZ_RUNS"] ?? 3000);
    fc.assert(fc.property(programArbitrary(), holds), { seed, numRuns });
  });

  it("print as pseudo-code when they fail", () => {
    const program: Program = {
      main: { steps: [{ k: "gather", tasks: [{ steps: [{ k: "throw" }] }, { steps: [{ k: "sleep", d: 1 }] }] }] },
      queues: [1, 2],
      permits: 1,
      cancels: [{ at: 0.5, target: 2, twice: true }],
    };
    expect(describeProgram(program)).toBe(
      [
        "queues (maxsize): [1, 2]; semaphore permits: 1",
        "at 0.5: cancel t2 twice",
        "main t0:",
        "  gather",
        "    t1:",
        "      throw E1",
        "    t2:",
        "      sleep 1",
      ].join("\n"),
    );
  });
});
