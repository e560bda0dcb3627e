// Fact changeStreams from a dump: the aggregator's resume tokens in `countly.plugins`
// `_id: "_changeStreams"`, one `<consumer>: { token, _id, cd }` per consumer
// (api/parts/data/changeStreamReader.js acknowledgeToken).
import { COLLECTIONS } from "../../../countly/layout.ts";
import { type DumpCollector, recordVisitor } from "../collector.ts";
import { countlyCollection } from "./metric-docs.ts";
import { insertTime } from "../numbers.ts";
import type { ChangeStreamToken } from "../types.ts";

export const CHANGE_STREAMS_ID = "_changeStreams";

export const changeStreamsFromDump: DumpCollector<"changeStreams"> = {
  fact: "changeStreams",
  collections: (scope, catalog) => countlyCollection(scope, catalog, COLLECTIONS.plugins),
  // Small collection: whole documents (the consumer names are not known in advance).
  start(scope) {
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
      finish: () => ({ drillLayout: scope.layout.drill, present, tokens: [...tokens.values()].sort((a, b) => (a.consumer < b.consumer ? -1 : a.consumer > b.consumer ? 1 : 0)) }),
    });
  },
};

function tokenOf(consumer: string, value: unknown): ChangeStreamToken {
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
  return out;
}
