import fc from "fast-check";
import { ObjectId } from "bson";
import { describe, expect, it } from "vitest";
import { buildQuery, describeKey, keyId, numberOf, placeholderValues, startOfLocalDay, substitute, validateQuery } from "../../checks/custom-queries.ts";
import { oracleDay as dayOf } from "../support/countly-oracle.ts";
import { TIMEZONES } from "../../fixtures/generate.ts";
import { APP } from "../support/check-harness.ts";

const SEED = 6;
console.log(`custom-queries property test: fast-check seed ${SEED}`);

describe("placeholders", () => {
  it("give the app and the period, in the app's time zone", () => {
    const v = placeholderValues({ app: APP, period: { from: "2024-10-27", to: "2024-10-27" } });
    // Berlin leaves summer time on 2024-10-27: the day has 25 hours.
    expect(v).toMatchObject({ app_id: APP.id, app_name: "Shop", app_timezone: "Europe/Berlin", from_day: "2024-10-27", to_day: "2024-10-27" });
    expect(v.from_ms).toBe(Date.parse("2024-10-26T22:00:00Z"));
    expect(v.to_ms).toBe(Date.parse("2024-10-27T23:00:00Z"));
    expect(v.from_s).toBe((v.from_ms as number) / 1000);
  });

  it("have open ends when the period has none, and no app values for a database-wide case", () => {
    const v = placeholderValues({ period: {} });
    expect(v).toEqual({ from_day: "1970-01-01", to_day: "9999-12-31", from_ms: 0, to_ms: 8_640_000_000_000_000, from_s: 0, to_s: 8_640_000_000_000 });
    expect(new Date(v.to_ms as number).toISOString()).toBe("+275760-09-13T00:00:00.000Z");
  });

  it("from_ms is the first instant of the local day (property, every generator time zone)", () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.parse("2000-01-01"), max: Date.parse("2040-01-01") }), fc.constantFrom(...TIMEZONES), (ts, tz) => {
        const day = dayOf(tz, ts);
        const start = startOfLocalDay(day, tz);
        expect(start).toBeLessThanOrEqual(ts);
        expect(dayOf(tz, start)).toBe(day);
        expect(dayOf(tz, start - 1)).not.toBe(day);
      }),
      { seed: SEED, numRuns: 500 },
    );
  });

  it("are substituted in strings; a string that is only a placeholder keeps its type; $oid and $date become BSON values", () => {
    const values = placeholderValues({ app: APP, period: { from: "2024-10-01" } });
    const out = substitute(
      [{ $match: { a: "{app_id}", ts: { $gte: "{from_ms}" }, note: "app {app_name} from {from_day}", _id: { $oid: "{app_id}" }, cd: { $gte: { $date: "{from_ms}" } }, re: "a{2}" } }],
      values,
    ) as Record<string, any>[];
    const m = out[0]!.$match;
    expect(m.a).toBe(APP.id);
    expect(m.ts.$gte).toBe(values.from_ms);
    expect(m.note).toBe("app Shop from 2024-10-01");
    expect(m._id).toBeInstanceOf(ObjectId);
    expect((m._id as ObjectId).toHexString()).toBe(APP.id);
    expect(m.cd.$gte).toEqual(new Date(values.from_ms as number));
    expect(m.re).toBe("a{2}");
  });

  it("build the request: database and collection split at the first dot, period_field first", () => {
    const q = buildQuery(
      "rows",
      { collection: "countly.app_users{app_id}", pipeline: [{ $match: { ls: { $gte: "{from_s}" } } }], period_field: { field: "cd", unit: "date" } },
      { app: APP, period: { from: "2024-10-01", to: "2024-10-02" } },
      { keepRows: 5, maxDocuments: 9 },
    );
    expect(q).toMatchObject({ id: "rows", db: "countly", collection: `app_users${APP.id}`, keepRows: 5, maxDocuments: 9 });
    expect(q.pipeline[0]).toEqual({ $match: { cd: { $gte: new Date("2024-09-30T22:00:00Z"), $lt: new Date("2024-10-02T22:00:00Z") } } });
    expect(q.pipeline[1]).toEqual({ $match: { ls: { $gte: Date.parse("2024-09-30T22:00:00Z") / 1000 } } });
    // No period, no $match.
    expect(buildQuery("rows", { collection: "countly_drill.drill_events", pipeline: [], period_field: { field: "ts" } }, { period: {} }, { keepRows: 1, maxDocuments: 1 }).pipeline).toEqual([]);
  });
});

