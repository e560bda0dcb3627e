// The segment checks on a build that writes no segment documents: 25.x
// api/aggregator/processing.js (commit 001abe8) registers only usage.processEventTotalsFromStream,
// which writes no-segment, all_key and all-events documents and `$addToSet`s the list only.
import { describe, expect, it } from "vitest";
import { eventSegmentsWithinTotal } from "../../../checks/event-segments-within-total.ts";
import { segmentMetaMatchesData } from "../../../checks/segment-meta-matches-data.ts";
import type { BuildSignalsFact } from "../../../runner/facts/types.ts";
import { APP, EMPTY_FACTS, evaluate } from "../../support/check-harness.ts";

const a = APP.id;
const totalsOnly: BuildSignalsFact = { ...EMPTY_FACTS.buildSignals, totalDocs: 12 };
/** The 25.x aggregator's consumers in `_changeStreams`. */
const streams = { drillLayout: "current" as const, present: true, tokens: ["event-aggregator", "session-ingestion"].map((consumer) => ({ consumer, hasToken: true })) };
const facts = (signals: BuildSignalsFact) => ({
  buildSignals: signals,
  changeStreams: signals.layout.drill === "legacy" ? EMPTY_FACTS.changeStreams : streams,
  eventAggregates: { totals: [{ app: a, key: "Buy", day: "2024-10-27", c: 10, s: 0, dur: 0 }], segments: [], unattributed: [] },
  eventCatalog: { apps: [{ app: a, list: ["Buy"], segments: {}, omitted: {} }], data: [], drill: [], unresolved: [] },
});

describe("segment checks on a totals-only 25.x build", () => {
  for (const def of [eventSegmentsWithinTotal, segmentMetaMatchesData]) {
    it(`${def.meta.kind} skips and names the build as the reason instead of passing vacuously`, () => {
      const out = evaluate(def, { always_sent: { Buy: ["method"] } }, facts(totalsOnly));
      expect(out.findings).toEqual([]);
      expect(out.skipped).toMatch(/^segments not checked: this Countly build writes no segment documents — 12 event total documents but no segment document and no countly\.events segments: api\/aggregator\/processing\.js \(commit 001abe8\) registers only usage\.processEventTotalsFromStream/);
    });

    it(`${def.meta.kind} still runs where segment documents or a segment registry exist (e.g. segments lost in a restore)`, () => {
      const registry = { ...totalsOnly, segmentRegistries: 1 };
      const out = evaluate(def, { always_sent: { Buy: ["method"] } }, facts(registry));
      expect(out.skipped ?? "").not.toMatch(/segments not checked/);
      if (def === eventSegmentsWithinTotal) expect(out.findings.map((f) => f.segment)).toEqual(["method"]);
    });
  }

  it("the legacy API always writes segments (api/parts/data/events.js 051870e): no skip there", () => {
    const legacy = { ...totalsOnly, layout: { events: "legacy" as const, drill: "legacy" as const, views: "legacy" as const } };
    const out = evaluate(eventSegmentsWithinTotal, { always_sent: { Buy: ["method"] } }, facts(legacy));
    expect(out.findings.map((f) => f.segment)).toEqual(["method"]);
  });
});
