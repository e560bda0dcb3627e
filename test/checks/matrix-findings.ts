// What the mutation matrix's checks must SAY, per corruption: the app, event, day, field,
// expected and actual of their findings, computed here from what the corruption's
// description says it changed (comparing the clean and the corrupted dataset), with the
// independent reference (test/fixtures/reference.ts, test/support/countly-oracle.ts),
// never with the checks' own fact collectors.
//
// Extending: a corruption without an entry here is listed by the matrix test's
// "findings are asserted" case; add `(clean, corrupted) => ({ "<check kind>": { must, may } })`.
import { createHash } from "node:crypto";
import { expect } from "vitest";
import { decodeResumeToken, formatUuid } from "../../countly/resume-token.ts";
import type { Dataset, Doc } from "../../fixtures/dataset.ts";
import { metadataJson } from "../../fixtures/dump-writer.ts";
import { aggregatedKeys, aggregatedTotals, allKeyTotals, eventDocs, rawDocs, rawTotals, type Sums } from "../fixtures/reference.ts";
import { oracleDay, oracleDayOfMonthKey, oracleMonthId } from "../support/countly-oracle.ts";

export interface ExpectedFinding {
  app: string;
  event?: string;
  day?: string;
  segment?: string;
  field?: string;
  expected?: number | string;
  actual?: number | string;
}

export interface FindingExpectation {
  /** Findings the check must report (all of them, when its case kept every finding). */
  must: ExpectedFinding[];
  /** Findings it may report as well (e.g. days whose raw events are still in the settle window). */
  may?: ExpectedFinding[];
  /** Options (YAML flow-mapping entries) the check is run with once more for these findings, e.g. a settle window of 0; default: the matrix run's own. */
  options?: string;
}

export type FindingsOf = (clean: Dataset, corrupted: Dataset) => Record<string, FindingExpectation>;

const FIELDS = ["c", "s", "dur"] as const;

/** Later than this before the newest raw insert, a raw event is surely past every default settle window (5 minutes). */
const SURELY_SETTLED_MS = 10 * 60_000;

/**
 * Per app, event and day with raw events: the raw sums, and whether every raw event of the
 * day is surely settled (inserted well before the newest insert of the whole database).
 */
function rawDays(ds: Dataset): { app: string; event: string; day: string; raw: Sums; settled: boolean }[] {
  // events-match-raw settles against the newest custom-event insert (rawEvents.maxCdMinute), not sessions' or views'.
  const newest = Math.max(...rawDocs(ds).filter((r) => !r.key.startsWith("[CLY]_")).map((r) => (r.doc.cd as Date).getTime()));
  const all = rawTotals(ds);
  const settled = rawTotals(ds, newest - SURELY_SETTLED_MS);
  // Keys over the event limit keep raw events but are never aggregated, and events-match-raw does not expect them to be.
  const aggregated = aggregatedKeys(ds);
  return [...all].filter(([k]) => aggregated.has(k.split("|").slice(0, 2).join("|"))).map(([k, raw]) => {
    const [app, event, day] = k.split("|") as [string, string, string];
    const old = settled.get(k);
    return { app, event, day, raw, settled: old !== undefined && FIELDS.every((f) => old[f] === raw[f]) };
  });
}

/** events-match-raw when the aggregated totals read `actualOf` (per app|event|day): one finding per field that differs. */
function eventsMatchRaw(ds: Dataset, actualOf: (k: string) => Sums | undefined, settledOnly: boolean): FindingExpectation {
  const must: ExpectedFinding[] = [];
  const may: ExpectedFinding[] = [];
  for (const d of rawDays(ds)) {
    const actual = actualOf(`${d.app}|${d.event}|${d.day}`) ?? { c: 0, s: 0, dur: 0 };
    for (const f of FIELDS) {
      if (actual[f] === d.raw[f]) continue;
      const finding = { app: d.app, event: d.event, day: d.day, field: f, expected: d.raw[f], actual: actual[f] };
      (d.settled || !settledOnly ? must : may).push(finding);
    }
  }
  return { must, may };
}

const zeroTotals = (clean: Dataset): FindingExpectation => eventsMatchRaw(clean, () => undefined, true);

