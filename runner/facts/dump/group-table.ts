// Event groups (app, key, day number) -> counters, stored in typed-array columns with
// an open-addressing index, instead of an object, a string key and a map entry each
// (~1 KB), so a year of days for hundreds of apps and thousands of event keys fits. Each
// field (app, key, day, c, s, dur, docs) is a column of pages of PAGE values that grow
// without being copied (no growth leaves twice the table behind for the collector to give
// back), and each page is the narrowest array that holds its values exactly: 16-bit
// integers, widened to 32-bit integers, then to doubles, the first time a value (an id, a
// sum) does not fit. Sums of integers are exact in every width, so a page widened mid-way
// holds the doubles it would have held from the start. Typical data (ids and days under
// 32,768, integer counts and durations, sums with fractions) costs ~20 bytes per group,
// and ~16-32 more of index (a group and its hash per slot) until `done()`. Apps and keys are interned ids (StringInterner).
// `groupRows` hands them to the checks one app at a time.

import { dayName, inPeriod, type Period } from "../../../countly/time.ts";
import type { RowsByApp } from "../group-rows.ts";
import type { RowColumns } from "../types.ts";

const HASH_EMPTY = -1;
const PAGE_BITS = 16;
const PAGE = 1 << PAGE_BITS;
const IN_PAGE = PAGE - 1;
/** Entries of the recent-group table (a power of two). */
const RECENT_BITS = 12;
const RECENT = 1 << RECENT_BITS;

/** A page of one column: the narrowest array its values fit exactly. */
type Page = Int16Array | Int32Array | Float64Array;

/**
 * Stores `v` at value i of page p of `column`, widening the page when `v` does not fit it.
 * Never -0 (which only doubles hold): ids are stored as `id | 0`, and sums start at +0,
 * which stays +0 when -0 is added.
 */
function setAt(column: Page[], p: number, i: number, v: number): void {
  const page = column[p]!;
  page[i] = v;
  if (page[i] !== v) widenPage(column, p, i, v);
}

/** Adds `v` to value i of page p of `column`, widening the page when the sum does not fit it. */
function addAt(column: Page[], p: number, i: number, v: number): void {
  setAt(column, p, i, column[p]![i]! + v);
}

/** Page p of `column` copied into the next width that holds `v` (an integer of 32 bits: Int32Array; else doubles), with `v` at i. */
function widenPage(column: Page[], p: number, i: number, v: number): void {
  const page = column[p]!;
  // doubles hold every value (NaN too, though it reads back unequal)
  if (page instanceof Float64Array) return;
  const wide = page instanceof Int16Array && v === (v | 0) ? new Int32Array(page.length) : new Float64Array(page.length);
  wide.set(page);
  wide[i] = v;
  column[p] = wide;
}

/** The value of group g in `column`. */
function at(column: readonly Page[], g: number): number {
  return column[g >>> PAGE_BITS]![g & IN_PAGE]!;
}

export class GroupTable {
  private readonly apps: Page[] = [];
  private readonly keys: Page[] = [];
  private readonly days: Page[] = [];
  private readonly cs: Page[] = [];
  private readonly ss: Page[] = [];
  private readonly durs: Page[] = [];
  /** Documents per group (no pages without `countDocs`). */
  private readonly docsPages: Page[] = [];
  private readonly columns: Page[][];
  /** Groups the pages hold room for. */
  private capacity = 0;
  size = 0;
  /**
   * Open addressing, two values per slot: a group and its hash (hash3), so that a probe
   * compares the hash before it reads the group's ids from the columns (a new group, the
   * common miss, reads none) and growing re-places every group without reading them.
   */
  private index: Int32Array = new Int32Array(2 * 2048).fill(HASH_EMPTY);
  /** The last find() made its group. */
  private created = false;
  /**
   * The latest group of each (app, key), direct-mapped by a hash of the pair: app, key, day,
   * group per entry (group -1: none), and in `sums` that group's running counters (c, s,
   * dur, docs). Raw events come roughly in time order, so the next event of an app and key
   * is mostly on the same day as its last one: a hit adds to one small table of doubles (in
   * a fast cache) instead of a probe of the index and the columns' pages. A pair that loses
   * its entry to another writes its sums back to the columns and is found through the index.
   * A group's sums move whole between its entry and the columns (a group has one possible
   * entry), so they are the same running sums, in the same order, as added in place.
   */
  private recent: Int32Array = new Int32Array(RECENT * 4).fill(HASH_EMPTY);
  private sums: Float64Array = new Float64Array(RECENT * 4);
  /** Some entry of `recent` holds sums not yet written back to the columns. */
  private pending = false;

