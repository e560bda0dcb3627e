// Fact sourceMeta from a dump: the sources listed in `meta_v2.sources` of the year
// ("zero") documents `<appId>_<YYYY:0>_<P>` of `countly.sources` (the Sources
// dashboard's value list; a value sits in the zero document of its own postfix).
import { COLLECTIONS } from "../../../countly/layout.ts";
import { parseMetricId } from "../../../countly/ids.ts";
import { type DumpCollector, recordVisitor } from "../collector.ts";
import { countlyCollection } from "./metric-docs.ts";
import type { SourceMetaValue } from "../types.ts";

export const sourceMetaFromDump: DumpCollector<"sourceMeta"> = {
  fact: "sourceMeta",
  collections: (scope, catalog) => countlyCollection(scope, catalog, COLLECTIONS.sources),
  fields: { _id: true, meta_v2: ["sources"] },
  start(scope) {
    const apps = new Set(scope.apps.map((a) => a.id));
    const values = new Map<string, SourceMetaValue>();
    return recordVisitor({
      visit(doc) {
        const id = parseMetricId(String(doc._id));
        if (!id || !id.isZero || !apps.has(id.appId)) return;
        const listed = (doc.meta_v2 as Record<string, unknown> | undefined)?.sources;
        if (!listed || typeof listed !== "object") return;
        const year = Number(id.period.slice(0, 4));
        for (const source of Object.keys(listed as Record<string, unknown>)) {
          values.set(`${id.appId}\u0000${year}\u0000${source}`, { app: id.appId, year, source });
        }
      },
      finish: () => ({
        values: [...values.values()].sort((a, b) => (a.app < b.app ? -1 : a.app > b.app ? 1 : a.year - b.year || (a.source < b.source ? -1 : a.source > b.source ? 1 : 0))),
      }),
    });
  },
};
