// Aggregated event documents in either layout, reduced to who/what/which month:
// current `countly.events_data` (`a`, `e`, `s`, `m` fields) and legacy `countly.events<H>`
// (nothing but the `_id` and the collection name, resolved through the apps' event lists).
import { COLLECTIONS, legacyEventsHash } from "../../../countly/layout.ts";
import { hashIndex } from "../attribution.ts";
import type { Catalog, CollectionRef } from "../collector.ts";
import type { FactScope } from "../types.ts";
import { DocFields, FieldLayout, type FieldSpec } from "../../sources/dump/bson-fields.ts";
import { dayFromMonthAndKey, inPeriod, type Period } from "../../../countly/time.ts";

/** `<seg>_<YYYY>:<M>[_<postfix>]` at the end of an events id (the whole legacy id). */
const MONTH_ID_TAIL = /^(.*)_(\d{4}:\d{1,2})(?:_(.))?$/;

export interface EventDocPlace {
  app: string;
  /** The event key; `"all"` for the all-events documents of the current layout. */
  key: string;
  /** `no-segment`, a segment key, or `key` (all_key documents). */
  segment: string;
  /** `YYYY:M`, or `YYYY:0` for a year ("zero") document. */
  month: string;
  isZero: boolean;
  /** The md5 postfix at the end of the `_id`, if it has one. */
  postfix?: string;
  /** `<db>.<collection> <_id>`, for findings. */
  where: string;
}

/** The collections holding aggregated events of the apps in scope (legacy: every `events<H>`). */
export function eventCollections(scope: FactScope, catalog: Catalog): CollectionRef[] {
  const names = catalog.collections[scope.databases.countly] ?? [];
  if (scope.layout.events === "current") return names.includes(COLLECTIONS.eventsData) ? [{ db: scope.databases.countly, name: COLLECTIONS.eventsData }] : [];
  return names.filter((n) => legacyEventsHash(n) !== undefined).map((name) => ({ db: scope.databases.countly, name }));
}

export const EVENT_DOC_FIELDS = { _id: true, a: true, e: true, s: true, m: true } as const;

/**
 * Places an aggregated event document, or undefined when it belongs to no app in scope
 * (or, legacy, to a collection no listed key hashes to). Pass `documents` from the
 * collection refs of eventCollections() only.
 */
export function eventDocReader(scope: FactScope, catalog: Catalog): (doc: Record<string, unknown>, from: CollectionRef) => EventDocPlace | undefined {
  const apps = new Set(scope.apps.map((a) => a.id));
  const index = scope.layout.events === "legacy" ? hashIndex(scope.apps, catalog.eventLists) : undefined;
  return (doc, from) => {
    const id = String(doc._id);
    const where = `${from.db}.${from.name} ${id}`;
    if (index) {
      const h = legacyEventsHash(from.name);
      const who = h === undefined ? undefined : index.get(h);
      if (!who) return undefined;
      const m = MONTH_ID_TAIL.exec(id);
      if (!m) return undefined;
      const month = m[2]!;
      return { app: who.app, key: who.key, segment: m[1]!, month, isZero: month.endsWith(":0"), postfix: m[3], where };
    }
    if (typeof doc.a !== "string" || typeof doc.e !== "string" || typeof doc.m !== "string" || typeof doc.s !== "string") return undefined;
    if (!apps.has(doc.a)) return undefined;
    const month = doc.m;
    const tail = `_${month}_`;
    const at = id.lastIndexOf(tail);
    const postfix = at >= 0 && at + tail.length === id.length - 1 ? id.slice(-1) : undefined;
    return { app: doc.a, key: doc.e, segment: doc.s, month, isZero: month.endsWith(":0"), postfix, where };
  };
}

/** The year of a `YYYY:M` / `YYYY:0` id. */
export function yearOf(month: string): number {
  return Number(month.slice(0, month.indexOf(":")));
}

/** Hour keys inside a day of a month document: "0".."23", unpadded (common.fillTimeObjectMonth). */
export const HOUR_KEY = /^(?:[0-9]|1[0-9]|2[0-3])$/;

/** Does a calendar year overlap the period? */
export function yearInPeriod(year: number, period: { from?: string; to?: string }): boolean {
  return (period.from === undefined || year >= Number(period.from.slice(0, 4))) && (period.to === undefined || year <= Number(period.to.slice(0, 4)));
}

/**
 * The `d` of a month document read from its bytes (DocFields over the embedded document):
 * day keys "1".."31" and their `c`, `s`, `dur`. The keys "01".."09" are days to
 * dayFromMonthAndKey too, and a decoded object orders them after "1".."31" (they are no
 * array indices), so a document holding one is for the decoded path (`padded`).
 */