  /** `countDocs` false: no documents per group (aggregated days need no count; `docs(g)` is 0). */
  constructor(private readonly countDocs = true) {
    this.columns = [this.apps, this.keys, this.days, this.cs, this.ss, this.durs, ...(countDocs ? [this.docsPages] : [])];
  }

  /** Bytes held (for memory budgets): the columns' pages, and the index until done(). */
  get bytes(): number {
    let n = (this.index.length + this.recent.length) * 4 + this.sums.byteLength;
    for (const column of this.columns) for (const page of column) n += page.byteLength;
    return n;
  }

  app(g: number): number {
    return at(this.apps, g);
  }

  key(g: number): number {
    return at(this.keys, g);
  }

  day(g: number): number {
    return at(this.days, g);
  }

  c(g: number): number {
    if (this.pending) this.writeBack();
    return at(this.cs, g);
  }

  s(g: number): number {
    if (this.pending) this.writeBack();
    return at(this.ss, g);
  }

  dur(g: number): number {
    if (this.pending) this.writeBack();
    return at(this.durs, g);
  }

  docs(g: number): number {
    if (this.pending) this.writeBack();
    return this.countDocs ? at(this.docsPages, g) : 0;
  }

  /** No group will be added any more: the recent groups' sums are written back and the index is dropped. */
  done(): void {
    this.writeBack();
    this.index = new Int32Array(0);
    this.recent = new Int32Array(0);
    this.sums = new Float64Array(0);
  }

  /** Adds one document's counters to its group (created on first use); returns the group. */
  add(app: number, key: number, day: number, c: number, s: number, dur: number): number {
    const recent = this.recent;
    const r = (Math.imul(Math.imul(app, 0x9e3779b1) ^ key, 0x85ebca6b) >>> (32 - RECENT_BITS)) << 2;
    let g = recent[r + 3]!;
    if (recent[r + 2] !== day || recent[r + 1] !== key || recent[r] !== app || g === HASH_EMPTY) g = this.enter(r, app, key, day);
    const sums = this.sums;
    sums[r] += c;
    sums[r + 1] += s;
    sums[r + 2] += dur;
    sums[r + 3]++;
    return g;
  }

  /** Recent entry r becomes group (app, key, day)'s, with its sums; the entry's group before it is written back. */
  private enter(r: number, app: number, key: number, day: number): number {
    if (this.index.length === 0) throw new Error("GroupTable.add after done()");
    const recent = this.recent;
    const sums = this.sums;
    if (recent[r + 3] !== HASH_EMPTY) this.store(recent[r + 3]!, r);
    const g = this.find(app, key, day);
    recent[r] = app;
    recent[r + 1] = key;
    recent[r + 2] = day;
    recent[r + 3] = g;
    if (this.created) {
      // a new group's counters: +0 (as its columns hold)
      sums[r] = sums[r + 1] = sums[r + 2] = sums[r + 3] = 0;
    } else {
      sums[r] = at(this.cs, g);
      sums[r + 1] = at(this.ss, g);
      sums[r + 2] = at(this.durs, g);
      sums[r + 3] = this.countDocs ? at(this.docsPages, g) : 0;
    }
    this.pending = true;
    return g;
  }

  /** The running sums of recent entry r into the columns of its group g. */
  private store(g: number, r: number): void {
    const p = g >>> PAGE_BITS;
    const i = g & IN_PAGE;
    const sums = this.sums;
    setAt(this.cs, p, i, sums[r]!);
    setAt(this.ss, p, i, sums[r + 1]!);
    setAt(this.durs, p, i, sums[r + 2]!);
    if (this.countDocs) setAt(this.docsPages, p, i, sums[r + 3]!);
  }

  /** Every recent entry's sums into the columns (the entries stay, their sums still current). */
  private writeBack(): void {
    this.pending = false;
    const recent = this.recent;
    for (let r = 0; r < recent.length; r += 4) if (recent[r + 3] !== HASH_EMPTY) this.store(recent[r + 3]!, r);
  }

