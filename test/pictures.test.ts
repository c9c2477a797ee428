// The README's pictures (docs/) are what `npm run pictures` (scripts/pictures.ts) makes from the
// demos now: a change to a renderer or a demo that changes them must regenerate them.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { pictures, readmeWith } from "../scripts/pictures.js";

describe("the README's pictures", () => {
  it("are what npm run pictures makes now (run it if this fails, and look at the result)", { timeout: 60_000 }, () => {
    const made = pictures();
    expect([...made.keys()]).toEqual(["print-every-period.svg", "crawler.svg", "crawler.timeline.txt"]);
    for (const [name, text] of made) expect(readFileSync(new URL(`../docs/${name}`, import.meta.url), "utf8"), name).toBe(text);
  });

  it("are in the README: the post's demo first, then the crawler's terminal timeline and SVG", () => {
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
    const first = readme.indexOf("![");
    expect(readme.slice(first, readme.indexOf("\n", first))).toContain("(docs/print-every-period.svg)");
    expect(first).toBeLessThan(readme.indexOf("\n## "));
    expect(readme).toContain("(docs/crawler.svg)");
    // The README shows the timeline's first rows and its legend, exactly as drawn.
    const text = readFileSync(new URL("../docs/crawler.timeline.txt", import.meta.url), "utf8");
    expect(readmeWith(readme, text)).toBe(readme);
  });
});
