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
