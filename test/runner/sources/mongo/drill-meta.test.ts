// Fact drillMeta live and from a dump: the same rows on generated data and on the raw
// documents a generator does not write (no cd, sg not a document, dotted keys, a custom
// event without n), and what the rows hold on a small hand-made database.
import { describe, expect, it } from "vitest";
import { cloneDeep } from "../../../../fixtures/clone.ts";
import type { Dataset } from "../../../../fixtures/dataset.ts";
import { DB } from "../../../../fixtures/dataset.ts";
import { generateDataset } from "../../../../fixtures/generate.ts";
import type { DrillMetaDocsFact, DrillMetaFact } from "../../../../runner/facts/types.ts";
import { dumpFacts, factDifferences, liveFacts } from "./support.ts";

/** A generated dataset whose first raw documents are bent into shapes the ingestor may store. */
function oddDocuments(): Dataset {
  const ds = cloneDeep(generateDataset(31, { build: "25.x-aggregator", rawEvents: 60, apps: 2 }));
  const raw = ds.databases[DB.drill]!.drill_events!;
  const custom = raw.filter((d) => d.e === "[CLY]_custom");
  delete custom[0]!.cd;
  custom[1]!.sg = "not a document";
  custom[2]!.sg = { "dotted.key": 1, plain: "x" };
  delete custom[3]!.n;
  return ds;
}

function value<T = DrillMetaFact>(f: unknown): T {
  const o = f as { ok: boolean; value: T };
  expect(o.ok).toBe(true);
  return o.value;
}

describe("drillMeta on a live MongoDB equals the dump's", () => {
  it("on generated data and odd raw documents, with and without a period", { timeout: 60_000 }, async () => {
    for (const ds of [generateDataset(7, { build: "25.x-aggregator", rawEvents: 80, apps: 2 }), oddDocuments()]) {
      for (const period of [{}, { from: "2024-10-30" }]) {
        const dump = await dumpFacts(ds, period);
        const live = await liveFacts(ds, period);
        const pick = (c: typeof dump) => ({ drillMeta: c.facts.drillMeta, drillMetaDocs: c.facts.drillMetaDocs });
        expect(factDifferences(pick(dump), pick(live))).toEqual([]);
        const f = value(dump.facts.drillMeta);
        const d = value<DrillMetaDocsFact>(dump.facts.drillMetaDocs);
        // Not vacuous: keys, segment keys and documents were read.
        expect(d.present).toBe(true);
        expect(f.seen.some((r) => r.segment !== undefined)).toBe(true);
        expect(d.docs.length).toBeGreaterThan(0);
      }
    }
  });

  it("keeps per app, key and segment key the documents, oldest cd and days; and each drill_meta document's registered segment paths", { timeout: 60_000 }, async () => {
    const ds = oddDocuments();
    const computed = await dumpFacts(ds, {});
    const f = value(computed.facts.drillMeta);
    const metaDocs = value<DrillMetaDocsFact>(computed.facts.drillMetaDocs).docs;
    const raw = ds.databases[DB.drill]!.drill_events!;
    const app = String(raw[0]!.a);
    const sessions = raw.filter((d) => d.a === app && d.e === "[CLY]_session");
    const row = f.seen.find((r) => r.app === app && r.key === "[CLY]_session" && r.segment === undefined)!;
    expect(row.docs).toBe(sessions.length);
    expect(row.firstCd).toBe(Math.min(...sessions.map((d) => (d.cd as Date).getTime())));
    const dotted = f.seen.find((r) => r.segment === "dotted.key")!;
    expect(dotted.docs).toBe(1);
    // A custom event without n is filed under [CLY]_custom, as processing.js would (e = n = undefined is skipped there: see the check).
    expect(f.seen.some((r) => r.key === "[CLY]_custom")).toBe(true);
    const meta = metaDocs.find((d) => d.app === app && d.e === "[CLY]_view")!;
    expect(meta.type).toBe("e");
    expect(meta.segments).toEqual(expect.arrayContaining(["name", "visit"]));
    expect(f.maxCd).toBe(Math.max(...raw.filter((d) => d.cd instanceof Date).map((d) => (d.cd as Date).getTime())));
  });

  it("reads nothing in the legacy layout", { timeout: 60_000 }, async () => {
    const ds = generateDataset(7, { build: "24.x-api", rawEvents: 40, apps: 1 });
    const dump = await dumpFacts(ds, {});
    const live = await liveFacts(ds, {});
    expect(value(dump.facts.drillMeta)).toEqual({ seen: [] });
    expect(value(dump.facts.drillMetaDocs)).toEqual({ present: false, docs: [] });
    expect(value(live.facts.drillMeta)).toEqual({ seen: [] });
    expect(value(live.facts.drillMetaDocs)).toEqual({ present: false, docs: [] });
  });
});
