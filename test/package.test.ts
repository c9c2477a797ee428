// The published shape: dist/ (built by `npm test`'s pretest) type-checks in a consumer project.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));

describe("the built package", () => {
  it("gives a consumer project declarations that type-check, for every entry point", () => {
    if (!existsSync(join(root, "dist/index.d.ts"))) {
      expect(spawnSync("npm", ["run", "build"], { cwd: root, encoding: "utf8" }).status).toBe(0);
    }
    const project = mkdtempSync(join(tmpdir(), "handloop-consumer-"));
    cpSync(join(root, "test/fixtures/consumer"), project, { recursive: true });
    mkdirSync(join(project, "node_modules"));
    symlinkSync(root, join(project, "node_modules/handloop"), "dir");
    const tsc = spawnSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", project], {
      encoding: "utf8",
    });
    expect(tsc.stdout + tsc.stderr).toBe("");
    expect(tsc.status).toBe(0);
  });
});
