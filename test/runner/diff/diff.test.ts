// The diff engine and its report on generated Countly datasets written as mongodumps:
// a dump against itself is clean, and each corruption is reported exactly (the right
// collection, the right ids, the right counts), field order never counting.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EJSON } from "bson";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cloneDeep } from "../../../fixtures/clone.ts";
import type { Dataset, Doc } from "../../../fixtures/dataset.ts";
import { writeDump } from "../../../fixtures/dump-writer.ts";
import { generateDataset } from "../../../fixtures/generate.ts";
import { eventHash } from "../../../countly/hash.ts";
import { idKeyOf, formatId } from "../../../runner/diff/canonical.ts";
import { diffSides, type DiffOptions, type DiffResult } from "../../../runner/diff/diff.ts";
import { DumpSide } from "../../../runner/diff/dump-side.ts";
import { diffToRun } from "../../../runner/diff/report.ts";
import { exitCodeOf, type CaseResult, type RunResult } from "../../../runner/model.ts";
import { writeHandDump } from "./hand-dump.ts";

let work: string;
let ds: Dataset;
let base: string;
let n = 0;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "cc-diff-"));
  ds = generateDataset(7, { apps: 2 });
  base = join(work, "base");
  await writeDump(ds, base);
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

async function dumpOf(change: (copy: Dataset) => void, options?: { gzip?: boolean }): Promise<string> {
  const copy = cloneDeep(ds);
  change(copy);
  const dir = join(work, `v${++n}`);
  await writeDump(copy, dir, options);
  return dir;
}

async function diff(before: string, after: string, options: DiffOptions = {}): Promise<{ result: DiffResult; run: RunResult; cases: Map<string, CaseResult> }> {
  const result = await diffSides(new DumpSide(before), new DumpSide(after), options);
  const run = diffToRun(result);
  return { result, run, cases: new Map(run.suites[0]!.cases.map((c) => [c.name, c])) };
}

function failing(run: RunResult): string[] {
  return run.suites[0]!.cases.filter((c) => c.outcome !== "passed").map((c) => c.name);
}

const coll = (r: DiffResult, name: string) => r.collections.find((c) => `${c.db}.${c.collection}` === name)!;
const ids = (list: { ids: string[] }) => list.ids.map(formatId).sort();
const totalsCase = (cases: Map<string, CaseResult>, appId: string) => [...cases.values()].find((c) => c.app?.id === appId)!;

/** A no-segment month document of events_data with some day counts. */
function noSegmentDoc(d: Dataset): Doc {
  return d.databases.countly!.events_data!.find((x) => x.s === "no-segment" && !String(x.m).endsWith(":0") && x.e !== "all")!;
}

function firstDay(doc: Doc): string {
  return Object.keys(doc.d as object).find((k) => /^\d+$/.test(k))!;
}

function reversed(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(reversed);
  if (v && typeof v === "object" && !("_bsontype" in v) && !(v instanceof Date)) {
    return Object.fromEntries(Object.keys(v).reverse().map((k) => [k, reversed((v as Record<string, unknown>)[k])]));
  }
  return v;
}