  /** sortGroups() put the groups in sortedBy's order: group g is the g-th. */
  private renumbered = false;

  /**
   * Renumbers the groups in sortedBy's order (appended repeats merged into one group):
   * afterwards group i is the i-th, so one app's groups lie side by side in every column
   * and a check case reads one range of each (a case read groups strewn over the whole
   * table: a cache miss per field and group). Returns each group's number before, for
   * what is kept by group number elsewhere. Each column is rewritten page by page, each
   * value as it is, into pages of the narrowest type the page's new values fit (the old
   * page when it has that type), through one scratch array of doubles and one of a page:
   * no second copy of the table is made, so none is left for the collector to reclaim
   * while the checks run. The table must be `done()`; the texts must be the same as for
   * sortedBy().
   */
  sortGroups(appTexts: readonly string[], keyTexts: readonly string[]): Int32Array {
    const order = this.sortedBy(appTexts, keyTexts);
    if (this.pending) this.writeBack();
    const n = order.length;
    const size = this.size;
    // each column copied out flat into a scratch array of its widest page's type (16-bit
    // ids and counts: a fourth of the bytes to read at random), filled page by page by the
    // engine's own conversion, then gathered in order, one page at a time, into a page of
    // the narrowest type its new values fit (the old page reused when that is its type)
    const scratch: Partial<Record<number, Page>> = {};
    const out = new Float64Array(Math.min(n, PAGE));
    for (const column of this.columns) {
      let widest = INT16;
      for (const page of column) widest = Math.max(widest, kindOf(page));
      const flat = (scratch[widest] ??= newPage(widest, size));
      let base = 0;
      for (const page of column) {
        if (base >= size) break;
        flat.set(page.length <= size - base ? page : page.subarray(0, size - base), base);
        base += page.length;
      }
      base = 0;
      for (let p = 0; base < n; p++) {
        const length = column[p]!.length;
        const count = Math.min(length, n - base);
        const kind = gather(flat, order, base, count, out);
        column[p] = pageOf(column[p]!, kind, length, out, count);
        base += length;
      }
    }
    let pages = 0;
    for (let held = 0; held < n; pages++) held += this.apps[pages]!.length;
    for (const column of this.columns) column.length = pages;
    this.capacity = 0;
    for (const page of this.apps) this.capacity += page.length;
    this.size = n;
    this.renumbered = true;
    this.merged = null;
    return order;
  }

  /** Groups were appended (append()): sortedBy() merges their repeats, once. */
  private appended = false;
  private merged: Int32Array | null = null;

  /**
   * Appends one document's counters as a group of its own, with no index to look it up
   * (for groups that rarely repeat, such as aggregated days: one per document and day).
   * sortedBy() then sums each repeated group into its first appended copy, in appending
   * order, as add() sums them. Use either add() or append() on a table, not both.
   */
  append(app: number, key: number, day: number, c: number, s: number, dur: number): void {
    this.appended = true;
    this.merged = null;
    const g = this.newGroup(app, key, day);
    const p = g >>> PAGE_BITS;
    const i = g & IN_PAGE;
    setAt(this.cs, p, i, 0 + c);
    setAt(this.ss, p, i, 0 + s);
    setAt(this.durs, p, i, 0 + dur);
    if (this.countDocs) setAt(this.docsPages, p, i, 1);
  }

  /** `order` (sorted) without the repeats of appended groups, each summed into the first of its run. */
  private mergeRepeats(order: Int32Array): Int32Array {
    const n = order.length;
    const counters = this.columns.slice(3);
    let w = 0;
    for (let r = 0; r < n; ) {
      const g = order[r]!;
      const app = this.app(g);
      const key = this.key(g);
      const day = this.day(g);
      let e = r + 1;
      for (; e < n; e++) {
        const h = order[e]!;
        if (this.day(h) !== day || this.key(h) !== key || this.app(h) !== app) break;
        for (const column of counters) addAt(column, g >>> PAGE_BITS, g & IN_PAGE, at(column, h));
      }
      order[w++] = g;
      r = e;
    }
    return w === n ? order : order.slice(0, w);
  }

