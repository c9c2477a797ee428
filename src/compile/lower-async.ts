/**
 * compile/lower-async.ts: the Babel plugin that lowers `async` functions onto handloop's driver.
 *
 * Only `async` functions, `await`, `for await` and async generators change; every other piece of
 * syntax is left as written. Each async function becomes a wrapper of the same kind and a
 * generator body created once per definition (see runtime.ts for the contract):
 *
 * | async ...                   | wrapper                                      | body (generator) lives               |
 * |-----------------------------|----------------------------------------------|--------------------------------------|
 * | function declaration        | `function f(_0) { return __run(b.body ?? b(), this, arguments, "f") }` | made on the first call by a hoisted `function b()` beside it, kept on it |
 * | function expression         | `__wrap({ *"f"() {...} }["f"], "f", n)`      | the argument (an IIFE binds a self-referenced name) |
 * | arrow                       | `__wrapArrow({ *"f"() {...} }["f"], this, "f", n)` | the argument; `this` is the arrow's, or accessors of `super`/`arguments`/`new.target` made where the arrow is |
 * | class method                | same method, body `return __run(b, this, arguments, "m")` | a generator method moved out by a static block, so `super` and `#private` work |
 * | object method               | `m: __wrap({ *"m"() {...} }["m"], "m", n)`   | or, when it uses `super`, a generator method moved out after the literal |
 *
 * Bodies are generator methods named as the user's function (namedGenerator), or renamed so when
 * they must be a class's or a literal's own (renamed), so stack traces read `at f`, not `at _f$body`.
 *
 * A method body moved out lives in a `let` declared once per evaluation of its class or literal
 * (declarePerEvaluation). `using` declarations are lowered first (lowerUsing); decorators,
 * `accessor` fields and `yield` as a name in a sloppy async function are refused with the file
 * and line, never emitted as code that would mean something else.
 *
 * Inside a body, `await x` becomes `yield __aw(x, "file:line:col")`; `for await` becomes a loop over
 * the iterator record `__forAwait(x)` that closes the iterator on early exit; in an async
 * generator its own `yield v` becomes `yield __yieldValue(yield __aw(v, site))`, `yield* x` becomes
 * `yield __yieldStar(x, site)` and `return v` becomes `return yield __aw(v, site)` (runtime.ts).
 */

import type * as Babel from "@babel/core";
import type { NodePath, PluginObj, types as BabelTypes } from "@babel/core";
import { bindGlobalPromise } from "./bind-promise.js";

type T = typeof BabelTypes;
type Node = BabelTypes.Node;
type FunctionPath = NodePath<BabelTypes.Function>;

/**
 * Set on the errors the plugin throws for source it refuses, to the message compile() should show
 * as is (Babel prefixes the message of any error a plugin throws with the file's name).
 */
export const REJECTED = Symbol("handloop.rejected");

/** Options of the plugin. */
export interface LowerAsyncOptions {
  /** The file's name, as it should appear in await sites and error chains. */
  filename: string;
  /** Where compiled code imports its helpers from; for a script, the global that holds them. */
  runtime: string;
  /** The output is a classic script: read the helpers from the global `runtime`, no import. */
  script?: boolean;
  /**
   * The output is a CommonJS module run by Node's hook: read the helpers from the runtime that
   * handloop/register loaded and registered on the global object (see registry.ts), no import.
   */
  registry?: boolean;
  /** `"loop"`: bind the file's references to the global `Promise` to `LoopPromise` (bind-promise.ts). */
  promise?: "loop" | "native";
}

/** What the plugin reports in Babel's `metadata.handloop`, for the entry points. */
export interface LowerAsyncMetadata {
  /**
   * The file looks like CommonJS: no `import`/`export` and no `import.meta`, and it reads
   * `require`, `module` or `exports` without declaring them.
   */
  commonjs: boolean;
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
  "__superRef",
  "__deleteSuper",
  "__notConstructor",
  "__usingScope",
  "__using",
  "__usingError",
  "__dispose",
  "__disposeAsync",
  "LoopPromise",
] as const;
type Helper = (typeof HELPERS)[number];

interface State {
  helpers: Map<Helper, BabelTypes.Identifier>;
  program: NodePath<BabelTypes.Program>;
  generated: WeakSet<Node>;
  /** The `let`s of each class whose async methods were lowered, declared when the class is done. */
  classBodies: Map<Node, BabelTypes.Identifier[]>;
  /** Each object literal whose async methods use `super`: where it is kept and the bodies taken out of it. */
  objectBodies: Map<Node, { object: BabelTypes.Identifier; moves: { body: BabelTypes.Identifier; key: string; name: string }[] }>;
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

  /** compile()'s refusal of a construct it cannot lower soundly: names the file, line and column. */
  const rejection = (node: Node | null | undefined, message: string): Error => {
    const loc = node?.loc?.start;
    const where = loc ? `${options.filename}:${loc.line}:${loc.column + 1}` : options.filename;
    const text = `${where}: ${message}`;
    return Object.assign(new SyntaxError(text), { [REJECTED]: text });
  };

  const mark = <N extends Node>(node: N): N => {
    state.generated.add(node);
    return node;
  };

  const lowerAwait = (path: NodePath<BabelTypes.AwaitExpression>): void => {
    path.replaceWith(mark(t.yieldExpression(t.callExpression(helper("__aw"), [path.node.argument, site(path.node)]))));
  };

