// Fact viewVisits from a dump: visits (`t`) per app, view and day from the views
// plugin's no-segment documents, and the view list.
// Current layout: `app_viewdata` `<appId>_no-segment_<YYYY:M>_<md5(name)>` {n, d}, and
//   `app_viewsmeta` `<appId>_<md5(name)>` {view, a} (plugins/views/api/aggregator.js).
// Legacy layout: `app_viewdata<sha1(appId)>` `<viewOid>_<YYYY:M>` {vw, m, d}, and
//   `app_viewsmeta<appId>` {_id: viewOid, view}: only the meta names a view.
import { sha1Hex } from "../../../countly/hash.ts";
import { COLLECTIONS } from "../../../countly/layout.ts";
import { NO_SEGMENT, parseLegacyViewDataId, parseViewDataId, parseViewsMetaId } from "../../../countly/ids.ts";
import { dayFromMonthAndKey, inPeriod } from "../../../countly/time.ts";
import { type CollectionRef, type DumpCollector, recordVisitor } from "../collector.ts";
import type { ViewMetaEntry, ViewVisitsDay } from "../types.ts";
import { dayTotal } from "./session-aggregates.ts";

export const viewVisitsFromDump: DumpCollector<"viewVisits"> = {
  fact: "viewVisits",
  collections(scope, catalog) {
    const db = scope.databases.countly;
    const names = new Set(catalog.collections[db] ?? []);
    const refs: CollectionRef[] = [];
    if (scope.layout.views === "current") {
      for (const n of [COLLECTIONS.viewsMeta, COLLECTIONS.viewData]) if (names.has(n)) refs.push({ db, name: n });
    } else {
      for (const app of scope.apps) {
        for (const n of [`${COLLECTIONS.viewsMeta}${app.id}`, `${COLLECTIONS.viewData}${sha1Hex(app.id)}`]) if (names.has(n)) refs.push({ db, name: n });
      }
    }
    return refs;
  },
  fields: { _id: true, a: true, n: true, vw: true, m: true, view: true, d: true },
  start(scope) {
    const apps = new Set(scope.apps.map((a) => a.id));
    const legacyData = new Map(scope.apps.map((a) => [`${COLLECTIONS.viewData}${sha1Hex(a.id)}`, a.id]));
    const legacyMeta = new Map(scope.apps.map((a) => [`${COLLECTIONS.viewsMeta}${a.id}`, a.id]));
    const visits = new Map<string, { app: string; viewId: string; day: string; visits: number }>();
    /** app \0 viewId -> name from the data documents' `n`. */
    const dataNames = new Map<string, string>();
    const meta = new Map<string, ViewMetaEntry>();

    const addMonth = (app: string, viewId: string, month: string, d: unknown) => {
      if (!d || typeof d !== "object") return;
      for (const [dayKey, value] of Object.entries(d as Record<string, unknown>)) {
        const day = dayFromMonthAndKey(month, dayKey);
        if (!day || !inPeriod(day, scope.period) || !value || typeof value !== "object") continue;
        const id = `${app}\u0000${viewId}\u0000${day}`;
        const row = visits.get(id) ?? { app, viewId, day, visits: 0 };
        row.visits += dayTotal(value as Record<string, unknown>);
        visits.set(id, row);
      }
    };

    return recordVisitor({
      visit(doc, from) {
        if (from.name === COLLECTIONS.viewsMeta) {
          const id = parseViewsMetaId(String(doc._id));
          const app = typeof doc.a === "string" ? doc.a : id?.appId;
          if (!id || !app || !apps.has(app) || typeof doc.view !== "string") return;
          meta.set(`${app}\u0000${id.viewId}`, { app, viewId: id.viewId, view: doc.view });
          return;
        }
        if (from.name === COLLECTIONS.viewData) {
          const id = parseViewDataId(String(doc._id));
          if (!id || id.segment !== NO_SEGMENT || id.period.endsWith(":0") || !apps.has(id.appId)) return;
          if (typeof doc.n === "string") dataNames.set(`${id.appId}\u0000${id.viewId}`, doc.n);
          addMonth(id.appId, id.viewId, id.period, doc.d);
          return;
        }
        const metaApp = legacyMeta.get(from.name);
        if (metaApp !== undefined) {
          if (typeof doc.view !== "string") return;
          const viewId = hex(doc._id);
          meta.set(`${metaApp}\u0000${viewId}`, { app: metaApp, viewId, view: doc.view });
          return;
        }
        const app = legacyData.get(from.name);
        if (app === undefined) return;
        const id = parseLegacyViewDataId(String(doc._id));
        const viewId = doc.vw !== undefined ? hex(doc.vw) : id?.viewId;
        const month = typeof doc.m === "string" ? doc.m : id?.period;
        if (!viewId || !month || month.endsWith(":0")) return;
        addMonth(app, viewId, month, doc.d);
      },
      finish() {
        const days: ViewVisitsDay[] = [...visits.values()].map((r) => {
          const k = `${r.app}\u0000${r.viewId}`;
          const view = dataNames.get(k) ?? meta.get(k)?.view;
          return view === undefined ? { ...r } : { app: r.app, viewId: r.viewId, view, day: r.day, visits: r.visits };
        });
        days.sort((a, b) => cmp(a.app, b.app) || cmp(a.viewId, b.viewId) || cmp(a.day, b.day));
        const entries = [...meta.values()].sort((a, b) => cmp(a.app, b.app) || cmp(a.viewId, b.viewId));
        return { days, meta: entries };
      },
    });
  },
};

/** An ObjectId (or anything else) as text: ObjectIds as their hex. */
function hex(v: unknown): string {
  const h = (v as { toHexString?: () => string } | null)?.toHexString?.();
  return h ?? String(v);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