  private find(app: number, key: number, day: number): number {
    const index = this.index;
    const mask = (index.length >>> 1) - 1;
    const hash = hash3(app, key, day) | 0;
    let h = hash & mask;
    for (;;) {
      const g = index[2 * h]!;
      if (g === HASH_EMPTY) break;
      if (index[2 * h + 1] === hash && this.day(g) === day && this.key(g) === key && this.app(g) === app) {
        this.created = false;
        return g;
      }
      h = (h + 1) & mask;
    }
    const g = this.newGroup(app, key, day);
    index[2 * h] = g;
    index[2 * h + 1] = hash;
    this.created = true;
    if (this.size > index.length >>> 2) this.rehash();
    return g;
  }

  /** A new group's ids, as 32-bit integers (the ids' type before pages narrowed them); its counters are 0. */
  private newGroup(app: number, key: number, day: number): number {
    const g = this.size++;
    if (g === this.capacity) this.addPage();
    const p = g >>> PAGE_BITS;
    const i = g & IN_PAGE;
    setAt(this.apps, p, i, app | 0);
    setAt(this.keys, p, i, key | 0);
    setAt(this.days, p, i, day | 0);
    return g;
  }

  /** Room for group `size - 1`: the first page grows from 1024 groups to a full page (most tables are small), then full pages are added. */
  private addPage(): void {
    if (this.capacity > 0 && this.capacity < PAGE) {
      const n = this.capacity * 2;
      for (const column of this.columns) column[0] = widen(column[0]!, n);
      this.capacity = n;
      return;
    }
    const n = this.capacity === 0 ? 1024 : PAGE;
    for (const column of this.columns) column.push(new Int16Array(n));
    this.capacity += n;
  }

  /** Twice the slots, each group placed by its stored hash. */
  private rehash(): void {
    const old = this.index;
    const index = new Int32Array(old.length * 2).fill(HASH_EMPTY);
    const mask = (index.length >>> 1) - 1;
    for (let o = 0; o < old.length; o += 2) {
      const g = old[o]!;
      if (g === HASH_EMPTY) continue;
      const hash = old[o + 1]!;
      let h = hash & mask;
      while (index[2 * h] !== HASH_EMPTY) h = (h + 1) & mask;
      index[2 * h] = g;
      index[2 * h + 1] = hash;
    }
    this.index = index;
  }

  /**
   * The groups ordered by app text, key text, then day (what sortRows gives for their rows):
   * stable counting sorts by day, then key, then app rank, linear in the groups. Appended
   * groups: each group once, its repeats summed (the texts must be the same on every call).
   */
  sortedBy(appTexts: readonly string[], keyTexts: readonly string[]): Int32Array {
    if (this.merged !== null) return this.merged;
    if (this.renumbered) return (this.merged = identity(this.size));
    const n = this.size;
    // one column of ids flat at a time (the engine converts each page), read by plain
    // loops over typed arrays: `rank` holds each group's rank for the pass at hand
    const rank = new Int32Array(n);
    // two buffers, sorted from one into the other and back: no garbage per pass
    let order = new Int32Array(n);
    let spare = new Int32Array(n);
    for (let g = 0; g < n; g++) order[g] = g;
    flatten(this.days, n, rank);
    const plain = plainDays(rank, n);
    if (plain) {
      const first = plain.first;
      for (let g = 0; g < n; g++) rank[g] = rank[g]! - first;
      countingSort(order, spare, rank, plain.count);
    } else {
      countingSort(order, spare, rank, dayRanks(rank, n));
    }
    [order, spare] = [spare, order];
    flatten(this.keys, n, rank);
    mapThrough(rank, ranks(keyTexts));
    countingSort(order, spare, rank, keyTexts.length);
    [order, spare] = [spare, order];
    flatten(this.apps, n, rank);
    mapThrough(rank, ranks(appTexts));
    countingSort(order, spare, rank, appTexts.length);
    if (this.appended) return (this.merged = this.mergeRepeats(spare));
    return spare;
  }
}

/** The first n values of `column` into `into`. */
function flatten(column: readonly Page[], n: number, into: Int32Array): void {
  let base = 0;
  for (const page of column) {
    if (base >= n) break;
    into.set(page.length <= n - base ? page : page.subarray(0, n - base), base);
    base += page.length;
  }
}

/** Each value v of `values` replaced by to[v]. */
function mapThrough(values: Int32Array, to: Int32Array): void {
  for (let i = 0; i < values.length; i++) values[i] = to[values[i]!]!;
}

