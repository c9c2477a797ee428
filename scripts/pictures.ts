/**
 * scripts/pictures.ts: regenerates every picture the README shows, from the demos as they run now
 * (`npm run pictures`). Each demo runs under `handloop trace` on the virtual clock, so the pictures
 * are the same on every machine; test/pictures.test.ts checks that the committed ones are.
 *
 *   docs/print-every-period.svg       the post's demo: the README's opening picture
 *   docs/crawler.svg                  the crawler demo
 *   docs/crawler.timeline.txt         the crawler demo in the terminal; its first rows and legend
 *                                     are copied into README.md, after the marker
 *                                     <!-- pictures: docs/crawler.timeline.txt -->
 *
 *   npx tsx scripts/pictures.ts [--check]   --check: write nothing, exit 1 if a picture is stale
 */

import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseTrace, timeline, timelineSVG } from "../src/index.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const check = process.argv.includes("--check");

/** The demo's recording, as `handloop trace` writes it. */
function record(demo: string): string {
  const dir = mkdtempSync(join(tmpdir(), "handloop-pictures-"));
  try {
    const file = join(dir, "run.jsonl");
    const cli = spawnSync(process.execPath, ["--import", "tsx", "src/cli.ts", "trace", `demos/${demo}.ts`, "--jsonl", file], {
      cwd: root,
      encoding: "utf8",
    });
    if (cli.status !== 0) throw new Error(`handloop trace demos/${demo}.ts failed (status ${cli.status}):\n${cli.stderr}`);
    return readFileSync(file, "utf8");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The part of a terminal timeline the README shows: the axis, the first rows, and the legend. */
export function excerpt(timelineText: string): string {
  const lines = timelineText.trimEnd().split("\n");
  return [...lines.slice(0, 12), "…", ...lines.slice(-2)].join("\n");
}

const README_MARK = "<!-- pictures: docs/crawler.timeline.txt -->";

/** README.md with the crawler's timeline excerpt in the fenced block after its marker. */
export function readmeWith(readme: string, timelineText: string): string {
  const at = readme.indexOf(README_MARK);
  if (at === -1) throw new Error(`README.md has no ${README_MARK} marker before the crawler's timeline.`);
  const open = readme.indexOf("```\n", at);
  const close = readme.indexOf("\n```", open + 4);
  return `${readme.slice(0, open + 4)}${excerpt(timelineText)}${readme.slice(close)}`;
}

/** Every picture: file name (under docs/) and its text now. */
export function pictures(): Map<string, string> {
  const post = parseTrace(record("print-every-period"));
  const crawler = parseTrace(record("crawler"));
  return new Map([
    ["print-every-period.svg", timelineSVG(post, { title: "print-every-period: three coroutines, one loop, virtual time", width: 860 })],
    ["crawler.svg", timelineSVG(crawler, { title: "crawler: 20 fetches, 4 at a time, 2 s timeouts", width: 980 })],
    ["crawler.timeline.txt", timeline(crawler, { width: 60 })],
  ]);
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  let stale = 0;
  for (const [name, text] of pictures()) {
    const file = join(root, "docs", name);
    const same = existsSync(file) && readFileSync(file, "utf8") === text;
    if (check) {
      if (!same) {
        console.log(`docs/${name} is stale: run npm run pictures`);
        stale++;
      }
    } else {
      writeFileSync(file, text);
      console.log(`${same ? "unchanged" : "wrote    "} docs/${name}`);
    }
  }
  const readmeFile = join(root, "README.md");
  const readme = readFileSync(readmeFile, "utf8");
  const updated = readmeWith(readme, readFileSync(join(root, "docs/crawler.timeline.txt"), "utf8"));
  if (updated !== readme) {
    if (check) {
      console.log("README.md's crawler timeline is stale: run npm run pictures");
      stale++;
    } else {
      writeFileSync(readmeFile, updated);
      console.log("wrote     README.md's crawler timeline");
    }
  }
  process.exit(stale > 0 ? 1 : 0);
}
