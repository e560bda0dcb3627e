// Fact changeStreams from a dump: the aggregator's resume tokens in `countly.plugins`
// `_id: "_changeStreams"`, one `<consumer>: { token, _id, cd }` per consumer
// (api/parts/data/changeStreamReader.js at 04c2a351: the `change` handler stores
// `{token: stream.resumeToken, _id: change.__id}` and adds `cd` only `if (change.cd)`;
// acknowledgeToken `$set`s it), each token decoded (countly/resume-token.ts), and the
// UUID of the drill_events collection the consumers watch, from the dump's metadata.
import { COLLECTIONS } from "../../../countly/layout.ts";
import { decodeResumeToken, ResumeTokenError } from "../../../countly/resume-token.ts";
import { type Catalog, type DumpCollector, recordVisitor } from "../collector.ts";
import { countlyCollection } from "./metric-docs.ts";
import { insertTime } from "../numbers.ts";
import type { ChangeStreamToken, CollectionUuid, FactScope } from "../types.ts";

export const CHANGE_STREAMS_ID = "_changeStreams";

export const changeStreamsFromDump: DumpCollector<"changeStreams"> = {
  fact: "changeStreams",
  collections: (scope, catalog) => countlyCollection(scope, catalog, COLLECTIONS.plugins),
  // Small collection: whole documents (the consumer names are not known in advance).
  start(scope, catalog) {
    let present = false;
    const tokens = new Map<string, ChangeStreamToken>();
    return recordVisitor({
      visit(doc) {
        if (doc._id !== CHANGE_STREAMS_ID) return;
        present = true;
        for (const [consumer, value] of Object.entries(doc)) {
          if (consumer === "_id") continue;
          tokens.set(consumer, tokenOf(consumer, value));
        }
      },
      finish: () => {
        const drillEvents = drillEventsUuid(scope, catalog);
        return {
          drillLayout: scope.layout.drill,
          present,
          tokens: [...tokens.values()].sort((a, b) => (a.consumer < b.consumer ? -1 : a.consumer > b.consumer ? 1 : 0)),
          ...(drillEvents ? { drillEvents } : {}),
        };
      },
    });
  },
};

/** What the catalog says about drill_events' UUID; undefined in the legacy layout or without the collection. */
export function drillEventsUuid(scope: FactScope, catalog: Catalog): CollectionUuid | undefined {
  if (scope.layout.drill !== "current") return undefined;
  const db = scope.databases.drill;
  if (!(catalog.collections[db] ?? []).includes(COLLECTIONS.drillEvents)) return undefined;
  return catalog.collectionUuids?.[`${db}.${COLLECTIONS.drillEvents}`] ?? { unknown: `the source does not say which UUID ${db}.${COLLECTIONS.drillEvents} has` };
}

export function tokenOf(consumer: string, value: unknown): ChangeStreamToken {
  const out: ChangeStreamToken = { consumer, hasToken: false };
  if (!value || typeof value !== "object") return out;
  const v = value as Record<string, unknown>;
  out.hasToken = v.token !== undefined && v.token !== null && v.token !== "";
  const cd = v.cd instanceof Date || typeof v.cd === "number" ? insertTime(v.cd) : typeof v.cd === "string" ? Date.parse(v.cd) : undefined;
  if (cd !== undefined && Number.isFinite(cd)) out.cd = cd;
  if (v._id !== undefined && v._id !== null) {
    const hex = (v._id as { toHexString?: () => string }).toHexString?.();
    out.id = hex ?? String(v._id);
  }
  // The polling fallback (changeStreamReader processNextDateRange) stores the string "timed": no stream position.
  if (out.hasToken && v.token !== "timed") {
    const data = (v.token as { _data?: unknown })?._data;
    if (typeof data !== "string") out.undecodable = typeof data === "object" && data !== null ? "its _data is binary (MongoDB 3.6 resume token format)" : "it has no _data string";
    else {
      try {
        out.resume = decodeResumeToken(data);
      } catch (e) {
        if (!(e instanceof ResumeTokenError)) throw e;
        out.undecodable = e.message;
      }
    }
  }
  return out;
}
