// Fact buildSignals from a live database, folded by the dump collector's own visitor
// (runner/facts/dump/build-signals.ts). The aggregated event documents are many, so only
// their who/what/month fields are sent; view documents only the no-segment month ones.
import type { Document } from "mongodb";
import { COLLECTIONS, legacyEventsHash } from "../../../../countly/layout.ts";
import { buildSignalsFromDump } from "../../../facts/dump/build-signals.ts";
import { FieldLayout, objectReader } from "../../dump/bson-fields.ts";
import type { LiveCollector } from "./types.ts";

const EVENT_FIELDS: Document = { _id: 1, a: 1, e: 1, s: 1, m: 1 };

export const buildSignalsLive: LiveCollector<"buildSignals"> = {
  fact: "buildSignals",
  async compute(db, scope, catalog) {
    const visitor = buildSignalsFromDump.start(scope, catalog);
    const layout = new FieldLayout(buildSignalsFromDump.fields);
    for (const ref of buildSignalsFromDump.collections(scope, catalog)) {
      let filter: Document = {};
      let projection: Document | undefined;
      if (ref.name === COLLECTIONS.eventsData || legacyEventsHash(ref.name) !== undefined) projection = EVENT_FIELDS;
      else if (ref.name === COLLECTIONS.viewData) {
        filter = { _id: { $regex: "_no-segment_\\d{4}:\\d{1,2}_[0-9a-f]{32}$" } };
        projection = { _id: 1, d: 1 };
      } else if (ref.name.startsWith(COLLECTIONS.viewData)) projection = { _id: 1, m: 1, d: 1 };
      const visit = objectReader(layout, visitor.reader(layout, ref));
      for await (const doc of db.find(ref, filter, projection ? { projection } : {})) visit(doc);
    }
    return visitor.finish();
  },
};
