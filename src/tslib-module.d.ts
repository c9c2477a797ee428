// Types for tslib's ES module file, imported by path in tslib.ts: the same helpers as "tslib".
declare module "tslib/tslib.es6.mjs" {
  export * from "tslib";
}
