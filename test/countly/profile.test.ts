// Countly build profiles detected from the data (buildSignals).
import { describe, expect, it } from "vitest";
import { CITES, consumersOf, describeProfile, detectProfile, eventLimitFor, eventListFull } from "../../countly/profile.ts";
import type { BuildSignalsFact } from "../../runner/facts/types.ts";

const base: BuildSignalsFact = { layout: { events: "current", drill: "current", views: "current" }, appEventLimits: {}, segmentDocs: 0, totalDocs: 0, segmentRegistries: 0, viewsLastDay: {}, viewsFirstDay: {} };
const legacy: BuildSignalsFact = { ...base, layout: { events: "legacy", drill: "legacy", views: "legacy" } };

/** The signals plus the consumers of `_changeStreams` (the changeStreams fact). */
const detect = ({ consumers = [], ...s }: BuildSignalsFact & { consumers?: string[] }) => detectProfile(s, consumers);

describe("detectProfile", () => {
  it("tells the change-stream aggregator from the synchronous API", () => {
    expect(detect({ ...base, consumers: ["event-aggregator", "session-ingestion"] }).aggregation).toEqual({ value: "change-streams", basis: "countly.plugins _changeStreams has 2 consumers (event-aggregator, session-ingestion)" });
    expect(detect(legacy).aggregation.value).toBe("synchronous-api");
    expect(detect({ ...base, layout: { ...base.layout, drill: "legacy" } }).aggregation.value).toBe("synchronous-api");
  });

  it("a 25.x build with event totals but no segment document and no registry writes no segments (processing.js 001abe8)", () => {
    const p = detect({ ...base, consumers: ["event-aggregator"], totalDocs: 40 });
    expect(p.segments.value).toBe("not-written");
    expect(p.segments.basis).toMatch(/api\/aggregator\/processing\.js \(commit 001abe8\) registers only usage\.processEventTotalsFromStream/);
    expect(detect({ ...base, totalDocs: 40, segmentDocs: 3 }).segments.value).toBe("written");
    expect(detect({ ...base, totalDocs: 40, segmentRegistries: 1 }).segments.value).toBe("written");
    expect(detect({ ...legacy, totalDocs: 40 }).segments.value).toBe("written");
    expect(detect(base).segments.value).toBe("unknown");
  });

  // 500: `plugins.setConfigs("api", { …, event_limit: 500, … })` in Countly's api/api.js @000d43be8cdb797d63e66f55d051a84f5bc20d4f
  it("reads the event limit in force: countly.plugins api.event_limit, per-app overrides, else 500", () => {
    expect(eventLimitFor(detect(base), "a")).toBe(500);
    const p = detect({ ...base, eventLimit: 300, appEventLimits: { a: 20 } });
    expect([eventLimitFor(p, "a"), eventLimitFor(p, "b")]).toEqual([20, 300]);
    expect(describeProfile(p)["event-limit"]).toBe("300 (countly.plugins api.event_limit); per-app overrides: a=20");
  });

  it("a full list: more than the limit on 25.x (usage.js 63d5a9b9 adds while <= limit, so it ends at 501), the limit on the legacy API", () => {
    const stream = detect({ ...base, consumers: ["event-aggregator"] });
    expect([500, 501].map((n) => eventListFull(stream, n, 500))).toEqual([false, true]);
    const api = detect(legacy);
    expect([499, 500, 505].map((n) => eventListFull(api, n, 500))).toEqual([false, true, true]);
  });

  it("views: none at all, or per app the first and last day with visits", () => {
    expect(detect(base).views.value).toBe("none");
    const p = detect({ ...base, viewsFirstDay: { a: "2024-10-01" }, viewsLastDay: { a: "2024-11-09" } });
    expect(p.views).toMatchObject({ value: "aggregated", lastDay: { a: "2024-11-09" }, firstDay: { a: "2024-10-01" } });
  });
});

