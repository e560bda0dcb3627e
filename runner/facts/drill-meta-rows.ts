// Fact drillMeta's parts shared by the dump collector and the live pipeline: the table
// of raw (app, drill_meta key, segment) groups and the reading of a drill_meta document.
//
// What the aggregator's `drill-meta` consumer keys its documents by (api/aggregator/
// processing.js at 001abe87): every insert with a truthy `a` and `e`, `e` replaced by `n`
// for `[CLY]_custom`; `<a>_meta_<sha1(e + a)>`, and `sg.<segment key>.type` $set for each
// key of the insert's `sg`.
import { INTERNAL_EVENTS } from "../../countly/layout.ts";
import { dayName, type Day } from "../../countly/time.ts";
import type { DrillMetaDoc, DrillMetaDocsFact, DrillMetaFact, DrillMetaSeen } from "./types.ts";

/** The drill_meta key of a raw document: `n` for custom events (when a string), else `e`. */
export function drillMetaKey(e: string, n: string | undefined): string {
  return e === INTERNAL_EVENTS.custom && n !== undefined ? n : e;
}

/** Raw groups by app and key, then segment (two levels: a document adds to one key and its few segments). */
export class DrillMetaTable {
  private readonly keys = new Map<string, { row: DrillMetaSeen; segments: Map<string, DrillMetaSeen> }>();
  maxCd: number | undefined;

  /** `docs` documents of one group, with their oldest `cd` and first and last day. */
  add(app: string, key: string, segment: string | undefined, docs: number, firstCd: number | undefined, firstDay: Day, lastDay: Day): void {
    const id = `${app}\u0000${key}`;
    let group = this.keys.get(id);
    if (!group) this.keys.set(id, (group = { row: { app, key, docs: 0, firstDay, lastDay }, segments: new Map() }));
    let row = group.row;
    if (segment !== undefined) {
      row = group.segments.get(segment)!;
      if (!row) group.segments.set(segment, (row = { app, key, segment, docs: 0, firstDay, lastDay }));
    }
    row.docs += docs;
    if (firstCd !== undefined && (row.firstCd === undefined || firstCd < row.firstCd)) row.firstCd = firstCd;
    if (firstDay < row.firstDay) row.firstDay = firstDay;
    if (lastDay > row.lastDay) row.lastDay = lastDay;
  }

  /** Notes an insertion time (the newest over every raw document read). */
  newest(cd: number): void {
    if (this.maxCd === undefined || cd > this.maxCd) this.maxCd = cd;
  }

  fact(): DrillMetaFact {
    const out: DrillMetaFact = { seen: sortSeen([...this.keys.values()].flatMap((g) => [g.row, ...g.segments.values()])) };
    if (this.maxCd !== undefined) out.maxCd = this.maxCd;
    return out;
  }
}

/**
 * The raw groups of DrillMetaTable counted per document by numbers, for the dump's hot
 * loop: app, key and segment are interned ids, days day numbers; no string, object or
 * string-keyed lookup per document. Rows are columns; a (key row, segment) pair finds its
 * row in an open-addressing table of ints. `fact()` gives the rows DrillMetaTable would
 * hold after every document was added to it.
 */
export class DrillMetaCounts {
  size = 0;
  private app: Int32Array = new Int32Array(64);
  private key: Int32Array = new Int32Array(64);
  /** -1: the key's own row. */
  private segment: Int32Array = new Int32Array(64);
  /** The key's own row of a segment row (itself for a key row). */
  private parent: Int32Array = new Int32Array(64);
  private docs: Float64Array = new Float64Array(64);
  /** NaN: no usable `cd` yet. */
  private firstCd: Float64Array = new Float64Array(64);
  private firstDay: Int32Array = new Int32Array(64);
  private lastDay: Int32Array = new Int32Array(64);
  /** app id -> key id -> key row + 1. */
  private readonly keyRows: Int32Array[] = [];
  /** (key row, segment) -> segment row, open addressing; slots hold row + 1. */
  private pairSlots = new Int32Array(256);

  /** The row of (app, key), added when new. */
  keyRow(app: number, key: number, day: number): number {
    let rows = this.keyRows[app];
    if (rows === undefined || key >= rows.length) {
      const grown = new Int32Array(Math.max(16, key + 1, (rows?.length ?? 0) * 2));
      if (rows !== undefined) grown.set(rows);
      this.keyRows[app] = rows = grown;
    }
    const r = rows[key]! - 1;
    if (r >= 0) return r;
    const row = this.newRow(app, key, -1, -1, day);
    rows[key] = row + 1;
    return row;
  }

