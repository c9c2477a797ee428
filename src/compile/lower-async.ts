/**
 * compile/lower-async.ts: the Babel plugin that lowers `async` functions onto handloop's driver.
 *
 * Only `async` functions, `await`, `for await` and async generators change; every other piece of
 * syntax is left as written. Each async function becomes a wrapper of the same kind and a
 * generator body created once per definition (see runtime.ts for the contract):
 *
 * | async ...                   | wrapper                                      | body (generator) lives               |
 * |-----------------------------|----------------------------------------------|--------------------------------------|
 * | function declaration        | `function f(_0) { return __run(b, this, arguments, "f") }` | a hoisted `function*` beside it |
 * | function expression         | `__wrap(function* () {...}, "f", n)`         | the argument (an IIFE binds a self-referenced name) |
 * | arrow                       | `__wrapArrow(function* () {...}, this, "f", n)` | the argument; `arguments`/`super` captured from outside |
 * | class method                | same method, body `return __run(b, this, arguments, "m")` | a generator method moved out by a static block, so `super` and `#private` work |
 * | object method               | `m: __wrap(function* () {...}, "m", n)`      | or, when it uses `super`, a generator method moved out after the literal |
 *
 * Inside a body, `await x` becomes `yield __aw(x, "file:line:col")`; `for await` becomes a loop over
 * the iterator record `__forAwait(x)` that closes the iterator on early exit; in an async
 * generator its own `yield v` becomes `yield __yieldValue(yield __aw(v, site))`, `yield* x` becomes
 * `yield __yieldStar(x, site)` and `return v` becomes `return yield __aw(v, site)` (runtime.ts).
 */

import type * as Babel from "@babel/core";
import type { NodePath, PluginObj, types as BabelTypes } from "@babel/core";

type T = typeof BabelTypes;
type Node = BabelTypes.Node;
type FunctionPath = NodePath<BabelTypes.Function>;

/** Options of the plugin. */
export interface LowerAsyncOptions {
  /** The file's name, as it should appear in await sites and error chains. */
  filename: string;
  /** Where compiled code imports its helpers from; for a script, the global that holds them. */
  runtime: string;
  /** The output is a classic script: read the helpers from the global `runtime`, no import. */
  script?: boolean;
}

const HELPERS = [
  "__aw",
  "__run",
  "__wrap",
  "__wrapArrow",
  "__agen",
  "__wrapAgen",
  "__yieldValue",
  "__yieldStar",
  "__forAwait",
  "__forAwaitClose",
] as const;
type Helper = (typeof HELPERS)[number];

interface State {
  helpers: Map<Helper, BabelTypes.Identifier>;
  program: NodePath<BabelTypes.Program>;
  generated: WeakSet<Node>;
}

