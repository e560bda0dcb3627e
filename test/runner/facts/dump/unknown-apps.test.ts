// Fact unknownApps (runner/facts/dump/unknown-apps.ts): data of app ids that no countly.apps
// document has. Never on healthy data of any modelled build; every collection named when an
// app document was replaced; raw documents without `a` and the legacy per-app view list.
import { describe, expect, it } from "vitest";
import { applyCorruptions } from "../../../../fixtures/corruptions.ts";
import { BUILDS, DB, type Dataset } from "../../../../fixtures/dataset.ts";
import { generateDataset } from "../../../../fixtures/generate.ts";
import type { UnknownAppsFact } from "../../../../runner/facts/types.ts";
import { FixtureSource } from "../../../../runner/sources/fixture-source.ts";
import { runOnDataset } from "../../../support/run-fixture.ts";

async function unknownApps(ds: Dataset): Promise<UnknownAppsFact> {
  const source = new FixtureSource(ds);
  const basics = await source.open();
  const out = await source.computeFacts(new Map([["unknownApps", {}]]), { apps: basics.apps, period: {}, layout: basics.layout, databases: basics.databases, allApps: true });
  if (!out.unknownApps?.ok) throw new Error(`not computed: ${JSON.stringify(out.unknownApps)}`);
  return out.unknownApps.value;
}

describe("unknownApps", () => {
  for (const build of BUILDS) {
    it(`is empty on healthy data of the ${build} build`, async () => {
      for (const seed of [1, 2, 3, 4]) {
        const ds = generateDataset(seed, { build, rawEvents: 60, apps: 3 });
        expect(await unknownApps(ds), `seed ${seed}`).toEqual({ known: ds.apps.map((a) => a.id).sort(), rows: [] });
      }
    });
  }

  it("an app document with another _id (app-recreated): the old id with every collection holding its data, in both layouts", async () => {
    for (const layout of ["current", "legacy"] as const) {
      const ds = generateDataset(5, { layout, rawEvents: 80, apps: 2 });
      const old = ds.apps[0]!.id;
      const fact = await unknownApps(applyCorruptions(ds, ["app-recreated"]));
      expect(new Set(fact.rows.map((r) => r.app)), layout).toEqual(new Set([old]));
      const collections = fact.rows.map((r) => r.collection);
      expect(collections, layout).toEqual(expect.arrayContaining(["countly.users", ...(layout === "current" ? ["countly.events_data", "countly_drill.drill_events", "countly.app_viewsmeta"] : [`countly.app_viewsmeta${old}`])]));
      const users = ds.databases[DB.countly]!.users!.filter((d) => String(d._id).startsWith(`${old}_`)).length;
      expect(fact.rows.find((r) => r.collection === "countly.users")?.docs).toBe(users);
    }
  });

  it("raw documents without a string `a` are counted as app \"\"", async () => {
    const ds = generateDataset(6, { rawEvents: 30, apps: 1 });
    const raw = ds.databases[DB.drill]!.drill_events!;
    delete raw[0]!.a;
    raw[1]!.a = 42;
    expect((await unknownApps(ds)).rows).toEqual([{ app: "", collection: "countly_drill.drill_events", docs: 2 }]);
  });

  it("apps-known fails on app-recreated and passes on the healthy dataset", async () => {
    const ds = generateDataset(7, { rawEvents: 60, apps: 2 });
    const yaml = "name: k\nchecks:\n  - { id: k, check: apps-known }\n";
    expect((await runOnDataset(yaml, ds)).map((c) => c.outcome)).toEqual(["passed"]);
    const [bad] = await runOnDataset(yaml, applyCorruptions(ds, ["app-recreated"]));
    expect(bad!.outcome).toBe("failed");
    expect(bad!.findings[0]!.message).toMatch(new RegExp(`^app id ${ds.apps[0]!.id} is in no countly.apps document \\(2 apps known\\), but its data is in countly_drill\\.drill_events \\(\\d+ documents\\), `));
  });
});
