/**
 * handloop/compile: the compiler's public entry. `compile()` turns `async`/`await` source into
 * code that runs on the loop; `isOptedIn()` is the rule the Node hook and the Vite plugin use to
 * decide which files to compile.
 */

export { compile, isOptedIn, type CompileOptions, type CompileResult, type SourceMap } from "./compile.js";