/** The plugin factory, for `@babel/core`'s `plugins: [[lowerAsync, options]]`. */
export function lowerAsync(api: typeof Babel, options: LowerAsyncOptions): PluginObj {
  const t: T = api.types;
  let state!: State;

  const helper = (name: Helper): BabelTypes.Identifier => {
    let id = state.helpers.get(name);
    if (id === undefined) {
      id = state.program.scope.generateUidIdentifier(`hl${name}`);
      state.helpers.set(name, id);
    }
    return t.identifier(id.name);
  };

  const site = (node: Node): BabelTypes.StringLiteral => {
    const loc = node.loc?.start;
    return t.stringLiteral(loc ? `${options.filename}:${loc.line}:${loc.column + 1}` : options.filename);
  };

  const mark = <N extends Node>(node: N): N => {
    state.generated.add(node);
    return node;
  };

  /** Rewrites the inside of one async function's body (not of functions nested in it). */
  const bodyVisitor: Babel.Visitor<{ isGenerator: boolean }> = {
    Function(path) {
      path.skip();
    },
    AwaitExpression(path) {
      path.replaceWith(mark(t.yieldExpression(t.callExpression(helper("__aw"), [path.node.argument, site(path.node)]))));
    },
    YieldExpression(path) {
      if (state.generated.has(path.node) || !this.isGenerator) return;
      const { argument, delegate } = path.node;
      const where = site(path.node);
      // 15.5.5: Yield(v) is AsyncGeneratorYield(? Await(v)); the generator runs a yield* itself.
      const replacement = delegate
        ? t.yieldExpression(t.callExpression(helper("__yieldStar"), [argument!, where]))
        : t.yieldExpression(
            t.callExpression(helper("__yieldValue"), [
              mark(t.yieldExpression(t.callExpression(helper("__aw"), [argument ?? t.unaryExpression("void", t.numericLiteral(0)), where]))),
            ]),
          );
      path.replaceWith(mark(replacement));
    },
    ReturnStatement(path) {
      // 14.10.1: in an async generator, `return v` awaits v, there, before any `finally` runs.
      const argument = path.node.argument;
      if (!this.isGenerator || state.generated.has(path.node) || argument == null) return;
      mark(path.node);
      path.node.argument = mark(t.yieldExpression(t.callExpression(helper("__aw"), [argument, site(path.node)])));
    },
    ForOfStatement(path) {
      if (!path.node.await) return;
      lowerForAwait(path);
    },
  };

  function lowerForAwait(path: NodePath<BabelTypes.ForOfStatement>): void {
    const { left, right, body } = path.node;
    const scope = path.scope;
    const it = scope.generateUidIdentifier("it");
    const result = scope.generateUidIdentifier("r");
    const value = scope.generateUidIdentifier("v");
    const needsClose = scope.generateUidIdentifier("open");
    const threw = scope.generateUidIdentifier("threw");
    const error = scope.generateUidIdentifier("e");
    const where = site(path.node);

    // The loop variable: a declaration (`const x`) or an assignment target (`x`, `[a, b]`). Its
    // binding may fail (destructuring): that closes the iterator, so it comes after `open = true`.
    const bind =
      t.isVariableDeclaration(left)
        ? t.variableDeclaration(left.kind, [t.variableDeclarator(left.declarations[0]!.id, t.identifier(value.name))])
        : t.expressionStatement(t.assignmentExpression("=", left as BabelTypes.LVal, t.identifier(value.name)));

    const loop = t.forStatement(
      null,
      null,
      null,
      t.blockStatement([
        t.expressionStatement(t.assignmentExpression("=", t.identifier(needsClose.name), t.booleanLiteral(false))),
        t.variableDeclaration("const", [
          t.variableDeclarator(
            t.identifier(result.name),
            mark(
              t.yieldExpression(
                t.callExpression(helper("__aw"), [
                  t.callExpression(t.memberExpression(t.identifier(it.name), t.identifier("next")), []),
                  where,
                ]),
              ),
            ),
          ),
        ]),
        // 14.7.5.7 ForIn/OfBodyEvaluation: the result must be an object; IteratorComplete, then
        // IteratorValue, neither of which closes the iterator when it throws.
        t.ifStatement(
          t.callExpression(t.memberExpression(t.identifier(it.name), t.identifier("complete")), [t.identifier(result.name)]),
          t.breakStatement(),
        ),
        t.variableDeclaration("const", [
          t.variableDeclarator(t.identifier(value.name), t.memberExpression(t.identifier(result.name), t.identifier("value"))),
        ]),
        t.expressionStatement(t.assignmentExpression("=", t.identifier(needsClose.name), t.booleanLiteral(true))),
        bind,
        body,
      ]),
    );

    const labeled = path.parentPath.isLabeledStatement() ? path.parentPath : null;
    const inner: BabelTypes.Statement = labeled ? t.labeledStatement(labeled.node.label, loop) : loop;

    const block = t.blockStatement([
      t.variableDeclaration("const", [t.variableDeclarator(it, t.callExpression(helper("__forAwait"), [right]))]),
      t.variableDeclaration("let", [
        t.variableDeclarator(needsClose, t.booleanLiteral(false)),
        t.variableDeclarator(threw, t.booleanLiteral(false)),
      ]),
      t.tryStatement(
        t.blockStatement([inner]),
        t.catchClause(
          error,
          t.blockStatement([
            t.expressionStatement(t.assignmentExpression("=", t.identifier(threw.name), t.booleanLiteral(true))),
            t.throwStatement(t.identifier(error.name)),
          ]),
        ),
        t.blockStatement([
          t.ifStatement(
            t.identifier(needsClose.name),
            t.expressionStatement(
              mark(
                t.yieldExpression(
                  t.callExpression(helper("__forAwaitClose"), [t.identifier(it.name), t.identifier(threw.name), where]),
                  true,
                ),
              ),
            ),
          ),
        ]),
      ),
    ]);
    (labeled ?? path).replaceWith(block);
  }

  /** The name a function gets: its own, its method key, or the one inferred from its binding. */
  function nameOf(path: FunctionPath): string {
    const node = path.node;
    if ((t.isFunctionDeclaration(node) || t.isFunctionExpression(node)) && node.id) return node.id.name;
    if (t.isClassMethod(node) || t.isObjectMethod(node)) {
      if (!node.computed && t.isIdentifier(node.key)) return node.key.name;
      if (t.isStringLiteral(node.key) || t.isNumericLiteral(node.key)) return String(node.key.value);
      return "";
    }
    if (t.isClassPrivateMethod(node)) return `#${node.key.id.name}`;
    const parent = path.parentPath?.node;
    if (t.isVariableDeclarator(parent) && t.isIdentifier(parent.id)) return parent.id.name;
    if (t.isObjectProperty(parent) && !parent.computed && t.isIdentifier(parent.key)) return parent.key.name;
    if (t.isAssignmentExpression(parent) && t.isIdentifier(parent.left)) return parent.left.name;
    if ((t.isClassProperty(parent) || t.isClassPrivateProperty(parent)) && t.isIdentifier(parent.key)) return parent.key.name;
    return "";
  }

  /** `length` of a native function with these parameters: those before the first default or rest. */
  function lengthOf(params: readonly Node[]): number {
    let n = 0;
    for (const p of params) {
      if (t.isAssignmentPattern(p) || t.isRestElement(p)) break;
      if (t.isIdentifier(p) && p.name === "this") continue;
      n++;
    }
    return n;
  }

  const dummies = (n: number): BabelTypes.Identifier[] => Array.from({ length: n }, (_, i) => t.identifier(`_${i}`));

  /** For an async arrow: `arguments` and `super` belong to the enclosing function; capture them. */
  function captureLexicals(path: NodePath<BabelTypes.ArrowFunctionExpression>): void {
    let argumentsId: BabelTypes.Identifier | null = null;
    let superGet: BabelTypes.Identifier | null = null;
    let superSet: BabelTypes.Identifier | null = null;
    const owner = path.findParent((p) => p.isFunction() && !p.isArrowFunctionExpression()) as FunctionPath | null;
    const prepend = (decl: BabelTypes.Statement) => {
      const body = owner!.get("body");
      if (body.isBlockStatement()) body.unshiftContainer("body", decl);
    };
    path.traverse({
      Function(inner) {
        if (!inner.isArrowFunctionExpression()) inner.skip();
      },
      Identifier(id) {
        if (id.node.name !== "arguments" || !id.isReferencedIdentifier() || owner === null) return;
        if (id.scope.getBinding("arguments")) return; // a variable of that name, not the object
        if (argumentsId === null) {
          argumentsId = owner.scope.generateUidIdentifier("arguments");
          prepend(t.variableDeclaration("const", [t.variableDeclarator(argumentsId, t.identifier("arguments"))]));
        }
        id.replaceWith(t.identifier(argumentsId.name));
      },
      Super(sup) {
        const member = sup.parentPath;
        if (!member.isMemberExpression() || owner === null || !(owner.isMethod() || owner.isClassPrivateMethod())) return;
        const key = member.node.computed ? (member.node.property as BabelTypes.Expression) : t.stringLiteral((member.node.property as BabelTypes.Identifier).name);
        const parent = member.parentPath;
        if (parent.isAssignmentExpression({ operator: "=" }) && parent.node.left === member.node) {
          if (superSet === null) {
            superSet = owner.scope.generateUidIdentifier("superSet");
            const k = t.identifier("k");
            const v = t.identifier("v");
            prepend(
              t.variableDeclaration("const", [
                t.variableDeclarator(
                  superSet,
                  t.arrowFunctionExpression([k, v], t.assignmentExpression("=", t.memberExpression(t.super(), k, true), v)),
                ),
              ]),
            );
          }
          parent.replaceWith(t.callExpression(t.identifier(superSet.name), [key, parent.node.right]));
          return;
        }
        if (superGet === null) {
          superGet = owner.scope.generateUidIdentifier("superGet");
          const k = t.identifier("k");
          prepend(
            t.variableDeclaration("const", [
              t.variableDeclarator(superGet, t.arrowFunctionExpression([k], t.memberExpression(t.super(), k, true))),
            ]),
          );
        }
        const get = t.callExpression(t.identifier(superGet.name), [key]);
        if (parent.isCallExpression() && parent.node.callee === member.node) {
          parent.replaceWith(
            t.callExpression(t.memberExpression(get, t.identifier("call")), [t.thisExpression(), ...parent.node.arguments]),
          );
        } else {
          member.replaceWith(get);
        }
      },
    });
  }

  function usesSuper(path: FunctionPath): boolean {
    let found = false;
    path.traverse({
      Function(inner) {
        if (!inner.isArrowFunctionExpression()) inner.skip();
      },
      Super() {
        found = true;
      },
    });
    return found;
  }

  /** The statements of a body, with an expression body (arrows) made a `return`. */
  function blockOf(body: BabelTypes.BlockStatement | BabelTypes.Expression): BabelTypes.BlockStatement {
    return t.isBlockStatement(body) ? body : t.blockStatement([t.returnStatement(body)]);
  }

  function callHelper(isGenerator: boolean, body: BabelTypes.Identifier | BabelTypes.Expression, name: string): BabelTypes.Statement {
    return t.returnStatement(
      t.callExpression(helper(isGenerator ? "__agen" : "__run"), [
        body,
        t.thisExpression(),
        t.identifier("arguments"),
        t.stringLiteral(name),
      ]),
    );
  }

  /** Declares `let ids` just before the statement that contains `path`. */
  function declareBefore(path: NodePath, ids: BabelTypes.Identifier[]): void {
    const statement = path.getStatementParent();
    if (statement === null || ids.length === 0) return;
    const decl = t.variableDeclaration("let", ids.map((id) => t.variableDeclarator(t.identifier(id.name))));
    const target = statement.parentPath?.isExportDeclaration() ? statement.parentPath : statement;
    target.insertBefore(decl);
  }

  function lower(path: FunctionPath): void {
    const node = path.node;
    const isGenerator = node.generator === true;
    const name = nameOf(path);
    const length = lengthOf(node.params);
    if (path.isArrowFunctionExpression()) captureLexicals(path);
    path.traverse(bodyVisitor, { isGenerator });

    // TypeScript's parameter properties only exist in constructors, which cannot be async.
    const params = () => path.node.params as BabelTypes.FunctionParameter[];
    const generatorBody = () => t.functionExpression(null, params(), blockOf(path.node.body), true, false);

    if (path.isFunctionDeclaration()) {
      const bodyId = path.parentPath.scope.generateUidIdentifier(`${name || "default"}$body`);
      const declaration = t.functionDeclaration(bodyId, params(), blockOf(path.node.body), true, false);
      const wrapper = t.functionDeclaration(
        path.node.id,
        dummies(length),
        t.blockStatement([callHelper(isGenerator, t.identifier(bodyId.name), name)]),
      );
      t.inheritsComments(wrapper, path.node);
      t.removeComments(path.node);
      const anchor = path.parentPath.isExportDeclaration() ? path.parentPath : path;
      anchor.insertAfter(declaration);
      path.replaceWith(wrapper);
      return;
    }

    if (path.isFunctionExpression()) {
      const selfName = path.node.id?.name;
      const selfReferenced = selfName !== undefined && (path.scope.getOwnBinding(selfName)?.referenced ?? false);
      const wrapped = t.callExpression(helper(isGenerator ? "__wrapAgen" : "__wrap"), [
        generatorBody(),
        t.stringLiteral(name),
        t.numericLiteral(length),
      ]);
      if (!selfReferenced) {
        path.replaceWith(wrapped);
        return;
      }
      // The body calls itself by name: bind that name to the wrapper, not to the generator.
      const self = t.identifier(selfName);
      path.replaceWith(
        t.callExpression(
          t.arrowFunctionExpression(
            [],
            t.blockStatement([
              t.variableDeclaration("const", [t.variableDeclarator(self, wrapped)]),
              t.returnStatement(t.identifier(selfName)),
            ]),
          ),
          [],
        ),
      );
      return;
    }

    if (path.isArrowFunctionExpression()) {
      path.replaceWith(
        t.callExpression(helper("__wrapArrow"), [generatorBody(), t.thisExpression(), t.stringLiteral(name), t.numericLiteral(length)]),
      );
      return;
    }

    if (path.isClassMethod() || path.isClassPrivateMethod()) {
      lowerClassMethod(path as NodePath<BabelTypes.ClassMethod | BabelTypes.ClassPrivateMethod>, name, length, isGenerator);
      return;
    }

    if (path.isObjectMethod()) {
      lowerObjectMethod(path, name, length, isGenerator);
    }
  }

  function lowerClassMethod(
    path: NodePath<BabelTypes.ClassMethod | BabelTypes.ClassPrivateMethod>,
    name: string,
    length: number,
    isGenerator: boolean,
  ): void {
    const node = path.node;
    const classBody = path.parentPath as NodePath<BabelTypes.ClassBody>;
    const classPath = classBody.parentPath as NodePath<BabelTypes.Class>;
    const bodyId = classPath.scope.parent.generateUidIdentifier(`${name.replace("#", "") || "method"}$body`);
    const key = t.stringLiteral(`__handloop$${bodyId.name}`);
    const generator = t.classMethod(
      "method",
      key,
      node.params as BabelTypes.FunctionParameter[],
      node.body,
      false,
      node.static === true,
      true,
      false,
    );
    const wrapper = t.cloneNode(node, false);
    wrapper.async = false;
    wrapper.generator = false;
    wrapper.params = dummies(length);
    wrapper.body = t.blockStatement([callHelper(isGenerator, t.identifier(bodyId.name), name)]);
    path.replaceWith(wrapper);
    classBody.pushContainer("body", generator);

    // One static block, first in the class (before any static initializer could call the method),
    // moves each generator method out of the class into its `let`, last-added first.
    const holder = node.static === true ? t.thisExpression() : t.memberExpression(t.thisExpression(), t.identifier("prototype"));
    const move = [
      t.expressionStatement(t.assignmentExpression("=", t.identifier(bodyId.name), t.memberExpression(holder, key, true))),
      t.expressionStatement(t.unaryExpression("delete", t.memberExpression(t.cloneNode(holder), t.cloneNode(key), true))),
    ];
    const first = classBody.node.body[0];
    if (first && t.isStaticBlock(first) && state.generated.has(first)) {
      first.body.unshift(...move);
    } else {
      classBody.unshiftContainer("body", mark(t.staticBlock(move)));
    }
    declareBefore(classPath, [bodyId]);
  }

  function lowerObjectMethod(path: NodePath<BabelTypes.ObjectMethod>, name: string, length: number, isGenerator: boolean): void {
    const node = path.node;
    if (!usesSuper(path)) {
      path.replaceWith(
        t.objectProperty(
          node.key,
          t.callExpression(helper(isGenerator ? "__wrapAgen" : "__wrap"), [
            t.functionExpression(null, node.params, node.body, true, false),
            t.stringLiteral(name),
            t.numericLiteral(length),
          ]),
          node.computed,
        ),
      );
      return;
    }
    // `super` needs the generator to be a method of this very literal: add it as one, then move it
    // out right after the literal is built: `(_o = {...}, _m$body = _o[k], delete _o[k], _o)`.
    const objectPath = path.parentPath as NodePath<BabelTypes.ObjectExpression>;
    const scope = objectPath.scope;
    const bodyId = scope.generateUidIdentifier(`${name || "method"}$body`);
    const objectId = scope.generateUidIdentifier("object");
    const key = t.stringLiteral(`__handloop$${bodyId.name}`);
    const wrapper = t.objectMethod(
      "method",
      node.key,
      dummies(length),
      t.blockStatement([callHelper(isGenerator, t.identifier(bodyId.name), name)]),
      node.computed,
    );
    path.replaceWith(wrapper);
    objectPath.pushContainer("properties", t.objectMethod("method", key, node.params, node.body, false, true, false));
    const o = () => t.identifier(objectId.name);
    objectPath.replaceWith(
      t.sequenceExpression([
        t.assignmentExpression("=", o(), objectPath.node),
        t.assignmentExpression("=", t.identifier(bodyId.name), t.memberExpression(o(), key, true)),
        t.unaryExpression("delete", t.memberExpression(o(), t.cloneNode(key), true)),
        o(),
      ]),
    );
    declareBefore(objectPath, [objectId, bodyId]);
  }

  return {
    name: "handloop-lower-async",
    visitor: {
      Program: {
        enter(path) {
          state = { helpers: new Map(), program: path, generated: new WeakSet() };
        },
        exit(path) {
          if (state.helpers.size === 0) return;
          if (options.script) {
            const properties = [...state.helpers].map(([name, local]) =>
              t.objectProperty(t.identifier(name), t.identifier(local.name)),
            );
            const from = t.identifier(options.runtime);
            path.unshiftContainer("body", t.variableDeclaration("const", [t.variableDeclarator(t.objectPattern(properties), from)]));
            return;
          }
          const specifiers = [...state.helpers].map(([name, local]) =>
            t.importSpecifier(t.identifier(local.name), t.identifier(name)),
          );
          path.unshiftContainer("body", t.importDeclaration(specifiers, t.stringLiteral(options.runtime)));
        },
      },
      Function: {
        exit(path) {
          if (path.node.async) lower(path);
        },
      },
    },
  };
}
