// The shared front of every raw drill pipeline: which collections, an index-friendly
// first $match (apps, internal event keys, a ts range widened by a day on each side),
// then the app-local day computed on the server and filtered exactly. The semantics
// are those of runner/facts/dump/drill.ts `drillReader`.
import type { Document } from "mongodb";
import { legacyDrillHash } from "../../../../countly/layout.ts";
import type { Period } from "../../../../countly/time.ts";
import { hashIndex, type Attribution } from "../../../facts/attribution.ts";
import type { Catalog, CollectionRef } from "../../../facts/collector.ts";
import { drillCollections } from "../../../facts/dump/drill.ts";
import type { AppInfo, FactScope } from "../../../facts/types.ts";
import { insertTime, MAX_DATE_MS } from "../../../facts/numbers.ts";
import { insertMs, stringOr, timestampMs } from "./expressions.ts";
import type { LiveDb } from "./types.ts";

export interface DrillTarget {
  ref: CollectionRef;
  /** Legacy per-event collection: the app and event key its name hashes to. */
  owner?: Attribution;
  /**
   * The apps this pipeline reads, all in one time zone, so the app-local day is a
   * `$dateToString` with a constant timezone: O(1) per document whatever the number of
   * apps (a `$switch` over per-zone app lists, as before, costs O(apps) per document).
   * Current layout: one target per distinct zone, each matching only its apps (with
   * an index on `a` each reads only its own documents); legacy: the collection's owner.
   */
  apps: readonly AppInfo[];
}

/** The run's apps grouped by time zone, in a stable order (zone, then app id). */
export function appsByZone(apps: readonly AppInfo[]): AppInfo[][] {
  const byZone = new Map<string, AppInfo[]>();
  for (const app of apps) byZone.set(app.timezone, [...(byZone.get(app.timezone) ?? []), app]);
  return [...byZone.keys()].sort().map((tz) => byZone.get(tz)!.slice().sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)));
}

/** Raw collections to read: `drill_events` once per time zone of the run's apps, or the legacy `drill_events<H>` whose owner `wanted` accepts. */
export function drillTargets(scope: FactScope, catalog: Catalog, wanted: (a: Attribution) => boolean): DrillTarget[] {
  const refs = drillCollections(scope, catalog, wanted);
  if (scope.layout.drill === "current") {
    const zones = appsByZone(scope.apps);
    // No apps: one target that matches nothing, so collectors still see the collection.
    return refs.flatMap((ref) => (zones.length ? zones.map((apps) => ({ ref, apps })) : [{ ref, apps: [] }]));
  }
  const index = hashIndex(scope.apps, catalog.eventLists);
  return refs.map((ref) => {
    const owner = index.get(legacyDrillHash(ref.name)!)!;
    return { ref, owner, apps: scope.apps.filter((a) => a.id === owner.app) };
  });
}

/** Each collection of the targets once (for per-collection reads such as the newest insert). */
export function distinctRefs(targets: readonly DrillTarget[]): CollectionRef[] {
  const seen = new Map<string, CollectionRef>();
  for (const t of targets) seen.set(`${t.ref.db}.${t.ref.name}`, t.ref);
  return [...seen.values()];
}

const DAY_MS = 86_400_000;
/** `$dateToString` only formats years 0-9999: an open period is bounded by these (with a day to spare for time zones). */
const MIN_MS = Date.parse("0001-01-02T00:00:00Z");
const MAX_MS = Date.parse("9999-12-30T00:00:00Z");
/** numbers.ts `rawTimestamp` reads numbers below this as seconds. */
const SECONDS_BELOW = 1e11;

/**
 * UTC instants that can fall on the period's app-local days: from a day before the
 * first day to two days after the last (offsets run from -12 h to +14 h).
 */
export function tsWindow(period: Period): { lo: number; hi: number } {
  const lo = period.from ? Math.max(Date.parse(`${period.from}T00:00:00Z`) - DAY_MS, MIN_MS) : MIN_MS;
  const hi = period.to ? Math.min(Date.parse(`${period.to}T00:00:00Z`) + 2 * DAY_MS, MAX_MS) : MAX_MS;
  return { lo, hi };
}

/**
 * `ts` conditions for the window, one per stored form `rawTimestamp` accepts: ms
 * numbers, seconds numbers (below 1e11) and dates. Each is a plain range, so each
 * branch of the rooted `$or` built from them can use an index on `ts` (or `a, e, ts`).
 */
export function tsRanges(period: Period): Document[] {
  const { lo, hi } = tsWindow(period);
  const out: Document[] = [];
  const msLo = Math.max(lo, SECONDS_BELOW);
  if (msLo < hi) out.push({ ts: { $gte: msLo, $lt: hi } });
  const sLo = lo / 1000;
  const sHi = Math.min(hi / 1000, SECONDS_BELOW);
  if (sLo < sHi) out.push({ ts: { $gte: sLo, $lt: sHi } });
  out.push({ ts: { $gte: new Date(lo), $lt: new Date(hi) } });
  return out;
}

