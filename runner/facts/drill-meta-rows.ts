// Fact drillMeta's parts shared by the dump collector and the live pipeline: the table
// of raw (app, drill_meta key, segment) groups and the reading of a drill_meta document.
//
// What the aggregator's `drill-meta` consumer keys its documents by (api/aggregator/
// processing.js at 001abe87): every insert with a truthy `a` and `e`, `e` replaced by `n`
// for `[CLY]_custom`; `<a>_meta_<sha1(e + a)>`, and `sg.<segment key>.type` $set for each
// key of the insert's `sg`.
import { INTERNAL_EVENTS } from "../../countly/layout.ts";
import type { Day } from "../../countly/time.ts";
import type { DrillMetaDoc, DrillMetaDocsFact, DrillMetaFact, DrillMetaSeen } from "./types.ts";

/** The drill_meta key of a raw document: `n` for custom events (when a string), else `e`. */
export function drillMetaKey(e: string, n: string | undefined): string {
  return e === INTERNAL_EVENTS.custom && n !== undefined ? n : e;
}

/** Raw groups by app and key, then segment (two levels: a document adds to one key and its few segments). */
export class DrillMetaTable {
  private readonly keys = new Map<string, { row: DrillMetaSeen; segments: Map<string, DrillMetaSeen> }>();
  maxCd: number | undefined;

  /** `docs` documents of one group, with their oldest `cd` and first and last day. */
  add(app: string, key: string, segment: string | undefined, docs: number, firstCd: number | undefined, firstDay: Day, lastDay: Day): void {
    const id = `${app}\u0000${key}`;
    let group = this.keys.get(id);
    if (!group) this.keys.set(id, (group = { row: { app, key, docs: 0, firstDay, lastDay }, segments: new Map() }));
    let row = group.row;
    if (segment !== undefined) {
      row = group.segments.get(segment)!;
      if (!row) group.segments.set(segment, (row = { app, key, segment, docs: 0, firstDay, lastDay }));
    }
    row.docs += docs;
    if (firstCd !== undefined && (row.firstCd === undefined || firstCd < row.firstCd)) row.firstCd = firstCd;
    if (firstDay < row.firstDay) row.firstDay = firstDay;
    if (lastDay > row.lastDay) row.lastDay = lastDay;
  }

  /** Notes an insertion time (the newest over every raw document read). */
  newest(cd: number): void {
    if (this.maxCd === undefined || cd > this.maxCd) this.maxCd = cd;
  }

  fact(): DrillMetaFact {
    const out: DrillMetaFact = { seen: sortSeen([...this.keys.values()].flatMap((g) => [g.row, ...g.segments.values()])) };
    if (this.maxCd !== undefined) out.maxCd = this.maxCd;
    return out;
  }
}

/** The fact's row order: app, key, segment (the key itself first). */
export function sortSeen(rows: DrillMetaSeen[]): DrillMetaSeen[] {
  return rows.sort((a, b) => cmp(a.app, b.app) || cmp(a.key, b.key) || cmp(a.segment ?? "", b.segment ?? ""));
}

/** The documents fact's value, in a stable order. */
export function drillMetaDocsFact(present: boolean, docs: DrillMetaDoc[]): DrillMetaDocsFact {
  return { present, docs: docs.sort((a, b) => cmp(a.app, b.app) || cmp(a.id, b.id)) };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A drill_meta document as the fact keeps it; undefined for an `_id` that is not a string. */
export function drillMetaDoc(doc: Record<string, unknown>): DrillMetaDoc | undefined {
  if (typeof doc._id !== "string") return undefined;
  const at = doc._id.indexOf("_meta_");
  const app = at > 0 ? doc._id.slice(0, at) : typeof doc.app_id === "string" ? doc.app_id : "";
  const out: DrillMetaDoc = { app, id: doc._id, segments: typePaths(doc.sg) };
  if (typeof doc.e === "string") out.e = doc.e;
  if (typeof doc.type === "string") out.type = doc.type;
  return out;
}

/** Paths under `sg` whose object holds a `type` (`$set` of `sg.<k>.type` nests a key with dots). */
function typePaths(sg: unknown, prefix = ""): string[] {
  if (!sg || typeof sg !== "object" || Array.isArray(sg)) return [];
  const out: string[] = [];
  for (const [k, v] of Object.entries(sg as Record<string, unknown>)) {
    if (!v || typeof v !== "object" || Array.isArray(v)) continue;
    const path = prefix + k;
    if ("type" in v) out.push(path);
    out.push(...typePaths(v, `${path}.`));
  }
  return out.sort();
}
