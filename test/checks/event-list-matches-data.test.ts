import { describe, expect, it } from "vitest";
import { eventListMatchesData } from "../../checks/event-list-matches-data.ts";
import type { EventCatalogFact, EventDataKey, RawEventDay } from "../../runner/facts/types.ts";
import { APP, EMPTY_FACTS, evaluate } from "../support/check-harness.ts";
import { withDefaults } from "../../checks/types.ts";

const a = APP.id;
const data = (key: string, monthDocs = 3, docs = monthDocs + 1, collection = "countly.events_data"): EventDataKey => ({ app: a, key, collection, monthDocs, docs });
const raw = (key: string, day: string, c: number, extra: Partial<RawEventDay> = {}): RawEventDay => ({ app: a, key, day, c, s: 0, dur: 0, docs: c, tail: [], ...extra });
const catalog = (list: string[], rows: EventDataKey[], extra: Partial<EventCatalogFact> = {}): EventCatalogFact => ({
  apps: [{ app: a, list, segments: {}, omitted: {} }, { app: "other", list: ["Elsewhere"], segments: {}, omitted: {} }],
  data: rows,
  drill: [],
  unresolved: [],
  ...extra,
});

describe("event-list-matches-data", () => {
  it("passes when the list and the data name the same events", () => {
    const out = evaluate(eventListMatchesData, {}, { eventCatalog: catalog(["Buy", "Login"], [data("Buy"), data("Login"), { ...data("Elsewhere"), app: "other" }]), rawEvents: { rows: [raw("Buy", "2024-10-27", 3)] } });
    expect(out).toEqual({ findings: [], skipped: undefined });
  });

  it("names an event with aggregated and raw data that is missing from the list: invisible in the dashboard", () => {
    const out = evaluate(eventListMatchesData, {}, { eventCatalog: catalog(["Login"], [data("Buy", 11, 14), data("Login")]), rawEvents: { rows: [raw("Buy", "2024-10-27", 120), raw("Login", "2024-10-27", 1)] } });
    expect(out.findings).toEqual([
      expect.objectContaining({
        event: "Buy",
        expected: "listed",
        actual: "not in countly.events.list",
        message: expect.stringMatching(/has aggregated data \(14 documents in countly\.events_data\) and 120 raw drill events in the period, but is not in countly\.events\.list: invisible in the dashboard/),
      }),
    ]);
  });

  it("names a custom event found only in the raw drill data, but not while it may still be settling", () => {
    const rows = [raw("New", "2024-10-27", 2, { tail: [{ minute: 1000, c: 2, s: 0, dur: 0 }] }), raw("Buy", "2024-10-27", 1, { tail: [{ minute: 990, c: 1, s: 0, dur: 0 }] })];
    const facts = { eventCatalog: catalog(["Buy"], [data("Buy")]), rawEvents: { rows, maxCdMinute: 1000 } };
    expect(evaluate(eventListMatchesData, {}, facts).findings).toEqual([]);
    expect(evaluate(eventListMatchesData, { settle_minutes: 0 }, facts).findings).toEqual([expect.objectContaining({ event: "New", message: expect.stringMatching(/has 2 raw drill events in the period, but is not in countly\.events\.list/) })]);
    expect(evaluate(eventListMatchesData, { settle_minutes: 0, raw_data: false }, { eventCatalog: facts.eventCatalog }).findings).toEqual([]);
  });

  it("does not report raw-only events once the list has reached Countly's event_limit", () => {
    const facts = { eventCatalog: catalog(["Buy", "Login"], [data("Buy"), data("Login"), data("Old")]), rawEvents: { rows: [raw("Late", "2024-10-27", 3)] } };
    expect(evaluate(eventListMatchesData, {}, facts).findings.map((f) => f.event)).toEqual(["Late", "Old"]);
    // Aggregated data of an unlisted event is still reported: Countly only aggregates listed events.
    // 25.x (api/aggregator/usage.js 63d5a9b9): a key is still added while the list holds <= event_limit keys.
    expect(evaluate(eventListMatchesData, { event_limit: 2 }, facts).findings.map((f) => f.event)).toEqual(["Late", "Old"]);
    expect(evaluate(eventListMatchesData, { event_limit: 1 }, facts).findings.map((f) => f.event)).toEqual(["Old"]);
    // Legacy API (api/parts/data/events.js 051870e): no new key once the list holds event_limit keys.
    const legacy = { ...facts, buildSignals: { ...EMPTY_FACTS.buildSignals, layout: { events: "legacy" as const, drill: "legacy" as const, views: "legacy" as const } } };
    expect(evaluate(eventListMatchesData, { event_limit: 2 }, legacy).findings.map((f) => f.event)).toEqual(["Old"]);
  });

  it("reads the event limit from countly.plugins api.event_limit and the app's own plugins.api.event_limit", () => {
    const facts = { eventCatalog: catalog(["Buy", "Login"], [data("Buy"), data("Login")]), rawEvents: { rows: [raw("Late", "2024-10-27", 3)] } };
    const signals = (extra: object) => ({ ...facts, buildSignals: { ...EMPTY_FACTS.buildSignals, ...extra } });
    expect(evaluate(eventListMatchesData, {}, signals({ eventLimit: 1 })).findings).toEqual([]);
    expect(evaluate(eventListMatchesData, {}, signals({ eventLimit: 1, appEventLimits: { [a]: 50 } })).findings.map((f) => f.event)).toEqual(["Late"]);
    expect(evaluate(eventListMatchesData, {}, signals({ appEventLimits: { [a]: 1 } })).findings).toEqual([]);
  });

  it("names a legacy drill collection resolved to an unlisted key", () => {
    const out = evaluate(eventListMatchesData, {}, { eventCatalog: catalog(["Buy"], [data("Buy", 2, 3, "countly.events0a")], { drill: [{ app: a, key: "Gone", collection: "countly_drill.drill_events0b" }] }), rawEvents: { rows: [] } });
    expect(out.findings).toEqual([expect.objectContaining({ event: "Gone", message: expect.stringMatching(/has a raw data collection \(countly_drill\.drill_events0b\), but is not in countly\.events\.list/) })]);
  });

  it("reports listed events without aggregated month documents unless listed_without_data is ignore", () => {
    const facts = { eventCatalog: catalog(["Buy", "Login", "Meta"], [data("Login"), data("Meta", 0, 2)]), rawEvents: { rows: [raw("Buy", "2024-10-27", 5)] } };
    expect(evaluate(eventListMatchesData, {}, facts).findings).toEqual([
      expect.objectContaining({ event: "Buy", actual: "none", message: expect.stringMatching(/is in countly\.events\.list but has no aggregated data documents, although 5 raw drill events exist in the period: the aggregated data was not restored/) }),
      expect.objectContaining({ event: "Meta", message: expect.stringMatching(/has only 2 meta documents, no month document with counters: its aggregated data was deleted or not restored/) }),
    ]);
    expect(evaluate(eventListMatchesData, { listed_without_data: "ignore" }, facts).findings).toEqual([]);
  });

  it("ignores internal events unless asked, and honours exclude_events", () => {
    const facts = { eventCatalog: catalog(["Buy"], [data("Buy"), data("[CLY]_star_rating"), data("Old")]), rawEvents: { rows: [] } };
    expect(evaluate(eventListMatchesData, {}, facts).findings.map((f) => f.event)).toEqual(["Old"]);
    expect(evaluate(eventListMatchesData, { ignore_internal: false }, facts).findings.map((f) => f.event)).toEqual(["Old", "[CLY]_star_rating"]);
    expect(evaluate(eventListMatchesData, { exclude_events: ["Old"] }, facts).findings).toEqual([]);
  });

  it("reports legacy collections no known key hashes to, unless told to ignore them", () => {
    const facts = { eventCatalog: catalog(["Buy"], [data("Buy")], { unresolved: ["countly.events0123"] }), rawEvents: { rows: [] } };
    expect(evaluate(eventListMatchesData, {}, facts).findings).toEqual([expect.objectContaining({ actual: "countly.events0123", message: expect.stringMatching(/no event key named by any app's countly\.events document hashes to/) })]);
    expect(evaluate(eventListMatchesData, { unresolved_collections: "ignore" }, facts).findings).toEqual([]);
  });

  it("skips an app without listed events or event data", () => {
    expect(evaluate(eventListMatchesData, {}, { eventCatalog: catalog([], []), rawEvents: { rows: [] } }).skipped).toBe("no events listed and no event data for this app");
  });

  it("gives the whole findings: singular counts, several collections, raw events named over a legacy raw collection", () => {
    const facts = {
      eventCatalog: catalog(["Buy"], [data("Buy"), data("Old", 1, 1), data("Two", 1, 1, "countly.events0a"), data("Two", 1, 1, "countly.events_data")], { drill: [{ app: a, key: "Two", collection: "countly_drill.drill_events0b" }] }),
      rawEvents: { rows: [raw("Two", "2024-10-27", 1)] },
    };
    expect(evaluate(eventListMatchesData, {}, facts).findings).toEqual([
      { event: "Old", expected: "listed", actual: "not in countly.events.list", message: "has aggregated data (1 document in countly.events_data), but is not in countly.events.list: invisible in the dashboard (countly.events restored from an older backup, or the list edited?)" },
      { event: "Two", expected: "listed", actual: "not in countly.events.list", message: "has aggregated data (2 documents in countly.events0a, countly.events_data) and 1 raw drill event in the period, but is not in countly.events.list: invisible in the dashboard (countly.events restored from an older backup, or the list edited?)" },
    ]);
  });

  it("listed without data: whole findings, one meta document in the singular, one raw event in the singular", () => {
    const facts = { eventCatalog: catalog(["Buy", "Meta"], [data("Meta", 0, 1)]), rawEvents: { rows: [raw("Buy", "2024-10-27", 1)] } };
    expect(evaluate(eventListMatchesData, {}, facts).findings).toEqual([
      { event: "Buy", expected: "aggregated data", actual: "none", message: "is in countly.events.list but has no aggregated data documents, although 1 raw drill event exists in the period: the aggregated data was not restored or not rebuilt" },
      { event: "Meta", expected: "aggregated data", actual: "1 documents", message: "is in countly.events.list but has only 1 meta document, no month document with counters: its aggregated data was deleted or not restored" },
    ]);
  });

  it("unresolved collections: the whole finding", () => {
    const facts = { eventCatalog: catalog(["Buy"], [data("Buy")], { unresolved: ["countly.events0123"] }), rawEvents: { rows: [] } };
    expect(evaluate(eventListMatchesData, {}, facts).findings).toEqual([
      { expected: "a known event key", actual: "countly.events0123", message: "countly.events0123: event data that no event key named by any app's countly.events document hashes to (sha1(key + appId)): an event missing from every list, or left over from a deleted event or app (not attributable to an app, so every app's case reports it)" },
    ]);
    // An app with nothing but unresolved collections is judged, not skipped.
    expect(evaluate(eventListMatchesData, {}, { eventCatalog: catalog([], [], { unresolved: ["countly.events0123"] }), rawEvents: { rows: [] } }).findings).toHaveLength(1);
  });

  it("settle window: by default 5 minutes; raw events inserted before it count, also for an event with part of them pending", () => {
    const rows = (minute: number) => [raw("New", "2024-10-27", 3, { tail: [{ minute, c: 2, s: 0, dur: 0 }] })];
    const judge = (minute: number, options = {}) => evaluate(eventListMatchesData, options, { eventCatalog: catalog(["Buy"], [data("Buy")]), rawEvents: { rows: rows(minute), maxCdMinute: 1000 } }).findings.map((f) => f.event);
    // 1 of its 3 raw events was inserted before the window: it should have been listed.
    expect(judge(996)).toEqual(["New"]);
    const allPending = (minute: number) => evaluate(eventListMatchesData, {}, { eventCatalog: catalog(["Buy"], [data("Buy")]), rawEvents: { rows: [raw("New", "2024-10-27", 2, { tail: [{ minute, c: 2, s: 0, dur: 0 }] })], maxCdMinute: 1000 } }).findings.map((f) => f.event);
    expect(allPending(996)).toEqual([]);
    expect(allPending(995)).toEqual(["New"]);
    expect(eventListMatchesData.needs(withDefaults(eventListMatchesData.meta, { settle_minutes: 8 }))).toContainEqual({ fact: "rawEvents", params: { tailMinutes: 8 } });
    expect(eventListMatchesData.needs(withDefaults(eventListMatchesData.meta, { raw_data: false })).map((r) => r.fact)).not.toContain("rawEvents");
  });

  it("a full list: aggregated data of an unlisted key is still reported, raw data alone is not", () => {
    const facts = { eventCatalog: catalog(["Buy"], [data("Buy"), data("Agg")]), rawEvents: { rows: [raw("RawOnly", "2024-10-27", 3)] } };
    // 25.x (change streams): full once the list holds more than event_limit keys.
    expect(evaluate(eventListMatchesData, { event_limit: 0 }, facts).findings.map((f) => f.event)).toEqual(["Agg"]);
    expect(evaluate(eventListMatchesData, { event_limit: 1 }, facts).findings.map((f) => f.event)).toEqual(["Agg", "RawOnly"]);
  });
  it("reads the raw events only with raw_data (no rawEvents fact otherwise)", () => {
    const needs = (o: Record<string, unknown>) => eventListMatchesData.needs(withDefaults(eventListMatchesData.meta, o)).map((r) => r.fact).sort();
    expect(needs({ raw_data: false })).toEqual(["buildSignals", "changeStreams", "eventCatalog"]);
    expect(needs({})).toEqual(["buildSignals", "changeStreams", "eventCatalog", "rawEvents"]);
  });

  it("exclude_events and ignore_internal leave out listed keys, raw events and legacy raw collections alike", () => {
    const facts = {
      eventCatalog: catalog(["Buy", "Gone", "[CLY]_star_rating"], [data("Buy")], { drill: [{ app: a, key: "OldRaw", collection: "countly_drill.drill_events0b" }] }),
      rawEvents: { rows: [raw("RawOnly", "2024-10-27", 3), raw("Buy", "2024-10-27", 1)] },
    };
    expect(evaluate(eventListMatchesData, {}, facts).findings.map((f) => f.event)).toEqual(["OldRaw", "RawOnly", "Gone"]);
    expect(evaluate(eventListMatchesData, { exclude_events: ["Gone", "RawOnly", "OldRaw"] }, facts).findings).toEqual([]);
    // the internal key is listed without data: left out by default, reported when asked
    expect(evaluate(eventListMatchesData, { exclude_events: ["Gone", "RawOnly", "OldRaw"], ignore_internal: false }, facts).findings.map((f) => f.event)).toEqual(["[CLY]_star_rating"]);
  });

  it("an app without a countly.events document: its data is unlisted, and nothing is listed without data", () => {
    const facts = { eventCatalog: { ...catalog([], [data("Buy")]), apps: [] }, rawEvents: { rows: [] } };
    expect(evaluate(eventListMatchesData, {}, facts).findings).toEqual([
      { event: "Buy", expected: "listed", actual: "not in countly.events.list", message: "has aggregated data (4 documents in countly.events_data), but is not in countly.events.list: invisible in the dashboard (countly.events restored from an older backup, or the list edited?)" },
    ]);
  });

  it("is judged, not skipped, when any one of list, aggregated data, raw events and legacy raw collections is there", () => {
    const judge = (list: string[], rows: EventDataKey[], rawRows: RawEventDay[], drill: EventCatalogFact["drill"] = []) =>
      evaluate(eventListMatchesData, {}, { eventCatalog: catalog(list, rows, { drill }), rawEvents: { rows: rawRows } });
    expect(judge(["Buy"], [], [])).toEqual({ findings: [expect.objectContaining({ event: "Buy", expected: "aggregated data", actual: "none" })], skipped: undefined });
    expect(judge([], [data("Buy")], [])).toEqual({ findings: [expect.objectContaining({ event: "Buy", expected: "listed" })], skipped: undefined });
    expect(judge([], [], [raw("Buy", "2024-10-27", 2)])).toEqual({ findings: [expect.objectContaining({ event: "Buy", message: expect.stringMatching(/^has 2 raw drill events in the period/) })], skipped: undefined });
    expect(judge([], [], [], [{ app: a, key: "Buy", collection: "countly_drill.drill_events0b" }])).toEqual({ findings: [expect.objectContaining({ event: "Buy", message: expect.stringMatching(/^has a raw data collection/) })], skipped: undefined });
  });

  it("the settle window spares only an event with nothing but pending raw events: aggregated data or a legacy raw collection is reported", () => {
    const pending = raw("New", "2024-10-27", 2, { tail: [{ minute: 1000, c: 2, s: 0, dur: 0 }] });
    const judge = (rows: EventDataKey[], drill: EventCatalogFact["drill"] = []) =>
      evaluate(eventListMatchesData, {}, { eventCatalog: catalog(["Buy"], [data("Buy"), ...rows], { drill }), rawEvents: { rows: [pending], maxCdMinute: 1000 } }).findings.map((f) => f.message);
    expect(judge([])).toEqual([]);
    expect(judge([data("New", 1, 2)])).toEqual(["has aggregated data (2 documents in countly.events_data) and 2 raw drill events in the period, but is not in countly.events.list: invisible in the dashboard (countly.events restored from an older backup, or the list edited?)"]);
    expect(judge([], [{ app: a, key: "New", collection: "countly_drill.drill_events0b" }])).toEqual(["has 2 raw drill events in the period, but is not in countly.events.list: invisible in the dashboard (countly.events restored from an older backup, or the list edited?)"]);
    // an empty legacy events<hash> collection is no aggregated data: the pending raw events are still spared
    expect(judge([data("New", 0, 0, "countly.events0a")])).toEqual([]);
  });

  it("an empty legacy collection: no data of an unlisted key, and 'no aggregated data documents' for a listed one", () => {
    const facts = { eventCatalog: catalog(["Listed"], [data("Listed", 0, 0, "countly.events0a"), data("Unlisted", 0, 0, "countly.events0c")]), rawEvents: { rows: [] } };
    expect(evaluate(eventListMatchesData, {}, facts).findings).toEqual([
      { event: "Listed", expected: "aggregated data", actual: "0 documents", message: "is in countly.events.list but has no aggregated data documents: its aggregated data was deleted or not restored" },
    ]);
  });

  it("names collections and listed keys in sorted order", () => {
    const facts = { eventCatalog: catalog(["Zed", "Abc", "Buy"], [data("Buy"), data("Two", 1, 1, "countly.events_data"), data("Two", 1, 1, "countly.events0a")]), rawEvents: { rows: [] } };
    const out = evaluate(eventListMatchesData, {}, facts).findings;
    expect(out.map((f) => f.event)).toEqual(["Two", "Abc", "Zed"]);
    expect(out[0]!.message).toMatch(/^has aggregated data \(2 documents in countly\.events0a, countly\.events_data\)/);
  });
});
