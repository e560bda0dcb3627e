// Issue 12, live path: fact rawInserts reads only the run's apps and period (before, it
// grouped all of drill_events: every app, all time). Over every app and all time it is
// exactly what it was (the dump's fact); narrowed, it is the dump collector's fact over the
// documents in scope, and its first $match says so (apps, event kinds, ts window).
import { describe, expect, it } from "vitest";
import { generateDataset } from "../../../../fixtures/generate.ts";
import { MongoSource } from "../../../../runner/sources/mongo/mongo-source.ts";
import { dumpFacts, factDifferences, liveFacts, scopedInsertsReference, withTarget } from "./support.ts";

const PERIOD = { from: "2024-10-28", to: "2024-11-03" };

describe("rawInserts on a live MongoDB", () => {
  for (const layout of ["current", "legacy"] as const) {
    it(`over every app and all time equals the dump's fact, as before (${layout})`, { timeout: 60_000 }, async () => {
      const ds = generateDataset(12, { layout, rawEvents: 120, apps: 3 });
      for (const tailMinutes of [0, 30, 24 * 60]) {
        const dump = await dumpFacts(ds, {}, { tailMinutes });
        const live = await liveFacts(ds, {}, { tailMinutes });
        expect(factDifferences({ rawInserts: dump.facts.rawInserts }, { rawInserts: live.facts.rawInserts })).toEqual([]);
      }
    });

    it(`with a period counts only the documents of its app-local days (${layout})`, { timeout: 60_000 }, async () => {
      const ds = generateDataset(12, { layout, rawEvents: 120, apps: 3 });
      const params = { tailMinutes: 60 };
      const live = await liveFacts(ds, PERIOD, params);
      const reference = await scopedInsertsReference(ds, PERIOD, params);
      expect(factDifferences({ rawInserts: reference }, { rawInserts: live.facts.rawInserts })).toEqual([]);
      // Not vacuous: the period holds fewer documents than all time.
      const total = (f: typeof reference) => (f?.ok ? f.value.rows.reduce((n, r) => n + r.docs, 0) : -1);
      const whole = (await dumpFacts(ds, {}, params)).facts.rawInserts;
      expect(total(reference)).toBeGreaterThan(0);
      expect(total(reference)).toBeLessThan(total(whole));
      if (live.commands && layout === "current") {
        const first = live.commands.filter((c) => c.name === "aggregate" && String(c.body.comment).includes("rawInserts"));
        expect(first.length).toBeGreaterThan(0);
        for (const c of first) {
          const match = (c.body.pipeline as Record<string, { $or?: Record<string, unknown>[] }>[])[0]!.$match!;
          for (const b of match.$or!) {
            expect(b).toHaveProperty("ts");
            expect(b).toHaveProperty("a");
          }
        }
      }
    });
  }

  it("with --app reads only that app's documents", { timeout: 60_000 }, async () => {
    const ds = generateDataset(12, { rawEvents: 120, apps: 3 });
    const one = ds.apps[1]!;
    const live = await withTarget(ds, async (target, databases) => {
      const source = new MongoSource(target.uri, { databases });
      const basics = await source.open();
      const apps = basics.apps.filter((a) => a.id === one.id);
      try {
        return await source.computeFacts(new Map([["rawInserts", {}]]), { apps, period: {}, layout: basics.layout, databases: basics.databases });
      } finally {
        await source.close();
      }
    });
    const rows = live.rawInserts?.ok ? live.rawInserts.value.rows : [];
    expect(rows.length).toBeGreaterThan(0);
    expect(new Set(rows.map((r) => r.app))).toEqual(new Set([one.id]));
    const whole = (await dumpFacts(ds, {})).facts.rawInserts;
    const mine = whole?.ok ? whole.value.rows.filter((r) => r.app === one.id) : [];
    expect(rows.map((r) => [r.e, r.docs, r.withSource, r.maxCd])).toEqual(mine.map((r) => [r.e, r.docs, r.withSource, r.maxCd]));
  });
});
