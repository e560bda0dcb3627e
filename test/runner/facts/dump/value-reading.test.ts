// Issue 13, dump side: every BSON numeric type is read as the number it holds (a counter
// stored as Decimal128("20") is 20, not 0), a NaN Decimal128 is the counters-are-numbers
// finding it is, and a raw `ts` that is no time is an error naming the collection, the
// document's _id and its byte offset instead of a bare "Invalid time value".
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Decimal128, Double, Long } from "bson";
import { afterAll, describe, expect, it } from "vitest";
import { CHECKS } from "../../../../checks/index.ts";
import type { Dataset } from "../../../../fixtures/dataset.ts";
import { writeDump } from "../../../../fixtures/dump-writer.ts";
import { generateDataset } from "../../../../fixtures/generate.ts";
import type { CaseResult } from "../../../../runner/model.ts";
import { runScenarios } from "../../../../runner/run.ts";
import { parseScenario } from "../../../../runner/scenario/load.ts";
import { DumpSource } from "../../../../runner/sources/dump/dump-source.ts";
import { FixtureSource } from "../../../../runner/sources/fixture-source.ts";

const SCENARIO = `name: values
checks:
  - { id: events-match-raw, check: events-match-raw }
  - { id: counters-are-numbers, check: counters-are-numbers }
  - { id: no-double-counting, check: no-double-counting }
  - { id: sessions-match-raw, check: sessions-match-raw }
  - { id: views-match-raw, check: views-match-raw }
  - { id: event-hours-match-day, check: event-hours-match-day }
`;

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

/** The cases of SCENARIO on the dataset, in memory and from a dump of it (both must agree). */
async function casesOf(ds: Dataset): Promise<CaseResult[]> {
  const scenario = parseScenario(SCENARIO, "values.yaml", { registry: CHECKS });
  const dir = await mkdtemp(join(tmpdir(), "cc-values-"));
  dirs.push(dir);
  await writeDump(ds, dir);
  const fromDump = (await runScenarios([scenario], new DumpSource(dir), { registry: CHECKS })).suites.flatMap((s) => s.cases);
  const fromMemory = (await runScenarios([scenario], new FixtureSource(ds), { registry: CHECKS })).suites.flatMap((s) => s.cases);
  const brief = (cs: CaseResult[]) => cs.map((c) => [c.name, c.outcome, c.findingsTotal]);
  expect(brief(fromMemory)).toEqual(brief(fromDump));
  return fromDump;
}

function drill(ds: Dataset): Record<string, unknown>[] {
  return ds.databases["countly_drill"]!["drill_events"]!;
}

function eventsData(ds: Dataset): Record<string, unknown>[] {
  return ds.databases["countly"]!["events_data"]!;
}

/** Replaces every numeric leaf of a `d` tree by `wrap(value)`. */
function rewrap(d: unknown, wrap: (n: number) => unknown): void {
  if (!d || typeof d !== "object") return;
  for (const [k, v] of Object.entries(d as Record<string, unknown>)) {
    if (typeof v === "number") (d as Record<string, unknown>)[k] = wrap(v);
    else rewrap(v, wrap);
  }
}

describe("reading BSON numbers from a dump (issue 13)", () => {
  const wrappers: [string, (n: number) => unknown][] = [
    ["Decimal128", (n) => Decimal128.fromString(String(n))],
    ["Long", (n) => (Number.isInteger(n) ? Long.fromNumber(n) : new Double(n))],
    ["Double", (n) => new Double(n)],
  ];
  for (const [name, wrap] of wrappers) {
    it(`counters and raw c/s/dur stored as ${name} are read as their numbers: a consistent dataset still passes`, async () => {
      const ds = generateDataset(5, { layout: "current" });
      const before = await casesOf(ds);
      expect(before.filter((c) => c.outcome !== "passed" && c.outcome !== "skipped")).toEqual([]);
      for (const docs of Object.values(ds.databases["countly"]!)) for (const doc of docs) rewrap(doc.d, wrap);
      for (const doc of drill(ds)) for (const k of ["c", "s", "dur"]) if (typeof doc[k] === "number") doc[k] = wrap(doc[k] as number);
      const after = await casesOf(ds);
      expect(after.map((c) => [c.name, c.outcome])).toEqual(before.map((c) => [c.name, c.outcome]));
    });
  }

  it("a NaN Decimal128 counter is a counters-are-numbers finding (NaN), not a silent 0", async () => {
    const ds = generateDataset(5, { layout: "current" });
    const doc = eventsData(ds).find((d) => d.d && typeof d.d === "object" && Object.keys(d.d).length > 0)!;
    const day = Object.values(doc.d as Record<string, Record<string, unknown>>)[0]!;
    const leaf = Object.keys(day).find((k) => typeof day[k] === "number")!;
    day[leaf] = Decimal128.fromString("NaN");
    const cases = await casesOf(ds);
    const numbers = cases.filter((c) => c.checkId === "counters-are-numbers" && c.outcome === "failed");
    expect(numbers.length).toBe(1);
    expect(numbers[0]!.findings.map((f) => f.message).join("\n")).toMatch(/NaN/);
  });
});

describe("a raw ts that is no time (issue 13)", () => {
  for (const ts of [1e20, NaN, -1e20]) {
    it(`ts ${ts}: every raw check is an error naming the collection, the document _id and its byte offset`, async () => {
      const ds = generateDataset(5, { layout: "current" });
      const docs = drill(ds);
      const bad = docs[Math.floor(docs.length / 2)]!;
      bad.ts = ts;
      const cases = await casesOf(ds);
      const raw = cases.filter((c) => c.checkId === "events-match-raw" || c.checkId === "no-double-counting");
      expect(raw.length).toBeGreaterThan(0);
      for (const c of raw) {
        expect(c.outcome).toBe("error");
        expect(c.message).toMatch(/drill_events/);
        expect(c.message).toMatch(new RegExp(`raw event ts ${String(ts)} is not a time`));
        expect(c.message).toContain(String(bad._id instanceof Object && "toHexString" in bad._id ? (bad._id as { toHexString(): string }).toHexString() : bad._id));
        expect(c.message).toMatch(/byte \d+/);
        expect(c.message).not.toMatch(/Invalid time value/);
      }
    });
  }
});