  /** The row of a segment under a key row, added when new. */
  segmentRow(keyRow: number, segment: number, day: number): number {
    let slots = this.pairSlots;
    let mask = slots.length - 1;
    for (let i = pairHash(keyRow, segment) & mask; ; i = (i + 1) & mask) {
      const r = slots[i]! - 1;
      if (r < 0) {
        const row = this.newRow(this.app[keyRow]!, this.key[keyRow]!, segment, keyRow, day);
        slots[i] = row + 1;
        if (this.size * 2 > slots.length) {
          // grow the pair table (segment rows only live in it)
          const bigger = new Int32Array(slots.length * 2);
          mask = bigger.length - 1;
          for (let s = 0; s < slots.length; s++) {
            const o = slots[s]! - 1;
            if (o < 0) continue;
            let j = pairHash(this.parent[o]!, this.segment[o]!) & mask;
            while (bigger[j] !== 0) j = (j + 1) & mask;
            bigger[j] = o + 1;
          }
          this.pairSlots = slots = bigger;
        }
        return row;
      }
      if (this.parent[r] === keyRow && this.segment[r] === segment) return r;
    }
  }

  /** One document of a row: its `cd` (NaN: none) and app-local day. */
  count(row: number, cd: number, day: number): void {
    this.docs[row]! += 1;
    if (cd === cd && !(this.firstCd[row]! <= cd)) this.firstCd[row] = cd;
    const first = this.firstDay[row]!;
    const last = this.lastDay[row]!;
    // first <= last: a day at either end changes nothing, and a day before the first is no new last
    if (day === first || day === last) return;
    if (dayBefore(day, first)) this.firstDay[row] = day;
    else if (dayBefore(last, day)) this.lastDay[row] = day;
  }

  /**
   * The fact: every row with the texts of its app, key and segment (by id), in sortSeen's order
   * and with DrillMetaTable's fields, as adding each row to a DrillMetaTable would give it,
   * without its per-row string keys and string sort: the rows are sorted by the ranks of their
   * texts (each interner's texts sorted once). A text holding U+0000 (which DrillMetaTable's key
   * joins app and key with) takes the DrillMetaTable way.
   */
  fact(apps: readonly string[], keys: readonly string[], segments: readonly string[], maxCd: number | undefined, sortKeysBelow = 2 ** 53): DrillMetaFact {
    if (apps.some(hasNul) || keys.some(hasNul)) return this.viaTable(apps, keys, segments, maxCd);
    const n = this.size;
    const appRank = ranks(apps);
    const keyRank = ranks(keys);
    const segmentRank = ranks(segments);
    // (app, key, segment) by rank, a key's own row (segment -1) before its segments: one
    // integer per row, sorted natively, where every such integer is below 2^53 (`sortKeysBelow`:
    // tests lower it to take the other way), else by comparing the ranks
    const keySpan = keys.length;
    const segmentSpan = segments.length + 1;
    const order = new Int32Array(n);
    if (apps.length * keySpan * segmentSpan * n < sortKeysBelow) {
      const sortKeys = new Float64Array(n);
      for (let r = 0; r < n; r++) {
        const s = this.segment[r]!;
        sortKeys[r] = ((appRank[this.app[r]!]! * keySpan + keyRank[this.key[r]!]!) * segmentSpan + (s < 0 ? 0 : segmentRank[s]! + 1)) * n + r;
      }
      sortKeys.sort();
      for (let i = 0; i < n; i++) order[i] = sortKeys[i]! % n;
    } else {
      const segmentOf = new Int32Array(n);
      for (let r = 0; r < n; r++) {
        order[r] = r;
        const s = this.segment[r]!;
        segmentOf[r] = s < 0 ? -1 : segmentRank[s]!;
      }
      order.sort((x, y) => appRank[this.app[x]!]! - appRank[this.app[y]!]! || keyRank[this.key[x]!]! - keyRank[this.key[y]!]! || segmentOf[x]! - segmentOf[y]!);
    }
    const seen: DrillMetaSeen[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const r = order[i]!;
      const s = this.segment[r]!;
      const app = apps[this.app[r]!]!;
      const key = keys[this.key[r]!]!;
      const docs = this.docs[r]!;
      const firstDay = dayName(this.firstDay[r]!);
      const lastDay = dayName(this.lastDay[r]!);
      // DrillMetaTable.add's objects: the same fields in the same order
      const row: DrillMetaSeen = s < 0 ? { app, key, docs, firstDay, lastDay } : { app, key, segment: segments[s]!, docs, firstDay, lastDay };
      const cd = this.firstCd[r]!;
      if (cd === cd) row.firstCd = cd;
      seen[i] = row;
    }
    const out: DrillMetaFact = { seen };
    if (maxCd !== undefined) out.maxCd = maxCd;
    return out;
  }