/** Kinds of page, narrowest first. */
const INT16 = 0;
const INT32 = 1;
const DOUBLE = 2;

/** from[order[base + i]] into out[i] for i < count; returns the narrowest kind of page that holds them all exactly. */
function gather(from: Page, order: Int32Array, base: number, count: number, out: Float64Array): number {
  let int16 = true;
  let int32 = true;
  for (let i = 0; i < count; i++) {
    const v = from[order[base + i]!]!;
    out[i] = v;
    // NaN fits neither; -0 is never stored (setAt)
    if (v !== (v << 16) >> 16) {
      int16 = false;
      if (v !== (v | 0)) int32 = false;
    }
  }
  return int16 ? INT16 : int32 ? INT32 : DOUBLE;
}

/** A page of `kind` and `length` holding out[0..count) (the rest 0): `old` when it is of that kind. */
function pageOf(old: Page, kind: number, length: number, out: Float64Array, count: number): Page {
  const page = kindOf(old) === kind ? old : newPage(kind, length);
  page.set(count === out.length ? out : out.subarray(0, count));
  if (count < length) page.fill(0, count);
  return page;
}

function newPage(kind: number, length: number): Page {
  return kind === INT16 ? new Int16Array(length) : kind === INT32 ? new Int32Array(length) : new Float64Array(length);
}

function kindOf(page: Page): number {
  return page instanceof Int16Array ? INT16 : page instanceof Int32Array ? INT32 : DOUBLE;
}

/** 0, 1, .., n - 1. */
function identity(n: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  return out;
}

/** `a` in a longer array of its kind. */
function widen(a: Page, n: number): Page {
  const out = new (a.constructor as new (n: number) => Page)(n);
  out.set(a);
  return out;
}

/** `from` (groups) stably sorted by their ranks (rank[g], 0 <= rank < count) into `to`. */
function countingSort(from: Int32Array, to: Int32Array, rank: Int32Array, count: number): void {
  const starts = new Int32Array(count + 1);
  for (let g = 0; g < rank.length; g++) starts[rank[g]! + 1]!++;
  for (let r = 0; r < count; r++) starts[r + 1]! += starts[r]!;
  for (let i = 0; i < from.length; i++) {
    const g = from[i]!;
    to[starts[rank[g]!]!++] = g;
  }
}

/** The first day and the span, when every day is a plain one (they order as numbers) and the span is not much more than the groups. */
function plainDays(day: Int32Array, n: number): { first: number; count: number } | undefined {
  let min = Infinity;
  let max = -Infinity;
  for (let g = 0; g < n; g++) {
    const d = day[g]!;
    if (d < min) min = d;
    if (d > max) max = d;
  }
  if (n === 0) return { first: 0, count: 0 };
  return min >= FIRST_PLAIN_DAY && max <= LAST_PLAIN_DAY && max - min <= 4 * n + 1024 ? { first: min, count: max - min + 1 } : undefined;
}

/** Each group's day (in `day`) replaced by its rank among the distinct days, in dayOrder; returns how many there are. */
function dayRanks(day: Int32Array, n: number): number {
  const distinct = [...new Set(day.subarray(0, n))].sort(dayOrder);
  const of = new Map(distinct.map((d, i) => [d, i]));
  for (let g = 0; g < n; g++) day[g] = of.get(day[g]!)!;
  return distinct.length;
}

/** Reads each field of a group's row from the table (group number -> value). */
export type GroupFields<R> = { readonly [F in keyof R]-?: (g: number) => R[F] };

/** The readers every app/key/day group table gives its rows: the ids as texts, the day's name, the counters. */
export function dayGroupFields(groups: GroupTable, apps: { text(id: number): string }, keys: { text(id: number): string }): GroupFields<{ app: string; key: string; day: string; c: number; s: number; dur: number }> {
  const days = new DayNames();
  return {
    app: (g) => apps.text(groups.app(g)),
    key: (g) => keys.text(groups.key(g)),
    day: (g) => days.name(groups.day(g)),
    c: (g) => groups.c(g),
    s: (g) => groups.s(g),
    dur: (g) => groups.dur(g),
  };
}

/** Days a DayNames holds, around the first day it names: some 180 years. */
const DAY_NAMES_SPAN = 1 << 16;

