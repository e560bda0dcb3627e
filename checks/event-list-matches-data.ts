// Every event in `countly.events.list` has data, and every event with data is in the
// list: the dashboard only shows listed events, so unlisted data is invisible.
import { isInternalEventKey } from "../countly/events-doc.ts";
import type { RawEventDay } from "../runner/facts/types.ts";
import { EVENT_LIMIT_FACTS, eventLimitState } from "./support/event-limit.ts";
import type { CheckDefinition } from "./types.ts";

export interface EventListMatchesDataOptions {
  ignore_internal: boolean;
  listed_without_data: "fail" | "ignore";
  raw_data: boolean;
  settle_minutes: number;
  unresolved_collections: "fail" | "ignore";
  event_limit?: number;
  exclude_events: string[];
}

export const eventListMatchesData: CheckDefinition<EventListMatchesDataOptions> = {
  meta: {
    kind: "event-list-matches-data",
    summary: "Every event in countly.events.list has aggregated data, and every event with aggregated or raw data is in the list.",
    proves:
      "Countly adds an event key to `countly.events.list` (`$addToSet`) when it first aggregates it, and the dashboard lists only those keys. So every key with aggregated documents (current: `countly.events_data` documents with `a: <app>`, `e: <key>`; legacy: a `countly.events<sha1(key+appId)>` collection) and every custom event in the raw drill data of the period is listed, and every listed key has aggregated month documents. Legacy hashed collections are resolved with every key the `countly.events` document names (list, segments, map, omitted segments, order); those no key resolves are reported by collection name.",
    perApp: true,
    options: {
      type: "object",
      properties: {
        ignore_internal: { type: "boolean", default: true, description: "Leave out Countly's internal `[CLY]_…` events (some builds keep them in events_data without listing them)." },
        listed_without_data: {
          enum: ["fail", "ignore"],
          default: "fail",
          description: "Listed events with no aggregated month document: `fail`, or `ignore` (e.g. aggregated data deleted on purpose, the list kept).",
        },
        raw_data: { type: "boolean", default: true, description: "Also require the custom events found in the raw drill data of the period to be listed." },
        settle_minutes: { type: "number", minimum: 0, default: 5, description: "A raw-only event whose raw events were all inserted (`cd`) this many minutes before the newest insert may not be aggregated and listed yet." },
        unresolved_collections: {
          enum: ["fail", "ignore"],
          default: "fail",
          description: "Legacy layout: `events<hash>` / `drill_events<hash>` collections that no event key named for any app hashes to. They cannot be tied to an app, so each app's case reports them.",
        },
        event_limit: {
          type: "integer",
          minimum: 1,
          description:
            "Countly's `event_limit`; default: the limit in force from the data (`countly.apps` `plugins.api.event_limit` of the app, else `countly.plugins` `api.event_limit`, else 500). Once the list is full Countly neither lists nor aggregates new events (their raw drill events are still stored), so raw-only unlisted events are expected then and not reported. Full means: more than the limit on the 25.x change-stream aggregator (api/aggregator/usage.js 63d5a9b9 adds a key while the list holds <= limit keys), the limit or more on the legacy API (api/parts/data/events.js 051870e).",
        },
        exclude_events: { type: "array", items: { type: "string" }, default: [], description: "Event keys to leave out." },
      },
    },
    likelyCause:
      "`countly.events` and the event data come from different points in time: `countly.events` restored from an older backup (or not restored, then rebuilt by the aggregator from new data only), or the list edited by hand. Events with data but missing from the list are invisible in the dashboard. Listed events without data: the aggregated collections were not restored (`restored-without-aggregates`) or were deleted.",
    remediation:
      "Restore `countly.events` from the same backup as the data; to make an unlisted event visible again add its key to the list (`db.events.updateOne({_id: ObjectId(appId)}, {$addToSet: {list: key}})`) — Countly's merge_events_collections.js also skips collections of unlisted events. For listed events without data, restore `countly.events_data` (legacy: `events<hash>`).",
    exampleFinding:
      "app Shop (65f0…) · event Purchase — has aggregated data (14 documents in countly.events_data) and 120 raw drill events in the period, but is not in countly.events.list: invisible in the dashboard (countly.events restored from an older backup?)",
  },
  needs: (o) => [...EVENT_LIMIT_FACTS, ...(o.raw_data ? [{ fact: "rawEvents" as const, params: { tailMinutes: o.settle_minutes } }] : [])],
  evaluate(ctx) {
    const o = ctx.options;
    const cat = ctx.facts.get("eventCatalog");
    const wanted = (key: string) => !o.exclude_events.includes(key) && !(o.ignore_internal && isInternalEventKey(key));
    const entry = cat.apps[0];
    const listed = new Set((entry?.list ?? []).filter(wanted));

    /** key -> where its data is. */
    const data = new Map<string, { docs: number; monthDocs: number; collections: Set<string> }>();
    for (const d of cat.data) {
      if (!wanted(d.key)) continue;
      const cur = data.get(d.key) ?? { docs: 0, monthDocs: 0, collections: new Set<string>() };
      cur.docs += d.docs;
      cur.monthDocs += d.monthDocs;
      cur.collections.add(d.collection);
      data.set(d.key, cur);
    }
    const raw = new Map<string, { events: number; settled: number }>();
    const legacyDrill = new Map<string, string>();
    if (o.raw_data) {
      const r = ctx.facts.get("rawEvents");
      const cutoff = r.maxCdMinute === undefined ? undefined : r.maxCdMinute - o.settle_minutes;
      for (const row of r.rows) {
        if (!wanted(row.key)) continue;
        const cur = raw.get(row.key) ?? { events: 0, settled: 0 };
        cur.events += row.docs;
        cur.settled += row.c - recentCount(row, cutoff);
        raw.set(row.key, cur);
      }
      for (const d of cat.drill) if (wanted(d.key)) legacyDrill.set(d.key, d.collection);
    }
    if (listed.size === 0 && data.size === 0 && raw.size === 0 && legacyDrill.size === 0 && cat.unresolved.length === 0) {
      return { skipped: "no events listed and no event data for this app" };
    }

    const listFull = eventLimitState(ctx.facts, ctx.app.id, o.event_limit).full;
    const unlisted = new Set([...data.keys(), ...raw.keys(), ...legacyDrill.keys()].filter((k) => !listed.has(k)));
    for (const key of [...unlisted].sort()) {
      const d = data.get(key);
      const r = raw.get(key);
      const l = legacyDrill.get(key);
      const hasData = d !== undefined && d.docs > 0;
      // Nothing but an empty legacy collection (the fact lists those too): no data the dashboard hides.
      if (!hasData && l === undefined && r === undefined) continue;
      // Raw events only, all inserted within the settle window: the aggregator may not have listed it yet.
      if (!hasData && l === undefined && r !== undefined && r.settled <= 0) continue;
      // Raw data only, and the list is full: Countly drops new events from aggregation by design.
      if (!hasData && listFull) continue;
      const where: string[] = [];
      if (d) where.push(`aggregated data (${d.docs} document${d.docs === 1 ? "" : "s"} in ${[...d.collections].sort().join(", ")})`);
      if (r) where.push(`${r.events} raw drill event${r.events === 1 ? "" : "s"} in the period`);
      if (l && !r) where.push(`a raw data collection (${l})`);
      ctx.report({
        event: key,
        expected: "listed",
        actual: "not in countly.events.list",
        message: `has ${where.join(" and ")}, but is not in countly.events.list: invisible in the dashboard (countly.events restored from an older backup, or the list edited?)`,
      });
    }
    if (o.listed_without_data === "fail") {
      for (const key of [...listed].sort()) {
        const d = data.get(key);
        if (d && d.monthDocs > 0) continue;
        const r = raw.get(key);
        const what = d && d.docs > 0 ? `only ${d.docs} meta document${d.docs === 1 ? "" : "s"}, no month document with counters` : "no aggregated data documents";
        const rawNote = r ? `, although ${r.events} raw drill event${r.events === 1 ? " exists" : "s exist"} in the period: the aggregated data was not restored or not rebuilt` : ": its aggregated data was deleted or not restored";
        ctx.report({ event: key, expected: "aggregated data", actual: d ? `${d.docs} documents` : "none", message: `is in countly.events.list but has ${what}${rawNote}` });
      }
    }
    if (o.unresolved_collections === "fail") {
      for (const name of cat.unresolved) {
        ctx.report({
          expected: "a known event key",
          actual: name,
          message: `${name}: event data that no event key named by any app's countly.events document hashes to (sha1(key + appId)): an event missing from every list, or left over from a deleted event or app (not attributable to an app, so every app's case reports it)`,
        });
      }
    }
  },
};

/** Count inserted after the settle cutoff (may not be aggregated yet). */
function recentCount(r: RawEventDay, cutoff: number | undefined): number {
  if (cutoff === undefined) return 0;
  let c = 0;
  for (const b of r.tail) if (b.minute > cutoff) c += b.c;
  return c;
}
