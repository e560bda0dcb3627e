// Rows of a fact kept as columns (runner/facts/dump/group-table.ts) until a check reads
// them: a check case reads its app's rows as columns (`rowColumns`: no object per row) or
// gets them made for it (scopeFact, runner/facts/scope.ts) and drops them when it ends, so
// the run holds ~50 bytes per group instead of a row object each; the whole array is made
// (once) only when something reads the field whole (a check that is not per app, a test
// comparing facts).
import type { Period } from "../../countly/time.ts";
import type { RowColumns } from "./types.ts";

/** Where a fact value keeps the sources of its columnar fields. */
const BY_APP = Symbol("rows by app");
/** Where a scoped fact value keeps the columns of its columnar fields. */
const COLUMNS = Symbol("rows as columns");

export interface RowsByApp<R> {
  /** The rows of `app` whose day is in `period`, in the fact's order: new objects on every call. */
  rowsOf(app: string, period: Period): R[];
  /** The same rows as columns, without an object per row. */
  columnsOf(app: string, period: Period): RowColumns<R>;
  /** Every row, in the fact's order. */
  all(): R[];
}

type WithSources = { [BY_APP]?: Map<string, RowsByApp<unknown>> };
/** A scoped field's columns, made on the first read (a check reads some fields of a fact, not all). */
type WithColumns = { [COLUMNS]?: Map<string, () => RowColumns<unknown>> };
type RowOf<A> = A extends readonly (infer R)[] ? R : never;

/** Defines `value[field]` as the rows of `source`, made on the first read of the field; returns `value`. */
export function defineRows<T extends object>(value: T, field: string, source: RowsByApp<unknown>): T {
  lazyField(value, field, () => source.all());
  const holder = value as WithSources;
  if (!holder[BY_APP]) Object.defineProperty(value, BY_APP, { value: new Map(), enumerable: false });
  holder[BY_APP]!.set(field, source);
  return value;
}

/** The columnar source of `value[field]`, when it has one. */
export function rowsByApp(value: object, field: string): RowsByApp<unknown> | undefined {
  return (value as WithSources)[BY_APP]?.get(field);
}

/**
 * Defines `value[field]` (a fact scoped to one app and period) as the rows of `app` in
 * `period` of `source`, made on the first read of the field; `rowColumns` reads them as
 * columns without making them.
 */
export function defineScopedRows(value: object, field: string, source: RowsByApp<unknown>, app: string, period: Period): void {
  lazyField(value, field, () => source.rowsOf(app, period));
  const holder = value as WithColumns;
  if (!holder[COLUMNS]) Object.defineProperty(value, COLUMNS, { value: new Map(), enumerable: false });
  let columns: RowColumns<unknown> | undefined;
  holder[COLUMNS]!.set(field, () => (columns ??= source.columnsOf(app, period)));
}

/** The rows of `value[field]` as columns: the fact's own columns when it keeps them (no row is made), else the rows of the array. */
export function rowColumns<T extends object, K extends keyof T & string>(value: T, field: K): RowColumns<RowOf<T[K]>> {
  const own = (value as WithColumns)[COLUMNS]?.get(field);
  if (own) return own() as RowColumns<RowOf<T[K]>>;
  return columnsOfRows(value[field] as unknown as readonly RowOf<T[K]>[]);
}

/** Rows already made, read as columns (a row's id: its index). */
export function columnsOfRows<R>(rows: readonly R[]): RowColumns<R> {
  const ids = new Int32Array(rows.length);
  for (let i = 0; i < ids.length; i++) ids[i] = i;
  return { ids, column: <F extends keyof R>(field: F) => (i: number) => rows[i]![field] };
}

function lazyField(value: object, field: string, make: () => unknown[]): void {
  let rows: unknown[] | undefined;
  Object.defineProperty(value, field, {
    enumerable: true,
    configurable: true,
    get: () => (rows ??= make()),
    set: (v: unknown[]) => (rows = v),
  });
}