/** The first stage: only the run's apps, the wanted internal keys (`e`; "any": every string `e`) and the period's ts window. */
export function scopeMatch(target: DrillTarget, scope: FactScope, internalKeys: readonly string[] | "any"): Document {
  const ranges = tsRanges(scope.period);
  if (target.owner) return { $match: { $or: ranges } };
  const a = { $in: target.apps.map((app) => app.id) };
  const e = internalKeys === "any" ? { $type: "string" } : internalKeys.length === 1 ? internalKeys[0] : { $in: [...internalKeys] };
  return { $match: { $or: ranges.map((r) => ({ a, e, ...r })) } };
}

/** Countly's default zone written as an offset: the same on the server, and the form every `$dateToString` implementation parses. */
function tzParam(timezone: string): string {
  return timezone === "UTC" ? "+00:00" : timezone;
}

/** The `timezone` of `$dateToString`: a constant, as every app of a target shares one zone. */
export function zoneOf(target: DrillTarget): string {
  return tzParam(target.apps[0]?.timezone ?? "UTC");
}

/** The app id of a raw document: its `a`, or the legacy collection's owner. */
export function appExpr(target: DrillTarget): unknown {
  return target.owner ? { $literal: target.owner.app } : "$a";
}

/** The event key (custom events): `n` when a string, else `e` / the legacy collection's key. */
export function keyExpr(target: DrillTarget): unknown {
  return stringOr("$n", target.owner ? { $literal: target.owner.key } : "$e");
}

/**
 * First stages of every raw pipeline: scope match, then a projection with the app
 * (`a`), the app-local day (`day`) and the caller's fields, then the exact day filter.
 * `extra` stages (e.g. a `cd` filter) go right after the first $match.
 */
export function drillFront(target: DrillTarget, scope: FactScope, internalKeys: readonly string[] | "any", fields: Record<string, unknown>, extra: Document[] = []): Document[] {
  const app = appExpr(target);
  const day = {
    $dateToString: { date: { $toDate: timestampMs("$ts") }, format: "%Y-%m-%d", timezone: zoneOf(target) },
  };
  const dayFilter: Document = { $type: "string" };
  if (scope.period.from) dayFilter.$gte = scope.period.from;
  if (scope.period.to) dayFilter.$lte = scope.period.to;
  return [scopeMatch(target, scope, internalKeys), ...extra, { $project: { _id: 0, a: app, day, ...fields } }, { $match: { day: dayFilter } }];
}

/**
 * The newest insertion minute a collector found; under `--explain` (queries return
 * nothing) the current minute stands in, so the passes that depend on it are still
 * sent, and explained, with the shape a real run gives them.
 */
export function planningMinute(db: LiveDb, minute: number | undefined): number | undefined {
  return minute ?? (db.planOnly ? Math.floor(Date.now() / 60_000) : undefined);
}

/** A stage keeping documents inserted at or after the cutoff minute (a date `cd`, or a numeric one). */
export function insertedSince(minute: number): Document {
  const ms = minute * 60_000;
  return { $match: { $or: [{ cd: { $gte: new Date(ms) } }, { cd: { $gte: ms, $lte: MAX_DATE_MS } }] } };
}

/** Numeric `cd` values numbers.ts `insertTime` accepts besides dates: finite, within the Date range. */
const NUMERIC_CD = { $type: ["double", "int", "long"], $gte: -MAX_DATE_MS, $lte: MAX_DATE_MS };

/**
 * The newest `cd` (ms, as numbers.ts `insertTime` reads it) of a collection's documents
 * matching `filter`: one sorted limit-1 read per stored form (dates, numbers), which an
 * index on `cd` answers without a scan.
 */
export async function newestInsert(db: LiveDb, ref: CollectionRef, filter: Document = {}, below?: number): Promise<number | undefined> {
  let best: number | undefined;
  const forms: Document[] = [
    { $type: "date", ...(below === undefined ? {} : { $lt: new Date(below) }) },
    { ...NUMERIC_CD, ...(below === undefined ? {} : { $lt: below }) },
  ];
  for (const cd of forms) {
    for await (const d of db.find(ref, { ...filter, cd }, { projection: { _id: 0, cd: 1 }, sort: { cd: -1 }, limit: 1 })) {
      const ms = insertTime(d.cd);
      if (ms === undefined) return exactNewest(db, ref, filter, below);
      if (best === undefined || ms > best) best = ms;
    }
  }
  return best;
}

/** The same with a $group: for the rare `cd` the driver does not hand over as a number (an int64 beyond 2^53). */
async function exactNewest(db: LiveDb, ref: CollectionRef, filter: Document, below?: number): Promise<number | undefined> {
  const ms = insertMs("$cd");
  const stages: Document[] = [{ $match: filter }, { $project: { _id: 0, ms } }];
  if (below !== undefined) stages.push({ $match: { ms: { $lt: below } } });
  stages.push({ $group: { _id: null, max: { $max: "$ms" } } });
  for await (const row of db.aggregate(ref, stages, "newest insert")) return typeof row.max === "number" ? row.max : undefined;
  return undefined;
}