describe("diff of a dump", () => {
  it("with itself, and with its gzip copy, is clean: one passing case per collection and per app", async () => {
    const { run, cases, result } = await diff(base, base);
    expect(failing(run)).toEqual([]);
    expect(exitCodeOf(run)).toBe(0);
    const expected = Object.entries(ds.databases).flatMap(([db, colls]) => Object.keys(colls).map((c) => `${db}.${c}`));
    expect([...cases.keys()].filter((k) => !k.startsWith("event totals")).sort()).toEqual(expected.sort());
    expect([...cases.values()].filter((c) => c.classname === "diff.event-totals").map((c) => c.app?.id).sort()).toEqual(ds.apps.map((a) => a.id).sort());
    expect(result.layouts).toEqual({ before: "current", after: "current" });
    const gz = await dumpOf(() => undefined, { gzip: true });
    expect(failing((await diff(base, gz)).run)).toEqual([]);
  });

  it("field order changed at every depth is not a difference", async () => {
    const shuffled = await dumpOf((copy) => {
      for (const colls of Object.values(copy.databases)) for (const [name, docs] of Object.entries(colls)) colls[name] = docs.map((d) => reversed(d) as Doc).reverse();
    });
    const { run } = await diff(base, shuffled);
    expect(failing(run)).toEqual([]);
  });

  it("documents dropped: the collection, the ids and the counts", async () => {
    const drill = ds.databases.countly_drill!.drill_events!;
    const dropped = [drill[0]!, drill[17]!, drill[drill.length - 1]!].map((d) => d._id);
    const after = await dumpOf((copy) => {
      copy.databases.countly_drill!.drill_events = copy.databases.countly_drill!.drill_events!.filter((d) => !dropped.includes(d._id));
    });
    const { run, result, cases } = await diff(base, after);
    expect(failing(run)).toEqual(["countly_drill.drill_events"]);
    expect(exitCodeOf(run)).toBe(1);
    const c = coll(result, "countly_drill.drill_events");
    expect(c.documents).toEqual({ before: drill.length, after: drill.length - 3 });
    expect(ids(c.onlyBefore)).toEqual(dropped.map((id) => formatId(idKeyOf(id))).sort());
    expect([c.onlyAfter.count, c.different.count]).toEqual([0, 0]);
    const kase = cases.get("countly_drill.drill_events")!;
    expect(kase.findings[0]).toMatchObject({ field: "documents", expected: drill.length, actual: drill.length - 3 });
    expect(kase.findings.filter((f) => f.message.endsWith("only before (missing after)"))).toHaveLength(3);
    expect(kase.findingsTotal).toBe(4);
    expect(kase.message).toBe(`${drill.length} documents before, ${drill.length - 3} after; 3 documents only before, 0 only after, 0 different`);
    expect(kase.remediation).toMatch(/re-run the restore/);
  });

  it("documents duplicated into another collection: only after, there, and nowhere else", async () => {
    const moved = ds.databases.countly!.events_data!.slice(0, 2);
    const after = await dumpOf((copy) => {
      copy.databases.countly!.users!.push(...cloneDeep(moved));
    });
    const { run, result } = await diff(base, after);
    expect(failing(run)).toEqual(["countly.users"]);
    const c = coll(result, "countly.users");
    expect(ids(c.onlyAfter)).toEqual(moved.map((d) => formatId(idKeyOf(d._id))).sort());
    expect([c.onlyBefore.count, c.different.count, c.onlyAfter.count]).toEqual([0, 0, 2]);
  });

  it("a counter changed: the document differs, and the app's event totals name event, month, before and after", async () => {
    const doc = noSegmentDoc(ds);
    const day = firstDay(doc);
    const before = (doc.d as Record<string, { c: number }>)[day]!.c;
    const after = await dumpOf((copy) => {
      const d = copy.databases.countly!.events_data!.find((x) => x._id === doc._id)!;
      (d.d as Record<string, { c: number }>)[day]!.c = before + 5;
    });
    const { run, result, cases } = await diff(base, after);
    const app = ds.apps.find((a) => a.id === doc.a)!;
    expect(failing(run).sort()).toEqual(["countly.events_data", `event totals [${app.name} ${app.id}]`].sort());
    const c = coll(result, "countly.events_data");
    expect(ids(c.different)).toEqual([formatId(idKeyOf(doc._id))]);
    expect(c.documents.before).toBe(c.documents.after);
    const t = totalsCase(cases, app.id);
    expect(t.findings).toHaveLength(1);
    const [y, m] = String(doc.m).split(":");
    expect(t.findings[0]).toMatchObject({ app: { id: app.id, name: app.name }, event: doc.e, field: "c", actual: (t.findings[0]!.expected as number) + 5, message: `month ${y}-${m!.padStart(2, "0")}: +5` });
  });

  it("a restore merged over existing data (counts doubled): every month of the app shows, marked doubled", async () => {
    const app = ds.apps[0]!;
    const after = await dumpOf((copy) => {
      for (const d of copy.databases.countly!.events_data!) {
        if (d.a !== app.id || d.s !== "no-segment" || String(d.m).endsWith(":0")) continue;
        for (const v of Object.values(d.d as Record<string, Record<string, unknown>>)) if (typeof v.c === "number") v.c *= 2;
      }
    });
    const { cases, result } = await diff(base, after);
    const t = totalsCase(cases, app.id);
    const appTotals = result.totals.apps.find((a) => a.app === app.id)!;
    expect(t.outcome).toBe("failed");
    expect(t.findings.length).toBe(appTotals.compared);
    expect(t.findings.every((f) => f.actual === 2 * (f.expected as number) && f.message.endsWith("(doubled)"))).toBe(true);
    expect(appTotals.after).toBe(2 * appTotals.before);
    expect(totalsCase(cases, ds.apps[1]!.id).outcome).toBe("passed");
  });

  it("an index missing, and a collection missing with its ids", async () => {
    const after = await dumpOf((copy) => {
      delete copy.databases.countly!.sources;
    });
    const meta = join(after, "dump", "countly_drill", "drill_events.metadata.json");
    const parsed = EJSON.parse(await readFile(meta, "utf8"), { relaxed: false }) as { indexes: { name: string }[] };
    parsed.indexes = parsed.indexes.filter((i) => i.name !== "cd_1");
    await writeFile(meta, EJSON.stringify(parsed, { relaxed: false }));
    const { run, result, cases } = await diff(base, after, { maxIds: 3 });
    expect(failing(run).sort()).toEqual(["countly.sources", "countly_drill.drill_events"]);
    const drill = cases.get("countly_drill.drill_events")!;
    expect(drill.findings.map((f) => f.message)).toEqual(["index cd_1 missing after: { cd: 1 }"]);
    expect(coll(result, "countly_drill.drill_events").indexes).toEqual([{ name: "cd_1", problem: "missing-after", before: "{ cd: 1 }" }]);
    const sources = ds.databases.countly!.sources!;
    const s = cases.get("countly.sources")!;
    expect(s.findings[0]!.message).toBe(`collection missing after: ${sources.length} documents in the backup`);
    // the first three documents of the file, named in sorted order
    const firstThree = sources.slice(0, 3).map((d) => formatId(idKeyOf(d._id))).sort();
    expect(s.findings.slice(1).map((f) => f.message)).toEqual(firstThree.map((id) => `_id ${id}: only before (missing after)`));
    expect(s.findingsTotal).toBe(1 + sources.length);
    expect(coll(result, "countly.sources")).toMatchObject({ presence: "before-only", documents: { before: sources.length }, onlyBefore: { count: sources.length } });
  });

  it("a collection only after is a difference too", async () => {
    const after = await dumpOf((copy) => {
      copy.databases.countly!.extra_coll = [{ _id: "x1" }, { _id: "x2" }];
    });
    const { run, cases } = await diff(base, after);
    expect(failing(run)).toEqual(["countly.extra_coll"]);
    expect(cases.get("countly.extra_coll")!.findings.map((f) => f.message)).toEqual(['collection only after (not in the backup): 2 documents', '_id "x1": only after (not in the backup)', '_id "x2": only after (not in the backup)']);
  });

  it("--max-ids: at most N ids per collection, shared fairly between the kinds, and the rest counted", async () => {
    const drill = ds.databases.countly_drill!.drill_events!;
    const after = await dumpOf((copy) => {
      const docs = copy.databases.countly_drill!.drill_events!;
      copy.databases.countly_drill!.drill_events = docs.slice(10).map((d, i) => (i < 5 ? { ...d, c: 99 } : d));
      copy.databases.countly_drill!.drill_events!.push({ _id: "extra", a: "x" });
    });
    const { cases, result } = await diff(base, after, { maxIds: 4 });
    const k = cases.get("countly_drill.drill_events")!;
    const named = k.findings.filter((f) => f.message.startsWith("_id "));
    expect(named).toHaveLength(4);
    expect(named.map((f) => f.message.replace(/^_id .*: /, ""))).toEqual(["only before (missing after)", "only after (not in the backup)", "different", "only before (missing after)"]);
    const c = coll(result, "countly_drill.drill_events");
    expect([c.onlyBefore.count, c.onlyAfter.count, c.different.count]).toEqual([10, 1, 5]);
    expect(k.findingsTotal).toBe(1 + 16);
    expect(drill.length - 10 + 1).toBe(c.documents.after);
  });

  it("a database missing on one side: every collection of it missing", async () => {
    const after = await dumpOf((copy) => {
      delete copy.databases.countly_drill;
    });
    const { run, result } = await diff(base, after);
    expect(failing(run)).toEqual(["countly_drill.drill_events", "countly_drill.drill_meta"]);
    expect(result.databases.find((d) => d.name === "countly_drill")).toEqual({ name: "countly_drill", before: true, after: false });
  });

  it("a corrupt file on one side: that collection cannot be compared (exit code 3), the rest still is", async () => {
    const after = await dumpOf(() => undefined);
    const file = join(after, "dump", "countly", "users.bson");
    const bytes = await readFile(file);
    await writeFile(file, bytes.subarray(0, bytes.length - 7));
    const { run, cases } = await diff(base, after);
    expect(failing(run)).toEqual(["countly.users"]);
    expect(cases.get("countly.users")!.outcome).toBe("error");
    expect(cases.get("countly.users")!.message).toMatch(/could not compare countly\.users: after: .*users\.bson: truncated document/);
    expect(exitCodeOf(run)).toBe(3);
  });

  it("reads the totals of the legacy layout through events.list, and across layouts", async () => {
    const legacy = generateDataset(7, { apps: 2, layout: "legacy" });
    const legacyDir = join(work, "legacy");
    await writeDump(legacy, legacyDir);
    // the same data in the two layouts: the collections differ, the totals do not
    const cross = await diff(legacyDir, base);
    expect(cross.result.layouts).toEqual({ before: "legacy", after: "current" });
    expect([...cross.cases.values()].filter((c) => c.classname === "diff.event-totals").map((c) => c.outcome)).toEqual(["passed", "passed"]);
    expect(cross.result.totals.apps.every((a) => a.compared > 0 && a.before > 0)).toBe(true);
    // a legacy counter changed: resolved to the app and event
    const app = legacy.apps[1]!;
    const key = (legacy.databases.countly!.events!.find((e) => String(e._id) === app.id)!.list as string[])[0]!;
    const name = `events${eventHash(key, app.id)}`;
    const copy = cloneDeep(legacy);
    const doc = copy.databases.countly![name]!.find((d) => /^no-segment_\d{4}:([1-9]|1[0-2])$/.test(String(d._id)))!;
    const day = firstDay(doc);
    (doc.d as Record<string, { c: number }>)[day]!.c += 1;
    const changedDir = join(work, "legacy-changed");
    await writeDump(copy, changedDir);
    const { cases } = await diff(legacyDir, changedDir);
    const t = totalsCase(cases, app.id);
    expect(t.findings).toHaveLength(1);
    expect(t.findings[0]).toMatchObject({ event: key, field: "c" });
    expect(failing((await diff(legacyDir, changedDir)).run).sort()).toEqual([`countly.${name}`, t.name].sort());
  });
});

