// Fact buildSignals from a dump: what the data says about the Countly build that wrote
// it, over all time. Sources:
// - `countly.plugins` `{_id: "plugins"}` `api.event_limit` (plugins/pluginManager.js
//   updateAllConfigs `$set`s the api config there; the aggregator's consumers come from the
//   changeStreams fact);
// - `countly.apps` `plugins.api.event_limit`: the per-app override that
//   `plugins.getConfig("api", app.plugins, true)` applies (api/aggregator/usage.js 63d5a9b,
//   api/parts/data/events.js 051870e);
// - the aggregated event documents (segment vs no-segment month documents) and
//   `countly.events` `segments` (both absent on builds whose aggregator registers only
//   processEventTotalsFromStream: api/aggregator/processing.js 001abe8);
// - the views plugin's no-segment documents: first and last day with visits per app.
import { sha1Hex } from "../../../countly/hash.ts";
import { NO_SEGMENT, parseViewDataId } from "../../../countly/ids.ts";
import { COLLECTIONS, legacyEventsHash } from "../../../countly/layout.ts";
import { dayFromMonthAndKey } from "../../../countly/time.ts";
import { recordVisitor, type CollectionRef, type DumpCollector } from "../collector.ts";
import { StringInterner, utf8Bytes } from "../../sources/dump/bson-fields.ts";
import type { BuildSignalsFact } from "../types.ts";
import { eventCollections } from "./event-docs.ts";
import { countlyCollection } from "./metric-docs.ts";

/** `<seg>_<YYYY>:<M>[_<postfix>]`: the segment part of a legacy `events<H>` id. */
const LEGACY_MONTH_ID = /^(.*)_\d{4}:(\d{1,2})(?:_.)?$/;

export const buildSignalsFromDump: DumpCollector<"buildSignals"> = {
  fact: "buildSignals",
  collections(scope, catalog) {
    const db = scope.databases.countly;
    const names = new Set(catalog.collections[db] ?? []);
    const refs: CollectionRef[] = [
      ...countlyCollection(scope, catalog, COLLECTIONS.plugins),
      ...countlyCollection(scope, catalog, COLLECTIONS.apps),
      ...countlyCollection(scope, catalog, COLLECTIONS.events),
      ...eventCollections(scope, catalog),
    ];
    if (scope.layout.views === "current") {
      if (names.has(COLLECTIONS.viewData)) refs.push({ db, name: COLLECTIONS.viewData });
    } else {
      for (const app of scope.apps) {
        const n = `${COLLECTIONS.viewData}${sha1Hex(app.id)}`;
        if (names.has(n)) refs.push({ db, name: n });
      }
    }
    return refs;
  },
  fields: { _id: true, a: true, e: true, s: true, m: true, d: true, api: true, plugins: true, segments: true },
  start(scope) {
    const out: BuildSignalsFact = { layout: scope.layout, appEventLimits: {}, segmentDocs: 0, totalDocs: 0, segmentRegistries: 0, viewsLastDay: {}, viewsFirstDay: {} };
    const legacyViews = new Map(scope.apps.map((a) => [`${COLLECTIONS.viewData}${sha1Hex(a.id)}`, a.id]));
    const viewDays = (app: string, month: string, d: unknown) => {
      if (!d || typeof d !== "object") return;
      for (const [dayKey, value] of Object.entries(d as Record<string, unknown>)) {
        const day = dayFromMonthAndKey(month, dayKey);
        if (!day || !value || typeof value !== "object" || !hasVisits(value as Record<string, unknown>)) continue;
        if (!(out.viewsLastDay[app]! >= day)) out.viewsLastDay[app] = day;
        if (!(out.viewsFirstDay[app]! <= day)) out.viewsFirstDay[app] = day;
      }
    };
    const decoded = recordVisitor({
      visit(doc, from) {
        const id = String(doc._id);
        if (from.name === COLLECTIONS.plugins) {
          if (doc._id === "plugins") {
            const limit = eventLimitOf(doc.api);
            if (limit !== undefined) out.eventLimit = limit;
          }
          return;
        }
        if (from.name === COLLECTIONS.apps) {
          const plugins = doc.plugins as Record<string, unknown> | undefined;
          const limit = eventLimitOf(plugins?.api);
          if (limit !== undefined) out.appEventLimits[objectIdText(doc._id)] = limit;
          return;
        }
        if (from.name === COLLECTIONS.events) {
          const segs = doc.segments;
          if (segs && typeof segs === "object" && Object.values(segs).some((v) => Array.isArray(v) && v.length > 0)) out.segmentRegistries++;
          return;
        }
        if (from.name === COLLECTIONS.eventsData) {
          if (typeof doc.s !== "string" || typeof doc.m !== "string" || doc.m.endsWith(":0") || doc.e === "all") return;
          if (doc.s === NO_SEGMENT) out.totalDocs++;
          else if (doc.s !== "key") out.segmentDocs++;
          return;
        }
        if (legacyEventsHash(from.name) !== undefined) {
          const m = LEGACY_MONTH_ID.exec(id);
          if (!m || m[2] === "0") return;
          if (m[1] === NO_SEGMENT) out.totalDocs++;
          else out.segmentDocs++;
          return;
        }
        if (from.name === COLLECTIONS.viewData) {
          const v = parseViewDataId(id);
          if (v && v.segment === NO_SEGMENT && !v.period.endsWith(":0")) viewDays(v.appId, v.period, doc.d);
          return;
        }
        const app = legacyViews.get(from.name);
        if (app && typeof doc.m === "string" && !doc.m.endsWith(":0")) viewDays(app, doc.m, doc.d);
      },
      finish: () => out,
    });
    // `countly.events_data` (one document per app, event, segment and month: the many) by its bytes, as the decoded branch above
    const months = new StringInterner();
    const zero: boolean[] = [];
    return {
      reader(layout, from) {
        if (from.name !== COLLECTIONS.eventsData) return decoded.reader(layout, from);
        const S = layout.slot("s");
        const M = layout.slot("m");
        const E = layout.slot("e");
        return (doc) => {
          if (!doc.isString(S) || !doc.isString(M)) return;
          const m = doc.intern(M, months);
          while (zero.length <= m) zero.push(months.text(zero.length).endsWith(":0"));
          if (zero[m] || doc.stringIs(E, ALL)) return;
          if (doc.stringIs(S, NO_SEGMENT_BYTES)) out.totalDocs++;
          else if (!doc.stringIs(S, KEY)) out.segmentDocs++;
        };
      },
      finish: decoded.finish,
    };
  },
};

const ALL = utf8Bytes("all");
const KEY = utf8Bytes("key");
const NO_SEGMENT_BYTES = utf8Bytes(NO_SEGMENT);

/** `api.event_limit` as Countly reads it: a positive number (pluginManager keeps numbers numeric). */
function eventLimitOf(api: unknown): number | undefined {
  if (!api || typeof api !== "object") return undefined;
  const v = (api as Record<string, unknown>).event_limit;
  const n = typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : NaN;
  return Number.isFinite(n) && n > 0 ? Math.floor(n) : undefined;
}

function objectIdText(id: unknown): string {
  return String((id as { toHexString?: () => string })?.toHexString?.() ?? id);
}

/** A view day with visits: `t` on the day, or on one of its hours (the views aggregator writes forceHour). */
function hasVisits(day: Record<string, unknown>): boolean {
  if (typeof day.t === "number" && day.t > 0) return true;
  for (const [k, v] of Object.entries(day)) if (/^\d{1,2}$/.test(k) && v && typeof v === "object" && Number((v as Record<string, unknown>).t) > 0) return true;
  return false;
}
