// The aggregator's change-stream resume tokens (`countly.plugins` `_changeStreams`) are
// not behind the newest raw inserts: otherwise raw data is not (and after a restore may
// never be) aggregated. Countly's own `/o/system/aggregator` endpoint reports the same
// lag (`diffDrill`: newest drill_events `cd` minus each consumer's `cd`).
import { clusterTimeEndMs } from "../countly/resume-token.ts";
import type { ChangeStreamToken, RawInsertRow } from "../runner/facts/types.ts";
import type { CheckDefinition } from "./types.ts";
import { plural } from "./session-kinds.ts";

export interface AggregationCursorFreshOptions {
  settle_minutes: number;
  consumers: Record<string, string[]>;
  required: string[];
}

/** Consumers and the raw kinds (`e`) they watch, over the Countly builds we know ("*": every insert). */
export const DEFAULT_CONSUMERS: Record<string, string[]> = {
  "event-aggregator": ["[CLY]_custom"],
  // processing.js 001abe8 watches [CLY]_session, processing.ts 0a732d3 [CLY]_session_begin.
  "session-ingestion": ["[CLY]_session", "[CLY]_session_begin"],
  "session-updates": ["[CLY]_session_update", "[CLY]_session"],
  "drill-meta": ["*"],
  "views-insert": ["[CLY]_view", "[CLY]_action"],
  "views-update": ["[CLY]_view_update"],
};

