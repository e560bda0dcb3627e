// Rows of a fact kept as columns (runner/facts/dump/group-table.ts) until a check reads
// them: a check case gets its app's rows made for it (scopeFact, runner/facts/scope.ts)
// and drops them when it ends, so the run holds ~50 bytes per group instead of a row
// object each; the whole array is made (once) only when something reads the field whole
// (a check that is not per app, a test comparing facts).
import type { Period } from "../../countly/time.ts";

/** Where a fact value keeps the sources of its columnar fields. */
const BY_APP = Symbol("rows by app");

export interface RowsByApp<R> {
  /** The rows of `app` whose day is in `period`, in the fact's order: new objects on every call. */
  rowsOf(app: string, period: Period): R[];
  /** Every row, in the fact's order. */
  all(): R[];
}

type WithSources = { [BY_APP]?: Map<string, RowsByApp<unknown>> };

/** Defines `value[field]` as the rows of `source`, made on the first read of the field; returns `value`. */
export function defineRows<T extends object>(value: T, field: string, source: RowsByApp<unknown>): T {
  let rows: unknown[] | undefined;
  Object.defineProperty(value, field, {
    enumerable: true,
    configurable: true,
    get: () => (rows ??= source.all()),
    set: (v: unknown[]) => (rows = v),
  });
  const holder = value as WithSources;
  if (!holder[BY_APP]) Object.defineProperty(value, BY_APP, { value: new Map(), enumerable: false });
  holder[BY_APP]!.set(field, source);
  return value;
}

/** The columnar source of `value[field]`, when it has one. */
export function rowsByApp(value: object, field: string): RowsByApp<unknown> | undefined {
  return (value as WithSources)[BY_APP]?.get(field);
}
