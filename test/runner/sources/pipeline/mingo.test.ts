import { ObjectId } from "bson";
import fc from "fast-check";
import { aggregate } from "mingo";
import { describe, expect, it } from "vitest";
import { oracleDay as dayOf, oracleHour as hourOf } from "../../../support/countly-oracle.ts";
import { TIMEZONES } from "../../../../fixtures/generate.ts";
import { PipelineLimitError, referencedCollections, StreamingPipeline, unsupportedOperators, type Doc } from "../../../../runner/sources/pipeline/mingo.ts";

const SEEDS = { streaming: 42, dateParts: 7 };
console.log(`pipeline/mingo property tests: fast-check seeds ${JSON.stringify(SEEDS)}`);

function stream(pipeline: Doc[], docs: Doc[], maxDocuments = 1e9, cloneInput = true): Doc[] {
  const p = new StreamingPipeline(pipeline, { maxDocuments, cloneInput });
  for (const d of docs) p.push(d);
  return p.finish();
}

const docArb = fc.record({
  a: fc.constantFrom("x", "y", "z"),
  n: fc.integer({ min: -5, max: 20 }),
  tags: fc.array(fc.constantFrom("t1", "t2", "t3"), { maxLength: 3 }),
  nested: fc.record({ v: fc.integer({ min: 0, max: 3 }) }),
});

/** Per-document stages (streamed) then a tail that needs every document. */
const headStage = fc.constantFrom<Doc>(
  { $match: { a: "x" } },
  { $match: { n: { $gte: 3 } } },
  { $match: { $expr: { $gt: ["$n", "$nested.v"] } } },
  { $set: { m: { $multiply: ["$n", 2] } } },
  { $addFields: { k: { $concat: ["$a", "-"] } } },
  { $project: { a: 1, n: 1, tags: 1, nested: 1 } },
  { $unwind: "$tags" },
  { $unset: "nested" },
);
const tail = fc.constantFrom<Doc[]>(
  [],
  [{ $group: { _id: "$a", s: { $sum: "$n" }, c: { $sum: 1 } } }, { $sort: { _id: 1 } }],
  [{ $sort: { n: 1, i: 1 } }, { $limit: 3 }],
  [{ $count: "total" }],
  [{ $group: { _id: { a: "$a", tag: "$tags" }, n: { $max: "$n" } } }, { $sort: { "_id.a": 1, "_id.tag": 1 } }],
);

describe("StreamingPipeline", () => {
  it("gives what running the whole pipeline over the whole collection gives (property)", () => {
    fc.assert(
      fc.property(fc.array(docArb, { maxLength: 30 }), fc.array(headStage, { maxLength: 4 }), tail, (raw, head, t) => {
        const docs = raw.map((d, i) => ({ _id: i, i, ...d }));
        const pipeline = [...head, ...t];
        const expected = aggregate(structuredClone(docs), pipeline);
        const before = JSON.stringify(docs);
        expect(stream(pipeline, docs)).toEqual(expected);
        // Shared input documents are never changed.
        expect(JSON.stringify(docs)).toBe(before);
      }),
      { seed: SEEDS.streaming, numRuns: 300 },
    );
  });

  it("holds only what the streamed stages keep, and stops with a clear error past max_documents", () => {
    const docs = Array.from({ length: 100 }, (_, i) => ({ _id: i, a: i % 10 === 0 ? "x" : "y" }));
    // 10 documents survive the leading $match: within a cap of 10.
    expect(stream([{ $match: { a: "x" } }, { $count: "n" }], docs, 10)).toEqual([{ n: 10 }]);
    expect(() => stream([{ $match: { a: "x" } }, { $count: "n" }], docs, 9)).toThrow(PipelineLimitError);
    expect(() => stream([{ $count: "n" }], docs, 9)).toThrow(/more than 9 documents left after the streamed leading stages.*raise max_documents/);
  });

  it("handles ObjectIds like MongoDB: equality in $match, $toString, $toObjectId, $convert", () => {
    const id = new ObjectId("65f0a1b2c3d4e5f6a7b8c9d0");
    const docs = [{ _id: id, name: "Shop" }, { _id: new ObjectId(), name: "Game" }];
    expect(stream([{ $match: { _id: new ObjectId(id.toHexString()) } }, { $project: { _id: 0, name: 1 } }], docs)).toEqual([{ name: "Shop" }]);
    expect(stream([{ $match: { name: "Shop" } }, { $project: { _id: 0, s: { $toString: "$_id" }, o: { $toObjectId: "65f0a1b2c3d4e5f6a7b8c9d0" }, c: { $convert: { input: "$_id", to: "string" } } } }], docs)).toEqual([
      { s: id.toHexString(), o: id, c: id.toHexString() },
    ]);
  });

  it("buckets by IANA time zones exactly as countly/time.ts does (property; mingo alone rejects \"UTC\" and uses today's offset)", () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.parse("2020-01-01"), max: Date.parse("2030-01-01") }), fc.constantFrom(...TIMEZONES), (ts, tz) => {
        const [row] = stream(
          [
            {
              $project: {
                _id: 0,
                day: { $dateToString: { date: { $toDate: "$ts" }, format: "%Y-%m-%d", timezone: tz } },
                hour: { $hour: { date: { $toDate: "$ts" }, timezone: tz } },
                start: { $dateFromParts: { year: { $year: { date: { $toDate: "$ts" }, timezone: tz } }, month: { $month: { date: { $toDate: "$ts" }, timezone: tz } }, day: { $dayOfMonth: { date: { $toDate: "$ts" }, timezone: tz } }, timezone: tz } },
              },
            },
          ],
          [{ ts }],
        );
        expect(row!.day).toBe(dayOf(tz, ts));
        expect(row!.hour).toBe(hourOf(tz, ts));
        expect(dayOf(tz, (row!.start as Date).getTime())).toBe(dayOf(tz, ts));
        expect(dayOf(tz, (row!.start as Date).getTime() - 1)).not.toBe(dayOf(tz, ts));
      }),
      { seed: SEEDS.dateParts, numRuns: 400 },
    );
  });
});

describe("what the in-memory engine supports", () => {
  it("names operators mingo lacks, with the stage they are in", () => {
    expect(unsupportedOperators([{ $match: { a: 1 } }, { $group: { _id: "$a", n: { $sum: 1 } } }, { $project: { x: { $max: ["$a", 1] } } }])).toEqual([]);
    expect(unsupportedOperators([{ $match: { a: { $regex: "^x", $options: "i" } } }])).toEqual([]);
    expect(unsupportedOperators([{ $geoNear: { near: [0, 0] } }, { $match: { $text: { $search: "x" } } }, { $project: { s: { $bsonSize: "$$ROOT" } } }])).toEqual(["$geoNear (stage 1)", "$text (stage 2)", "$bsonSize (stage 3)"]);
    // Inside $literal anything goes.
    expect(unsupportedOperators([{ $project: { x: { $literal: { $geoNear: 1 } } } }])).toEqual([]);
  });

  it("finds the collections a pipeline joins", () => {
    expect(referencedCollections([{ $lookup: { from: "apps", localField: "a", foreignField: "_id", as: "app" } }, { $unionWith: "x" }, { $unionWith: { coll: "y", pipeline: [{ $lookup: { from: "z", as: "q", pipeline: [] } }] } }, { $graphLookup: { from: "g" } }]).sort()).toEqual(["apps", "g", "x", "y", "z"]);
  });
});
