// scopeFact limits a fact to one (check, app) case: its app's rows in the period, other
// parts as they are; a fact with no rows to limit is handed over as it is, so what checks
// derive from it once (the build profile) serves every case of a run with thousands of apps.
import { describe, expect, it } from "vitest";
import { profileOf } from "../../../checks/support/profile.ts";
import { scopeFact } from "../../../runner/facts/scope.ts";
import type { BuildSignalsFact, ChangeStreamsFact, FactName, FactValues } from "../../../runner/facts/types.ts";

const signals = (): BuildSignalsFact => ({
  layout: { events: "current", drill: "current", views: "current" },
  appEventLimits: { a1: 3 },
  segmentDocs: 1,
  totalDocs: 2,
  segmentRegistries: 0,
  viewsLastDay: { a1: "2024-10-27", a2: "2024-10-28" },
  viewsFirstDay: { a1: "2024-10-01", a2: "2024-10-02" },
});

const streams = (consumers: string[]): ChangeStreamsFact => ({
  drillLayout: "current",
  present: true,
  tokens: consumers.map((consumer) => ({ consumer, hasToken: true }) as ChangeStreamsFact["tokens"][number]),
});

/** The facts of one case as the runner hands them to a check (runner/run.ts). */
function caseFacts(values: Partial<FactValues>, app: string) {
  return { get: <K extends FactName>(name: K) => scopeFact(values[name] as FactValues[K], app, {}), inPeriod: () => true };
}

describe("scopeFact", () => {
  it("keeps the app's rows in the period and the fact's other parts", () => {
    const fact = {
      rows: [
        { app: "a1", key: "Buy", day: "2024-10-26" },
        { app: "a2", key: "Buy", day: "2024-10-27" },
        { app: "a1", key: "Buy", day: "2024-10-27" },
      ],
      maxCdMinute: 7,
    };
    const scoped = scopeFact<"rawEvents">(fact as unknown as FactValues["rawEvents"], "a1", { from: "2024-10-27" });
    expect(scoped.rows).toEqual([{ app: "a1", key: "Buy", day: "2024-10-27" }]);
    expect(scoped.maxCdMinute).toBe(7);
    expect(scopeFact<"rawEvents">(fact as unknown as FactValues["rawEvents"], "a3", {}).rows).toEqual([]);
    // the fact itself is left as it was
    expect(fact.rows).toHaveLength(3);
  });

  it("keeps an array with rows of no app whole", () => {
    const fact = { known: ["a1", "a2"], rows: [{ app: "a2", collection: "x" }] };
    const scoped = scopeFact<"unknownApps">(fact as unknown as FactValues["unknownApps"], "a1", {});
    expect(scoped.known).toEqual(["a1", "a2"]);
    expect(scoped.rows).toEqual([]);
  });

  it("hands a fact without rows over as it is, so every case reads one build profile", () => {
    const fact = signals();
    expect(scopeFact(fact, "a1", {})).toBe(fact);
    const values = { buildSignals: fact, changeStreams: streams(["event-aggregator"]) };
    const first = profileOf(caseFacts(values, "a1"));
    expect(profileOf(caseFacts(values, "a2"))).toBe(first);
    expect(first.views.lastDay).toEqual({ a1: "2024-10-27", a2: "2024-10-28" });
    expect(first.eventLimit.apps).toEqual({ a1: 3 });
  });

  it("detects the profile again for other consumers or other signals", () => {
    const fact = signals();
    const one = profileOf(caseFacts({ buildSignals: fact, changeStreams: streams([]) }, "a1"));
    const other = profileOf(caseFacts({ buildSignals: fact, changeStreams: streams(["event-aggregator"]) }, "a1"));
    expect(one.aggregation.basis).not.toBe(other.aggregation.basis);
    const fewer = profileOf(caseFacts({ buildSignals: { ...signals(), segmentDocs: 0 }, changeStreams: streams([]) }, "a1"));
    expect(fewer.segments.basis).not.toBe(one.segments.basis);
  });
});
