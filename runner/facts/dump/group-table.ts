// Event groups (app, key, day number) -> counters, stored in typed-array columns with
// an open-addressing index: 44 bytes per group (36 without a document count) and ~8-16
// of index while they are added, the columns alone once `done()`, instead of an object,
// a string key and a map entry each (~1 KB), so a year of days for hundreds of apps and
// thousands of event keys fits. A group's app, key and day lie side by side (one memory
// line for the index to compare), and so do its counters (one line to add to). The
// columns grow by pages of PAGE groups, never copied: no growth leaves twice the table
// behind for the collector (or the allocator) to give back. Apps and keys are interned
// ids (StringInterner). `groupRows` hands them to the checks one app at a time.

import { dayName, inPeriod, type Period } from "../../../countly/time.ts";
import type { RowsByApp } from "../group-rows.ts";
import type { RowColumns } from "../types.ts";

const HASH_EMPTY = -1;
const PAGE_BITS = 16;
const PAGE = 1 << PAGE_BITS;
const IN_PAGE = PAGE - 1;
/** Ints per group in an id page: app, key, day. */
const IDS = 3;
/** Entries of the recent-group table (a power of two). */
const RECENT_BITS = 10;
const RECENT = 1 << RECENT_BITS;

export class GroupTable {
  /** Per group: app, key, day (IDS ints). */
  private readonly idPages: Int32Array[] = [];
  /** Per group: c, s, dur and (countDocs) docs. */
  private readonly counterPages: Float64Array[] = [];
  private readonly stride: number;
  /** Groups the pages hold room for. */
  private capacity = 0;
  size = 0;
  private index: Int32Array = new Int32Array(2048).fill(HASH_EMPTY);
  /**
   * The latest group of each (app, key), direct-mapped by a hash of the pair: app, key, day,
   * group per entry (group -1: none). Raw events come roughly in time order, so the next
   * event of an app and key is mostly on the same day as its last one: a hit costs one
   * small table (16 KiB, in the fastest cache) instead of a probe of the index and the
   * columns. A pair that loses its entry to another is found through the index.
   */
  private recent: Int32Array = new Int32Array(RECENT * 4).fill(HASH_EMPTY);

  /** `countDocs` false: no documents per group (aggregated days need no count; `docs(g)` is 0). */
  constructor(private readonly countDocs = true) {
    this.stride = countDocs ? 4 : 3;
  }

  /** Bytes held (for memory budgets). */
  get bytes(): number {
    return this.capacity * (IDS * 4 + this.stride * 8) + (this.index.length + this.recent.length) * 4;
  }

  app(g: number): number {
    return this.idPages[g >>> PAGE_BITS]![(g & IN_PAGE) * IDS]!;
  }

  key(g: number): number {
    return this.idPages[g >>> PAGE_BITS]![(g & IN_PAGE) * IDS + 1]!;
  }

  day(g: number): number {
    return this.idPages[g >>> PAGE_BITS]![(g & IN_PAGE) * IDS + 2]!;
  }

  c(g: number): number {
    return this.counterPages[g >>> PAGE_BITS]![(g & IN_PAGE) * this.stride]!;
  }

  s(g: number): number {
    return this.counterPages[g >>> PAGE_BITS]![(g & IN_PAGE) * this.stride + 1]!;
  }

  dur(g: number): number {
    return this.counterPages[g >>> PAGE_BITS]![(g & IN_PAGE) * this.stride + 2]!;
  }

  docs(g: number): number {
    return this.countDocs ? this.counterPages[g >>> PAGE_BITS]![(g & IN_PAGE) * 4 + 3]! : 0;
  }

  /** No group will be added any more: the index is dropped. */
  done(): void {
    this.index = new Int32Array(0);
    this.recent = new Int32Array(0);
  }

  /** Adds one document's counters to its group (created on first use); returns the group. */
  add(app: number, key: number, day: number, c: number, s: number, dur: number): number {
    const recent = this.recent;
    const r = (Math.imul(Math.imul(app, 0x9e3779b1) ^ key, 0x85ebca6b) >>> (32 - RECENT_BITS)) << 2;
    let g = recent[r + 3]!;
    if (recent[r + 2] !== day || recent[r + 1] !== key || recent[r] !== app || g === HASH_EMPTY) {
      g = this.find(app, key, day);
      recent[r] = app;
      recent[r + 1] = key;
      recent[r + 2] = day;
      recent[r + 3] = g;
    }
    const counters = this.counterPages[g >>> PAGE_BITS]!;
    const i = (g & IN_PAGE) * this.stride;
    counters[i] += c;
    counters[i + 1] += s;
    counters[i + 2] += dur;
    if (this.countDocs) counters[i + 3]++;
    return g;
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
    const counters = this.counterPages[g >>> PAGE_BITS]!;
    const j = (g & IN_PAGE) * this.stride;
    counters[j] += c;
    counters[j + 1] += s;
    counters[j + 2] += dur;
    if (this.countDocs) counters[j + 3]++;
  }

  /** `order` (sorted) without the repeats of appended groups, each summed into the first of its run. */
  private mergeRepeats(order: Int32Array): Int32Array {
    const n = order.length;
    let w = 0;
    for (let r = 0; r < n; ) {
      const g = order[r]!;
      const ids = this.idPages[g >>> PAGE_BITS]!;
      const i = (g & IN_PAGE) * IDS;
      const counters = this.counterPages[g >>> PAGE_BITS]!;
      const j = (g & IN_PAGE) * this.stride;
      let e = r + 1;
      for (; e < n; e++) {
        const h = order[e]!;
        const hIds = this.idPages[h >>> PAGE_BITS]!;
        const hi = (h & IN_PAGE) * IDS;
        if (hIds[hi + 2] !== ids[i + 2] || hIds[hi + 1] !== ids[i + 1] || hIds[hi] !== ids[i]) break;
        const from = this.counterPages[h >>> PAGE_BITS]!;
        const hj = (h & IN_PAGE) * this.stride;
        for (let k = 0; k < this.stride; k++) counters[j + k] += from[hj + k]!;
      }
      order[w++] = g;
      r = e;
    }
    return w === n ? order : order.slice(0, w);
  }