describe("validateQuery", () => {
  const issues = (pipeline: unknown[], collection = "countly.x", allowApp = true) => validateQuery({ collection, pipeline: pipeline as Record<string, unknown>[] }, [], allowApp);

  it("accepts an ordinary read-only pipeline", () => {
    expect(issues([{ $match: { a: "{app_id}" } }, { $group: { _id: "$e", n: { $sum: 1 } } }, { $sort: { n: -1 } }])).toEqual([]);
  });

  it("rejects $out and $merge anywhere, with the key's path", () => {
    expect(issues([{ $out: "x" }])).toEqual([{ path: ["pipeline", 0], key: "$out", message: expect.stringMatching(/read-only/) }]);
    expect(issues([{ $facet: { a: [{ $merge: { into: "y" } }] } }])[0]).toMatchObject({ path: ["pipeline", 0, "$facet", "a", 0], key: "$merge" });
    expect(issues([{ $lookup: { from: "y", as: "j", pipeline: [{ $out: "z" }] } }])[0]).toMatchObject({ key: "$out" });
  });

  it("names typos in stage names, unknown and unquoted placeholders, and bad $oid values", () => {
    expect(issues([{ $grup: {} }])[0]!.message).toBe("unknown stage $grup (did you mean $group?)");
    expect(issues([{ match: {} }])[0]!.message).toMatch(/starts with "\$" \(did you mean \$match\?\)/);
    expect(issues([{ $match: {}, $limit: 1 }])[0]!.message).toMatch(/exactly one key/);
    expect(issues([{ $match: { a: "{appid}" } }])[0]).toMatchObject({ path: ["pipeline", 0, "$match", "a"], message: expect.stringMatching(/^unknown placeholder \{appid\} \(known: \{app_id\}/) });
    expect(issues([{ $match: { ts: { $gte: { from_ms: null } } } }])[0]!.message).toMatch(/unquoted \{from_ms\} is a YAML mapping.*"\{from_ms\}" in quotes/);
    expect(issues([{ $match: { _id: { $oid: "nope" } } }])[0]!.message).toMatch(/not an ObjectId/);
    expect(issues([], "countly.app_users{app_id}", false)[0]).toMatchObject({ path: ["collection"], message: expect.stringMatching(/needs a per-app check/) });
    // A stage newer than our list is let through (the server decides).
    expect(issues([{ $someFutureStage: {} }])).toEqual([]);
  });
});

describe("values of returned documents", () => {
  it("reads numbers from BSON number types", () => {
    expect(numberOf(3)).toBe(3);
    expect(numberOf({ _bsontype: "Long", toString: () => "12" })).toBe(12);
    expect(numberOf("3")).toBeUndefined();
    expect(numberOf(Number.NaN)).toBeUndefined();
  });

  it("keys are equal whatever the order of their fields; described readably", () => {
    expect(keyId({ day: "2024-10-01", e: "Buy" })).toBe(keyId({ e: "Buy", day: "2024-10-01" }));
    expect(keyId({ id: new ObjectId(APP.id) })).toBe(keyId({ id: new ObjectId(APP.id) }));
    expect(keyId(1)).not.toBe(keyId("1"));
    expect(describeKey({ day: "2024-10-01", source: "Google Play", n: 2 })).toBe("day=2024-10-01, source=Google Play, n=2");
    expect(describeKey("Buy")).toBe("Buy");
  });
});

describe("placeholders in expression positions", () => {
  const dollarApp = { ...APP, name: "$country" };

  it("stand for values: an app named $country is a $literal in $project/$group/$expr, a plain value in $match", () => {
    const q = buildQuery(
      "rows",
      {
        collection: "countly.apps",
        pipeline: [
          { $match: { name: "{app_name}", $expr: { $eq: ["$name", "{app_name}"] } } },
          { $project: { label: "{app_name}", suffixed: "{app_name}!", path: "$name" } },
          { $facet: { a: [{ $group: { _id: "{app_name}" } }] } },
        ],
      },
      { app: dollarApp, period: {} },
      { keepRows: 5, maxDocuments: 9 },
    );
    const [match, project, facet] = q.pipeline as Record<string, any>[];
    expect(match!.$match.name).toBe("$country");
    expect(match!.$match.$expr.$eq).toEqual(["$name", { $literal: "$country" }]);
    expect(project!.$project).toEqual({ label: { $literal: "$country" }, suffixed: { $literal: "$country!" }, path: "$name" });
    expect(facet!.$facet.a[0].$group._id).toEqual({ $literal: "$country" });
  });

  it("so a true invariant holds on the in-memory engine: the app's own name equals {app_name}", async () => {
    const { runPipelinesByScanning } = await import("../../runner/sources/pipeline/scan.ts");
    const q = buildQuery(
      "rows",
      { collection: "countly.apps", pipeline: [{ $match: { $expr: { $ne: ["$name", "{app_name}"] } } }, { $project: { n: "{app_name}" } }] },
      { app: dollarApp, period: {} },
      { keepRows: 5, maxDocuments: 9 },
    );
    const docs = [{ _id: 1, name: "$country", country: "DE" }];
    const [out] = await runPipelinesByScanning([{ db: "countly", collection: "apps", pipeline: q.pipeline, keepRows: 5, maxDocuments: 9 }], async (_r, visit) => docs.forEach((d) => visit(d)), {
      sharedDocuments: false,
      describeError: (_r, e) => String(e),
    });
    expect(out).toEqual({ ok: true, rows: [], total: 0 });
  });
});