/** Hour buckets present in the clean dataset's no-segment month documents and missing from the corrupted one's. */
function droppedHours(clean: Dataset, corrupted: Dataset): ExpectedFinding[] {
  const after = new Map(eventDocs(corrupted).map((e) => [`${e.app}|${e.key}|${String(e.doc._id)}`, e.doc]));
  const out: ExpectedFinding[] = [];
  for (const { app, key, doc } of eventDocs(clean)) {
    if (doc.s !== "no-segment" || String(doc.m).endsWith(":0")) continue;
    const now = after.get(`${app}|${key}|${String(doc._id)}`);
    for (const [dayKey, node] of Object.entries(doc.d as Record<string, Record<string, unknown>>)) {
      const kept = ((now?.d as Record<string, Record<string, unknown>> | undefined)?.[dayKey] ?? {}) as Record<string, unknown>;
      for (const [hour, bucket] of Object.entries(node)) {
        if (!/^\d{1,2}$/.test(hour) || hour in kept) continue;
        const b = bucket as Record<string, number>;
        // a day left with no hour bucket at all is reported once, for its count (missing_hours)
        const noHoursLeft = !Object.keys(kept).some((h) => /^\d{1,2}$/.test(h));
        for (const f of noHoursLeft ? (["c"] as const) : FIELDS) {
          if (!b[f]) continue;
          const day = Number(node[f]);
          out.push({ app, event: key, day: oracleDayOfMonthKey(String(doc.m), dayKey), field: f, expected: day, actual: day - b[f] });
        }
      }
    }
  }
  return out;
}

/**
 * sessions-match-raw (countly.users empty) or sources-match-raw (countly.sources empty): per app
 * and day (and source: `up.src` with one leading "$" dropped and "." as ":", usage.js @091d42b),
 * the raw [CLY]_session documents against 0.
 */
function sessionsAgainstNothing(ds: Dataset, bySource = false): FindingExpectation {
  const tz = new Map(ds.apps.map((a) => [a.id, a.timezone]));
  const docs = rawDocs(ds);
  const newest = Math.max(...docs.map((r) => (r.doc.cd as Date).getTime()));
  const days = new Map<string, { n: number; settled: boolean }>();
  for (const { app, key, doc } of docs) {
    if (key !== "[CLY]_session") continue;
    const src = (doc.up as Record<string, unknown> | undefined)?.src;
    if (bySource && !src) continue;
    const k = `${app}|${oracleDay(tz.get(app)!, Number(doc.ts))}${bySource ? `|src=${String(src).replace(/^\$/, "").replace(/\./g, ":")}` : ""}`;
    const d = days.get(k) ?? { n: 0, settled: true };
    d.n++;
    d.settled &&= (doc.cd as Date).getTime() <= newest - SURELY_SETTLED_MS;
    days.set(k, d);
  }
  const must: ExpectedFinding[] = [];
  const may: ExpectedFinding[] = [];
  for (const [k, d] of days) {
    const [app, day, segment] = k.split("|") as [string, string, string | undefined];
    (d.settled ? must : may).push({ app, event: "[CLY]_session", day, ...(segment ? { segment } : {}), field: "t", expected: d.n, actual: 0 });
  }
  return { must, may };
}

/** Event keys named in the clean countly.events.list and not in the corrupted one, per app. */
function droppedFromList(clean: Dataset, corrupted: Dataset): ExpectedFinding[] {
  const lists = (ds: Dataset) => new Map((ds.databases.countly?.events ?? []).map((d: Doc) => [String(d._id), new Set((d.list as string[] | undefined) ?? [])]));
  const before = lists(clean);
  const after = lists(corrupted);
  const out: ExpectedFinding[] = [];
  for (const [app, keys] of before) for (const key of keys) if (!after.get(app)?.has(key)) out.push({ app, event: key, expected: "listed", actual: "not in countly.events.list" });
  return out;
}

/**
 * Every consumer's token names the old server's drill_events: expected the UUID the dump
 * writer records for drill_events (what mongodump's metadata.json would say), actual the
 * UUID inside each corrupted token.
 */
