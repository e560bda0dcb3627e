import { describe, expect, it } from "vitest";
import { aggregationCursorFresh } from "../../checks/aggregation-cursor-fresh.ts";
import type { ChangeStreamToken, ChangeStreamsFact, RawInsertRow } from "../../runner/facts/types.ts";
import { evaluateWhole } from "../support/whole-database-harness.ts";

const MIN = 60_000;
const T0 = Date.UTC(2024, 10, 9, 12, 0, 0);
/** Raw documents of one kind; the newest inserted at `newest` (ms), all of them settled unless a tail is given. */
const rows = (e: string, newest: number, app = "a1", docs = 10): RawInsertRow => ({ app, e, docs, withSource: 0, maxCd: newest, settledMaxCd: newest, tail: [] });
const token = (consumer: string, cd?: number): ChangeStreamToken => ({ consumer, hasToken: true, ...(cd === undefined ? {} : { cd }), id: `${consumer}-doc` });
const streams = (...tokens: ChangeStreamToken[]): ChangeStreamsFact => ({ drillLayout: "current", present: true, tokens });
const minute = (ms: number) => Math.floor(ms / MIN);

describe("aggregation-cursor-fresh", () => {
  it("passes when every consumer acknowledged the newest insert it watches", () => {
    const out = evaluateWhole(aggregationCursorFresh, {}, {
      rawInserts: { rows: [rows("[CLY]_custom", T0), rows("[CLY]_session", T0 - 30 * MIN), rows("[CLY]_view", T0 - 5 * MIN)], maxCdMinute: minute(T0) },
      changeStreams: streams(token("event-aggregator", T0), token("session-ingestion", T0 - 30 * MIN), token("views-insert", T0 - 5 * MIN), token("drill-meta", T0), token("someone-else", 0)),
    });
    expect(out).toEqual({ findings: [], skipped: undefined });
  });

  it("fails on tokens from the old server: cd long before the newest raw insert", () => {
    const old = Date.UTC(2024, 9, 20, 0, 4, 2);
    const out = evaluateWhole(aggregationCursorFresh, {}, {
      rawInserts: { rows: [rows("[CLY]_custom", T0), rows("[CLY]_session", T0)], maxCdMinute: minute(T0) },
      changeStreams: streams(token("event-aggregator", old), token("session-ingestion", T0), token("drill-meta", old)),
    });
    expect(out.findings).toEqual([
      {
        field: "_changeStreams.event-aggregator.cd",
        expected: ">= 2024-11-09T12:00:00.000Z",
        actual: "2024-10-20T00:04:02.000Z",
        message: "consumer event-aggregator last acknowledged a raw document inserted 21 days before the newest [CLY]_custom insert it watches (its _id event-aggregator-doc): the raw data inserted since has not been aggregated (tokens from the old server after a restore, or the aggregator is not running)",
      },
      expect.objectContaining({ field: "_changeStreams.drill-meta.cd", message: expect.stringMatching(/21 days before the newest raw insert it watches/) }),
    ]);
  });

  it("accepts either raw session kind for session-ingestion (builds differ), and a lag within the settle window", () => {
    const inserts = { rows: [rows("[CLY]_session", T0 - 40 * MIN), rows("[CLY]_session_begin", T0 - 10 * MIN)], maxCdMinute: minute(T0) };
    expect(evaluateWhole(aggregationCursorFresh, {}, { rawInserts: inserts, changeStreams: streams(token("session-ingestion", T0 - 40 * MIN), token("drill-meta", T0 - 10 * MIN)) }).findings).toEqual([]);
    expect(evaluateWhole(aggregationCursorFresh, {}, { rawInserts: inserts, changeStreams: streams(token("session-ingestion", T0 - 50 * MIN), token("drill-meta", T0 - 10 * MIN)) }).findings).toEqual([
      expect.objectContaining({ field: "_changeStreams.session-ingestion.cd", message: expect.stringMatching(/^consumer session-ingestion last acknowledged a raw document inserted 10 minutes before the newest \[CLY\]_session insert/) }),
    ]);
    // Documents inserted in the last settle_minutes may still be on their way.
    const recent: RawInsertRow = { app: "a1", e: "[CLY]_custom", docs: 5, withSource: 0, maxCd: T0, settledMaxCd: T0 - 20 * MIN, tail: [{ minute: minute(T0) - 3, maxCd: T0 - 3 * MIN }, { minute: minute(T0), maxCd: T0 }] };
    const behind = (settle: number, cd: number) => evaluateWhole(aggregationCursorFresh, { settle_minutes: settle, required: [] }, { rawInserts: { rows: [recent], maxCdMinute: minute(T0) }, changeStreams: streams(token("event-aggregator", cd)) }).findings.length;
    expect(behind(5, T0 - 20 * MIN)).toBe(0);
    expect(behind(5, T0 - 21 * MIN)).toBe(1);
    expect(behind(2, T0 - 20 * MIN)).toBe(1);
    expect(behind(2, T0 - 3 * MIN)).toBe(0);
  });

  it("requires tokens of the required consumers, and the _changeStreams document itself, when raw data exists", () => {
    const inserts = { rows: [rows("[CLY]_custom", T0), rows("[CLY]_view", T0)], maxCdMinute: minute(T0) };
    const missing = evaluateWhole(aggregationCursorFresh, {}, { rawInserts: inserts, changeStreams: streams(token("event-aggregator", T0), token("drill-meta", T0)) });
    expect(missing.findings).toEqual([expect.objectContaining({ field: "_changeStreams.views-insert", expected: "present", actual: "missing", message: expect.stringMatching(/^10 \[CLY\]_view\/\[CLY\]_action raw documents but no resume token for consumer views-insert/) })]);
    expect(evaluateWhole(aggregationCursorFresh, { required: ["event-aggregator"] }, { rawInserts: inserts, changeStreams: streams(token("event-aggregator", T0)) }).findings).toEqual([]);
    const none = evaluateWhole(aggregationCursorFresh, {}, { rawInserts: inserts, changeStreams: { drillLayout: "current", present: false, tokens: [] } });
    expect(none.findings).toEqual([expect.objectContaining({ field: "countly.plugins _changeStreams", expected: "present", actual: "missing", message: expect.stringMatching(/^no _changeStreams document in countly\.plugins, but 20 raw documents \(newest inserted 2024-11-09T12:00:00\.000Z\)/) })]);
    const noCd = evaluateWhole(aggregationCursorFresh, { required: [] }, { rawInserts: inserts, changeStreams: streams(token("event-aggregator")) });
    expect(noCd.findings).toEqual([expect.objectContaining({ field: "_changeStreams.event-aggregator.cd", actual: "missing" })]);
  });

  // Countly 25.x (api/aggregator/processing.js 001abe87 + changeStreamReader.js 04c2a351): session-ingestion
  // and session-updates are bare $match pipelines, so their entries are {token, _id: null} with no cd.
  const sessionToken = (consumer: string, atMs: number): ChangeStreamToken => ({
    consumer,
    hasToken: true,
    resume: { clusterTime: { t: Math.floor(atMs / 1000), i: 3 }, version: 2, tokenType: 128, txnOpIndex: 0, fromInvalidate: false, uuid: "a5093abb38fe4b9ea67f01bb1a96d812" },
  });

  it("judges entries without cd (the 25.x session consumers) by their resume token's cluster time: a healthy install passes", () => {
    // The session was inserted at T0 + 400 ms; its insert's cluster time is second T0/1000.
    const inserts = { rows: [rows("[CLY]_session", T0 + 400), rows("[CLY]_session_update", T0 - MIN), rows("[CLY]_custom", T0)], maxCdMinute: minute(T0) + 10 };
    const healthy = streams(sessionToken("session-ingestion", T0 + 400), sessionToken("session-updates", T0 - MIN), token("event-aggregator", T0), token("drill-meta", T0 + 400));
    expect(evaluateWhole(aggregationCursorFresh, {}, { rawInserts: inserts, changeStreams: healthy })).toEqual({ findings: [], skipped: undefined });
  });

  it("fails an entry without cd whose token's cluster time is behind the newest insert it watches, naming where the progress came from", () => {
    const inserts = { rows: [rows("[CLY]_session", T0), rows("[CLY]_custom", T0)], maxCdMinute: minute(T0) + 10 };
    const stale = streams(sessionToken("session-ingestion", T0 - 3 * 86_400_000), token("event-aggregator", T0), token("drill-meta", T0));
    expect(evaluateWhole(aggregationCursorFresh, {}, { rawInserts: inserts, changeStreams: stale }).findings).toEqual([
      {
        field: "_changeStreams.session-ingestion.token",
        expected: ">= 2024-11-09T12:00:00.000Z",
        actual: "2024-11-06T12:00:00.999Z",
        message: "consumer session-ingestion last acknowledged a raw document inserted 3 days before the newest [CLY]_session insert it watches (by its resume token's cluster time: the entry has no cd): the raw data inserted since has not been aggregated (tokens from the old server after a restore, or the aggregator is not running)",
      },
    ]);
  });

  it("reports an entry whose progress cannot be known: no cd and a token that cannot be read", () => {
    const inserts = { rows: [rows("[CLY]_session", T0)], maxCdMinute: minute(T0) };
    const unreadable: ChangeStreamToken = { consumer: "session-ingestion", hasToken: true, undecodable: "_data is not a hex string" };
    expect(evaluateWhole(aggregationCursorFresh, { required: [] }, { rawInserts: inserts, changeStreams: streams(unreadable) }).findings).toEqual([
      expect.objectContaining({ field: "_changeStreams.session-ingestion.cd", actual: "missing", message: "consumer session-ingestion's entry has no cd and its resume token cannot be read (_data is not a hex string), so its progress is not known" }),
    ]);
  });

  it("uses the consumers option, and skips without raw data or in the legacy layout without tokens", () => {
    const inserts = { rows: [rows("[CLY]_custom", T0), rows("[CLY]_crash", T0)], maxCdMinute: minute(T0) };
    const custom = { consumers: { crashes: ["[CLY]_crash"] }, required: ["crashes"] };
    expect(evaluateWhole(aggregationCursorFresh, custom, { rawInserts: inserts, changeStreams: streams() }).findings.map((f) => f.field)).toEqual(["_changeStreams.crashes"]);
    expect(evaluateWhole(aggregationCursorFresh, {}, { rawInserts: { rows: [] }, changeStreams: streams() }).skipped).toBe("no raw data in countly_drill");
    expect(evaluateWhole(aggregationCursorFresh, {}, { rawInserts: inserts, changeStreams: { drillLayout: "legacy", present: false, tokens: [] } }).skipped).toMatch(/^legacy layout/);
  });

  // The consumers of Countly 25.x and what each watches: api/aggregator/processing.js (001abe87:
  // session-ingestion on [CLY]_session, session-updates), processing.ts (0a732d3: [CLY]_session_begin),
  // plugins/views/api/aggregator.js (views-insert on [CLY]_view/[CLY]_action, views-update), drill-meta on every insert.
  it.each([
    ["[CLY]_custom", ["drill-meta", "event-aggregator"]],
    ["[CLY]_session", ["drill-meta", "session-ingestion", "session-updates"]],
    ["[CLY]_session_begin", ["drill-meta", "session-ingestion"]],
    ["[CLY]_session_update", ["drill-meta", "session-updates"]],
    ["[CLY]_view", ["drill-meta", "views-insert"]],
    ["[CLY]_action", ["drill-meta", "views-insert"]],
    ["[CLY]_view_update", ["drill-meta", "views-update"]],
    ["[CLY]_crash", ["drill-meta"]],
  ])("by default judges the consumers that watch %s", (kind, consumers) => {
    const old = T0 - 86_400_000;
    const all = ["event-aggregator", "session-ingestion", "session-updates", "drill-meta", "views-insert", "views-update"].map((c) => token(c, old));
    const out = evaluateWhole(aggregationCursorFresh, {}, { rawInserts: { rows: [rows(kind, T0)], maxCdMinute: minute(T0) }, changeStreams: streams(...all) });
    expect(out.findings.map((f) => f.field).sort()).toEqual(consumers.map((c) => `_changeStreams.${c}.cd`));
  });

  it("by default requires entries of event-aggregator, session-ingestion, drill-meta and views-insert, not of the update consumers", () => {
    const kinds = ["[CLY]_custom", "[CLY]_session", "[CLY]_session_update", "[CLY]_view", "[CLY]_view_update"];
    const out = evaluateWhole(aggregationCursorFresh, {}, { rawInserts: { rows: kinds.map((k) => rows(k, T0)), maxCdMinute: minute(T0) }, changeStreams: streams() });
    expect(out.findings.map((f) => f.field)).toEqual(["_changeStreams.event-aggregator", "_changeStreams.session-ingestion", "_changeStreams.drill-meta", "_changeStreams.views-insert"]);
    expect(out.findings.map((f) => f.message.split(" but ")[0])).toEqual(["10 [CLY]_custom raw documents", "10 [CLY]_session/[CLY]_session_begin raw documents", "50 raw documents", "10 [CLY]_view/[CLY]_action raw documents"]);
  });

  it("asks for the raw inserts with a tail as long as the settle window", () => {
    expect(aggregationCursorFresh.needs({ settle_minutes: 7, consumers: {}, required: [] })).toEqual([{ fact: "changeStreams" }, { fact: "rawInserts", params: { tailMinutes: 7 } }]);
  });

  it("by default lets a consumer be up to 5 minutes behind", () => {
    const recent: RawInsertRow = { app: "a1", e: "[CLY]_custom", docs: 5, withSource: 0, maxCd: T0, settledMaxCd: T0 - 10 * MIN, tail: [{ minute: minute(T0) - 5, maxCd: T0 - 5 * MIN }, { minute: minute(T0) - 4, maxCd: T0 - 4 * MIN }] };
    const behind = (cd: number) => evaluateWhole(aggregationCursorFresh, { required: [] }, { rawInserts: { rows: [recent], maxCdMinute: minute(T0) }, changeStreams: streams(token("event-aggregator", cd)) }).findings;
    // The bucket 5 minutes back is settled (minute <= newest - 5); the one 4 minutes back is not.
    expect(behind(T0 - 5 * MIN)).toEqual([]);
    expect(behind(T0 - 5 * MIN - 1)).toEqual([expect.objectContaining({ expected: `>= ${new Date(T0 - 5 * MIN).toISOString()}` })]);
  });

  it("takes the newest settled insert of a kind over every app and every settled minute, in any order", () => {
    const tailOnly: RawInsertRow = { app: "a1", e: "[CLY]_custom", docs: 3, withSource: 0, maxCd: T0, tail: [{ minute: minute(T0) - 8, maxCd: T0 - 8 * MIN }, { minute: minute(T0) - 9, maxCd: T0 - 9 * MIN }, { minute: minute(T0) - 1, maxCd: T0 - MIN }] };
    const judge = (r: RawInsertRow[], cd: number) => evaluateWhole(aggregationCursorFresh, { required: [] }, { rawInserts: { rows: r, maxCdMinute: minute(T0) }, changeStreams: streams(token("event-aggregator", cd)) }).findings.map((f) => f.expected);
    expect(judge([tailOnly], T0 - 8.5 * MIN)).toEqual([`>= ${new Date(T0 - 8 * MIN).toISOString()}`]);
    expect(judge([tailOnly], T0 - 8 * MIN)).toEqual([]);
    // Two apps: the newer app's insert counts, whichever row comes first.
    const twoApps = [rows("[CLY]_custom", T0 - 30 * MIN, "a2"), rows("[CLY]_custom", T0 - 60 * MIN, "a1")];
    expect(judge(twoApps, T0 - 45 * MIN)).toEqual([`>= ${new Date(T0 - 30 * MIN).toISOString()}`]);
    expect(judge([...twoApps].reverse(), T0 - 45 * MIN)).toEqual([`>= ${new Date(T0 - 30 * MIN).toISOString()}`]);
  });

  it("judges a consumer only by the kinds it watches", () => {
    // event-aggregator is behind the custom events; an older [CLY]_view insert must not make it fresh.
    const out = evaluateWhole(aggregationCursorFresh, { required: [] }, {
      rawInserts: { rows: [rows("[CLY]_custom", T0 - 60 * MIN), rows("[CLY]_view", T0 - 70 * MIN)], maxCdMinute: minute(T0) },
      changeStreams: streams(token("event-aggregator", T0 - 65 * MIN), token("views-insert", T0)),
    });
    expect(out.findings.map((f) => f.field)).toEqual(["_changeStreams.event-aggregator.cd"]);
  });

  it("names, of several kinds a consumer watches, the one it is least behind", () => {
    const inserts = { rows: [rows("[CLY]_session_begin", T0 - 10 * MIN), rows("[CLY]_session", T0 - 40 * MIN)], maxCdMinute: minute(T0) };
    const out = evaluateWhole(aggregationCursorFresh, { required: [] }, { rawInserts: inserts, changeStreams: streams(token("session-ingestion", T0 - 50 * MIN)) });
    expect(out.findings).toEqual([expect.objectContaining({ expected: `>= ${new Date(T0 - 40 * MIN).toISOString()}`, message: expect.stringMatching(/^consumer session-ingestion last acknowledged a raw document inserted 10 minutes before the newest \[CLY\]_session insert/) })]);
  });

  it("says how far behind in minutes below 2 hours, in hours below 2 days, else in days", () => {
    const lag = (ms: number) => evaluateWhole(aggregationCursorFresh, { required: [] }, { rawInserts: { rows: [rows("[CLY]_custom", T0)], maxCdMinute: minute(T0) }, changeStreams: streams(token("event-aggregator", T0 - ms)) }).findings[0]!.message.split(" before ")[0];
    expect(lag(MIN)).toBe("consumer event-aggregator last acknowledged a raw document inserted 1 minute");
    expect(lag(119 * MIN)).toMatch(/ 119 minutes$/);
    expect(lag(120 * MIN)).toMatch(/ 2 hours$/);
    expect(lag(47 * 60 * MIN)).toMatch(/ 47 hours$/);
    expect(lag(48 * 60 * MIN)).toMatch(/ 2 days$/);
  });

  it("does not judge what is still within the settle window: no token needed yet, an old token not yet behind", () => {
    const pending: RawInsertRow = { app: "a1", e: "[CLY]_custom", docs: 5, withSource: 0, maxCd: T0, tail: [{ minute: minute(T0) - 1, maxCd: T0 - MIN }, { minute: minute(T0), maxCd: T0 }] };
    const inserts = { rows: [pending], maxCdMinute: minute(T0) };
    expect(evaluateWhole(aggregationCursorFresh, {}, { rawInserts: inserts, changeStreams: streams() }).findings).toEqual([]);
    expect(evaluateWhole(aggregationCursorFresh, {}, { rawInserts: inserts, changeStreams: streams(token("event-aggregator", T0 - 86_400_000), token("drill-meta", T0 - 86_400_000)) }).findings).toEqual([]);
    expect(evaluateWhole(aggregationCursorFresh, {}, { rawInserts: inserts, changeStreams: { drillLayout: "current", present: false, tokens: [] } }).findings).toEqual([]);
  });

  it("missing _changeStreams: names the newest insert over all raw data, or none when no document has cd", () => {
    const none = { drillLayout: "current" as const, present: false, tokens: [] };
    const two = { rows: [rows("[CLY]_custom", T0 - 60 * MIN), rows("[CLY]_view", T0, "a1", 2)], maxCdMinute: minute(T0) };
    expect(evaluateWhole(aggregationCursorFresh, {}, { rawInserts: two, changeStreams: none }).findings[0]!.message).toBe(
      "no _changeStreams document in countly.plugins, but 12 raw documents (newest inserted 2024-11-09T12:00:00.000Z): the aggregator never acknowledged anything on this database (countly.plugins not restored?); started now, it reads only raw data inserted from now on",
    );
    const noCd: RawInsertRow = { app: "a1", e: "[CLY]_custom", docs: 4, withSource: 0, settledMaxCd: T0, tail: [] };
    expect(evaluateWhole(aggregationCursorFresh, {}, { rawInserts: { rows: [noCd], maxCdMinute: minute(T0) }, changeStreams: none }).findings[0]!.message).toMatch(/^no _changeStreams document in countly\.plugins, but 4 raw documents: the aggregator/);
    // Rows with and without cd: the newest of those that have one.
    expect(evaluateWhole(aggregationCursorFresh, {}, { rawInserts: { rows: [noCd, rows("[CLY]_view", T0 - MIN)], maxCdMinute: minute(T0) }, changeStreams: none }).findings[0]!.message).toMatch(/^no _changeStreams document in countly\.plugins, but 14 raw documents \(newest inserted 2024-11-09T11:59:00\.000Z\)/);
  });

  it("an entry with neither cd nor token: its progress is not known", () => {
    const bare: ChangeStreamToken = { consumer: "event-aggregator", hasToken: false };
    expect(evaluateWhole(aggregationCursorFresh, { required: [] }, { rawInserts: { rows: [rows("[CLY]_custom", T0)], maxCdMinute: minute(T0) }, changeStreams: streams(bare) }).findings).toEqual([
      { field: "_changeStreams.event-aggregator.cd", expected: "a date, or a resume token whose cluster time can be read", actual: "missing", message: "consumer event-aggregator's entry has no cd and no resume token, so its progress is not known" },
    ]);
  });

  it("counts only rows that hold documents", () => {
    const empty: RawInsertRow = { app: "a1", e: "[CLY]_custom", docs: 0, withSource: 0, tail: [] };
    expect(evaluateWhole(aggregationCursorFresh, {}, { rawInserts: { rows: [empty], maxCdMinute: minute(T0) }, changeStreams: streams() }).skipped).toBe("no raw data in countly_drill");
  });
});