export const aggregationCursorFresh: CheckDefinition<AggregationCursorFreshOptions> = {
  meta: {
    kind: "aggregation-cursor-fresh",
    summary: "The aggregator's resume tokens (countly.plugins _changeStreams) are not older than the newest raw inserts they watch.",
    proves:
      "Countly 25.x builds every aggregate from change streams on `countly_drill.drill_events`; each consumer stores the last raw document it processed as `<consumer>: {token, _id, cd}` in `countly.plugins` `_id: \"_changeStreams\"` (api/parts/data/changeStreamReader.js at 04c2a351: `{token: stream.resumeToken, _id: change.__id}`, and `cd` only `if (change.cd)`, i.e. only when the consumer's pipeline projects a top-level `cd`). A consumer's progress is its entry's `cd`, else the cluster time of its resume token (decoded from the token's `_data`): the `session-ingestion` and `session-updates` consumers of api/aggregator/processing.js (001abe87) use a bare `$match`, so their entries never have a `cd` (and `event-aggregator` and `drill-meta` project `__iid`, so every 25.x entry but the views' has `_id: null`). For each consumer listed in `consumers` that watches raw data present in the database, its progress is at least the insertion time of the newest raw document of a kind it watches that was inserted before the settle window (one kind suffices: Countly builds differ in what a consumer watches). Consumers listed in `required` must have an entry when raw data they watch exists; a database with raw data in the current layout must have the `_changeStreams` document. Consumers not listed in `consumers` are not judged. The legacy layout (`drill_events<hash>`) has no change-stream aggregator (the API writes aggregates synchronously): skipped unless a `_changeStreams` document exists. Whole database, not per app.",
    perApp: false,
    options: {
      type: "object",
      properties: {
        settle_minutes: {
          type: "number",
          minimum: 0,
          default: 5,
          description: "A consumer may be this many minutes behind the newest raw insert (an aggregator that is merely busy).",
        },
        consumers: {
          type: "object",
          additionalProperties: { type: "array", items: { type: "string" }, minItems: 1 },
          default: DEFAULT_CONSUMERS,
          description: "Consumer name -> raw kinds (`e` of drill_events, `*` for every insert) it watches. Replaces the default map (event-aggregator, session-ingestion, session-updates, drill-meta, views-insert, views-update) when given.",
        },
        required: {
          type: "array",
          items: { type: "string" },
          default: ["event-aggregator", "session-ingestion", "drill-meta", "views-insert"],
          description: "Consumers that must have an entry in `_changeStreams` when raw data they watch exists.",
        },
      },
    },
    likelyCause:
      "After `countly backup` + `countly restore` the tokens in `_changeStreams` were acknowledged on the old server (or `countly.plugins` was not restored at all): raw documents inserted after the token's `cd` have not been aggregated, and because the token belongs to the old server's oplog it cannot resume on the new one. Depending on the build, the reader then restarts at \"now - 60 s\" and either re-reads `drill_events` by `cd` from the token's `cd` once a new raw document arrives (changeStreamReader processBadRange) or never reads the older data at all (Countly issue #6073). Outside restores: the aggregator process is stopped or failing.",
    remediation:
      "Check that the aggregator process runs and what it logs about its tokens (\"Set Failed token\", \"Processing bad range\"). If the aggregated collections were restored from the same backup, they already hold everything up to the tokens' `cd`: confirm with events-match-raw / sessions-match-raw. Do not just delete the `_changeStreams` entries: a consumer without an entry starts from \"now\" and the restored raw data after its old `cd` is never aggregated; builds with the bad-range recovery re-read from the entry's `cd`, so keep the entries (with their `cd`) and let one new raw event arrive, then re-run this check. Otherwise restore the aggregates from a backup that contains the raw data, or re-aggregate from drill (Countly has no official command for it; `bin/scripts/data-reports/compare_drill_aggregated.js` shows what is missing).",
    exampleFinding:
      "_changeStreams.event-aggregator.cd: expected >= 2024-11-09T23:51:10.000Z, actual 2024-10-20T00:04:02.000Z — consumer event-aggregator last acknowledged a raw document inserted 21 days before the newest [CLY]_custom insert it watches (its _id 9c1f…_17_1729382642000_0): the raw data inserted since has not been aggregated (tokens from the old server after a restore, or the aggregator is not running)",
  },
  needs: (o) => [{ fact: "changeStreams" }, { fact: "rawInserts", params: { tailMinutes: o.settle_minutes } }],
  evaluate(ctx) {
    const o = ctx.options;
    const streams = ctx.facts.get("changeStreams");
    const inserts = ctx.facts.get("rawInserts");
    const rows = inserts.rows.filter((r) => r.docs > 0);
    if (rows.length === 0) return { skipped: "no raw data in countly_drill" };
    if (!streams.present && streams.drillLayout === "legacy") {
      return { skipped: "legacy layout (drill_events<hash>) without a _changeStreams document: no change-stream aggregator, the API writes aggregates synchronously" };
    }
    const settledOf = (kinds: readonly string[]): Map<string, number> => settledMax(rows, kinds, inserts.maxCdMinute, o.settle_minutes);
    const docs = (kinds: readonly string[]) => rows.filter((r) => kinds.includes("*") || kinds.includes(r.e)).reduce((n, r) => n + r.docs, 0);

    if (!streams.present) {
      if (settledOf(["*"]).size === 0) return; // every raw insert is within the settle window
      const newest = Math.max(...rows.map((r) => r.maxCd ?? -Infinity));
      ctx.report({
        field: "countly.plugins _changeStreams",
        expected: "present",
        actual: "missing",
        message: `no _changeStreams document in countly.plugins, but ${plural(docs(["*"]), "raw document")}${Number.isFinite(newest) ? ` (newest inserted ${iso(newest)})` : ""}: the aggregator never acknowledged anything on this database (countly.plugins not restored?); started now, it reads only raw data inserted from now on`,
      });
      return;
    }

    const tokens = new Map(streams.tokens.map((t) => [t.consumer, t]));
    for (const [consumer, kinds] of Object.entries(o.consumers)) {
      const settled = settledOf(kinds);
      const watched = docs(kinds);
      if (watched === 0) continue;
      const token = tokens.get(consumer);
      // "*" watches every insert: "12 raw documents", else "12 [CLY]_view/[CLY]_action raw documents".
      const what = kinds.includes("*") ? "raw document" : `${kinds.join("/")} raw document`;
      if (!token) {
        // All it watches inserted within the settle window: it may not have acknowledged anything yet.
        if (!o.required.includes(consumer) || settled.size === 0) continue;
        ctx.report({
          field: `_changeStreams.${consumer}`,
          expected: "present",
          actual: "missing",
          message: `${plural(watched, what)} but no resume token for consumer ${consumer}: it never acknowledged anything here (entry lost in the restore?); started now, it reads only what is inserted from now on`,
        });
        continue;
      }
      if (settled.size === 0) continue; // every watched insert is within the settle window
      const progress = progressOf(token);
      if (progress === undefined) {
        ctx.report({
          field: `_changeStreams.${consumer}.cd`,
          expected: "a date, or a resume token whose cluster time can be read",
          actual: "missing",
          message: `consumer ${consumer}'s entry has no cd and ${token.undecodable ? `its resume token cannot be read (${token.undecodable})` : "no resume token"}, so its progress is not known`,
        });
        continue;
      }
      const fresh = [...settled.values()].some((cd) => progress.ms >= cd);
      if (fresh) continue;
      const [kind, newest] = [...settled.entries()].reduce((a, b) => (b[1] < a[1] ? b : a));
      ctx.report({
        field: `_changeStreams.${consumer}.${progress.from === "cd" ? "cd" : "token"}`,
        expected: `>= ${iso(newest)}`,
        actual: iso(progress.ms),
        message: `consumer ${consumer} last acknowledged a raw document inserted ${ago(newest - progress.ms)} before the newest ${kind === "*" ? "raw" : kind} insert it watches${token.id ? ` (its _id ${token.id})` : ""}${progress.from === "cd" ? "" : " (by its resume token's cluster time: the entry has no cd)"}: the raw data inserted since has not been aggregated (tokens from the old server after a restore, or the aggregator is not running)`,
      });
    }
  },
};

