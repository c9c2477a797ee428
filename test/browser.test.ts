// handloop in a real browser: test/browser/page.ts, built by an ordinary Vite build with the
// plugin, served from localhost and opened in headless Chromium (the system's, driven by
// playwright-core). Skipped, with a line saying so, where no Chromium is installed.
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser } from "playwright-core";
import { build } from "vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { handloop } from "../src/vite.js";

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const CANDIDATES = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];
const executablePath = CANDIDATES.find((path): path is string => path !== undefined && path !== "" && existsSync(path));
if (executablePath === undefined) {
  console.log(
    `browser tests skipped: no Chromium found (looked at ${CANDIDATES.filter(Boolean).join(", ")}). ` +
      "Install one with `apt-get install chromium`, or set CHROMIUM_PATH.",
  );
}

// As the platform notes measured: without the background-networking flags, Chromium's own
// connections are refused many at a time on a closed network.
const FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
const TYPES: Record<string, string> = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css" };

describe.skipIf(executablePath === undefined)("in a real browser (headless Chromium)", () => {
  let server: Server;
  let browser: Browser;
  let url: string;

  beforeAll(async () => {
    const outDir = mkdtempSync(join(tmpdir(), "handloop-browser-"));
    // demos/frames.html, built with the demos' own Vite config, beside the test page.
    await build({
      root: here("../demos"),
      configFile: here("../demos/vite.config.ts"),
      logLevel: "silent",
      base: "./", // served from /demos/, beside the test page
      build: { outDir: join(outDir, "demos"), emptyOutDir: true, rollupOptions: { input: here("../demos/frames.html") } },
    });
    await build({
      root: here("./browser"),
      configFile: false,
      logLevel: "silent",
      plugins: [handloop()],
      resolve: {
        alias: [
          { find: /^handloop$/, replacement: here("../src/index.ts") },
          { find: /^handloop\/runtime$/, replacement: here("../src/runtime.ts") },
        ],
      },
      build: { outDir, emptyOutDir: false },
    });
    server = createServer((request, response) => {
      const path = normalize(join(outDir, decodeURIComponent(new URL(request.url ?? "/", "http://x").pathname)));
      const file = path.endsWith("/") ? join(path, "index.html") : path;
      if (!file.startsWith(outDir) || !existsSync(file)) {
        response.writeHead(404).end();
        return;
      }
      response.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" }).end(readFileSync(file));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    url = `http://127.0.0.1:${typeof address === "object" && address !== null ? address.port : 0}/`;
    browser = await chromium.launch({ executablePath, args: FLAGS, headless: true });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    server?.close();
  });

  async function results(): Promise<Record<string, unknown>> {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(url);
    try {
      await page.waitForFunction(() => "results" in globalThis, null, { timeout: 20_000 });
    } catch (error) {
      throw new Error(`The page never finished its checks; its errors: ${JSON.stringify(errors)}`, { cause: error });
    }
    const seen = (await page.evaluate(() => (globalThis as unknown as { results: Record<string, unknown> }).results)) as Record<string, unknown>;
    expect(errors).toEqual([]);
    await page.close();
    return seen;
  }

  it("runs compiled code in virtual time with the loop's Promise and virtual globals, host mode on MessageChannel, and frame mode from requestAnimationFrame", async () => {
    const seen = await results();
    expect(seen["post's bonus on a virtual clock"]).toEqual({
      done: ["Print 1 over", "Print 0.5 over"],
      log: ["0.5@0.5", "1@1", "0.5@1", "0.5@1.5", "1@2", "0.5@2", "0.5@2.5", "1@3", "0.5@3"],
    });
    expect(seen["Promise is the loop's, and globals follow the virtual clock"]).toEqual({
      value: "timer",
      all: [1, 2, 3],
      date: 1500,
      perf: 1500,
      loopPromise: true,
    });
    // The page's main thread may not block in Atomics.wait: the real clock waits all the same.
    expect(seen["a real clock blocks the page's main thread for the time asked"]).toBe("about 50 ms");
    const frames = seen["frames driven by requestAnimationFrame"] as { stepsDue: number };
    expect(frames).toEqual({ frames: true, draws: expect.any(Number), steps: frames.stepsDue, stepsDue: frames.stepsDue, moved: true });
    expect(seen["host mode on the page's event loop"]).toEqual({ log: ["native", "b", "a"], waited: true });
  }, 60_000);

  it("animates the frames demo's world from requestAnimationFrame, and pausing stops its time, not its frames", async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(`${url}demos/frames.html`);
    type Demo = { frame: number; steps: number; time: number };
    const demo = () => page.evaluate(() => (globalThis as unknown as { demo?: Demo }).demo);
    await page.waitForFunction(() => ((globalThis as unknown as { demo?: Demo }).demo?.frame ?? 0) >= 20, null, { timeout: 20_000 });
    const running = (await demo())!;
    expect(running.steps).toBe(Math.floor(running.time / 0.1 + 1e-9));
    await page.click("#pause");
    const paused = (await demo())!;
    await page.waitForFunction((frame) => ((globalThis as unknown as { demo?: Demo }).demo?.frame ?? 0) >= frame + 10, paused.frame, { timeout: 20_000 });
    const later = (await demo())!;
    expect(later.time).toBe(paused.time);
    expect(later.steps).toBe(paused.steps);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);
});
