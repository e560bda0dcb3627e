// Facts eventAggregates, viewAggregates and sourceAggregates from a live database.
//
// The aggregated collections (events_data / events<H>, app_viewdata, sources) hold
// one document per app, event or metric and month: small next to the raw drill data,
// which is the only thing that must be grouped on the server. Reproducing their
// `d.<day>.<value>` walks in a pipeline would mean $objectToArray gymnastics with a
// second implementation of the same semantics, so these documents are streamed with a
// projection and folded client-side by the dump collectors' own visitors: the live and
// dump facts then share one implementation by construction. The server-side filter
// (apps, months) only narrows what is sent; it accepts a superset of what the visitor
// keeps, and the visitor decides.
import { FieldLayout, objectReader } from "../../dump/bson-fields.ts";
import type { Document } from "mongodb";
import { COLLECTIONS, legacyEventsHash } from "../../../../countly/layout.ts";
import { monthIdsOfPeriod, type Period } from "../../../../countly/time.ts";
import { hashIndex } from "../../../facts/attribution.ts";
import type { Catalog, CollectionRef, DumpCollector } from "../../../facts/collector.ts";
import { DUMP_COLLECTORS } from "../../../facts/dump/index.ts";
import type { FactName, FactScope } from "../../../facts/types.ts";
import type { FindOptions, LiveCollector } from "./types.ts";

interface Query {
  filter: Document;
  limit?: number;
}

/** Month ids a month filter must accept: Countly writes `2024:3`; the dump's parser also reads `2024:03`. Undefined for an open period. */
export function monthForms(period: Period): string[] | undefined {
  return monthIdsOfPeriod(period)?.flatMap((id) => {
    const [y, m] = id.split(":") as [string, string];
    return m.length === 1 ? [id, `${y}:0${m}`] : [id];
  });
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&");
}

function alternation(items: readonly string[]): string {
  return `(?:${items.map(escapeRegex).join("|")})`;
}

/** The documents a collector reads, projected to its fields (whole top-level fields: a superset of the dump's selection). */
function projectionOf(fields: DumpCollector<FactName>["fields"]): Document | undefined {
  if (!fields) return undefined;
  return Object.fromEntries(Object.keys(fields).map((k) => [k, 1]));
}

const everything = (): Query => ({ filter: {} });

/**
 * A fact computed by streaming the collections its dump collector reads (with an
 * optional narrowing filter per collection) into that collector's visitor. Raw drill
 * collections are refused: those facts need a server-side pipeline.
 */
export function streamed<K extends FactName>(fact: K, queryFor: (ref: CollectionRef, scope: FactScope, catalog: Catalog) => Query = everything): LiveCollector<K> {
  return {
    fact,
    async compute(db, scope, catalog) {
      const collector = DUMP_COLLECTORS[fact] as DumpCollector<K>;
      const refs = collector.collections(scope, catalog);
      const raw = refs.find((r) => r.db === scope.databases.drill);
      if (raw) throw new Error(`fact ${fact} reads raw drill data (${raw.db}.${raw.name}) and has no server-side pipeline in the live source yet`);
      const visitor = collector.start(scope, catalog);
      const projection = projectionOf(collector.fields);
      const layout = new FieldLayout(collector.fields);
      for (const ref of refs) {
        const q = queryFor(ref, scope, catalog);
        const options: FindOptions = {};
        if (projection) options.projection = projection;
        if (q.limit) options.limit = q.limit;
        const visit = objectReader(layout, visitor.reader(layout, ref));
        for await (const doc of db.find(ref, q.filter, options)) visit(doc);
      }
      return visitor.finish();
    },
  };
}

const appIds = (scope: FactScope) => scope.apps.map((a) => a.id);

export const eventAggregatesLive = streamed("eventAggregates", (ref, scope, catalog) => {
  const months = monthForms(scope.period);
  if (ref.name === COLLECTIONS.eventsData) {
    const filter: Document = { a: { $in: appIds(scope) }, e: { $ne: "all" } };
    if (months) filter.m = { $in: months };
    return { filter };
  }
  // Legacy `events<H>`: the collection is one app's event. One that no known key hashes to
  // is only reported as unattributed, for which a single document is enough.
  const h = legacyEventsHash(ref.name);
  if (h === undefined || !hashIndex(scope.apps, catalog.eventLists).has(h)) return { filter: {}, limit: 1 };
  return { filter: months ? { _id: { $regex: `_${alternation(months)}(?:_.)?$` } } : {} };
});

export const viewAggregatesLive = streamed("viewAggregates", (ref, scope) => {
  const months = monthForms(scope.period);
  if (ref.name === COLLECTIONS.viewData) {
    // `<appId>_no-segment_<YYYY:M>_<md5(view)>`: anchored, so the `_id` index serves it.
    return { filter: { _id: { $regex: `^${alternation(appIds(scope))}_no-segment_${months ? alternation(months) : "\\d{4}:\\d{1,2}"}_[0-9a-f]{32}$` } } };
  }
  if (ref.name.startsWith(COLLECTIONS.viewsMeta)) return { filter: {} };
  // Legacy `app_viewdata<sha1(appId)>`: month documents carry `m`.
  return { filter: months ? { m: { $in: months } } : {} };
});

export const sourceAggregatesLive = streamed("sourceAggregates", (_ref, scope) => {
  const months = monthForms(scope.period);
  return { filter: { _id: { $regex: `^${alternation(appIds(scope))}_${months ? `${alternation(months)}(?:_|$)` : ""}` } } };
});