function foreignTokens(_clean: Dataset, corrupted: Dataset): ExpectedFinding[] {
  const here = formatUuid(JSON.parse(metadataJson("countly_drill", "drill_events")).uuid as string);
  // fixtures/collection-uuids.ts: a fixture server's UUID is md5 of its name, the old server's likewise, spelled out here.
  const dashed = (hex: string) => hex.replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, "$1-$2-$3-$4-$5");
  expect(here).toBe(dashed(createHash("md5").update("countly-check fixture server\u0000drill_events").digest("hex")));
  const old = dashed(createHash("md5").update("countly-check old server\u0000drill_events").digest("hex"));
  const streams = (corrupted.databases.countly?.plugins ?? []).find((d: Doc) => d._id === "_changeStreams") ?? {};
  return Object.entries(streams)
    .filter(([k]) => k !== "_id")
    .map(([consumer, entry]) => {
      // The token really names the old server's drill_events (decoded), so the finding names both UUIDs.
      expect(formatUuid(decodeResumeToken((entry as { token: { _data: string } }).token._data).uuid!)).toBe(old);
      return { app: "", field: `_changeStreams.${consumer}.token.uuid`, expected: `drill_events ${here}`, actual: old };
    });
}

const close = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));

/** event-segments-within-total with every segment document gone: each always-sent segment on each day with events. */
function alwaysSentWithoutValues(clean: Dataset): ExpectedFinding[] {
  const { totals } = aggregatedTotals(clean);
  const out: ExpectedFinding[] = [];
  for (const [k, t] of totals) {
    if (t.c === 0) continue;
    const [app, event, day] = k.split("|") as [string, string, string];
    for (const segment of clean.truth?.alwaysSent[app]?.[event] ?? []) out.push({ app, event, day, segment, field: "c", expected: t.c, actual: 0 });
  }
  return out;
}

/** event-all-key-matches: per app, event and day the all_key counters against the event's own totals; months without all_key documents once. */
function allKeyAgainstTotals(ds: Dataset): ExpectedFinding[] {
  const { totals } = aggregatedTotals(ds);
  const allKey = allKeyTotals(ds);
  const months = new Set((ds.databases.countly?.events_data ?? []).filter((d) => d.s === "key").map((d) => `${String(d.a)}|${String(d.m)}`));
  const out: ExpectedFinding[] = [];
  const missing = new Map<string, { app: string; days: string[]; c: number }>();
  for (const [k, t] of totals) {
    const [app, event, day] = k.split("|") as [string, string, string];
    const a = allKey.get(k);
    if (FIELDS.every((f) => t[f] === 0) && !a) continue;
    const month = `${app}|${oracleMonthId(day)}`;
    if (!months.has(month)) {
      const m = missing.get(month) ?? { app, days: [], c: 0 };
      m.days.push(day);
      m.c += t.c;
      missing.set(month, m);
      continue;
    }
    for (const f of FIELDS) if (!close(a?.[f] ?? 0, t[f])) out.push({ app, event, day, field: f, expected: t[f], actual: a?.[f] ?? 0 });
  }
  for (const m of missing.values()) out.push({ app: m.app, day: m.days.sort()[0], field: "c", expected: m.c, actual: 0 });
  for (const [k, a] of allKey) {
    if (totals.has(k)) continue;
    const [app, event, day] = k.split("|") as [string, string, string];
    for (const f of FIELDS) if (a[f] !== 0) out.push({ app, event, day, field: f, expected: 0, actual: a[f] });
  }
  return out;
}

/** counters-are-numbers: hour-bucket counts that were numbers in the clean dataset and are not finite numbers >= 0 now. */
function damagedHourCounts(clean: Dataset, corrupted: Dataset): ExpectedFinding[] {
  const before = new Map(eventDocs(clean).map((e) => [`${e.app}|${e.key}|${String(e.doc._id)}`, e.doc]));
  const out: ExpectedFinding[] = [];
  for (const { app, key, doc } of eventDocs(corrupted)) {
    if (doc.s !== "no-segment" || String(doc.m).endsWith(":0")) continue;
    const old = before.get(`${app}|${key}|${String(doc._id)}`)?.d as Record<string, Record<string, Record<string, unknown>>> | undefined;
    for (const [dayKey, node] of Object.entries(doc.d as Record<string, Record<string, unknown>>)) {
      for (const [hour, bucket] of Object.entries(node)) {
        if (!/^\d{1,2}$/.test(hour)) continue;
        const c = (bucket as Record<string, unknown>).c;
        if (c === old?.[dayKey]?.[hour]?.c || (typeof c === "number" && Number.isFinite(c) && c >= 0)) continue;
        const actual = typeof c === "string" ? JSON.stringify(c) : String(c);
        out.push({ app, day: oracleDayOfMonthKey(String(doc.m), dayKey), field: `d.${dayKey}.${hour}.c`, expected: "a finite number >= 0", actual });
      }
    }
  }
  return out;
}


