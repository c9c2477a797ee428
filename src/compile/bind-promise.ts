/**
 * compile/bind-promise.ts: binds a compiled file's references to the global `Promise` to the
 * loop's Promise class, `LoopPromise` from the runtime (compile()'s `promise: "loop"`).
 *
 * Libraries create Promises by hand (`new Promise(...)`, `Promise.all`, `x instanceof Promise`),
 * and a native Promise settles on V8's microtask queue, which a synchronous run of the loop never
 * drains. So every reference that reads the *global* `Promise` is rewritten to a local bound to
 * `LoopPromise`; a reference that a binding of the file shadows keeps its local, as written.
 *
 * Which references count, decided here once:
 * - Bound: every read of the identifier `Promise` that no binding of the file declares, whatever
 *   reads it (`new`, a call, `instanceof`, `typeof`, `extends`, an argument, `{ Promise }`).
 * - Shadowing is Babel's scope analysis (var/let/const/function/class/parameters/catch/import,
 *   with hoisting), plus Annex B's sloppy-mode hoisting of a `function Promise` declared in a
 *   block, which Babel does not model: conservatively, such a function keeps `Promise` local in
 *   the whole function (or script) around it.
 * - Left as written: writes (`Promise = P`, `Promise++`, `for (Promise of ...)`, destructuring,
 *   `delete Promise`), which still reach the global; reads inside a `with` body, where the object
 *   may supply `Promise`; property reads (`globalThis.Promise`, `window.Promise`); and code in
 *   strings given to `eval` or `Function`, which is not compiled. TypeScript's type references are
 *   gone before this runs (types are stripped first).
 *
 * Invariant: runs on the file as written, before any lowering moves code, so that scopes are the
 * author's.
 */

import type { NodePath, types as BabelTypes, Visitor } from "@babel/core";

type Scope = NodePath["scope"];

const NAME = "Promise";

/**
 * Rewrites each unshadowed read of the global `Promise` in `program` to the identifier `local()`
 * returns (called once per reference, so each gets a node of its own).
 */
export function bindGlobalPromise(program: NodePath<BabelTypes.Program>, t: typeof BabelTypes, local: () => BabelTypes.Identifier): void {
  const reads: NodePath<BabelTypes.Identifier>[] = [];
  // The var scopes into which a sloppy-mode `function Promise` in a block may hoist (Annex B.3.3).
  const annexB = new Set<Scope>();
  const visitor: Visitor = {
    FunctionDeclaration(path) {
      if (path.node.id?.name !== NAME || !inBlock(path) || path.isInStrictMode()) return;
      const around = path.parentPath.scope;
      annexB.add(around.getFunctionParent() ?? around.getProgramParent());
    },
    Identifier(path) {
      if (path.node.name === NAME && path.isReferencedIdentifier() && !isWrite(path)) reads.push(path);
    },
  };
  program.traverse(visitor);
  for (const path of reads) {
    if (path.scope.getBinding(NAME) !== undefined || hoistsInto(path.scope, annexB) || insideWith(path)) continue;
    const parent = path.parent;
    // `{ Promise }` becomes `{ Promise: _hlLoopPromise }`: the key stays the property's name.
    if (t.isObjectProperty(parent) && parent.shorthand) parent.shorthand = false;
    path.replaceWith(local());
  }
}

/** A function declaration that is not directly in a script, module or function body. */
function inBlock(path: NodePath<BabelTypes.FunctionDeclaration>): boolean {
  const parent = path.parentPath;
  if (parent.isProgram() || parent.isExportDeclaration()) return false;
  return !(parent.isBlockStatement() && parent.parentPath.isFunction());
}

function hoistsInto(scope: Scope, annexB: ReadonlySet<Scope>): boolean {
  if (annexB.size === 0) return false;
  for (let s: Scope | undefined = scope; s !== undefined && s !== null; s = s.parent) {
    if (annexB.has(s)) return true;
  }
  return false;
}

function insideWith(path: NodePath): boolean {
  return path.findParent((p) => p.isWithStatement()) !== null;
}

/** Whether the identifier is assigned (or deleted) rather than only read. */
function isWrite(path: NodePath<BabelTypes.Identifier>): boolean {
  let child: NodePath = path;
  let parent = path.parentPath;
  // Up through destructuring patterns: `[Promise] = x`, `({ a: Promise = 1 } = x)`.
  while (
    parent.isArrayPattern() ||
    parent.isObjectPattern() ||
    parent.isRestElement() ||
    (parent.isAssignmentPattern() && child.key === "left") ||
    (parent.isObjectProperty() && child.key === "value" && parent.parentPath.isObjectPattern())
  ) {
    child = parent;
    parent = parent.parentPath!;
  }
  if (parent.isAssignmentExpression() || parent.isForXStatement()) return child.key === "left";
  return parent.isUpdateExpression() || parent.isUnaryExpression({ operator: "delete" });
}
