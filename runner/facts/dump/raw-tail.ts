// Fact rawTail from a dump: raw session and view documents inserted within the last
// `tailMinutes` before the newest raw insert (of any kind, any app, any day), per
// insertion minute, so the session, view and source checks can allow for an
// aggregator that is merely behind (like rawEvents' tail does for custom events).
import { INTERNAL_EVENTS } from "../../../countly/layout.ts";
import { normaliseMetricValue } from "../../../countly/segments.ts";
import type { DumpCollector } from "../collector.ts";
import type { RawTailRow } from "../types.ts";
import { drillCollections, drillPlacer } from "./drill.ts";
import { kindFilter, listeningRawIds } from "./raw-ids.ts";

const KINDS = new Set<string>([INTERNAL_EVENTS.session, INTERNAL_EVENTS.sessionBegin, INTERNAL_EVENTS.view]);

export const rawTailFromDump: DumpCollector<"rawTail"> = {
  fact: "rawTail",
  fields: { a: true, e: true, n: true, ts: true, cd: true, up: ["src"], sg: ["visit", "name"] },
  // Every raw collection: the newest insert of any kind sets the window.
  collections: (scope, catalog) => drillCollections(scope, catalog, () => true),
  start(scope, catalog) {
    const placer = drillPlacer(scope, catalog, (e) => KINDS.has(e));
    // documents of other kinds skipped by the ids every raw fact shares, before the placer interns their `e` again
    const skipOtherKinds = kindFilter(scope, [...KINDS]);
    const ids = listeningRawIds(scope);
    const tailMinutes = Math.ceil(scope.params.tailMinutes ?? 0);
    const rows = new Map<string, RawTailRow>();
    let maxMinute: number | undefined;
    let sinceCompact = 0;
    const compact = () => {
      if (maxMinute === undefined) return;
      for (const [k, r] of rows) if (r.minute < maxMinute - tailMinutes) rows.delete(k);
    };
    return {
      reader(layout, from) {
        const place = placer(layout, from);
        const other = skipOtherKinds(layout);
        const CD = layout.slot("cd");
        const N = layout.slot("n");
        const NAME = layout.slot("sg.name");
        const VISIT = layout.slot("sg.visit");
        const SRC = layout.slot("up.src");
        return (doc) => {
          const cd = ids.cd(doc, CD);
          if (cd === undefined) return;
          const minute = Math.floor(cd / 60000);
          if (maxMinute === undefined || minute > maxMinute) maxMinute = minute;
          if (minute < maxMinute - tailMinutes || other(doc)) return;
          const p = place(doc);
          if (!p) return;
          const isView = p.e === INTERNAL_EVENTS.view;
          const key = isView ? (doc.string(N) ?? doc.string(NAME) ?? "") : "";
          const id = `${p.app}\u0000${p.e}\u0000${key}\u0000${p.day}\u0000${minute}`;
          let row = rows.get(id);
          if (!row) {
            row = { app: p.app, e: p.e, key, day: p.day, minute, docs: 0, visits: 0, bySource: {} };
            rows.set(id, row);
          }
          row.docs++;
          if (isView) {
            if (doc.value(VISIT)) row.visits++;
          } else {
            const src = normaliseMetricValue(doc.value(SRC));
            if (src !== undefined) row.bySource[src] = (row.bySource[src] ?? 0) + 1;
          }
          if (++sinceCompact >= 1 << 16) {
            sinceCompact = 0;
            compact();
          }
        };
      },
      finish() {
        compact();
        const out = [...rows.values()].map((r) => ({ ...r, bySource: Object.fromEntries(Object.entries(r.bySource).sort((a, b) => cmp(a[0], b[0]))) })).sort(
          (a, b) => cmp(a.app, b.app) || cmp(a.e, b.e) || cmp(a.key, b.key) || cmp(a.day, b.day) || a.minute - b.minute,
        );
        return { rows: out, maxCdMinute: maxMinute };
      },
    };
  },
};

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