/** Raw `[CLY]_view` documents per app and view name (current: `n`; legacy: `sg.name`), with their day, visit and cd. */
function rawViewDocs(ds: Dataset): { app: string; view: string; day: string; visit: boolean; cd: number }[] {
  const tz = new Map(ds.apps.map((a) => [a.id, a.timezone]));
  return rawDocs(ds)
    .filter((r) => r.key === "[CLY]_view")
    .map(({ app, doc }) => {
      const sg = (doc.sg ?? {}) as Record<string, unknown>;
      return { app, view: String(doc.n ?? sg.name), day: oracleDay(tz.get(app)!, Number(doc.ts)), visit: !!sg.visit, cd: (doc.cd as Date).getTime() };
    });
}

/**
 * views-match-raw when the view aggregates are gone (`days`) and/or the view list is empty
 * (`list`): per app, view and day with raw visits `t` expected = the visits, actual 0; per
 * viewed view `app_viewsmeta` expected "listed", actual "missing". What was inserted within
 * the settle window of the newest raw insert may be left out (`may`).
 */
function viewsAgainstNothing(ds: Dataset, parts: { days: boolean; list: boolean }): FindingExpectation {
  const newest = Math.max(...rawDocs(ds).map((r) => (r.doc.cd as Date).getTime()));
  const docs = rawViewDocs(ds);
  const must: ExpectedFinding[] = [];
  const may: ExpectedFinding[] = [];
  const put = (settled: boolean, f: ExpectedFinding) => (settled ? must : may).push(f);
  if (parts.days) {
    const days = new Map<string, { visits: number; settled: boolean }>();
    for (const d of docs) {
      if (!d.visit) continue;
      const k = `${d.app}|${d.view}|${d.day}`;
      const e = days.get(k) ?? { visits: 0, settled: true };
      e.visits++;
      e.settled &&= d.cd <= newest - SURELY_SETTLED_MS;
      days.set(k, e);
    }
    for (const [k, e] of days) {
      const [app, view, day] = k.split("|") as [string, string, string];
      put(e.settled, { app, event: "[CLY]_view", day, segment: `name=${view}`, field: "t", expected: e.visits, actual: 0 });
    }
  }
  if (parts.list) {
    const views = new Map<string, boolean>();
    for (const d of docs) views.set(`${d.app}|${d.view}`, (views.get(`${d.app}|${d.view}`) ?? false) || d.cd <= newest - SURELY_SETTLED_MS);
    for (const [k, settled] of views) {
      const [app, view] = k.split("|") as [string, string];
      put(settled, { app, event: "[CLY]_view", segment: `name=${view}`, field: "app_viewsmeta", expected: "listed", actual: "missing" });
    }
  }
  return { must, may };
}

/**
 * views-meta-lost: the view list is empty, the view data kept. Current layout: every viewed
 * view is unlisted. Legacy layout: the data is named only by the list, so besides that every
 * visit day reads 0 and, per app, the views in app_viewdata are reported unnamed (their count).
 */
function viewsMetaLost(clean: Dataset): FindingExpectation {
  if (clean.layout === "current") return viewsAgainstNothing(clean, { days: false, list: true });
  const out = viewsAgainstNothing(clean, { days: true, list: true });
  const ids = new Map<string, Set<string>>();
  for (const [name, docs] of Object.entries(clean.databases.countly ?? {})) {
    if (!/^app_viewdata[0-9a-f]{40}$/.test(name)) continue;
    for (const d of docs) if (d.s === "no-segment") (ids.get(String(d.a)) ?? ids.set(String(d.a), new Set()).get(String(d.a))!).add(String(d.vw));
  }
  for (const [app, vw] of ids) out.must.push({ app, event: "[CLY]_view", field: "app_viewsmeta", expected: "every aggregated view named", actual: `${vw.size} unnamed` });
  return out;
}

