// Countly build profiles detected from the data (buildSignals).
import { describe, expect, it } from "vitest";
import { describeProfile, detectProfile, eventLimitFor, eventListFull } from "../../countly/profile.ts";
import type { BuildSignalsFact } from "../../runner/facts/types.ts";

const base: BuildSignalsFact = { layout: { events: "current", drill: "current", views: "current" }, appEventLimits: {}, consumers: [], segmentDocs: 0, totalDocs: 0, segmentRegistries: 0, viewsLastDay: {}, viewsFirstDay: {} };
const legacy: BuildSignalsFact = { ...base, layout: { events: "legacy", drill: "legacy", views: "legacy" } };

describe("detectProfile", () => {
  it("tells the change-stream aggregator from the synchronous API", () => {
    expect(detectProfile({ ...base, consumers: ["event-aggregator", "session-ingestion"] }).aggregation).toEqual({ value: "change-streams", basis: "countly.plugins _changeStreams has 2 consumers (event-aggregator, session-ingestion)" });
    expect(detectProfile(legacy).aggregation.value).toBe("synchronous-api");
    expect(detectProfile({ ...base, layout: { ...base.layout, drill: "legacy" } }).aggregation.value).toBe("synchronous-api");
  });

  it("a 25.x build with event totals but no segment document and no registry writes no segments (processing.js 001abe8)", () => {
    const p = detectProfile({ ...base, consumers: ["event-aggregator"], totalDocs: 40 });
    expect(p.segments.value).toBe("not-written");
    expect(p.segments.basis).toMatch(/api\/aggregator\/processing\.js \(commit 001abe8\) registers only usage\.processEventTotalsFromStream/);
    expect(detectProfile({ ...base, totalDocs: 40, segmentDocs: 3 }).segments.value).toBe("written");
    expect(detectProfile({ ...base, totalDocs: 40, segmentRegistries: 1 }).segments.value).toBe("written");
    expect(detectProfile({ ...legacy, totalDocs: 40 }).segments.value).toBe("written");
    expect(detectProfile(base).segments.value).toBe("unknown");
  });

  it("reads the event limit in force: countly.plugins api.event_limit, per-app overrides, else 500", () => {
    expect(eventLimitFor(detectProfile(base), "a")).toBe(500);
    const p = detectProfile({ ...base, eventLimit: 300, appEventLimits: { a: 20 } });
    expect([eventLimitFor(p, "a"), eventLimitFor(p, "b")]).toEqual([20, 300]);
    expect(describeProfile(p)["event-limit"]).toBe("300 (countly.plugins api.event_limit); per-app overrides: a=20");
  });

  it("a full list: more than the limit on 25.x (usage.js 63d5a9b9 adds while <= limit, so it ends at 501), the limit on the legacy API", () => {
    const stream = detectProfile({ ...base, consumers: ["event-aggregator"] });
    expect([500, 501].map((n) => eventListFull(stream, n, 500))).toEqual([false, true]);
    const api = detectProfile(legacy);
    expect([499, 500, 505].map((n) => eventListFull(api, n, 500))).toEqual([false, true, true]);
  });

  it("views: none at all, or per app the first and last day with visits", () => {
    expect(detectProfile(base).views.value).toBe("none");
    const p = detectProfile({ ...base, viewsFirstDay: { a: "2024-10-01" }, viewsLastDay: { a: "2024-11-09" } });
    expect(p.views).toMatchObject({ value: "aggregated", lastDay: { a: "2024-11-09" }, firstDay: { a: "2024-10-01" } });
  });
});
