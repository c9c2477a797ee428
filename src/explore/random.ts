/**
 * explore/random.ts: the explorer's only source of randomness, a seeded 32-bit generator.
 *
 * Exploration must be reproducible from its seed alone, so nothing here reads `Math.random` (which
 * a run may replace, and which the explorer watches as an escape). Each run draws from its own
 * generator, seeded from the exploration's seed and the run's number, so run 37 is the same run
 * whatever the runs before it did.
 */

/** @internal mulberry32: small, fast, and good enough to pick among a few ready tasks. */
export class Random {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    let t = (this.#state = (this.#state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
}

/** @internal The seed of run `run` of an exploration seeded with `seed` (splitmix32's mixer). */
export function runSeed(seed: number, run: number): number {
  let z = (seed ^ Math.imul(run + 1, 0x9e3779b9)) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}