/** Distinct stored segment values per app, event, year and segment key, from the segment month documents. */
function segmentValues(ds: Dataset): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const { app, key, doc } of eventDocs(ds)) {
    const m = String(doc.m);
    if (doc.s === "no-segment" || doc.s === "key" || m.endsWith(":0")) continue;
    const k = `${app}|${key}|${m.slice(0, 4)}|${String(doc.s)}`;
    const set = out.get(k) ?? new Set<string>();
    for (const node of Object.values((doc.d ?? {}) as Record<string, Record<string, unknown>>)) for (const v of Object.keys(node)) set.add(v);
    out.set(k, set);
  }
  return out;
}

/** meta-lost: every zero document's meta_v2 is gone, so per event, year and segment every value is missing. */
function metaLost(clean: Dataset): ExpectedFinding[] {
  return [...segmentValues(clean)].map(([k, values]) => {
    const [app, event, , segment] = k.split("|") as [string, string, string, string];
    return { app, event, segment, field: "meta_v2", expected: `${values.size} values listed`, actual: `${values.size} missing` };
  });
}

/** segments-unregistered: countly.events lost `segments`, so every segment key with month documents is unregistered. */
function segmentsUnregistered(clean: Dataset): ExpectedFinding[] {
  const keys = new Set([...segmentValues(clean).keys()].map((k) => k.split("|").filter((_, i) => i !== 2).join("|")));
  return [...keys].map((k) => {
    const [app, event, segment] = k.split("|") as [string, string, string];
    return { app, event, segment, field: "countly.events.segments", expected: "registered", actual: "missing" };
  });
}

/** The consumers a 25.x aggregator leaves in `_changeStreams` (fixtures/aggregate/system.ts), the kinds they watch and whether their entry has `cd`. */
const STREAM_CONSUMERS: Record<string, { kinds: string[] | "*"; cd: boolean }> = {
  "event-aggregator": { kinds: ["[CLY]_custom"], cd: true },
  "session-ingestion": { kinds: ["[CLY]_session"], cd: false },
  "drill-meta": { kinds: "*", cd: true },
  "views-insert": { kinds: ["[CLY]_view"], cd: true },
};

/**
 * stale-tokens: each consumer's entry is the OLDEST raw document it watches (its `cd`, or for
 * session-ingestion, which stores no cd, the token's cluster time: the second of that `cd`,
 * read to its end). aggregation-cursor-fresh expects at least the newest insert of the kind
 * before the 5-minute settle window (insertion minute <= the newest raw insert's minute - 5).
 */
function staleTokenFindings(clean: Dataset): ExpectedFinding[] {
  const docs = rawDocs(clean).map(({ key, doc }) => ({ e: key.startsWith("[CLY]_") ? key : "[CLY]_custom", cd: (doc.cd as Date).getTime() }));
  const lastMinute = Math.floor(Math.max(...docs.map((d) => d.cd)) / 60_000);
  const out: ExpectedFinding[] = [];
  for (const [consumer, c] of Object.entries(STREAM_CONSUMERS)) {
    const watched = docs.filter((d) => c.kinds === "*" || c.kinds.includes(d.e));
    const settled = watched.filter((d) => Math.floor(d.cd / 60_000) <= lastMinute - 5);
    if (settled.length === 0) continue;
    const oldest = Math.min(...watched.map((d) => d.cd));
    const progress = c.cd ? oldest : Math.floor(oldest / 1000) * 1000 + 999;
    const newest = Math.max(...settled.map((d) => d.cd));
    if (progress >= newest) continue;
    out.push({ app: "", field: `_changeStreams.${consumer}.${c.cd ? "cd" : "token"}`, expected: `>= ${new Date(newest).toISOString()}`, actual: new Date(progress).toISOString() });
  }
  return out;
}

/**
 * timezone-shifted: events-match-raw with raw events put on days of the timezone the check
 * reads from countly.apps, against the corrupted (UTC-rebuilt) aggregates.
 */
function shiftedEvents(corrupted: Dataset): FindingExpectation {
  const zone = new Map((corrupted.databases.countly?.apps ?? []).map((d: Doc) => [String(d._id), String(d.timezone)]));
  const seen = { ...corrupted, apps: corrupted.apps.map((a) => ({ ...a, timezone: zone.get(a.id) ?? a.timezone })) };
  const { totals } = aggregatedTotals(corrupted);
  return eventsMatchRaw(seen, (k) => totals.get(k), true);
}