/**
 * How far a consumer got: its entry's `cd`, else the cluster time of its resume token (to
 * the end of that second). Countly's session-ingestion and session-updates consumers use
 * a bare `$match` pipeline (api/aggregator/processing.js at 001abe87), so
 * changeStreamReader.js (04c2a351) stores their entries without `cd`: on a healthy 25.x
 * install the token is the only progress they have. The cluster time is the server's
 * clock when the insert was applied; `cd` is the API's clock just before: the settle
 * window absorbs the difference.
 */
function progressOf(token: ChangeStreamToken): { ms: number; from: "cd" | "token" } | undefined {
  if (token.cd !== undefined) return { ms: token.cd, from: "cd" };
  if (token.resume) return { ms: clusterTimeEndMs(token.resume.clusterTime), from: "token" };
  return undefined;
}

/**
 * Per watched kind (or "*" for all), the newest `cd` of the raw documents inserted before
 * the settle window (insertion minute <= newest minute - settle). Kinds without such
 * documents are left out.
 */
function settledMax(rows: readonly RawInsertRow[], kinds: readonly string[], maxCdMinute: number | undefined, settle: number): Map<string, number> {
  const out = new Map<string, number>();
  if (maxCdMinute === undefined) return out;
  const cutoff = maxCdMinute - settle;
  const all = kinds.includes("*");
  for (const r of rows) {
    if (!all && !kinds.includes(r.e)) continue;
    const key = all ? "*" : r.e;
    let best = r.settledMaxCd;
    for (const b of r.tail) if (b.minute <= cutoff && (best === undefined || b.maxCd > best)) best = b.maxCd;
    if (best !== undefined && best > (out.get(key) ?? -Infinity)) out.set(key, best);
  }
  return out;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function ago(ms: number): string {
  const minutes = Math.round(ms / 60000);
  if (minutes < 120) return plural(minutes, "minute");
  const hours = Math.round(minutes / 60);
  if (hours < 48) return plural(hours, "hour");
  return plural(Math.round(hours / 24), "day");
}