// What a user reads in the console header and in every JUnit suite's `profile.*` properties
// (runner/run.ts: `describeProfile(detected)`), per build the fixtures generate. The texts are
// literals: a changed word is a changed report.
describe("describeProfile: the profile lines a run prints", () => {
  it("24.x synchronous API (per-event drill_events<H> and events<H>, no _changeStreams)", () => {
    expect(describeProfile(detect({ ...legacy, totalDocs: 12, viewsLastDay: { b: "2024-03-02", a: "2024-05-01", c: "2024-04-09" }, viewsFirstDay: { a: "2024-01-01" } }))).toEqual({
      aggregation: "synchronous API (24.x and older) — raw data in per-event drill_events<hash> collections (the API aggregates each request, api/parts/data/events.js)",
      segments: "segment documents written — the API writes segment documents with every event (api/parts/data/events.js); none found",
      views: "views aggregated — view aggregates for 3 apps, newest 2024-05-01",
      "event-limit": "500 (Countly's default (500; countly.plugins sets no api.event_limit))",
    });
  });

  it("25.x change-stream aggregator writing segments", () => {
    expect(describeProfile(detect({ ...base, consumers: ["session-ingestion"], totalDocs: 9, segmentDocs: 1, segmentRegistries: 1, eventLimit: 100, appEventLimits: { a: 20, b: 30 } }))).toEqual({
      aggregation: "change-stream aggregator (25.x) — countly.plugins _changeStreams has 1 consumer (session-ingestion)",
      segments: "segment documents written — 1 segment month document, 1 countly.events segment registry",
      views: "no view aggregates — no view visits in any view aggregate document (views never aggregated, or no views)",
      "event-limit": "100 (countly.plugins api.event_limit); per-app overrides: a=20, b=30",
    });
    expect(detect({ ...base, segmentDocs: 4, segmentRegistries: 2 }).segments.basis).toBe("4 segment month documents, 2 countly.events segment registries");
    expect(detect({ ...base, segmentDocs: 0, segmentRegistries: 3 }).segments.basis).toBe("0 segment month documents, 3 countly.events segment registries");
  });

  it("25.x totals-only aggregator, and a database with no aggregated events at all", () => {
    const totalsOnly = describeProfile(detect({ ...base, totalDocs: 40, viewsLastDay: { a: "2024-11-09" }, viewsFirstDay: { a: "2024-10-01" } }));
    expect(totalsOnly).toEqual({
      aggregation: "change-stream aggregator (25.x) — single drill_events and events_data collections (25.x layout), no _changeStreams document",
      segments: `no segment documents (totals-only aggregator): segment checks skip — 40 event total documents but no segment document and no countly.events segments: ${CITES.totalsOnly}`,
      views: "views aggregated — view aggregates for 1 app, newest 2024-11-09",
      "event-limit": "500 (Countly's default (500; countly.plugins sets no api.event_limit))",
    });
    expect(describeProfile(detect(base)).segments).toBe("unknown — no aggregated event documents at all");
  });

  it("the consumers are named sorted, whatever order countly.plugins lists them in", () => {
    expect(detect({ ...base, consumers: ["session-ingestion", "drill-meta", "event-aggregator"] }).aggregation.basis).toBe("countly.plugins _changeStreams has 3 consumers (drill-meta, event-aggregator, session-ingestion)");
  });

  it("legacy events<H> collections alone (drill already in the 25.x layout) still mean the synchronous API", () => {
    expect(detect({ ...base, layout: { ...base.layout, events: "legacy" } }).aggregation).toEqual({ value: "synchronous-api", basis: "aggregated events in per-event events<hash> collections (api/parts/data/events.js)" });
    // a _changeStreams document with consumers outweighs the layout
    expect(detect({ ...legacy, consumers: ["event-aggregator"] }).aggregation.value).toBe("change-streams");
  });

  it("an explicit api.event_limit is used even when it is 0", () => {
    const p = detect({ ...base, eventLimit: 0 });
    expect(p.eventLimit).toEqual({ server: 0, basis: "countly.plugins api.event_limit", apps: {} });
  });
});

describe("consumersOf", () => {
  it("names the consumers of the changeStreams fact, and none without the fact", () => {
    const token = (consumer: string) => ({ consumer, hasToken: true });
    expect(consumersOf({ drillLayout: "current", present: true, tokens: [token("event-aggregator"), token("drill-meta")] })).toEqual(["event-aggregator", "drill-meta"]);
    expect(consumersOf({ drillLayout: "current", present: true, tokens: [] })).toEqual([]);
    expect(consumersOf(undefined)).toEqual([]);
  });
});