/**
 * drill-meta-lost: per app, every drill_meta key of the clean raw drill_events (`n` of
 * `[CLY]_custom`, else `e`: api/aggregator/processing.js 001abe87) has lost its document
 * `<a>_meta_<sha1(key + a)>` (hashed here with node's crypto); keys first inserted within
 * the settle window may be left out.
 */
function lostDrillMeta(clean: Dataset): FindingExpectation {
  const raw = clean.databases.countly_drill?.drill_events ?? [];
  const newest = Math.max(...raw.map((d) => (d.cd as Date).getTime()));
  const first = new Map<string, { app: string; key: string; cd: number }>();
  for (const d of raw) {
    const app = String(d.a);
    const key = d.e === "[CLY]_custom" ? String(d.n) : String(d.e);
    const cd = (d.cd as Date).getTime();
    const k = `${app}|${key}`;
    if (!first.has(k) || first.get(k)!.cd > cd) first.set(k, { app, key, cd });
  }
  const must: ExpectedFinding[] = [];
  const may: ExpectedFinding[] = [];
  for (const { app, key, cd } of first.values()) {
    const finding = { app, event: key, field: "_id", expected: `${app}_meta_${createHash("sha1").update(key + app).digest("hex")}`, actual: "missing" };
    (cd <= newest - SURELY_SETTLED_MS ? must : may).push(finding);
  }
  return { must, may };
}

/** The corruption's window: the aggregates miss the raw documents inserted in the last 2 minutes before the newest (fixtures/corruptions.ts description). */
const RECENT_MS = 2 * 60_000;

/**
 * recent-not-aggregated with no settle window (`settle_minutes: 0`): events-match-raw expects
 * every raw event, and the aggregates hold those inserted 2 minutes or more before the newest
 * raw document (of any kind): one finding per event-day and field the window changed. Keys
 * first seen inside the window are no longer in countly.events.list, so a full list leaves
 * them uncompared: those are `may`.
 */
function recentEvents(clean: Dataset): FindingExpectation {
  const cutoff = Math.max(...rawDocs(clean).map((r) => (r.doc.cd as Date).getTime())) - RECENT_MS;
  const all = rawTotals(clean);
  const old = rawTotals(clean, cutoff, true);
  const listed = aggregatedKeys(clean, cutoff);
  const everListed = aggregatedKeys(clean);
  const must: ExpectedFinding[] = [];
  const may: ExpectedFinding[] = [];
  for (const [k, raw] of all) {
    const [app, event, day] = k.split("|") as [string, string, string];
    if (!everListed.has(`${app}|${event}`)) continue;
    const actual = old.get(k) ?? { c: 0, s: 0, dur: 0 };
    for (const f of FIELDS) {
      if (Math.abs(actual[f] - raw[f]) <= 1e-9 * Math.max(1, Math.abs(raw[f]))) continue;
      (listed.has(`${app}|${event}`) ? must : may).push({ app, event, day, field: f, expected: raw[f], actual: actual[f] });
    }
  }
  return { must, may, options: "settle_minutes: 0" };
}

/** recent-not-aggregated with `settle_minutes: 0`: sessions-match-raw counts every raw [CLY]_session per day, the aggregates those 2 minutes or more before the newest raw document. */
function recentSessions(clean: Dataset): FindingExpectation {
  const tz = new Map(clean.apps.map((a) => [a.id, a.timezone]));
  const docs = rawDocs(clean);
  const cutoff = Math.max(...docs.map((r) => (r.doc.cd as Date).getTime())) - RECENT_MS;
  const days = new Map<string, { raw: number; aggregated: number }>();
  for (const { app, key, doc } of docs) {
    if (key !== "[CLY]_session") continue;
    const k = `${app}|${oracleDay(tz.get(app)!, Number(doc.ts))}`;
    const d = days.get(k) ?? { raw: 0, aggregated: 0 };
    d.raw++;
    if ((doc.cd as Date).getTime() <= cutoff) d.aggregated++;
    days.set(k, d);
  }
  const must = [...days].filter(([, d]) => d.raw !== d.aggregated).map(([k, d]) => {
    const [app, day] = k.split("|") as [string, string];
    return { app, event: "[CLY]_session", day, field: "t", expected: d.raw, actual: d.aggregated };
  });
  return { must, options: "settle_minutes: 0" };
}