export class MonthDays {
  readonly fields = new DocFields(MONTH_DAYS_LAYOUT);
  /** Slot of day k (1..31), and of its counters. */
  readonly day = new Int32Array(32);
  readonly c = new Int32Array(32);
  readonly s = new Int32Array(32);
  readonly dur = new Int32Array(32);
  private readonly padded: number[] = [];

  constructor() {
    const l = MONTH_DAYS_LAYOUT;
    for (let k = 1; k <= 31; k++) {
      this.day[k] = l.slot(String(k));
      this.c[k] = l.slot(`${k}.c`);
      this.s[k] = l.slot(`${k}.s`);
      this.dur[k] = l.slot(`${k}.dur`);
    }
    for (let k = 1; k <= 9; k++) this.padded.push(l.slot(`0${k}`));
  }

  /** Loads `doc`'s field `slot` (false when it is no embedded document). */
  load(doc: DocFields, slot: number): boolean {
    return doc.loadEmbedded(slot, this.fields);
  }

  /** The loaded `d` has a zero-padded day key ("01".."09"). */
  hasPaddedDay(): boolean {
    for (const slot of this.padded) if (this.fields.has(slot)) return true;
    return false;
  }
}

const MONTH_DAYS_LAYOUT = (() => {
  const selection: Record<string, FieldSpec> = {};
  for (let k = 1; k <= 31; k++) selection[String(k)] = ["c", "s", "dur"];
  for (let k = 1; k <= 9; k++) selection[`0${k}`] = true;
  return new FieldLayout(selection);
})();

const DAY_MS = 86_400_000;

/**
 * Day numbers of the day keys "1".."31" of a month id (`YYYY:M`), as
 * `Date.parse(dayFromMonthAndKey(month, key))` gives them (the 31st of a short month rolls
 * over, as before), with whether each is a day in the period; computed once per month id.
 */
export class MonthDayNumbers {
  private readonly cache = new Map<string, { number: Float64Array; included: Uint8Array } | null>();

  constructor(private readonly period: Period) {}

  /** null for a year ("zero") document (`YYYY:0`). */
  of(month: string): { number: Float64Array; included: Uint8Array } | null {
    let m = this.cache.get(month);
    if (m !== undefined) return m;
    if (month.endsWith(":0")) {
      m = null;
    } else {
      const number = new Float64Array(32);
      const included = new Uint8Array(32);
      for (let k = 1; k <= 31; k++) {
        const day = dayFromMonthAndKey(month, String(k));
        if (!day || !inPeriod(day, this.period)) continue;
        included[k] = 1;
        number[k] = Date.parse(`${day}T00:00:00Z`) / DAY_MS;
      }
      m = { number, included };
    }
    this.cache.set(month, m);
    return m;
  }
}

/** Bytes of the keys `c`, `s` and `dur`. */
const C = 0x63;
const S = 0x73;

/**
 * The `d` of a month document read straight from its bytes, with no object or slot table
 * per day, for the common shape only: day keys "1".."31", each an embedded document whose
 * `c`, `s` and `dur` are doubles or int32s (other elements, such as hour buckets, skipped by
 * their size) or a value no day is made of (double, string, undefined, boolean, null,
 * int32); other keys skipped by their size. Anything else (a zero-padded or repeated day
 * key, a day or counter of another type, a repeated counter, an element this walk does not
 * size, a malformed tree) makes `read` false, and the document is read as before (MonthDays,
 * then the decoded path), which decides it.
 */
export class MonthDayCounters {
  /** Bit k set: day k (1..31) is an embedded document. */
  days = 0;
  /** Day k's counters (NaN and infinities as 0, a missing one 0: numAt()). */
  readonly c = new Float64Array(32);
  readonly s = new Float64Array(32);
  readonly dur = new Float64Array(32);
  private bytes: Uint8Array | null = null;
  private view: DataView = new DataView(new ArrayBuffer(8));