  private find(app: number, key: number, day: number): number {
    const index = this.index;
    const mask = index.length - 1;
    let h = hash3(app, key, day) & mask;
    for (;;) {
      const g = index[h]!;
      if (g === HASH_EMPTY) break;
      const ids = this.idPages[g >>> PAGE_BITS]!;
      const i = (g & IN_PAGE) * IDS;
      if (ids[i + 2] === day && ids[i + 1] === key && ids[i] === app) return g;
      h = (h + 1) & mask;
    }
    const g = this.newGroup(app, key, day);
    index[h] = g;
    if (this.size * 2 > index.length) this.rehash();
    return g;
  }

  /** A new group's ids (its counters are 0). */
  private newGroup(app: number, key: number, day: number): number {
    const g = this.size++;
    if (g === this.capacity) this.addPage();
    const ids = this.idPages[g >>> PAGE_BITS]!;
    const i = (g & IN_PAGE) * IDS;
    ids[i] = app;
    ids[i + 1] = key;
    ids[i + 2] = day;
    return g;
  }

  /** Room for group `size - 1`: the first page grows from 1024 groups to a full page (most tables are small), then full pages are added. */
  private addPage(): void {
    if (this.capacity > 0 && this.capacity < PAGE) {
      const n = this.capacity * 2;
      this.idPages[0] = widen(this.idPages[0]!, n * IDS);
      this.counterPages[0] = widen(this.counterPages[0]!, n * this.stride);
      this.capacity = n;
      return;
    }
    const n = this.capacity === 0 ? 1024 : PAGE;
    this.idPages.push(new Int32Array(n * IDS));
    this.counterPages.push(new Float64Array(n * this.stride));
    this.capacity += n;
  }

  private rehash(): void {
    const index = new Int32Array(this.index.length * 2).fill(HASH_EMPTY);
    const mask = index.length - 1;
    for (let g = 0; g < this.size; g++) {
      let h = hash3(this.app(g), this.key(g), this.day(g)) & mask;
      while (index[h] !== HASH_EMPTY) h = (h + 1) & mask;
      index[h] = g;
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
    const n = this.size;
    // the day column flat for the passes over it (freed when the sort ends)
    const day = new Int32Array(n);
    for (let g = 0; g < n; g++) day[g] = this.day(g);
    // two buffers, sorted from one into the other and back: no garbage per pass
    let order = new Int32Array(n);
    let spare = new Int32Array(n);
    for (let g = 0; g < n; g++) order[g] = g;
    const plain = plainDays(day, n);
    if (plain) {
      const first = plain.first;
      countingSort(order, spare, (g) => day[g]! - first, plain.count);
    } else {
      const rank = dayRanks(day, n);
      countingSort(order, spare, (g) => rank.rank[g]!, rank.count);
    }
    [order, spare] = [spare, order];
    const keyRank = ranks(keyTexts);
    countingSort(order, spare, (g) => keyRank[this.key(g)]!, keyTexts.length);
    [order, spare] = [spare, order];
    const appRank = ranks(appTexts);
    countingSort(order, spare, (g) => appRank[this.app(g)]!, appTexts.length);
    if (this.appended) return (this.merged = this.mergeRepeats(spare));
    return spare;
  }
}

function widen<T extends Int32Array | Float64Array>(a: T, n: number): T {
  const out = new (a.constructor as new (n: number) => T)(n);
  out.set(a);
  return out;
}

/** `from` stably sorted by `rankOf` (0 <= rank < count) into `to`. */
function countingSort(from: Int32Array, to: Int32Array, rankOf: (g: number) => number, count: number): void {
  const starts = new Int32Array(count + 1);
  for (let i = 0; i < from.length; i++) starts[rankOf(from[i]!) + 1]!++;
  for (let r = 0; r < count; r++) starts[r + 1]! += starts[r]!;
  for (let i = 0; i < from.length; i++) {
    const g = from[i]!;
    to[starts[rankOf(g)]!++] = g;
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

/** Each group's rank among the distinct days of the groups, in dayOrder. */
function dayRanks(day: Int32Array, n: number): { rank: Int32Array; count: number } {
  const rank = new Int32Array(n);
  const distinct = [...new Set(day.subarray(0, n))].sort(dayOrder);
  const of = new Map(distinct.map((d, i) => [d, i]));
  for (let g = 0; g < n; g++) rank[g] = of.get(day[g]!)!;
  return { rank, count: distinct.length };
}

/** Reads each field of a group's row from the table (group number -> value). */
export type GroupFields<R> = { readonly [F in keyof R]-?: (g: number) => R[F] };

/** The readers every app/key/day group table gives its rows: the ids as texts, the day's name, the counters. */
export function dayGroupFields(groups: GroupTable, apps: { text(id: number): string }, keys: { text(id: number): string }): GroupFields<{ app: string; key: string; day: string; c: number; s: number; dur: number }> {
  return {
    app: (g) => apps.text(groups.app(g)),
    key: (g) => keys.text(groups.key(g)),
    day: (g) => dayName(groups.day(g)),
    c: (g) => groups.c(g),
    s: (g) => groups.s(g),
    dur: (g) => groups.dur(g),
  };
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
