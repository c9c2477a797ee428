"use handloop";
// Runs in a real browser page, built by an ordinary Vite build with handloop's plugin (see
// test/browser.test.ts). Each check records what it saw in `window.results`; the test compares.
import { animate, asleep, currentLoop, EventLoop, FrameClock, fromPromise, gather, LoopPromise, nextFrame, RealClock, run, runAsync, VirtualClock } from "handloop";

const results: Record<string, unknown> = {};

async function printEveryPeriod(log: string[], msg: string, period: number): Promise<string> {
  for (let i = 0; i < Math.trunc(3 / period); i++) {
    await asleep(period);
    log.push(`${msg}@${currentLoop().time()}`);
  }
  return `Print ${period} over`;
}

function check(name: string, body: () => unknown): void {
  try {
    results[name] = body();
  } catch (error) {
    results[name] = `threw ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`;
  }
}

check("post's bonus on a virtual clock", () => {
  const log: string[] = [];
  const done = run(
    async () => gather(printEveryPeriod(log, "1", 1), printEveryPeriod(log, "0.5", 0.5)),
    { clock: new VirtualClock() },
  );
  return { done, log };
});

check("Promise is the loop's, and globals follow the virtual clock", () =>
  run(
    async () => {
      const start = Date.now();
      const perf = performance.now();
      const value = await new Promise<string>((resolve) => setTimeout(() => resolve("timer"), 1500));
      const all = await Promise.all([1, LoopPromise.resolve(2), new Promise((resolve) => queueMicrotask(() => resolve(3)))]);
      return { value, all, date: Date.now() - start, perf: performance.now() - perf, loopPromise: Promise === LoopPromise };
    },
    { clock: new VirtualClock(), globals: "virtual" },
  ),
);

check("a real clock blocks the page's main thread for the time asked", () => {
  const began = performance.now();
  run(async () => {
    await asleep(0.05);
  }, { clock: new RealClock() });
  const took = performance.now() - began;
  return took >= 49 && took < 1000 ? "about 50 ms" : `${took} ms`;
});

// Host mode on the page's event loop (MessageChannel tasks, setTimeout): two sleepers and a native
// Promise a native timer settles, in deadline order, while the page stays live.
let host: unknown;
runAsync(
  async () => {
    const log: string[] = [];
    const a = (async () => {
      await asleep(0.04);
      log.push("a");
    })();
    const b = (async () => {
      await asleep(0.02);
      log.push("b");
    })();
    log.push(await fromPromise(new globalThis.Promise<string>((resolve) => globalThis.setTimeout(() => resolve("native"), 5))));
    await a;
    await b;
    return { log, waited: currentLoop().time() >= 0.04 };
  },
  { clock: new RealClock() },
).then(
  (value) => {
    host = value;
    frameMode(); // after: while a loop is attached to the host, it is the page's running loop
  },
  (error: unknown) => (host = `rejected ${String(error)}`),
);

// Frame mode driven by the page's own requestAnimationFrame, for 30 frames of whatever length the
// browser gives: a 0.1 s step wakes once per 0.1 s of frame time, and nextFrame() once per frame.
function frameMode(): void {
  const clock = new FrameClock();
  const loop = new EventLoop({ clock });
  let steps = 0;
  let draws = 0;
  loop.createTask(
    (async () => {
      for (;;) {
        await asleep(0.1);
        steps++;
      }
    })(),
  );
  loop.createTask(
    (async () => {
      for (;;) {
        await nextFrame();
        draws++;
      }
    })(),
  );
  const stop = animate(loop, {
    onFrame: () => {
      if (loop.frame < 30 || host === undefined) return;
      stop();
      results["host mode on the page's event loop"] = host;
      results["frames driven by requestAnimationFrame"] = {
        frames: loop.frame >= 30,
        draws,
        steps,
        stepsDue: Math.floor(clock.now() / 0.1 + 1e-9),
        moved: clock.now() > 0,
      };
      // (The project's types have no DOM: the page is reached through globalThis.)
      type Page = { results?: unknown; document: { getElementById(id: string): { textContent: string | null } | null } };
      const page = globalThis as unknown as Page;
      page.results = results;
      page.document.getElementById("out")!.textContent = JSON.stringify(results, null, 2);
    },
  });
}
