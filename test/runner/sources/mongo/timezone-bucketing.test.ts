// Issue 12, live path: the app-local day of a raw document costs O(1) per document. The
// run's apps are grouped by time zone and each zone gets its own pipeline whose
// `$dateToString` has a constant timezone (before: a `$switch` over per-zone app lists,
// O(apps) per document). Results equal the dump's on the generator's zones (DST in both
// hemispheres, +5:45 Kathmandu, Lord Howe's 30-minute DST, Chatham, Kiritimati).
import { describe, expect, it } from "vitest";
import type { Dataset } from "../../../../fixtures/dataset.ts";
import { DB } from "../../../../fixtures/dataset.ts";
import { generateDataset } from "../../../../fixtures/generate.ts";
import type { FactName } from "../../../../runner/facts/types.ts";
import type { RecordedCommand } from "../../../support/wire-server/index.ts";
import { assertSameFacts, liveFacts, referenceFacts } from "./support.ts";

const RAW_FACTS: FactName[] = ["rawEvents", "rawSessions", "rawViews", "rawTail", "rawInserts"];
const MUST_COVER = ["Asia/Kathmandu", "Australia/Lord_Howe", "Europe/Berlin", "America/St_Johns"];

/** The first seed (printed) whose 14 apps cover the zones that matter. */
function manyZones(layout: "current" | "legacy"): Dataset {
  for (let seed = 1; seed < 500; seed++) {
    const ds = generateDataset(seed, { layout, rawEvents: 25, apps: 14 });
    const zones = new Set(ds.apps.map((a) => a.timezone));
    if (MUST_COVER.every((z) => zones.has(z))) {
      console.log(`timezone bucketing: dataset seed ${seed} (${layout}), zones ${[...zones].sort().join(", ")}`);
      return ds;
    }
  }
  throw new Error("no seed below 500 covers the zones");
}

/** `$dateToString` timezones of every drill aggregation's day projection. */
function dayZones(commands: readonly RecordedCommand[]): unknown[] {
  const out: unknown[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === "object") {
      for (const [k, x] of Object.entries(v)) {
        if (k === "$dateToString") out.push((x as { timezone?: unknown }).timezone);
        walk(x);
      }
    }
  };
  for (const c of commands) if (c.name === "aggregate" && c.db === DB.drill) walk(c.body.pipeline);
  return out;
}

describe("timezone bucketing of raw drill data on the server", () => {
  for (const layout of ["current", "legacy"] as const) {
    it(`gives the dump's raw facts with 14 apps over many zones, with a constant timezone per pipeline (${layout})`, { timeout: 120_000 }, async () => {
      const ds = manyZones(layout);
      for (const period of [{}, { from: "2024-10-26", to: "2024-11-04" }]) {
        const params = { tailMinutes: 30 };
        const dump = await referenceFacts(ds, period, params);
        const live = await liveFacts(ds, period, params);
        const pick = (f: typeof dump.facts) => Object.fromEntries(RAW_FACTS.map((k) => [k, f[k]]));
        assertSameFacts(pick(dump.facts), pick(live.facts), `${layout} ${JSON.stringify(period)}`);
        if (!live.commands) continue;
        const zones = dayZones(live.commands);
        expect(zones.length).toBeGreaterThan(0);
        for (const z of zones) expect(typeof z).toBe("string");
        if (layout === "current") {
          // Per fact pass, one pipeline per distinct zone of the run's apps.
          const distinct = new Set(ds.apps.map((a) => a.timezone)).size;
          const dayGroups = live.commands.filter((c) => c.name === "aggregate" && String(c.body.comment).endsWith("rawEvents (day groups)"));
          expect(dayGroups.length).toBe(distinct);
        }
      }
    });
  }

  it("sends a per-document projection that does not grow with the number of apps (O(1) per document)", { timeout: 60_000 }, async () => {
    const zones = ["Asia/Kathmandu", "Europe/Berlin"];
    const projectionOf = async (apps: number) => {
      const ds = generateDataset(4, { rawEvents: 10, apps, timezones: zones });
      expect(new Set(ds.apps.map((a) => a.timezone))).toEqual(new Set(zones));
      const { commands } = await liveFacts(ds, { from: "2024-10-22" });
      if (!commands) return null; // a real server: commands are not recorded
      const projections = commands
        .filter((c) => c.name === "aggregate" && String(c.body.comment).endsWith("rawEvents (day groups)"))
        .map((c) => JSON.stringify((c.body.pipeline as Record<string, unknown>[]).find((st) => "$project" in st)));
      return projections.find((p) => p.includes('"timezone":"Asia/Kathmandu"'));
    };
    const few = await projectionOf(6);
    const many = await projectionOf(40);
    if (few === null) return;
    expect(few, "a pipeline whose day projection has the constant timezone Asia/Kathmandu").toBeDefined();
    expect(many).toBe(few);
    expect(few!.length).toBeLessThan(4000);
  });
});
