/**
 * version.ts: this copy's version, as package.json gives it (a test keeps the two equal). Copies
 * of handloop in one process compare it to decide whether they may share one runtime (see
 * registry.ts).
 */

/** The version of this copy of handloop. */
export const VERSION = "0.1.0";