/**
 * dayName's strings (the same ones) by day number from an array, for the days of a span
 * around the first day named: a check case reads a day per group, and an array
 * element costs less than dayName's Map lookup. Days outside the span go to dayName.
 */
class DayNames {
  private first = NaN;
  private readonly names: (string | undefined)[] = [];

  name(n: number): string {
    const i = n - this.first;
    if (i >= 0 && i < this.names.length) {
      const held = this.names[i];
      if (held !== undefined) return held;
    }
    const name = dayName(n);
    // the span centred on the first day named (days before it come too: other apps' zones, retention)
    if (this.first !== this.first) this.first = n - (DAY_NAMES_SPAN >> 1);
    const at = n - this.first;
    if (at >= 0 && at < DAY_NAMES_SPAN) {
      while (this.names.length <= at) this.names.push(undefined);
      this.names[at] = name;
    }
    return name;
  }
}

/**
 * The groups as rows, in the order of sortRows (app, key, day), made one app at a time
 * (`rowsOf`, for a check case) or all at once (`all`): group g's row holds each field as
 * `fields` reads it, in their order; or read one app's as columns (`columnsOf`: the groups,
 * read by `fields`, no row made). The table must be `done()`.
 */
export function groupRows<R>(groups: GroupTable, appTexts: readonly string[], keyTexts: readonly string[], fields: GroupFields<R>): RowsByApp<R> {
  const names = Object.keys(fields) as (keyof R)[];
  const row = (g: number): R => {
    const r = {} as R;
    for (const n of names) r[n] = fields[n](g);
    return r;
  };
  const order = groups.sortedBy(appTexts, keyTexts);
  // sorted by app first: each app's groups are one range of `order`
  const first = new Int32Array(appTexts.length).fill(-1);
  const end = new Int32Array(appTexts.length);
  for (let i = 0; i < order.length; i++) {
    const a = groups.app(order[i]!);
    if (first[a] === -1) first[a] = i;
    end[a] = i + 1;
  }
  const appIds = new Map(appTexts.map((t, i) => [t, i]));
  /** The groups of `app` in `period`, in order. */
  const groupsOf = (app: string, period: Period): Int32Array => {
    const a = appIds.get(app);
    if (a === undefined || first[a] === -1) return new Int32Array(0);
    const range = order.subarray(first[a]!, end[a]!);
    if (period.from === undefined && period.to === undefined) return range;
    return range.filter((g) => inPeriod(dayName(groups.day(g)), period));
  };
  return {
    rowsOf(app: string, period: Period): R[] {
      const selected = groupsOf(app, period);
      const out: R[] = new Array<R>(selected.length);
      for (let i = 0; i < selected.length; i++) out[i] = row(selected[i]!);
      return out;
    },
    columnsOf(app: string, period: Period): RowColumns<R> {
      // a row's id is its group: the fields read the table
      return { ids: groupsOf(app, period), column: (field) => fields[field] };
    },
    all(): R[] {
      const out: R[] = new Array<R>(order.length);
      for (let i = 0; i < order.length; i++) out[i] = row(order[i]!);
      return out;
    },
  };
}

/** Day numbers of years 0000..9999 sort as their `YYYY-MM-DD` names; others (`+010000-…`, `-000001-…`) by name. */
const FIRST_PLAIN_DAY = -719528;
const LAST_PLAIN_DAY = 2932896;

function dayOrder(a: number, b: number): number {
  if (a >= FIRST_PLAIN_DAY && a <= LAST_PLAIN_DAY && b >= FIRST_PLAIN_DAY && b <= LAST_PLAIN_DAY) return a - b;
  const x = dayName(a);
  const y = dayName(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Rank of each text in code-unit order (the order of `<` on strings). */
function ranks(texts: readonly string[]): Int32Array {
  const ids = texts.map((_, i) => i).sort((a, b) => (texts[a]! < texts[b]! ? -1 : texts[a]! > texts[b]! ? 1 : 0));
  const out = new Int32Array(texts.length);
  ids.forEach((id, rank) => (out[id] = rank));
  return out;
}

function hash3(a: number, b: number, c: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ b ^ (h >>> 13), 0xc2b2ae35);
  h = Math.imul(h ^ c ^ (h >>> 16), 0x27d4eb2f);
  return (h ^ (h >>> 15)) >>> 0;
}
