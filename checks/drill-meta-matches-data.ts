// Every event with raw drill data has its countly_drill.drill_meta document, and every
// segment key seen in the raw `sg` is registered there: Drill builds its filter and
// breakdown menus from drill_meta, so a key missing there cannot be queried by segment.
import { sha1Hex } from "../countly/hash.ts";
import { INTERNAL_EVENTS } from "../countly/layout.ts";
import { consumersOf } from "../countly/profile.ts";
import type { DrillMetaDoc, DrillMetaSeen } from "../runner/facts/types.ts";
import type { CheckDefinition } from "./types.ts";

export interface DrillMetaMatchesDataOptions {
  settle_minutes: number;
  segments: boolean;
  exclude_events: string[];
}

/** The consumer that writes drill_meta, as named in countly.plugins `_changeStreams`. */
const CONSUMER = "drill-meta";

/**
 * Keys a build files under another document (api/aggregator/processing.ts at 0a732d3:
 * `[CLY]_session_begin` as `[CLY]_session`, `[CLY]_view_update` as `[CLY]_view`; processing.js
 * at 001abe87 keeps them as they are): either document will do.
 */
const ALIASES: Record<string, string> = { [INTERNAL_EVENTS.sessionBegin]: INTERNAL_EVENTS.session, "[CLY]_view_update": INTERNAL_EVENTS.view };
/**
 * Never required: `[CLY]_property_update` is skipped by processing.ts 0a732d3 (`continue`); a
 * `[CLY]_custom` without `n` is filed by processing.js under `e = n = undefined`, i.e.
 * sha1("undefined" + a), which names no event.
 */
const NEVER_META = new Set(["[CLY]_property_update", INTERNAL_EVENTS.custom]);

const metaId = (app: string, key: string) => `${app}_meta_${sha1Hex(key + app)}`;

