/**
 * describe.ts: short human descriptions of arbitrary values, for error messages.
 *
 * Must never throw (a hostile getter or Proxy must not turn a helpful error into a confusing
 * one) and never print a whole object: one phrase that lets a reader find the value in their code.
 */

// The engine's Promise, as this module found it (a program may bind the global to LoopPromise).
const NativePromise = Promise;

/** @internal A phrase naming `value`: `NaN`, `"abc"`, `a native Promise`, `an instance of Foo`. */
export function describe(value: unknown): string {
  try {
    switch (typeof value) {
      case "undefined":
        return "undefined";
      case "number":
        return Object.is(value, -0) ? "-0" : String(value);
      case "bigint":
        return `${value}n`;
      case "boolean":
      case "symbol":
        return String(value);
      case "string":
        return JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value);
      case "function":
        return value.name ? `the function ${value.name}` : "an anonymous function";
    }
    if (value === null) return "null";
    if (value instanceof NativePromise) return "a native Promise";
    const tag = Object.prototype.toString.call(value);
    if (tag === "[object Generator]") return "a generator object";
    if (Array.isArray(value)) return `an array of length ${value.length}`;
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto === null || proto === Object.prototype) return "a plain object";
    const ctor = (proto as { constructor?: { name?: unknown } }).constructor;
    if (typeof ctor?.name === "string" && ctor.name !== "") return `an instance of ${ctor.name}`;
    return `an object ${tag}`;
  } catch {
    return "a value that could not be described";
  }
}