  /** Rewrites the inside of one async function's body (not of functions nested in it). */
  const bodyVisitor: Babel.Visitor<{ isGenerator: boolean }> = {
    Function(path, state) {
      path.skip();
      // A method's computed key is evaluated where the method is defined: its awaits are this body's.
      if (path.isMethod() && path.node.computed) {
        const key = path.get("key") as NodePath;
        if (key.isAwaitExpression()) lowerAwait(key);
        key.traverse(bodyVisitor, state);
      }
    },
    AwaitExpression(path) {
      lowerAwait(path);
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

    // Every label on the loop (`a: b: for await`) stays on the loop, so `continue a` still names one.
    let labeled: NodePath | null = null;
    let inner: BabelTypes.Statement = loop;
    for (let p = path.parentPath; p.isLabeledStatement(); p = p.parentPath!) {
      labeled = p;
      inner = t.labeledStatement(t.identifier(p.node.label.name), inner);
    }

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

  /**
   * `using` and `await using` (explicit resource management), which Node 20 cannot run. Each
   * scope that declares some gets a DisposeCapability and a try whose finally disposes them, last
   * added first, as the language's DisposeResources (runtime.ts):
   *
   *   { s1; using a = x; s2 }
   *   ==> { const _env = __usingScope();
   *         try { s1; const a = __using(_env, x, false); s2 }
   *         catch (_e) { __usingError(_env, _e) }
   *         finally { __dispose(_env) } }        // `yield* __disposeAsync(_env, site)` with an `await using`
   *
   * A block, a function body, a static block, a `for (using ...;;)` loop (one scope for the
   * whole loop) and `for (using x of ...)` (one scope per iteration). Runs before the async lowering, so an `await using`'s awaits become the body's own.
   */
  function lowerUsing(program: NodePath<BabelTypes.Program>): void {
    const done = new WeakSet<Node>();
    program.traverse({
      VariableDeclaration(decl) {
        const kind = decl.node.kind as string;
        if (kind !== "using" && kind !== "await using") return;
        const isAwait = kind === "await using";
        if (isAwait) {
          const fn = decl.getFunctionParent();
          if (fn === null || !fn.node.async) {
            throw rejection(decl.node, "`await using` outside an async function (at a module's top level) cannot be compiled: handloop lowers await only inside async functions. Move it into an async function.");
          }
        }
        const parent = decl.parentPath;
        if (parent.isForXStatement() && decl.key === "left") {
          lowerUsingForOf(parent, decl, isAwait);
          return;
        }
        // The language allows `using` in a block, a function or static block's body, or a for's head.
        const owner = parent;
        if (owner.isProgram()) {
          throw rejection(decl.node, "`using` at a module's top level cannot be compiled by handloop. Put it, and the code that uses the resource, in a block or a function.");
        }
        if (done.has(owner.node)) return;
        done.add(owner.node);
        lowerUsingScope(owner);
      },
    });
  }

  /** `using x = v, y = w` in a scope whose capability is `env`: `const x = __using(env, v, false), y = ...`. */
  function usingToConst(decl: BabelTypes.VariableDeclaration, env: BabelTypes.Identifier): boolean {
    const isAwait = (decl.kind as string) === "await using";
    for (const d of decl.declarations) {
      d.init = t.callExpression(helper("__using"), [t.identifier(env.name), d.init ?? t.identifier("undefined"), t.booleanLiteral(isAwait)]);
    }
    decl.kind = "const";
    return isAwait;
  }

  /** The try/catch/finally that disposes a scope's resources whatever way `statements` end. */
  function disposingTry(statements: BabelTypes.Statement[], env: BabelTypes.Identifier, isAwait: boolean, at: Node): BabelTypes.Statement[] {
    const error = state.program.scope.generateUidIdentifier("e");
    const dispose = isAwait
      ? mark(t.yieldExpression(t.callExpression(helper("__disposeAsync"), [t.identifier(env.name), site(at)]), true))
      : t.callExpression(helper("__dispose"), [t.identifier(env.name)]);
    return [
      t.variableDeclaration("const", [t.variableDeclarator(t.identifier(env.name), t.callExpression(helper("__usingScope"), []))]),
      t.tryStatement(
        t.blockStatement(statements),
        t.catchClause(error, t.blockStatement([t.expressionStatement(t.callExpression(helper("__usingError"), [t.identifier(env.name), t.identifier(error.name)]))])),
        t.blockStatement([t.expressionStatement(dispose)]),
      ),
    ];
  }

  function lowerUsingScope(owner: NodePath): void {
    const env = state.program.scope.generateUidIdentifier("usingScope");
    let isAwait = false;
    const convert = (statement: Node) => {
      if (t.isVariableDeclaration(statement) && ["using", "await using"].includes(statement.kind as string)) {
        isAwait = usingToConst(statement, env) || isAwait;
      }
    };
    if (owner.isBlockStatement() || owner.isStaticBlock()) {
      const body = owner.node.body;
      body.forEach(convert);
      owner.node.body = disposingTry(body, env, isAwait, owner.node);
      return;
    }
    // `for (using ...;;)`: the scope is the whole loop, labels and all.
    if (owner.isForStatement() && owner.node.init) convert(owner.node.init);
    let outer: NodePath = owner;
    while (outer.parentPath?.isLabeledStatement()) outer = outer.parentPath;
    outer.replaceWith(t.blockStatement(disposingTry([outer.node as BabelTypes.Statement], env, isAwait, owner.node)));
  }

  /** `for (using x of xs) body`: each iteration's value is a scope of its own, disposed when the iteration ends. */
  function lowerUsingForOf(loop: NodePath<BabelTypes.ForXStatement>, decl: NodePath<BabelTypes.VariableDeclaration>, isAwait: boolean): void {
    const env = state.program.scope.generateUidIdentifier("usingScope");
    const value = state.program.scope.generateUidIdentifier("value");
    const binding = decl.node;
    binding.declarations[0]!.init = t.identifier(value.name);
    usingToConst(binding, env);
    loop.node.left = t.variableDeclaration("const", [t.variableDeclarator(t.identifier(value.name))]);
    loop.node.body = t.blockStatement(disposingTry([binding, loop.node.body], env, isAwait, binding));
  }

  /**
   * Refuses decorators and `accessor` fields, with the file and line: what decorators mean depends
   * on a tsconfig that compile() does not read (`experimentalDecorators` or standard ones), and
   * Node runs neither as written, so compiling them either way could be silently wrong.
   */
  function rejectUnsupported(program: NodePath<BabelTypes.Program>): void {
    program.traverse({
      Decorator(path) {
        throw rejection(
          path.node,
          "Decorators cannot be compiled by handloop: they mean TypeScript's experimentalDecorators or standard decorators depending on your tsconfig, which compile() does not read, and Node cannot run them as written. Keep decorated classes in a file that handloop does not compile (no \"use handloop\" directive, no .loop. in its name) and import them here.",
        );
      },
      ClassAccessorProperty(path) {
        throw rejection(
          path.node,
          "`accessor` fields cannot be compiled by handloop, and Node cannot run them as written. Write a getter and a setter over a #private field instead.",
        );
      },
    });
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

  /**
   * The nearest construct around `path` that has its own `this`, `super`, `arguments` and
   * `new.target` (a non-arrow function, a field initialiser or a static block), or null at the top
   * level. A method's computed key belongs to the code around the class or object literal.
   */
  function lexicalOwner(path: NodePath): NodePath | null {
    let child: NodePath = path;
    for (let p = path.parentPath; p !== null; child = p, p = p.parentPath) {
      const inKey = child.key === "key" && (p.node as { computed?: boolean }).computed === true;
      if (p.isFunction() && !p.isArrowFunctionExpression() && !inKey) return p;
      if ((p.isClassProperty() || p.isClassPrivateProperty() || p.isClassAccessorProperty()) && child.key === "value") return p;
      if (p.isStaticBlock()) return p;
    }
    return null;
  }

  /** Whether `this` may be unbound while code at `path` runs: in a derived constructor before `super()`. */
  function mayPrecedeSuperCall(path: NodePath): boolean {
    const owner = lexicalOwner(path);
    if (owner === null || !owner.isClassMethod({ kind: "constructor" })) return false;
    return (owner.parentPath.parentPath!.node as BabelTypes.Class).superClass != null;
  }

  /**
   * The paths in an arrow that mean what they mean around it: `this`, `arguments`, `super` and
   * `new.target` in its parameters and body, nested arrows, and the computed keys and `extends`
   * of classes and literals inside; not inside nested functions, methods, field initialisers or
   * static blocks, which have their own. In source order, parents before children.
   */
  function lexicalUses(path: NodePath<BabelTypes.ArrowFunctionExpression>): NodePath[] {
    const found: NodePath[] = [];
    /** Records `p` if it is a use; says whether what is inside `p` may hold more. */
    const visit = (p: NodePath): boolean => {
      const ownScope =
        (p.isFunction() && !p.isArrowFunctionExpression()) ||
        p.isClassProperty() ||
        p.isClassPrivateProperty() ||
        p.isClassAccessorProperty() ||
        p.isStaticBlock();
      if (ownScope) {
        if ((p.node as { computed?: boolean }).computed === true) {
          const key = p.get("key") as NodePath;
          if (visit(key)) key.traverse(visitor);
        }
        return false;
      }
      if (p.isThisExpression() || p.isSuper() || p.isIdentifier({ name: "arguments" })) found.push(p);
      if (p.isMetaProperty() && p.node.meta.name === "new") found.push(p);
      return true;
    };
    const visitor: Babel.Visitor = {
      enter(p) {
        if (!visit(p)) p.skip();
      },
    };
    path.traverse(visitor);
    return found;
  }

  /** Whether `path` is written to: an assignment's target, `++`/`--`, a destructuring or for-in/of target. */
  function isWriteTarget(path: NodePath): boolean {
    const parent = path.parentPath!;
    if (parent.isAssignmentExpression() || parent.isForXStatement()) return path.key === "left";
    if (parent.isAssignmentPattern()) return path.key === "left";
    if (parent.isUpdateExpression() || parent.isArrayPattern() || parent.isRestElement()) return true;
    return parent.isObjectProperty() && path.key === "value" && parent.parentPath.isObjectPattern();
  }

  /**
   * An async arrow's body becomes a generator function, which has a `this`, `arguments`, `super`
   * and `new.target` of its own. When the arrow only uses `this`, the wrapper passes the lexical
   * `this` as the body's (`__wrapArrow(body, this, ...)`), which costs nothing. When it uses
   * more, or `this` may not be bound yet (a derived constructor before `super()`), the body's
   * `this` is instead an object of accessors made where the arrow is, and each use reads through
   * it at the moment it runs, as the arrow itself would:
   *
   *   `this` -> `this.t()`, `arguments` -> `this.a()`, `new.target` -> `this.n`,
   *   `super.x` -> `this.g("x")`, `super.m(...a)` -> `this.g("m").call(this.t(), ...a)`,
   *   `super.x = v` -> `this.s("x", v)`, `super.x += v`, `super.x++`, `[super.x] = a` -> `__superRef(this, "x").value`,
   *   `super(...a)` -> `this.c(...a)`.
   *
   * Returns the expression the wrapper passes as the body's `this`.
   */
  function captureLexicals(path: NodePath<BabelTypes.ArrowFunctionExpression>): BabelTypes.Expression {
    const uses = lexicalUses(path);
    const lazyThis = uses.some((p) => p.isThisExpression()) && mayPrecedeSuperCall(path);
    if (!lazyThis && uses.every((p) => p.isThisExpression())) return t.thisExpression();

    const members = new Map<string, BabelTypes.Expression>();
    const lex = (member: string): BabelTypes.MemberExpression => t.memberExpression(t.thisExpression(), t.identifier(member));
    const k = () => t.identifier("k");
    const v = () => t.identifier("v");
    const need = (member: string): void => {
      if (members.has(member)) return;
      switch (member) {
        case "t":
          members.set("t", t.arrowFunctionExpression([], t.thisExpression()));
          break;
        case "a":
          members.set("a", t.arrowFunctionExpression([], t.identifier("arguments")));
          break;
        case "n":
          members.set("n", t.metaProperty(t.identifier("new"), t.identifier("target")));
          break;
        case "g":
          members.set("g", t.arrowFunctionExpression([k()], t.memberExpression(t.super(), k(), true)));
          break;
        case "s":
          members.set("s", t.arrowFunctionExpression([k(), v()], t.assignmentExpression("=", t.memberExpression(t.super(), k(), true), v())));
          break;
        case "c": {
          const args = t.identifier("args");
          members.set("c", t.arrowFunctionExpression([t.restElement(args)], t.callExpression(t.super(), [t.spreadElement(t.identifier("args"))])));
          break;
        }
      }
    };
    const thisValue = (): BabelTypes.Expression => {
      need("t");
      return t.callExpression(lex("t"), []);
    };

    // Children before parents, so that replacing a parent carries its already rewritten children.
    for (const use of uses.reverse()) {
      if (use.isThisExpression()) {
        use.replaceWith(thisValue());
      } else if (use.isMetaProperty()) {
        need("n");
        use.replaceWith(lex("n"));
      } else if (use.isIdentifier()) {
        const binding = use.scope.getBinding("arguments");
        if (binding !== undefined && binding.scope.path.isDescendant(path)) {
          // Declared inside the arrow: renamed, so that the generator's own `arguments` cannot shadow it.
          if (use.node.name === "arguments") binding.scope.rename("arguments");
          continue;
        }
        if (!use.isReferencedIdentifier() && !isWriteTarget(use)) continue; // a property name, say
        if (isWriteTarget(use)) {
          throw rejection(use.node, "An async arrow function that assigns to `arguments` cannot be compiled. Copy `arguments` into a variable of your own and change that instead.");
        }
        need("a");
        use.replaceWith(t.callExpression(lex("a"), []));
      } else if (use.isSuper()) {
        lowerSuperInArrow(use, lex, need, thisValue);
      }
    }
    return t.objectExpression([...members].map(([key, value]) => t.objectProperty(t.identifier(key), value)));
  }

  function lowerSuperInArrow(
    sup: NodePath<BabelTypes.Super>,
    lex: (member: string) => BabelTypes.MemberExpression,
    need: (member: string) => void,
    thisValue: () => BabelTypes.Expression,
  ): void {
    const parent = sup.parentPath;
    if (parent.isCallExpression() && sup.key === "callee") {
      need("c");
      parent.get("callee").replaceWith(lex("c"));
      return;
    }
    if (!parent.isMemberExpression()) return;
    const member = parent;
    const key = member.node.computed
      ? (member.node.property as BabelTypes.Expression)
      : t.stringLiteral((member.node.property as BabelTypes.Identifier).name);
    const outer = member.parentPath;
    if (outer.isAssignmentExpression({ operator: "=" }) && member.key === "left") {
      need("s");
      outer.replaceWith(t.callExpression(lex("s"), [key, outer.node.right]));
      return;
    }
    if (isWriteTarget(member)) {
      need("g");
      need("s");
      member.replaceWith(t.memberExpression(t.callExpression(helper("__superRef"), [t.thisExpression(), key]), t.identifier("value")));
      return;
    }
    if (outer.isUnaryExpression({ operator: "delete" })) {
      // `delete super.x` evaluates the key, then throws a ReferenceError, as natively.
      outer.replaceWith(t.sequenceExpression([key, t.callExpression(helper("__deleteSuper"), [])]));
      return;
    }
    need("g");
    const get = t.callExpression(lex("g"), [key]);
    if ((outer.isCallExpression() || outer.isOptionalCallExpression()) && member.key === "callee") {
      const call = outer.node;
      const callee = t.memberExpression(get, t.identifier("call"));
      outer.replaceWith(
        outer.isOptionalCallExpression()
          ? t.optionalCallExpression(t.optionalMemberExpression(get, t.identifier("call"), false, true), [thisValue(), ...call.arguments], false)
          : t.callExpression(callee, [thisValue(), ...call.arguments]),
      );
      return;
    }
    if (outer.isTaggedTemplateExpression() && member.key === "tag") {
      member.replaceWith(t.callExpression(t.memberExpression(get, t.identifier("bind")), [thisValue()]));
      return;
    }
    member.replaceWith(get);
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

  function callHelper(
    isGenerator: boolean,
    body: BabelTypes.Identifier | BabelTypes.Expression,
    name: string,
    constructible = false,
  ): BabelTypes.Statement {
    const args: BabelTypes.Expression[] = [body, t.thisExpression(), t.identifier("arguments"), t.stringLiteral(name)];
    const call = t.callExpression(helper(isGenerator ? "__agen" : "__run"), args);
    if (!constructible) return t.returnStatement(call);
    // A function declaration can be called with `new`, which the language refuses for an async
    // function or async generator: `new.target === undefined ? __run(...) : __notConstructor("f")`.
    // A test in the wrapper, not an argument of __run, keeps __run's hot path as it was.
    const newTarget = t.metaProperty(t.identifier("new"), t.identifier("target"));
    return t.returnStatement(
      t.conditionalExpression(
        t.binaryExpression("===", newTarget, t.identifier("undefined")),
        call,
        t.callExpression(helper("__notConstructor"), [t.stringLiteral(name)]),
      ),
    );
  }

  /**
   * A wrapper function's body. In sloppy code it says "use strict", so that the wrapper has no own
   * `caller` and `arguments`, as an async function has none; the body, a function of its own, stays
   * sloppy, and still sees an absent `this` as the global object.
   */
  function wrapperBody(path: NodePath, call: BabelTypes.Statement): BabelTypes.BlockStatement {
    const directives = path.isInStrictMode() ? [] : [t.directive(t.directiveLiteral("use strict"))];
    return t.blockStatement([call], directives);
  }

  /**
   * The statement that contains `path`, or is it: also one that is a loop's or an `if`'s body
   * without braces (which Babel's getStatementParent passes over), never a loop's head.
   */
  function statementOf(path: NodePath): NodePath<BabelTypes.Statement> {
    for (let p: NodePath | null = path; p !== null; p = p.parentPath) {
      if (p.isStatement() && !(p.parentPath?.isFor() && (p.key === "init" || p.key === "left"))) return p;
    }
    throw new Error(`handloop's compiler found no statement around a ${path.node.type}; please report this as a bug.`);
  }

  /** Declares `decl` just before the statement that contains `path` (in braces it adds if need be). */
  function declareBefore(path: NodePath, decl: BabelTypes.VariableDeclaration): void {
    const statement = statementOf(path);
    const target = statement.parentPath?.isExportDeclaration() ? statement.parentPath : statement;
    target.insertBefore(decl);
  }

  /**
   * What around a class or object literal can evaluate it more often than its statement runs:
   * the nearest arrow with an expression body (each call evaluates it again), "elsewhere" for the
   * other such places (a parameter's default, an instance field's initialiser, a loop's test,
   * update or per-iteration target), or null when each run of the statement evaluates it once.
   */
  function repetitionAround(path: NodePath): NodePath<BabelTypes.ArrowFunctionExpression> | "elsewhere" | null {
    const statement = statementOf(path);
    if (statement.node === path.node) return null;
    let child: NodePath = path;
    for (let p = path.parentPath; p !== null; child = p, p = p.parentPath) {
      if (p.isFunction()) {
        if (child.listKey === "params") return "elsewhere";
        if (p.isArrowFunctionExpression() && child.key === "body") return p;
      } else if (p.isClassProperty() || p.isClassPrivateProperty() || p.isClassAccessorProperty()) {
        if (child.key === "value" && p.node.static !== true) return "elsewhere";
      } else if (p.isForStatement()) {
        if (child.key === "test" || child.key === "update") return "elsewhere";
      } else if (p.isWhileStatement() || p.isDoWhileStatement()) {
        if (child.key === "test") return "elsewhere";
      } else if (p.isForXStatement()) {
        if (child.key === "left") return "elsewhere";
      }
      if (p.node === statement.node) return null;
    }
    return null;
  }

  /** Whether an `await` or `yield` of the code around `path` sits inside it (not in a function nested in it). */
  function holdsAwaitOrYield(path: NodePath): boolean {
    let found = false;
    path.traverse({
      "AwaitExpression|YieldExpression"(p) {
        let child: NodePath = p;
        for (let q = p.parentPath; q !== null && q.node !== path.node; child = q, q = q.parentPath) {
          if (q.isFunction() && child.key !== "key") return;
        }
        found = true;
      },
    });
    return found;
  }

  /**
   * The name an anonymous class gets from where it stands (the language's NamedEvaluation): a
   * string, "" where it gets none, or null where it is a computed key's, known only at run time.
   */
  function contextualName(path: NodePath): string | null {
    const parent = path.parentPath!;
    const key = path.key;
    const ofKey = (node: { key: Node; computed?: boolean }): string | null => {
      if (node.computed === true) return null;
      if (t.isIdentifier(node.key)) return node.key.name;
      if (t.isStringLiteral(node.key) || t.isNumericLiteral(node.key)) return String(node.key.value);
      if (t.isPrivateName(node.key)) return `#${node.key.id.name}`;
      return null;
    };
    if (parent.isVariableDeclarator() && key === "init") return t.isIdentifier(parent.node.id) ? parent.node.id.name : "";
    if (parent.isAssignmentExpression() && key === "right" && ["=", "&&=", "||=", "??="].includes(parent.node.operator)) {
      return t.isIdentifier(parent.node.left) ? parent.node.left.name : "";
    }
    if (parent.isAssignmentPattern() && key === "right") return t.isIdentifier(parent.node.left) ? parent.node.left.name : "";
    if (parent.isObjectProperty() && key === "value") {
      const proto = !parent.node.computed && !parent.node.shorthand && ofKey(parent.node) === "__proto__";
      return proto ? "" : ofKey(parent.node);
    }
    if ((parent.isClassProperty() || parent.isClassPrivateProperty() || parent.isClassAccessorProperty()) && key === "value") {
      return ofKey(parent.node as { key: Node; computed?: boolean });
    }
    return "";
  }

  /**
   * Declares `let ids`, the bodies of a class's or object literal's async methods, so that each
   * evaluation of the literal has its own: a class made twice must not share the first one's
   * bodies (their `#private` names and `super` are that class's). Where the literal's statement
   * evaluates it once per run (nearly always), just before that statement, which costs nothing
   * per call; in an expression-bodied arrow, in the arrow's body made a block; elsewhere, in an
   * arrow called on the spot around the literal.
   */
  function declarePerEvaluation(path: NodePath, ids: BabelTypes.Identifier[]): void {
    const decl = t.variableDeclaration("let", ids.map((id) => t.variableDeclarator(t.identifier(id.name))));
    const around = repetitionAround(path);
    if (around === null) {
      declareBefore(path, decl);
      return;
    }
    if (around !== "elsewhere") {
      around.get("body").replaceWith(t.blockStatement([decl, t.returnStatement(around.node.body as BabelTypes.Expression)]));
      return;
    }
    const what = path.isClass() ? "a class with async methods" : "an object literal whose async methods use `super`";
    if (holdsAwaitOrYield(path)) {
      throw rejection(
        path.node,
        `${what} is evaluated more than once here (a loop's test or update, a parameter's default or a field's initialiser) and has an \`await\` or \`yield\` in a computed key or \`extends\`, which cannot be compiled. Compute that value into a variable first.`,
      );
    }
    let expression = path.node as BabelTypes.Expression;
    if (path.isClassExpression() && path.node.id == null) {
      const name = contextualName(path);
      if (name === null) {
        throw rejection(path.node, `${what} that takes its name from a computed key cannot be compiled here. Give the class a name of its own (\`class Name { ... }\`).`);
      }
      // An arrow's `return` would leave the class without the name it gets from where it stands.
      if (name !== "") expression = t.memberExpression(t.objectExpression([t.objectProperty(t.stringLiteral(name), expression)]), t.stringLiteral(name), true);
    }
    path.replaceWith(t.callExpression(t.arrowFunctionExpression([], t.blockStatement([decl, t.returnStatement(expression)])), []));
  }

  function finishClass(path: NodePath<BabelTypes.Class>): void {
    const ids = state.classBodies.get(path.node);
    if (ids === undefined) return;
    state.classBodies.delete(path.node);
    declarePerEvaluation(path, ids);
  }

  /** `{...}` becomes `(_o = {...}, _m$body = _o[k], delete _o[k], _o)`: the generators move out. */
  function finishObject(path: NodePath<BabelTypes.ObjectExpression>): void {
    const entry = state.objectBodies.get(path.node);
    if (entry === undefined) return;
    state.objectBodies.delete(path.node);
    const o = () => t.identifier(entry.object.name);
    const key = (k: string) => t.stringLiteral(k);
    path.replaceWith(
      t.sequenceExpression([
        t.assignmentExpression("=", o(), path.node),
        ...entry.moves.map(({ body, key: k }) => t.assignmentExpression("=", t.identifier(body.name), t.memberExpression(o(), key(k), true))),
        // Last added, first deleted: V8 then undoes the additions instead of making the object slow.
        ...[...entry.moves].reverse().map(({ key: k }) => t.unaryExpression("delete", t.memberExpression(o(), key(k), true))),
        ...entry.moves.flatMap(({ body, name }) => renamed(path, body, name)),
        o(),
      ]),
    );
    declarePerEvaluation(path, [entry.object, ...entry.moves.map((m) => m.body)]);
  }

  /** Whether `path` holds a direct `eval(...)`, which may read or write any binding it can see. */
  function hasDirectEval(path: NodePath): boolean {
    let found = false;
    path.traverse({
      CallExpression(call) {
        if (call.get("callee").isIdentifier({ name: "eval" }) && !call.scope.hasBinding("eval", true)) found = true;
      },
    });
    return found;
  }

  /**
   * Refuses `yield` used as a name in a sloppy async function: legal there, but the body becomes a
   * generator, where `yield` is a keyword, so it would silently change meaning.
   */
  function rejectYieldIdentifiers(path: FunctionPath): void {
    path.traverse({
      Identifier(id) {
        if (id.node.name !== "yield") return;
        // A function nested in the body (not an arrow) stays an ordinary function, where `yield` is a name.
        let child: NodePath = id;
        for (let p: NodePath | null = id.parentPath; p !== null && p.node !== path.node; child = p, p = p.parentPath) {
          if (p.isFunction() && !p.isArrowFunctionExpression() && child.key !== "key") return;
        }
        throw rejection(
          id.node,
          "`yield` is used as a name inside an async function. handloop compiles the function's body into a generator, where `yield` is a keyword, so this cannot be compiled; rename it.",
        );
      },
    });
  }

  /**
   * An async function's body as a generator that stack traces call by the function's own name:
   * V8 names a frame after the function (and the generator's `next` after its maker), and a
   * method takes its name from its key, so the body is the method `name` of a literal made for it,
   * `{ *"f"(a) {...} }["f"]`: frames read `at f (file.ts:3:9)`, not `at _f$body`. A method has no
   * `this`, `arguments` or binding of its own name beyond a generator function's; only `super`
   * differs, and a body that may use it is never made this way: `super` in its source is lowered
   * (arrows) or refused by the parser, and a body with a direct `eval`, which could name `super`
   * at run time, stays a plain generator, as does a nameless one.
   */
  function namedGenerator(
    name: string,
    params: BabelTypes.FunctionParameter[],
    body: BabelTypes.BlockStatement,
    evals: boolean,
  ): BabelTypes.Expression {
    if (name === "" || evals) return t.functionExpression(null, params, body, true, false);
    const method = t.objectMethod("method", t.stringLiteral(name), params, body, false, true, false);
    return t.memberExpression(t.objectExpression([method]), t.stringLiteral(name), true);
  }

  function lower(path: FunctionPath): void {
    const node = path.node;
    if (!path.isInStrictMode()) rejectYieldIdentifiers(path);
    const isGenerator = node.generator === true;
    const name = nameOf(path);
    const length = lengthOf(node.params);
    const arrowThis = path.isArrowFunctionExpression() ? captureLexicals(path) : null;
    path.traverse(bodyVisitor, { isGenerator });

    // TypeScript's parameter properties only exist in constructors, which cannot be async.
    const params = () => path.node.params as BabelTypes.FunctionParameter[];
    const evals = hasDirectEval(path);
    const generatorBody = () => namedGenerator(name, params(), blockOf(path.node.body), evals);

    if (path.isFunctionDeclaration()) {
      // The body must exist before any statement runs, as the hoisted wrapper may be called first,
      // but only a method can carry the function's own name in stack traces (see namedGenerator),
      // and a method is not hoisted. So a hoisted function makes it on the first call and keeps it
      // on itself: `_f$body.body ?? _f$body()`, once per evaluation of the declaration's scope.
      const bodyId = path.parentPath.scope.generateUidIdentifier(`${name || "default"}$body`);
      const kept = () => t.memberExpression(t.identifier(bodyId.name), t.identifier("body"));
      const declaration = t.functionDeclaration(
        bodyId,
        [],
        t.blockStatement([
          t.returnStatement(t.assignmentExpression("=", kept(), namedGenerator(name || "default", params(), blockOf(path.node.body), evals))),
        ]),
      );
      const body = t.logicalExpression("??", kept(), t.callExpression(t.identifier(bodyId.name), []));
      const wrapper = t.functionDeclaration(
        path.node.id,
        dummies(length),
        wrapperBody(path, callHelper(isGenerator, body, name, true)),
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
      const self = selfName === undefined ? undefined : path.scope.getOwnBinding(selfName);
      const selfReferenced = self?.referenced ?? false;
      if (selfName !== undefined && (hasDirectEval(path) || (self?.kind === "local" && self.constantViolations.length > 0))) {
        // The body assigns to its own name (or an eval in it may): only a named function
        // expression's binding ignores that in sloppy code and throws in strict code, so the
        // wrapper is one, and the body must be inside it: this rare form makes it once per call.
        const call = callHelper(isGenerator, generatorBody(), name, true);
        path.replaceWith(t.functionExpression(t.identifier(selfName), dummies(length), t.blockStatement([call])));
        return;
      }
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
      const selfId = t.identifier(selfName!);
      path.replaceWith(
        t.callExpression(
          t.arrowFunctionExpression(
            [],
            t.blockStatement([
              t.variableDeclaration("const", [t.variableDeclarator(selfId, wrapped)]),
              t.returnStatement(t.identifier(selfName!)),
            ]),
          ),
          [],
        ),
      );
      return;
    }

    if (path.isArrowFunctionExpression()) {
      path.replaceWith(
        t.callExpression(helper("__wrapArrow"), [generatorBody(), arrowThis!, t.stringLiteral(name), t.numericLiteral(length)]),
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
    // A computed key, so that V8 gives the method no name of its own for stack traces: the move
    // below names it after the user's method (see renamed).
    const generator = t.classMethod(
      "method",
      key,
      node.params as BabelTypes.FunctionParameter[],
      node.body,
      true,
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
      ...renamed(classPath, bodyId, name).map((e) => t.expressionStatement(e)),
    ];
    const first = classBody.node.body[0];
    if (first && t.isStaticBlock(first) && state.generated.has(first)) {
      first.body.unshift(...move);
    } else {
      classBody.unshiftContainer("body", mark(t.staticBlock(move)));
    }
    const ids = state.classBodies.get(classPath.node) ?? [];
    state.classBodies.set(classPath.node, ids);
    ids.push(bodyId);
  }

  /**
   * `Object.defineProperty(body, "name", { value: name })`, to run once the body
   * of a method that uses `super` (a class's, or a literal's) is taken off its holder: such a body
   * must stay a method of that holder, under a key of ours, and V8 names its stack frames after
   * its `name`. None where the code around rebinds `Object` (frames then keep our key).
   */
  function renamed(around: NodePath, body: BabelTypes.Identifier, name: string): BabelTypes.Expression[] {
    const ownObject = around.scope.hasBinding("Object", true) || (around.isClass() && around.node.id?.name === "Object");
    if (ownObject) return [];
    const define = t.memberExpression(t.identifier("Object"), t.identifier("defineProperty"));
    const descriptor = t.objectExpression([t.objectProperty(t.identifier("value"), t.stringLiteral(name))]);
    return [t.callExpression(define, [t.identifier(body.name), t.stringLiteral("name"), descriptor])];
  }

  function lowerObjectMethod(path: NodePath<BabelTypes.ObjectMethod>, name: string, length: number, isGenerator: boolean): void {
    const node = path.node;
    if (!usesSuper(path)) {
      path.replaceWith(
        t.objectProperty(
          node.key,
          t.callExpression(helper(isGenerator ? "__wrapAgen" : "__wrap"), [
            namedGenerator(name, node.params, node.body, hasDirectEval(path)),
            t.stringLiteral(name),
            t.numericLiteral(length),
          ]),
          node.computed,
        ),
      );
      return;
    }
    // `super` needs the generator to be a method of this very literal: add it as one, then move it
    // out right after the literal is built (finishObject).
    const objectPath = path.parentPath as NodePath<BabelTypes.ObjectExpression>;
    const scope = objectPath.scope;
    const bodyId = scope.generateUidIdentifier(`${name || "method"}$body`);
    const key = `__handloop$${bodyId.name}`;
    const wrapper = t.objectMethod(
      "method",
      node.key,
      dummies(length),
      t.blockStatement([callHelper(isGenerator, t.identifier(bodyId.name), name)]),
      node.computed,
    );
    path.replaceWith(wrapper);
    // A computed key, so that V8 gives the method no name of its own (see renamed, in finishObject).
    objectPath.pushContainer("properties", t.objectMethod("method", t.stringLiteral(key), node.params, node.body, true, true, false));
    let entry = state.objectBodies.get(objectPath.node);
    if (entry === undefined) {
      entry = { object: scope.generateUidIdentifier("object"), moves: [] };
      state.objectBodies.set(objectPath.node, entry);
    }
    entry.moves.push({ body: bodyId, key, name });
  }

  /**
   * `globalThis[Symbol.for("handloop")].compiled`: the helpers of the runtime registered on the
   * global object. A CommonJS file's own top-level `globalThis` or `Symbol` (function-local in
   * Node's module wrapper) is renamed first, so that this expression reads the global ones.
   */
  function registryRuntime(program: NodePath<BabelTypes.Program>): BabelTypes.Expression {
    for (const name of ["globalThis", "Symbol"]) {
      if (program.scope.hasOwnBinding(name)) program.scope.rename(name);
    }
    const key = t.callExpression(t.memberExpression(t.identifier("Symbol"), t.identifier("for")), [t.stringLiteral("handloop")]);
    return t.memberExpression(t.memberExpression(t.identifier("globalThis"), key, true), t.identifier("compiled"));
  }

  /** See LowerAsyncMetadata.commonjs. */
  function looksCommonJS(program: NodePath<BabelTypes.Program>): boolean {
    if (program.node.body.some((statement) => t.isImportDeclaration(statement) || t.isExportDeclaration(statement))) return false;
    if (!["require", "module", "exports"].some((name) => program.scope.hasGlobal(name))) return false;
    let meta = false;
    program.traverse({
      MetaProperty(path) {
        if (path.node.meta.name === "import") {
          meta = true;
          path.stop();
        }
      },
    });
    return !meta;
  }

  return {
    name: "handloop-lower-async",
    visitor: {
      Program: {
        enter(path) {
          state = { helpers: new Map(), program: path, generated: new WeakSet(), classBodies: new Map(), objectBodies: new Map() };
          const metadata: LowerAsyncMetadata = { commonjs: looksCommonJS(path) };
          (this.file.metadata as { handloop?: LowerAsyncMetadata }).handloop = metadata;
          rejectUnsupported(path);
          // A file that never spells the name has nothing to bind: no traversal for it.
          if (options.promise === "loop" && this.file.code.includes("Promise")) bindGlobalPromise(path, t, () => helper("LoopPromise"));
          lowerUsing(path);
        },
        exit(path) {
          if (state.helpers.size === 0) return;
          if (options.script || options.registry) {
            const properties = [...state.helpers].map(([name, local]) =>
              t.objectProperty(t.identifier(name), t.identifier(local.name)),
            );
            const from = options.registry ? registryRuntime(path) : t.identifier(options.runtime);
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
      Class: {
        exit(path) {
          finishClass(path);
        },
      },
      ObjectExpression: {
        exit(path) {
          finishObject(path);
        },
      },
    },
  };
}