  /** Reads the `d` document at bytes[start, end) (from its length prefix to its terminator). */
  read(b: Uint8Array, start: number, end: number): boolean {
    if (b !== this.bytes) {
      this.bytes = b;
      this.view = new DataView(b.buffer, b.byteOffset, b.byteLength);
    }
    const v = this.view;
    if (start < 0 || end > b.length || end - start < 5 || v.getInt32(start, true) !== end - start || b[end - 1] !== 0) return false;
    const last = end - 1;
    let seen = 0;
    let days = 0;
    let p = start + 4;
    while (p < last) {
      const t = b[p]!;
      const ks = p + 1;
      const q = nameEnd(b, ks, last);
      if (q >= last) return false;
      // the day of the key: "1".."9", "10".."31"; 0 for a key that is no day
      let k = 0;
      const c0 = b[ks]!;
      if (q - ks === 1) {
        if (c0 >= 0x31 && c0 <= 0x39) k = c0 - 0x30;
      } else if (q - ks === 2) {
        const c1 = b[ks + 1]!;
        if (c1 >= 0x30 && c1 <= 0x39) {
          if (c0 === 0x30 && c1 !== 0x30) return false; // "01".."09": a day too, ordered after the others when decoded
          if (c0 >= 0x31 && c0 <= 0x33 && (c0 - 0x30) * 10 + c1 - 0x30 <= 31) k = (c0 - 0x30) * 10 + c1 - 0x30;
        }
      }
      p = q + 1;
      if (k > 0) {
        const bit = 1 << k;
        if ((seen & bit) !== 0) return false;
        seen |= bit;
        if (t === 3) {
          if (p + 4 > last) return false;
          const n = v.getInt32(p, true);
          if (n < 5 || p + n > last || !this.readDay(b, p, p + n, k)) return false;
          days |= bit;
          p += n;
          continue;
        }
        if (!NO_DAY[t]) return false;
      }
      const e = elementEnd(b, v, t, p, last);
      if (e < 0) return false;
      p = e;
    }
    this.days = days;
    return true;
  }

  /** Day k's counters from its document at bytes[start, end). */
  private readDay(b: Uint8Array, start: number, end: number, k: number): boolean {
    const v = this.view;
    const last = end - 1;
    if (b[last] !== 0) return false;
    let c = NaN;
    let s = NaN;
    let dur = NaN;
    let seen = 0;
    let p = start + 4;
    while (p < last) {
      const t = b[p]!;
      const ks = p + 1;
      const q = nameEnd(b, ks, last);
      if (q >= last) return false;
      const klen = q - ks;
      const c0 = b[ks]!;
      // 1: c, 2: s, 4: dur, 0: another key
      const which = klen === 1 ? (c0 === C ? 1 : c0 === S ? 2 : 0) : klen === 3 && c0 === 0x64 && b[ks + 1] === 0x75 && b[ks + 2] === 0x72 ? 4 : 0;
      p = q + 1;
      if (which !== 0) {
        if ((seen & which) !== 0) return false;
        seen |= which;
        let x: number;
        if (t === 1) {
          if (p + 8 > last) return false;
          x = v.getFloat64(p, true);
          p += 8;
        } else if (t === 16) {
          if (p + 4 > last) return false;
          x = v.getInt32(p, true);
          p += 4;
        } else {
          return false;
        }
        if (which === 1) c = x;
        else if (which === 2) s = x;
        else dur = x;
        continue;
      }
      const e = elementEnd(b, v, t, p, last);
      if (e < 0) return false;
      p = e;
    }
    this.c[k] = c - c === 0 ? c : 0;
    this.s[k] = s - s === 0 ? s : 0;
    this.dur[k] = dur - dur === 0 ? dur : 0;
    return true;
  }
}

/** The terminator of the element name at bytes[ks..]; `last` (its document's terminator) when there is none before it. */
function nameEnd(b: Uint8Array, ks: number, last: number): number {
  let q = ks;
  while (q < last && b[q] !== 0) q++;
  return q;
}

/** BSON types of a day value that holds no day (skipped when decoded: falsy or no object): double, string, undefined, boolean, null, int32. */
const NO_DAY = new Uint8Array(256);
for (const t of [1, 2, 6, 8, 10, 16]) NO_DAY[t] = 1;

/** Sizes of the fixed-size types MonthDayCounters skips; -1: sized by a length prefix or not skipped. */
const SKIPPED_SIZE = new Int8Array(256).fill(-1);
for (const [t, n] of [[1, 8], [6, 0], [7, 12], [8, 1], [9, 8], [10, 0], [16, 4], [17, 8], [18, 8], [19, 16]] as const) SKIPPED_SIZE[t] = n;

/** End of the element value of type t at p, bounded by `last` (its document's terminator); -1 when MonthDayCounters leaves it to the other readers. */
function elementEnd(b: Uint8Array, v: DataView, t: number, p: number, last: number): number {
  const fixed = SKIPPED_SIZE[t]!;
  if (fixed >= 0) return p + fixed <= last ? p + fixed : -1;
  if (t !== 2 && t !== 3 && t !== 4) return -1;
  if (p + 4 > last) return -1;
  const n = v.getInt32(p, true);
  const e = t === 2 ? p + 4 + n : p + n;
  return (t === 2 ? n > 0 : n >= 5) && e <= last ? e : -1;
}
