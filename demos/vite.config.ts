// `npx vite demos` serves the browser demos (demos/frames.html) compiled by handloop's plugin.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";
import { handloop } from "../src/vite.js";

export default defineConfig({
  plugins: [handloop()],
  resolve: {
    alias: [{ find: /^handloop$/, replacement: fileURLToPath(new URL("../src/index.ts", import.meta.url)) }],
  },
});
