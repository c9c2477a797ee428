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
import { timelineSVG } from "../src/index.js";
import { handloop } from "../src/vite.js";
import { postDemo, spawnWakeCancel } from "./recording-builder.js";

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

// The timeline SVG as people see it: drawn by a real browser, its text legible and apart, its
// tasks in rows, with a legend. A screenshot is left in the temporary folder for a human to judge.
describe.skipIf(executablePath === undefined)("timelineSVG() in a real browser (headless Chromium)", () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath, args: FLAGS, headless: true });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  interface Text {
    text: string;
    x: number;
    y: number;
    width: number;
    height: number;
    fontSize: number;
  }

  async function draw(svg: string, name: string): Promise<{ texts: Text[]; width: number; height: number }> {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await page.setContent(`<!doctype html><body style="margin:0">${svg}</body>`);
    // Plain JavaScript: this project's types have no DOM.
    const drawn = (await page.evaluate(`(() => {
      const root = document.querySelector("svg").getBoundingClientRect();
      const texts = [...document.querySelectorAll("svg text")].map((element) => {
        const box = element.getBoundingClientRect();
        const fontSize = parseFloat(getComputedStyle(element).fontSize);
        return { text: element.textContent, x: box.x, y: box.y, width: box.width, height: box.height, fontSize };
      });
      return { texts, width: root.width, height: root.height };
    })()`)) as { texts: Text[]; width: number; height: number };
    await page.setViewportSize({ width: Math.ceil(drawn.width), height: Math.ceil(drawn.height) });
    await page.screenshot({ path: join(tmpdir(), `handloop-${name}.png`) });
    expect(errors).toEqual([]);
    await page.close();
    return drawn;
  }

  // The README's crawler picture: 66 tasks in compact rows.
  const crawlerRows = readFileSync(here("../docs/crawler.timeline.txt"), "utf8").split("\n").filter((line) => / #\d+ /.test(line)).length;
  for (const [name, svg, rowCount, svgWidth] of [
    ["post-demo", timelineSVG(postDemo(), { title: "post-demo" }), postDemo().tasks.size, 900],
    ["spawn-wake-cancel", timelineSVG(spawnWakeCancel(), { title: "spawn-wake-cancel" }), spawnWakeCancel().tasks.size, 900],
    ["crawler", readFileSync(here("../docs/crawler.svg"), "utf8"), crawlerRows, 980],
  ] as const) {
    it(`draws ${name} with legible text, a legend, and a row per task, top to bottom in task order`, async () => {
      const { texts, width } = await draw(svg, name);
      expect(width).toBe(svgWidth);
      for (const text of texts) {
        expect(text.fontSize, text.text).toBeGreaterThanOrEqual(11);
        expect(text.height, text.text).toBeGreaterThanOrEqual(10);
        expect(text.width, text.text).toBeGreaterThan(0);
        expect(text.x, text.text).toBeGreaterThanOrEqual(0);
        expect(text.x + text.width, text.text).toBeLessThanOrEqual(width);
      }
      // No two texts overlap by more than a sliver (glyph boxes touch at most).
      for (const [i, a] of texts.entries()) {
        for (const b of texts.slice(i + 1)) {
          const overlap =
            Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x)) *
            Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y));
          expect(overlap, `${a.text} / ${b.text}`).toBeLessThan(0.1 * Math.min(a.width * a.height, b.width * b.height));
        }
      }
      const legend = texts.filter((t) => ["running", "ready", "sleeping", "awaiting", "cancelled"].includes(t.text));
      expect(legend.map((t) => t.text)).toEqual(["running", "ready", "sleeping", "awaiting", "cancelled"]);
      const rows = texts.filter((t) => / #\d+$/.test(t.text));
      expect(rows.length).toBe(rowCount);
      for (let i = 1; i < rows.length; i++) expect(rows[i]!.y).toBeGreaterThan(rows[i - 1]!.y + 10);
      // The legend is above the rows, the axis' labels below them.
      expect(Math.max(...legend.map((t) => t.y))).toBeLessThan(rows[0]!.y);
      const ticks = texts.filter((t) => /^\d+(\.\d+)? s$/.test(t.text));
      expect(ticks.length).toBeGreaterThanOrEqual(3);
      for (const tick of ticks) expect(tick.y).toBeGreaterThan(rows.at(-1)!.y);
    }, 30_000);
  }
});