export const drillMetaMatchesData: CheckDefinition<DrillMetaMatchesDataOptions> = {
  meta: {
    kind: "drill-meta-matches-data",
    summary: "Every event with raw drill data has its countly_drill.drill_meta document, with every segment key seen in the raw data registered.",
    proves:
      "The 25.x aggregator's `drill-meta` consumer (api/aggregator/processing.js at 001abe87; processing.ts at 0a732d3 likewise) watches every insert into `countly_drill.drill_events` and, for each with `a` and `e`, upserts `<a>_meta_<sha1(key + a)>` (key: `n` for `[CLY]_custom`, else `e`) with `$set` of `sg.<k>.type` for every key `k` of the insert's `sg` (and `<a>_meta_up` for sessions' user properties). Drill reads its filters from these documents. So per app, every drill_meta key with raw documents in the period inserted before the settle window has that document, and (with `segments`) each segment key of their `sg` is registered in it. `[CLY]_session_begin` / `[CLY]_view_update` may be filed under `[CLY]_session` / `[CLY]_view` (processing.ts), `[CLY]_property_update` is never required; segment keys that `$set` cannot write (empty, starting with `$`) are not required. Known gap: processing.js 001abe87 tests `!meta.sg[sg[k]]` (the value looked up as a key), so a key whose value on every insert equals the name of an already registered key is never written; no such data is known. Current layout only: the 24.x enterprise drill plugin writes drill_meta in code this project has not read, so the legacy layout is skipped, as is a build whose `_changeStreams` lists consumers but no `drill-meta`.",
    perApp: true,
    options: {
      type: "object",
      properties: {
        settle_minutes: { type: "number", minimum: 0, default: 5, description: "Raw documents inserted (`cd`) this many minutes before the newest insert may not be processed by the drill-meta consumer yet." },
        segments: { type: "boolean", default: true, description: "Also require every segment key of the raw `sg` to be registered (`sg.<key>.type`)." },
        exclude_events: { type: "array", items: { type: "string" }, default: [], description: "Event keys (drill_meta keys: custom event keys or internal `[CLY]_…` keys) to leave out." },
      },
    },
    likelyCause:
      "`countly_drill.drill_meta` was not restored with `drill_events` (a partial restore, or a cleanup), or the drill-meta consumer stopped (its resume token failed): the consumer only adds meta for new inserts, so events and segments inserted before are never registered again.",
    remediation:
      "Restore `countly_drill.drill_meta` from the same backup as `drill_events`. Without a backup, re-register the missing keys: upsert `{_id: \"<appId>_meta_<sha1(key + appId)>\", app_id, e: key, type: \"e\"}` and `$set` `sg.<segment>.type` (\"l\" text, \"n\" number, \"d\" timestamp, \"a\" array) for each segment listed in the findings; check `countly.plugins` `_changeStreams.drill-meta` (aggregation-cursor-fresh) so new inserts are registered again.",
    exampleFinding:
      "app Shop (65f0…) · event Purchase — 120 raw drill events from 2024-11-02 to 2024-11-09, but countly_drill.drill_meta has no 65f0…_meta_3f1c…: Drill offers no filters or breakdowns for this event (drill_meta not restored?)",
  },
  needs: () => [{ fact: "drillMeta" }, { fact: "drillMetaDocs" }, { fact: "buildSignals" }, { fact: "changeStreams" }],
  evaluate(ctx) {
    const o = ctx.options;
    const signals = ctx.facts.get("buildSignals");
    if (signals.layout.drill === "legacy") {
      return { skipped: "drill_meta not checked: legacy layout (drill_events<hash>), whose drill_meta the 24.x enterprise drill plugin writes in code this project has not read" };
    }
    const consumers = consumersOf(ctx.facts.get("changeStreams"));
    if (consumers.length > 0 && !consumers.includes(CONSUMER)) {
      return { skipped: `drill_meta not checked: countly.plugins _changeStreams lists no ${CONSUMER} consumer (${[...consumers].sort().join(", ")}), so this build does not write drill_meta from change streams` };
    }
    const fact = ctx.facts.get("drillMeta");
    const { from, to } = ctx.period;
    const inPeriod = (r: DrillMetaSeen) => (from === undefined || r.lastDay >= from) && (to === undefined || r.firstDay <= to);
    const cutoff = fact.maxCd === undefined ? undefined : fact.maxCd - o.settle_minutes * 60_000;
    const settled = (r: DrillMetaSeen) => r.firstCd === undefined || cutoff === undefined || r.firstCd <= cutoff;
    const rows = fact.seen.filter((r) => inPeriod(r) && !o.exclude_events.includes(r.key) && !NEVER_META.has(r.key));
    if (!rows.some((r) => r.segment === undefined)) return { skipped: "no raw drill data for this app in the period" };

    const meta = ctx.facts.get("drillMetaDocs");
    const docs = new Map<string, DrillMetaDoc>(meta.docs.map((d) => [d.id, d]));
    const app = ctx.app.id;
    /** The documents the key may be filed under (its own, or its alias's). */
    const metaOf = (key: string): { id: string; docs: DrillMetaDoc[] } => {
      const ids = [metaId(app, key), ...(ALIASES[key] ? [metaId(app, ALIASES[key]!)] : [])];
      return { id: ids[0]!, docs: ids.map((id) => docs.get(id)).filter((d): d is DrillMetaDoc => d !== undefined) };
    };
    const where = meta.present ? "countly_drill.drill_meta" : "countly_drill.drill_meta (the collection does not exist)";

    for (const r of rows) {
      if (r.segment !== undefined || !settled(r)) continue;
      const m = metaOf(r.key);
      if (m.docs.length > 0) continue;
      ctx.report({
        event: r.key,
        field: "_id",
        expected: m.id,
        actual: "missing",
        message: `${r.docs} raw drill event${r.docs === 1 ? "" : "s"} from ${r.firstDay} to ${r.lastDay}, but ${where} has no ${m.id}: Drill offers no filters or breakdowns for this event (drill_meta not restored, or the drill-meta consumer stopped?)`,
      });
    }
    if (!o.segments) return;
    for (const r of rows) {
      if (r.segment === undefined || !settled(r) || r.segment === "" || r.segment.startsWith("$")) continue;
      const m = metaOf(r.key);
      // A missing document is reported once, above.
      if (m.docs.length === 0 || m.docs.some((d) => d.segments.includes(r.segment!))) continue;
      ctx.report({
        event: r.key,
        segment: r.segment,
        field: `sg.${r.segment}`,
        expected: "registered",
        actual: "missing",
        message: `segment ${r.segment} is in the sg of ${r.docs} raw drill event${r.docs === 1 ? "" : "s"} from ${r.firstDay} to ${r.lastDay}, but ${m.docs[0]!.id} in countly_drill.drill_meta does not register it (no sg.${r.segment}.type): Drill cannot filter or break down by it`,
      });
    }
  },
};
