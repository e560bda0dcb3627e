// Facts drillMeta and drillMetaDocs from a dump: per app, drill_meta key and segment key,
// the raw `drill_events` documents of the period (current layout only: the per-event
// legacy layout has no drill-meta consumer), and the `countly_drill.drill_meta` documents.
// Two facts, so the raw one reads only drill_events (the `--jobs` workers build it by app).
import { COLLECTIONS, INTERNAL_EVENTS } from "../../../countly/layout.ts";
import { StringInterner } from "../../sources/dump/bson-fields.ts";
import { type Catalog, type CollectionRef, type DumpCollector, recordVisitor } from "../collector.ts";
import { DrillMetaCounts, drillMetaDoc, drillMetaDocsFact } from "../drill-meta-rows.ts";
import type { DrillMetaDoc, FactScope } from "../types.ts";
import { dayNumberInPeriod, drillCollections, scopeApps } from "./drill.ts";
import { drillMetaKernelFor } from "./drill-meta-kernel.ts";
import { listeningRawIds } from "./raw-ids.ts";
import { DRILL_META_DOC_BYTES, DRILL_META_ROW_BYTES, MemoryBudget, SEGMENT_PATH_BYTES } from "../memory-budget.ts";

export const drillMetaFromDump: DumpCollector<"drillMeta"> = {
  fact: "drillMeta",
  // `sg: []`: the embedded document itself, whose keys only this collector reads.
  fields: { a: true, e: true, n: true, ts: true, cd: true, sg: [] },
  collections: (scope, catalog) => (scope.layout.drill === "current" ? drillCollections(scope, catalog, () => true) : []),
  start(scope) {
    // Per document: the app, `ts` and day found once for every raw fact (ScopeApps), `e` and
    // `n` too (RawIds: `n` hashed once with rawEvents), the segment keys interned by their
    // bytes (listed in wasm for documents the wasm scanner walked: drill-meta-kernel.ts), the
    // groups counted by those numbers.
    const apps = scopeApps(scope);
    const ids = listeningRawIds(scope);
    const kinds = ids.kinds;
    const keys = new StringInterner();
    const segments = new StringInterner();
    /** kind id -> its key id when the key is `e` itself (any kind but `[CLY]_custom` with a string `n`). */
    const kindKey: number[] = [];
    let customKind = -1;
    const counts = new DrillMetaCounts();
    let maxCd: number | undefined;
    const dayInPeriod = dayNumberInPeriod(scope.period);
    const everyDay = scope.period.from === undefined && scope.period.to === undefined;
    // charged as the rows are added (memory-budget.ts): the counts' columns now, a row object of `seen` at the end
    const rowsHeld = (scope.budget ?? new MemoryBudget()).meter("drillMeta", "app/key/segment rows", DRILL_META_ROW_BYTES);
    const charge = (): void => {
      if (counts.size > rowsHeld.count) rowsHeld.add(counts.size - rowsHeld.count);
    };
    return {
      reader(layout) {
        const A = layout.slot("a");
        const E = layout.slot("e");
        const N = layout.slot("n");
        const TS = layout.slot("ts");
        const CD = layout.slot("cd");
        const SG = layout.slot("sg");
        const kernelFor = drillMetaKernelFor(layout, segments);
        return (doc) => {
          const app = apps.place(doc, A, E, TS);
          if (app < 0) return;
          const kind = ids.kind(doc, E);
          if (kind >= kindKey.length) {
            for (let k = kindKey.length; k <= kind; k++) {
              const e = kinds.text(k);
              kindKey.push(keys.add(e));
              if (e === INTERNAL_EVENTS.custom) customKind = k;
            }
          }
          const day = apps.day;
          if (!everyDay && !dayInPeriod(day)) return;
          // drillMetaKey; `n` is read (its UTF-8 checked) for every event, as it always was
          const n = ids.name(doc, N, keys);
          const key = kind === customKind && n >= 0 ? n : kindKey[kind]!;
          const raw = ids.cd(doc, CD);
          const cd = raw !== undefined && Number.isFinite(raw) ? raw : NaN;
          if (cd === cd && (maxCd === undefined || cd > maxCd)) maxCd = cd;
          const row = counts.keyRow(app, key, day);
          counts.count(row, cd, day);
          // the segment keys: listed by the batch kernel (drill-meta-kernel.ts), else by subKeys
          let found: number;
          let segs: Int32Array;
          let at = 0;
          const batch = doc.batch;
          const k = batch === null ? undefined : kernelFor(batch);
          if (k !== undefined && k.vouches(batch!, doc.row)) {
            found = k.found[doc.row]!;
            segs = k.ids;
            at = k.at[doc.row]!;
          } else {
            found = doc.subKeys(SG, segments);
            segs = doc.keyIds;
            k?.learn();
          }
          for (let i = 0; i < found; i++) counts.count(counts.segmentRow(row, segs[at + i]!, day), cd, day);
          charge();
        };
      },
      finish() {
        return counts.fact(apps.ids.texts, keys.texts, segments.texts, maxCd);
      },
    };
  },
};

/** `countly_drill.drill_meta` when the layout is current and the collection exists. */
export function drillMetaRef(scope: FactScope, catalog: Catalog): CollectionRef | undefined {
  if (scope.layout.drill !== "current") return undefined;
  return (catalog.collections[scope.databases.drill] ?? []).includes(COLLECTIONS.drillMeta) ? { db: scope.databases.drill, name: COLLECTIONS.drillMeta } : undefined;
}

export const drillMetaDocsFromDump: DumpCollector<"drillMetaDocs"> = {
  fact: "drillMetaDocs",
  fields: { _id: true, app_id: true, e: true, type: true, sg: true },
  collections: (scope, catalog) => {
    const ref = drillMetaRef(scope, catalog);
    return ref ? [ref] : [];
  },
  start(scope, catalog) {
    const docs: DrillMetaDoc[] = [];
    const docsHeld = (scope.budget ?? new MemoryBudget()).meter("drillMetaDocs", "drill_meta documents", DRILL_META_DOC_BYTES);
    return recordVisitor({
      visit(doc) {
        const d = drillMetaDoc(doc);
        if (d) docs.push(d);
        if (d) docsHeld.add(1, DRILL_META_DOC_BYTES + SEGMENT_PATH_BYTES * d.segments.length);
      },
      finish: () => drillMetaDocsFact(drillMetaRef(scope, catalog) !== undefined, docs),
    });
  },
};
