import { describe, expect, it } from "vitest";
import type { Doc } from "../../../../runner/sources/pipeline/mingo.ts";
import { runPipelinesByScanning, type PipelineCollectionRef } from "../../../../runner/sources/pipeline/scan.ts";
import type { PipelineRequest } from "../../../../runner/sources/source.ts";

const DATA: Record<string, Doc[]> = {
  "db.events": Array.from({ length: 50 }, (_, i) => ({ _id: i, app: i % 2 ? "a" : "b", n: i })),
  "db.apps": [{ _id: "a", name: "Shop" }, { _id: "b", name: "Game" }],
};

function reader(reads: string[], fail?: string) {
  return async (ref: PipelineCollectionRef, visit: (d: Doc) => void) => {
    const key = `${ref.db}.${ref.name}`;
    reads.push(key);
    if (key === fail) throw new Error("disk on fire");
    for (const d of DATA[key] ?? []) visit(d);
  };
}

const req = (pipeline: Doc[], extra: Partial<PipelineRequest> = {}): PipelineRequest => ({ db: "db", collection: "events", pipeline, keepRows: 100, maxDocuments: 1000, ...extra });
const options = { sharedDocuments: true, describeError: (ref: PipelineCollectionRef, e: unknown) => `${ref.db}.${ref.name}: ${(e as Error).message}` };

describe("runPipelinesByScanning", () => {
  it("reads each collection once for all its pipelines; keeps keepRows rows and counts all", async () => {
    const reads: string[] = [];
    const out = await runPipelinesByScanning(
      [req([{ $match: { app: "a" } }, { $count: "n" }]), req([{ $match: { n: { $lt: 10 } } }], { keepRows: 3 }), req([{ $group: { _id: "$app", s: { $sum: "$n" } } }, { $sort: { _id: 1 } }])],
      reader(reads),
      options,
    );
    expect(reads).toEqual(["db.events"]);
    expect(out).toEqual([
      { ok: true, rows: [{ n: 25 }], total: 1 },
      { ok: true, rows: DATA["db.events"]!.slice(0, 3), total: 10 },
      { ok: true, rows: [{ _id: "a", s: 625 }, { _id: "b", s: 600 }], total: 2 },
    ]);
  });

  it("reads joined collections first ($lookup)", async () => {
    const reads: string[] = [];
    const [out] = await runPipelinesByScanning(
      [req([{ $match: { n: 1 } }, { $lookup: { from: "apps", localField: "app", foreignField: "_id", as: "app" } }, { $project: { _id: 0, name: { $first: "$app.name" } } }])],
      reader(reads),
      options,
    );
    expect(reads).toEqual(["db.apps", "db.events"]);
    expect(out).toEqual({ ok: true, rows: [{ name: "Shop" }], total: 1 });
  });

  it("a pipeline with operators the engine lacks is an error before anything is read", async () => {
    const reads: string[] = [];
    const [out] = await runPipelinesByScanning([req([{ $geoNear: { near: [0, 0], distanceField: "d" } }])], reader(reads), options);
    expect(reads).toEqual([]);
    expect(out).toEqual({ ok: false, error: expect.stringMatching(/^db\.events: \$geoNear \(stage 1\) is not supported by the in-memory aggregation engine used for dumps \(mingo 7\); run this check against MongoDB/) });
  });

  it("errors belong to the pipelines they hit: over the cap, a failing stage, an unreadable collection", async () => {
    const out = await runPipelinesByScanning(
      [req([{ $count: "n" }], { maxDocuments: 10 }), req([{ $project: { x: { $divide: ["$n", "oops"] } } }, { $count: "n" }]), req([{ $count: "n" }]), req([], { collection: "missing" })],
      reader([]),
      options,
    );
    expect(out[0]).toEqual({ ok: false, error: expect.stringMatching(/^db\.events: more than 10 documents left after the streamed leading stages/) });
    expect(out[1]).toEqual({ ok: false, error: expect.stringMatching(/^db\.events: the pipeline failed in the in-memory aggregation engine/) });
    expect(out[2]).toEqual({ ok: true, rows: [{ n: 50 }], total: 1 });
    // A collection that does not exist has no documents, as on MongoDB.
    expect(out[3]).toEqual({ ok: true, rows: [], total: 0 });
    const [broken] = await runPipelinesByScanning([req([{ $count: "n" }])], reader([], "db.events"), options);
    expect(broken).toEqual({ ok: false, error: "db.events: disk on fire" });
  });
});
