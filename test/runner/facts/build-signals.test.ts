// Fact buildSignals (runner/facts/dump/build-signals.ts) on generated data of every
// modelled Countly build: the profile the run prints is what the data shows.
import { describe, expect, it } from "vitest";
import { consumersOf, detectProfile } from "../../../countly/profile.ts";
import { applyCorruptions } from "../../../fixtures/corruptions.ts";
import { BUILDS, buildOf, type Dataset } from "../../../fixtures/dataset.ts";
import { generateDataset } from "../../../fixtures/generate.ts";
import type { BuildSignalsFact } from "../../../runner/facts/types.ts";
import { FixtureSource } from "../../../runner/sources/fixture-source.ts";

async function computed(ds: Dataset): Promise<{ signals: BuildSignalsFact; consumers: string[] }> {
  const source = new FixtureSource(ds);
  const basics = await source.open();
  const out = await source.computeFacts(new Map([["buildSignals", {}], ["changeStreams", {}]]), { apps: basics.apps, period: {}, layout: basics.layout, databases: basics.databases });
  if (!out.buildSignals?.ok || !out.changeStreams?.ok) throw new Error("facts not computed");
  return { signals: out.buildSignals.value, consumers: consumersOf(out.changeStreams.value) };
}
const signals = async (ds: Dataset) => (await computed(ds)).signals;
const profile = async (ds: Dataset) => {
  const c = await computed(ds);
  return detectProfile(c.signals, c.consumers);
};

describe("buildSignals", () => {
  const expected = {
    "24.x-api": { aggregation: "synchronous-api", segments: "written" },
    "25.x-aggregator": { aggregation: "change-streams", segments: "written" },
    "25.x-totals-only": { aggregation: "change-streams", segments: "not-written" },
  } as const;
  for (const build of BUILDS) {
    it(`detects the ${build} build from its data`, async () => {
      for (const seed of [3, 4, 5]) {
        const ds = generateDataset(seed, { build, rawEvents: 60 });
        const p = await profile(ds);
        expect({ aggregation: p.aggregation.value, segments: p.segments.value }, `seed ${seed}`).toEqual(expected[build]);
        expect(p.views.value).toBe("aggregated");
      }
    });
  }

  it("reads countly.plugins api.event_limit and every app's plugins.api.event_limit", async () => {
    let server = 0;
    let perApp = 0;
    for (let seed = 1; seed < 40; seed++) {
      const ds = generateDataset(seed, { rawEvents: 30, build: "25.x-aggregator" });
      const s = await signals(ds);
      const b = buildOf(ds);
      expect(s.eventLimit, `seed ${seed}`).toBe(b.serverEventLimit);
      expect(s.appEventLimits, `seed ${seed}`).toEqual(b.appEventLimits);
      if (s.eventLimit !== undefined) server++;
      perApp += Object.keys(s.appEventLimits).length;
    }
    // The generator sets both kinds on some seeds, so the comparison above is not vacuous.
    expect(server).toBeGreaterThan(0);
    expect(perApp).toBeGreaterThan(0);
  });

  it("views: first and last day with visits per app, none at all when the build never aggregates them", async () => {
    const ds = generateDataset(7, { rawEvents: 80, build: "25.x-aggregator" });
    const s = await signals(ds);
    for (const app of ds.apps) {
      expect(s.viewsFirstDay[app.id]! <= s.viewsLastDay[app.id]!).toBe(true);
      expect(s.viewsFirstDay[app.id]! >= "2024-10-19" && s.viewsLastDay[app.id]! <= "2024-11-10").toBe(true);
    }
    const broken = applyCorruptions(ds, ["views-never-aggregated"]);
    const never = await signals(broken);
    expect((await profile(broken)).views.value).toBe("none");
    expect(never.viewsLastDay).toEqual({});
  });
});