/** app-recreated: the first countly.apps document's old id, which the restored data still carries, is in no countly.apps document now. */
function recreatedApp(clean: Dataset): FindingExpectation {
  const old = String(clean.databases.countly!.apps![0]!._id);
  return { must: [{ app: "", field: `app id ${old}`, expected: "a countly.apps document", actual: "none" }] };
}

export const MATRIX_FINDINGS: Record<string, FindingsOf> = {
  "drill-meta-lost": (clean) => ({ "drill-meta-matches-data": lostDrillMeta(clean) }),
  "views-emptied": (clean) => ({ "views-match-raw": viewsAgainstNothing(clean, { days: true, list: true }) }),
  "views-never-aggregated": (clean) => ({ "views-match-raw": viewsAgainstNothing(clean, { days: true, list: true }) }),
  "views-meta-lost": (clean) => ({ "views-match-raw": viewsMetaLost(clean) }),
  "meta-lost": (clean) => ({ "segment-meta-matches-data": { must: metaLost(clean) } }),
  "segments-unregistered": (clean) => ({ "segment-meta-matches-data": { must: segmentsUnregistered(clean) } }),
  "stale-tokens": (clean) => ({ "aggregation-cursor-fresh": { must: staleTokenFindings(clean) } }),
  "timezone-shifted": (_clean, corrupted) => ({ "events-match-raw": shiftedEvents(corrupted) }),
  "tokens-from-another-server": (clean, corrupted) => ({ "resume-tokens-resumable": { must: foreignTokens(clean, corrupted) } }),
  // every custom event-day with raw events: aggregated 0
  "restored-without-aggregates": (clean) => ({ "events-match-raw": zeroTotals(clean) }),
  "counts-zeroed": (clean) => ({ "events-match-raw": zeroTotals(clean) }),
  "post-restore-incident": (clean) => ({ "events-match-raw": zeroTotals(clean) }),
  // every counter doubled: each event-day reads twice what the raw events add up to
  "double-restore": (clean) => {
    const { totals } = aggregatedTotals(clean);
    const doubled = (k: string) => {
      const t = totals.get(k);
      return t && { c: 2 * t.c, s: 2 * t.s, dur: 2 * t.dur };
    };
    return { "events-match-raw": eventsMatchRaw(clean, doubled, false) };
  },
  // one hour bucket dropped, the day total kept: day value vs the hours' sum
  "partial-merge": (clean, corrupted) => ({ "event-hours-match-day": { must: droppedHours(clean, corrupted) } }),
  "sessions-emptied": (clean) => ({ "sessions-match-raw": sessionsAgainstNothing(clean) }),
  // per day and source against 0, and every source not listed in the (gone) meta_v2.sources
  "sources-emptied": (clean) => {
    const days = sessionsAgainstNothing(clean, true);
    const meta = (list: ExpectedFinding[]) => [...new Map(list.map((d) => [`${d.app}|${d.segment}`, { app: d.app, event: d.event, segment: d.segment, field: "meta_v2.sources", expected: "listed", actual: "missing" }])).values()];
    const settled = meta(days.must);
    const unsettled = meta(days.may ?? []).filter((m) => !settled.some((x) => x.app === m.app && x.segment === m.segment));
    return { "sources-match-raw": { must: [...days.must, ...settled], may: [...(days.may ?? []), ...unsettled] } };
  },
  "segments-lost": (clean) => ({ "event-segments-within-total": { must: alwaysSentWithoutValues(clean) } }),
  // the all_key documents hold the first half of the raw events: compared with the (intact) per-event totals
  "all-key-drift": (_clean, corrupted) => ({ "event-all-key-matches": { must: allKeyAgainstTotals(corrupted) } }),
  // three hour counts of the first app: a string, a negative number, NaN
  "counters-corrupted": (clean, corrupted) => ({ "counters-are-numbers": { must: damagedHourCounts(clean, corrupted) } }),
  "event-missing-from-list": (clean, corrupted) => ({ "event-list-matches-data": { must: droppedFromList(clean, corrupted) } }),
  // nothing fails with the default settle windows (the matrix row asserts that); without one, the last 2 minutes are missing
  "recent-not-aggregated": (clean) => ({ "events-match-raw": recentEvents(clean), "sessions-match-raw": recentSessions(clean) }),
  "app-recreated": (clean) => ({ "apps-known": recreatedApp(clean) }),
};
