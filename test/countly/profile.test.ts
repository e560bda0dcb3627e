// Countly build profiles detected from the data (buildSignals).
import { describe, expect, it } from "vitest";
import { describeProfile, detectProfile, eventLimitFor, eventListFull } from "../../countly/profile.ts";
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