describe("diff of hand-made dumps", () => {
  it("compares indexes by name, key order and options (numbers by value, v and background ignored)", async () => {
    const dir = await mkdtemp(join(tmpdir(), "cc-diff-hand-"));
    const data = { countly: { apps: [{ _id: "a", name: "A" }], c: [{ _id: 1 }] } };
    const a = await writeHandDump(join(dir, "a"), data, { indexes: { countly: { c: [{ key: { a: 1, b: -1 }, name: "ab" }, { key: { x: 1 }, name: "x_1", unique: true }, { key: { t: 1 }, name: "t_1", background: true }] } } });
    const b = await writeHandDump(join(dir, "b"), data, { gzip: true, indexes: { countly: { c: [{ key: { b: -1, a: 1 }, name: "ab" }, { key: { x: 1.0 }, name: "x_1", unique: true, v: 1 }, { key: { t: 1 }, name: "t_1" }, { key: { y: "hashed" }, name: "y_hashed" }] } } });
    const { result } = await diff(a, b);
    expect(coll(result, "countly.c").indexes).toEqual([
      { name: "ab", problem: "different", before: "{ a: 1, b: -1 }", after: "{ b: -1, a: 1 }" },
      { name: "y_hashed", problem: "missing-before", after: '{ y: "hashed" }' },
    ]);
    // a dump without metadata.json says nothing about indexes
    const c = await writeHandDump(join(dir, "c"), data, { noMetadata: true });
    expect(coll((await diff(a, c)).result, "countly.c").indexes).toBeUndefined();
    await rm(dir, { recursive: true, force: true });
  });
});
