// Sessions per source in `countly.sources` per app and day equal the raw sessions per
// `up.src`, and every source is in the zero documents' value list (`meta_v2.sources`).
import { INTERNAL_EVENTS } from "../countly/layout.ts";
import type { Day } from "../countly/time.ts";
import { DailyComparison } from "./shared/daily-comparison.ts";
import type { CheckDefinition } from "./types.ts";
import { withinTolerance } from "./types.ts";
import { chooseSessionKind, COUNT_FROM_OPTION, looksShifted, plural, recentRows, shiftedHint, type CountFrom, type SessionKind } from "./session-kinds.ts";

export interface SourcesMatchRawOptions {
  count_from: CountFrom;
  tolerance: number;
  relative_tolerance: number;
  settle_minutes: number;
  require_meta: boolean;
  aggregates_without_raw: "ignore" | "fail";
}

interface Cell {
  day: Day;
  source: string;
  hi: number;
  lo: number;
}

export const sourcesMatchRaw: CheckDefinition<SourcesMatchRawOptions> = {
  meta: {
    kind: "sources-match-raw",
    summary: "Sessions per source (countly.sources d.<day>.<source>.t) per app and day equal the raw sessions per up.src, and meta_v2.sources lists every source.",
    proves:
      "The sources plugin adds the metric `{db: \"sources\", set: \"sources\", short_code: \"src\"}` to the session aggregator (plugins/sources/api/aggregator.js), which increments `d.<day>.<source>.t` in `countly.sources` `<appId>_<YYYY:M>_<P(source)>` once per raw session with a non-empty `up.src`, the source taken as Countly does (one leading `$` dropped, `.` replaced by `:`; the ingestor already stores `.` as `&#46;`, which is kept). So per app-local day and source, the month documents' `t` equals the raw sessions with that source, and the year document `<appId>_<YYYY:0>_<P(source)>` lists the source in `meta_v2.sources`. Which raw document is a session depends on the Countly build (`count_from`). Sessions inserted (`cd`) within the settle window before the newest raw insert may still be missing. Sources over the `metric_limit` (default 1000 per zero document) are dropped by Countly and show up here as missing.",
    perApp: true,
    options: {
      type: "object",
      properties: {
        count_from: COUNT_FROM_OPTION,
        tolerance: { type: "number", minimum: 0, default: 0, description: "Absolute difference allowed per source and day." },
        relative_tolerance: { type: "number", minimum: 0, maximum: 1, default: 0, description: "Relative difference allowed per source and day (0.01 = 1 %)." },
        settle_minutes: { type: "number", minimum: 0, default: 5, description: "Raw sessions inserted (`cd`) this many minutes before the newest raw insert may not be aggregated yet." },
        require_meta: { type: "boolean", default: true, description: "Also require every source with raw sessions to be listed in `meta_v2.sources` of the year documents." },
        aggregates_without_raw: {
          enum: ["ignore", "fail"],
          default: "ignore",
          description: "Sources data on days without raw session documents: `ignore` (drill data retention deletes old raw data) or `fail`.",
        },
      },
    },
    likelyCause:
      "No sources data with raw sessions carrying `up.src`: `countly.sources` was not restored or was emptied, or the raw sessions were never aggregated after a restore (Countly issue #6073: \"views and sources section is empty\"; the `session-ingestion` resume token in `countly.plugins` `_changeStreams` belongs to the old server). Sessions moved between neighbouring days: aggregated in another timezone than the app's. A source missing from `meta_v2.sources`: the year documents were lost while month documents survived, or the app reached `metric_limit`.",
    remediation:
      "Restore `countly.sources` from the backup (month and year documents together); check the app's `timezone` in `countly.apps`; if raw sessions after the restore are missing, see the `aggregation-cursor-fresh` check for the aggregator's resume tokens. Set `count_from` if the automatic choice of `[CLY]_session` vs `[CLY]_session_begin` is wrong for your Countly build.",
    exampleFinding:
      "app Shop (65f0…) · event [CLY]_session · day 2024-10-27 · segment src=Google Play · t: expected 9, actual 0 — countly.sources has no sessions from this source this day, but 9 raw [CLY]_session documents with it: sources not restored (or emptied), or never rebuilt after a restore",
  },
  needs: (o) => [{ fact: "rawSessions" }, { fact: "sourceAggregates" }, { fact: "sourceMeta" }, { fact: "rawTail", params: { tailMinutes: o.settle_minutes } }],
  evaluate(ctx) {
    const o = ctx.options;
    const raw = ctx.facts.get("rawSessions");
    const bySourceOf = (kind: SessionKind, r: (typeof raw)[number]) => (kind === INTERNAL_EVENTS.session ? r.bySource : r.beginsBySource);
    const sum = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);
    const totals: Record<SessionKind, number> = {
      [INTERNAL_EVENTS.session]: raw.reduce((n, r) => n + sum(r.bySource), 0),
      [INTERNAL_EVENTS.sessionBegin]: raw.reduce((n, r) => n + sum(r.beginsBySource), 0),
    };
    if (totals[INTERNAL_EVENTS.session] + totals[INTERNAL_EVENTS.sessionBegin] === 0) return { skipped: "no raw sessions with a source (up.src) in the period" };

    const agg = new Map<string, number>();
    for (const d of ctx.facts.get("sourceAggregates").days) agg.set(`${d.day}\u0000${d.source}`, (agg.get(`${d.day}\u0000${d.source}`) ?? 0) + d.t);
    const recent = new Map<string, number>();
    for (const t of recentRows(ctx.facts.get("rawTail"), o.settle_minutes)) {
      for (const [source, n] of Object.entries(t.bySource)) recent.set(`${t.e}\u0000${t.day}\u0000${source}`, (recent.get(`${t.e}\u0000${t.day}\u0000${source}`) ?? 0) + n);
    }
    const tol = { absolute: o.tolerance, relative: o.relative_tolerance };
    const cellsOf = (kind: SessionKind): Cell[] =>
      raw.flatMap((r) =>
        Object.entries(bySourceOf(kind, r))
          .filter(([, n]) => n > 0)
          .map(([source, hi]) => ({ day: r.day, source, hi, lo: Math.max(0, hi - (recent.get(`${kind}\u0000${r.day}\u0000${source}`) ?? 0)) })),
      );
    const actualOf = (c: Cell) => agg.get(`${c.day}\u0000${c.source}`) ?? 0;
    const ok = (c: Cell, actual: number) => (actual >= c.lo && actual <= c.hi) || withinTolerance(actual < c.lo ? c.lo : c.hi, actual, tol);
    const kind = chooseSessionKind(o.count_from, totals, (k) => cellsOf(k).filter((c) => ok(c, actualOf(c))).length);

    const cells = cellsOf(kind);
    const cellKeys = new Set(cells.map((c) => `${c.day}\u0000${c.source}`));
    const onlyAggregated = [...agg].filter(([k, t]) => t !== 0 && !cellKeys.has(k));
    const shifted = looksShifted([...cells.map((c) => [c.hi, actualOf(c)] as const), ...onlyAggregated.map(([, t]) => [0, t] as const)]);
    const chart = new DailyComparison();
    for (const [k, t] of onlyAggregated) chart.add(`source ${k.slice(k.indexOf("\u0000") + 1)} · t`, k.slice(0, k.indexOf("\u0000")) as Day, 0, t);
    for (const c of cells) {
      const actual = actualOf(c);
      chart.add(`source ${c.source} · t`, c.day, c.hi, actual);
      if (ok(c, actual)) continue;
      chart.flag(`source ${c.source} · t`);
      const message = shifted ? `${plural(actual, "session")} from this source, ${plural(c.hi, `raw ${kind} document`)} with it: ${shiftedHint(ctx.app.timezone)}` : describe(kind, c, actual, agg.has(`${c.day}\u0000${c.source}`));
      ctx.report({ event: kind, day: c.day, segment: `src=${c.source}`, field: "t", expected: c.hi, actual, message });
    }
    // Sources aggregated on a day with raw sessions, none of which carries that source.
    const rawDays = new Set(raw.filter((r) => r.sessions + r.begins > 0).map((r) => r.day));
    for (const d of ctx.facts.get("sourceAggregates").days) {
      if (d.t === 0 || !rawDays.has(d.day) || cellKeys.has(`${d.day}\u0000${d.source}`)) continue;
      const why = shifted ? shiftedHint(ctx.app.timezone) : "days shifted (aggregated in another timezone than the app's), or aggregates restored over another dataset";
      ctx.report({ event: kind, day: d.day, segment: `src=${d.source}`, field: "t", expected: 0, actual: d.t, message: `${plural(d.t, "session")} from this source, but no raw ${kind} document that day carries it: ${why}` });
    }

    if (o.require_meta) {
      const listed = new Set(ctx.facts.get("sourceMeta").values.map((v) => `${v.year}\u0000${v.source}`));
      const missing = new Map<string, { year: number; source: string; sessions: number; settled: number }>();
      for (const c of cells) {
        const year = Number(c.day.slice(0, 4));
        const k = `${year}\u0000${c.source}`;
        if (listed.has(k)) continue;
        const m = missing.get(k) ?? { year, source: c.source, sessions: 0, settled: 0 };
        m.sessions += c.hi;
        m.settled += c.lo;
        missing.set(k, m);
      }
      for (const m of missing.values()) {
        if (m.settled === 0) continue; // only sessions inserted within the settle window: maybe not aggregated yet
        ctx.report({
          event: kind,
          segment: `src=${m.source}`,
          field: "meta_v2.sources",
          expected: "listed",
          actual: "missing",
          message: `${plural(m.sessions, `raw ${kind} document`)} with this source in ${m.year}, but meta_v2.sources of countly.sources' ${m.year} year documents does not list it: the Sources dashboard does not show it (year documents lost or not restored, or metric_limit reached)`,
        });
      }
    }

    if (o.aggregates_without_raw === "fail") {
      for (const d of ctx.facts.get("sourceAggregates").days) {
        if (d.t === 0 || rawDays.has(d.day)) continue;
        ctx.report({ event: kind, day: d.day, segment: `src=${d.source}`, field: "t", expected: 0, actual: d.t, message: `${plural(d.t, "session")} from this source but no raw session documents that day (raw data deleted, or aggregates restored over another dataset)` });
      }
    }
    chart.report(ctx, "all sources · t");
  },
};

function describe(kind: SessionKind, c: Cell, actual: number, hasData: boolean): string {
  const raw = plural(c.hi, `raw ${kind} document`) + " with it";
  const pending = c.lo === c.hi ? "" : ` (${c.hi - c.lo} of them inserted within the settle window may still be pending)`;
  if (actual === 0) {
    return `${hasData ? "countly.sources counts 0 sessions" : "countly.sources has no sessions"} from this source this day, but ${raw}${pending}: sources not restored (or emptied), or never rebuilt after a restore, or the days are shifted (another timezone than the app's)`;
  }
  if (actual < c.lo) return `${c.lo - actual} fewer sessions than the ${raw}${pending}: part of the raw sessions were never aggregated, or the days are shifted (another timezone than the app's)`;
  const ratio = c.hi > 0 ? actual / c.hi : Infinity;
  if (Number.isInteger(ratio) && ratio >= 2) return `exactly ${ratio}x the ${raw}: a restore merged over live aggregation (double counting)?`;
  return `${actual - c.hi} more sessions than the ${raw}: aggregates exceed the raw data (days shifted to another timezone, or counted twice)`;
}
