/**
 * peers.ts: handloop's optional peer dependencies, and the error that says how to install one.
 *
 * The runtime (`handloop`) depends on nothing. The compiler behind `handloop/compile`,
 * `handloop/register` and `handloop/vite` needs Babel, and `handloop/tslib` re-exports tslib's
 * helpers: both are optional peer dependencies, so that someone who only writes hand-written
 * coroutines installs neither (Babel is about 12 MB with its own dependencies). So is fast-check,
 * for the arbitrary of `handloop/explore/fast-check`. Each entry point loads its packages when it
 * first needs them and, when one is missing, throws the error built here: it names the entry
 * point, the missing packages and the one command that installs them.
 *
 * Must not import anything: it is loaded before the packages it describes.
 */

/** A peer package and the version to install, as package.json's peerDependencies allow it. */
export interface Peer {
  /** The package's name, as imported. */
  name: string;
  /** The version spec `npm install` needs: a major line that peerDependencies accepts. */
  install: string;
}

/** The compiler's packages, in the order they are named in messages. */
export const COMPILER_PEERS: readonly Peer[] = [
  { name: "@babel/core", install: "@babel/core@7" },
  { name: "@babel/plugin-transform-typescript", install: "@babel/plugin-transform-typescript@7" },
];

/** The helpers `handloop/tslib` re-exports. */
export const TSLIB_PEER: Peer = { name: "tslib", install: "tslib@2" };

/** The property-testing library `handloop/explore/fast-check` gives an arbitrary for. */
export const FAST_CHECK_PEER: Peer = { name: "fast-check", install: "fast-check@4" };

/** Which entry point needs the packages, and so whether they are a run-time or a build-time need. */
export type PeerEntry = "handloop/compile" | "handloop/register" | "handloop/vite" | "handloop/tslib" | "handloop/explore/fast-check";

/** The error an entry point throws when peer packages it needs are not installed. */
export class MissingPeerError extends Error {
  override name = "MissingPeerError";
  /** The packages that are missing, by name. */
  readonly packages: readonly string[];
  /** The command that installs them. */
  readonly command: string;

  /** `during` says what the entry point was doing, as in "(compiling src/app.ts)"; may be empty. */
  constructor(entry: PeerEntry, missing: readonly Peer[], during = "", options?: { cause?: unknown }) {
    // The Vite plugin and the fast-check arbitrary only run in a build or a test run: a dev
    // dependency. The Node hook compiles when the program starts, so its packages must be there in
    // production too.
    const dev = entry === "handloop/vite" || entry === "handloop/explore/fast-check" ? " --save-dev" : "";
    const command = `npm install${dev} ${missing.map((peer) => peer.install).join(" ")}`;
    const names = missing.map((peer) => peer.name);
    const list = names.length === 1 ? names[0]! : `${names.slice(0, -1).join(", ")} and ${names.at(-1)!}`;
    const verb = names.length === 1 ? "is" : "are";
    super(
      `${entry}${during && ` ${during}`} needs ${list}, which ${verb} not installed: ${names.length === 1 ? "it is an optional peer dependency" : "they are optional peer dependencies"} of handloop, ` +
        `left out for programs that only use hand-written coroutines. Install ${names.length === 1 ? "it" : "them"} with: ${command}`,
      options,
    );
    this.packages = names;
    this.command = command;
  }
}