  /** fact() through a DrillMetaTable: every row added once per group, in first-seen order (the key's row, then its segments'). */
  private viaTable(apps: readonly string[], keys: readonly string[], segments: readonly string[], maxCd: number | undefined): DrillMetaFact {
    const table = new DrillMetaTable();
    const order: number[][] = [];
    for (let r = 0; r < this.size; r++) {
      if (this.segment[r] === -1) order[r] = [r];
      else order[this.parent[r]!]!.push(r);
    }
    for (const rows of order) {
      if (rows === undefined) continue;
      for (const r of rows) {
        const cd = this.firstCd[r]!;
        const s = this.segment[r]!;
        table.add(apps[this.app[r]!]!, keys[this.key[r]!]!, s < 0 ? undefined : segments[s]!, this.docs[r]!, cd === cd ? cd : undefined, dayName(this.firstDay[r]!), dayName(this.lastDay[r]!));
      }
    }
    if (maxCd !== undefined) table.newest(maxCd);
    return table.fact();
  }

  private newRow(app: number, key: number, segment: number, parent: number, day: number): number {
    const row = this.size++;
    if (row === this.app.length) {
      const n = row * 2;
      this.app = growInt(this.app, n);
      this.key = growInt(this.key, n);
      this.segment = growInt(this.segment, n);
      this.parent = growInt(this.parent, n);
      this.firstDay = growInt(this.firstDay, n);
      this.lastDay = growInt(this.lastDay, n);
      this.docs = growFloat(this.docs, n);
      this.firstCd = growFloat(this.firstCd, n);
    }
    this.app[row] = app;
    this.key[row] = key;
    this.segment[row] = segment;
    this.parent[row] = parent < 0 ? row : parent;
    this.docs[row] = 0;
    this.firstCd[row] = NaN;
    this.firstDay[row] = day;
    this.lastDay[row] = day;
    return row;
  }
}

function hasNul(text: string): boolean {
  return text.includes("\u0000");
}

/** Per id: the place of its text among all the texts sorted as sortSeen compares them. */
function ranks(texts: readonly string[]): Int32Array {
  const ids = Array.from(texts.keys()).sort((x, y) => cmp(texts[x]!, texts[y]!));
  const out = new Int32Array(texts.length);
  for (let i = 0; i < ids.length; i++) out[ids[i]!] = i;
  return out;
}

function pairHash(row: number, segment: number): number {
  return Math.imul(Math.imul(row, 0x9e3779b1) ^ segment, 0x85ebca6b) >>> 7;
}

function growInt(a: Int32Array, n: number): Int32Array {
  const out = new Int32Array(n);
  out.set(a);
  return out;
}

function growFloat(a: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n);
  out.set(a);
  return out;
}

/** Day numbers of 0000-01-01 and 9999-12-31: between them a day's name sorts as its number does. */
const FIRST_PLAIN_DAY = Date.parse("0000-01-01T00:00:00Z") / 86400000;
const LAST_PLAIN_DAY = Date.parse("9999-12-31T00:00:00Z") / 86400000;

/** Day a is before day b as DrillMetaTable compares them: by name (`+010000-…` sorts before `1970-…`). */
function dayBefore(a: number, b: number): boolean {
  if (a >= FIRST_PLAIN_DAY && a <= LAST_PLAIN_DAY && b >= FIRST_PLAIN_DAY && b <= LAST_PLAIN_DAY) return a < b;
  return dayName(a) < dayName(b);
}

/** The fact's row order: app, key, segment (the key itself first). */
export function sortSeen(rows: DrillMetaSeen[]): DrillMetaSeen[] {
  return rows.sort((a, b) => cmp(a.app, b.app) || cmp(a.key, b.key) || cmp(a.segment ?? "", b.segment ?? ""));
}

/** The documents fact's value, in a stable order. */
export function drillMetaDocsFact(present: boolean, docs: DrillMetaDoc[]): DrillMetaDocsFact {
  return { present, docs: docs.sort((a, b) => cmp(a.app, b.app) || cmp(a.id, b.id)) };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A drill_meta document as the fact keeps it; undefined for an `_id` that is not a string. */
export function drillMetaDoc(doc: Record<string, unknown>): DrillMetaDoc | undefined {
  if (typeof doc._id !== "string") return undefined;
  const at = doc._id.indexOf("_meta_");
  const app = at > 0 ? doc._id.slice(0, at) : typeof doc.app_id === "string" ? doc.app_id : "";
  const out: DrillMetaDoc = { app, id: doc._id, segments: typePaths(doc.sg) };
  if (typeof doc.e === "string") out.e = doc.e;
  if (typeof doc.type === "string") out.type = doc.type;
  return out;
}

/** Paths under `sg` whose object holds a `type` (`$set` of `sg.<k>.type` nests a key with dots). */
function typePaths(sg: unknown, prefix = ""): string[] {
  if (!sg || typeof sg !== "object" || Array.isArray(sg)) return [];
  const out: string[] = [];
  for (const [k, v] of Object.entries(sg as Record<string, unknown>)) {
    if (!v || typeof v !== "object" || Array.isArray(v)) continue;
    const path = prefix + k;
    if ("type" in v) out.push(path);
    out.push(...typePaths(v, `${path}.`));
  }
  return out.sort();
}
