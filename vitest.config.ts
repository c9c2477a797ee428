import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";
import { handloop } from "./src/vite.js";

const src = (file: string) => fileURLToPath(new URL(`./src/${file}`, import.meta.url));

export default defineConfig({
  // Test files that start with "use handloop" run real async code on the loop; the libraries
  // named in `include` are compiled too (test/libraries.test.ts).
  plugins: [handloop({ include: ["async-mutex", "p-limit", "p-retry"] })],
  resolve: {
    // Tests and fixtures import the package by name; point the names at the sources. "tslib" is
    // aliased exactly as a user of `tsc --importHelpers` would alias it (bare name only).
    alias: [
      { find: /^handloop$/, replacement: src("index.ts") },
      { find: /^handloop\/runtime$/, replacement: src("runtime.ts") },
      { find: /^handloop\/tslib$/, replacement: src("tslib.ts") },
      { find: /^tslib$/, replacement: src("tslib.ts") },
    ],
  },
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
  },
});
