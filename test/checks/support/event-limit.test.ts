// Countly's event limit as the event checks apply it (25.x api/aggregator/usage.js 63d5a9b9,
// legacy api/parts/data/events.js 051870e; the default limit 500).
import { describe, expect, it } from "vitest";
import { eventLimitState } from "../../../checks/support/event-limit.ts";
import type { AppFacts } from "../../../checks/types.ts";
import type { BuildSignalsFact, FactName } from "../../../runner/facts/types.ts";
import { EMPTY_FACTS } from "../../support/check-harness.ts";

const keys = (n: number) => Array.from({ length: n }, (_, i) => `e${i}`);
const legacy: BuildSignalsFact["layout"] = { events: "legacy", drill: "legacy", views: "legacy" };

function facts(list: string[], signals: Partial<BuildSignalsFact> = {}): AppFacts {
  const all = {
    ...EMPTY_FACTS,
    buildSignals: { ...EMPTY_FACTS.buildSignals, ...signals },
    eventCatalog: { ...EMPTY_FACTS.eventCatalog, apps: [{ app: "app1", list, segments: {}, omitted: {} }] },
  };
  return { get: <K extends FactName>(n: K) => all[n], inPeriod: () => true };
}

describe("eventLimitState", () => {
  it("uses Countly's default of 500 when nothing sets a limit", () => {
    const s = eventLimitState(facts(keys(3)), "app1", undefined);
    expect(s).toMatchObject({ limit: 500, basis: "Countly's default (500; countly.plugins sets no api.event_limit)", full: false });
    expect(s.neverAggregated("new")).toBe(false);
  });

  it("takes the app's plugins.api.event_limit over the server's, and the scenario's event_limit over both", () => {
    const f = facts(keys(3), { eventLimit: 100, appEventLimits: { app1: 3, other: 1 } });
    expect(eventLimitState(f, "app1", undefined)).toMatchObject({ limit: 3, basis: "the app's plugins.api.event_limit" });
    expect(eventLimitState(f, "app2", undefined)).toMatchObject({ limit: 100, basis: "countly.plugins api.event_limit" });
    expect(eventLimitState(f, "app1", 10)).toMatchObject({ limit: 10, basis: "the scenario's event_limit", full: false });
  });

  it("full list, change-stream aggregator: only a list longer than the limit is full; then unlisted keys are never aggregated, listed ones are", () => {
    expect(eventLimitState(facts(keys(3)), "app1", 3).full).toBe(false);
    const full = eventLimitState(facts(keys(4)), "app1", 3);
    expect(full.full).toBe(true);
    expect(full.neverAggregated("new")).toBe(true);
    expect(full.neverAggregated("e0")).toBe(false);
    expect([...full.listed]).toEqual(keys(4));
  });

  it("full list, synchronous API (legacy layout): a list holding the limit is full", () => {
    const s = eventLimitState(facts(keys(3), { layout: legacy }), "app1", 3);
    expect(s.full).toBe(true);
    expect(s.neverAggregated("new")).toBe(true);
  });

  it("an app without an event list has nothing listed and is not full", () => {
    const all = { ...EMPTY_FACTS };
    const s = eventLimitState({ get: <K extends FactName>(n: K) => all[n], inPeriod: () => true }, "app1", 0);
    expect(s.full).toBe(false);
    expect(s.listed.size).toBe(0);
  });
});
