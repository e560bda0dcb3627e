import fc from "fast-check";
import { Decimal128, Double, Int32, Long, ObjectId } from "bson";
import { beforeAll, describe, expect, it } from "vitest";
import {
  buildQuery,
  describeKey,
  describeValue,
  findingFields,
  findingValue,
  keyId,
  numberOf,
  perAppOf,
  PIPELINE_SCHEMA,
  PLACEHOLDERS,
  placeholderValues,
  splitCollection,
  startOfLocalDay,
  substitute,
  substitutePipeline,
  substituteText,
  usesAppPlaceholders,
  validateQuery,
} from "../../checks/custom-queries.ts";
import { oracleDay as dayOf } from "../support/countly-oracle.ts";
import { TIMEZONES } from "../../fixtures/generate.ts";
import { APP } from "../support/check-harness.ts";

const SEED = 6;
console.log(`custom-queries property test: fast-check seed ${SEED}`);

describe("placeholders", () => {
  it("are each described where users read the pipeline option (schema, docs/checks.md), with what they stand for", () => {
    for (const [name, what] of Object.entries(PLACEHOLDERS)) expect(PIPELINE_SCHEMA.description).toContain(`{${name}} (${what})`);
    expect(Object.keys(placeholderValues({ app: APP, period: {} })).sort()).toEqual(Object.keys(PLACEHOLDERS).sort());
  });

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

describe("placeholder values, exactly", () => {
  it("give app_key (empty without one), seconds rounded outwards, and UTC days for a database-wide case", () => {
    const keyed = placeholderValues({ app: { ...APP, key: "k123" }, period: {} });
    expect(keyed).toMatchObject({ app_key: "k123", app_name: "Shop", app_timezone: "Europe/Berlin" });
    expect(placeholderValues({ app: APP, period: {} }).app_key).toBe("");
    const whole = placeholderValues({ period: { from: "2024-10-01", to: "2024-10-01" } });
    expect(whole).toEqual({ from_day: "2024-10-01", to_day: "2024-10-01", from_ms: Date.UTC(2024, 9, 1), to_ms: Date.UTC(2024, 9, 2), from_s: Date.UTC(2024, 9, 1) / 1000, to_s: Date.UTC(2024, 9, 2) / 1000 });
    // Asia/Kathmandu is UTC+05:45.
    const ktm = placeholderValues({ app: { ...APP, timezone: "Asia/Kathmandu" }, period: { from: "2024-10-01", to: "2024-10-01" } });
    expect(ktm.from_ms).toBe(Date.parse("2024-09-30T18:15:00Z"));
    expect(ktm.to_ms).toBe(Date.parse("2024-10-01T18:15:00Z"));
  });

  it("start a day whose midnight DST skips or repeats at its first instant", () => {
    // America/Santiago springs forward at 2024-09-08 00:00 -04 to 01:00 -03 (the day starts at 04:00Z),
    // and falls back at 2024-04-07 00:00 -03 to 23:00 -04 of the day before (the day starts at 04:00Z).
    expect(startOfLocalDay("2024-09-08", "America/Santiago")).toBe(Date.parse("2024-09-08T04:00:00Z"));
    expect(startOfLocalDay("2024-09-09", "America/Santiago")).toBe(Date.parse("2024-09-09T03:00:00Z"));
    expect(startOfLocalDay("2024-04-07", "America/Santiago")).toBe(Date.parse("2024-04-07T04:00:00Z"));
    // Asia/Beirut springs forward at 2024-03-31 00:00 +02 to 01:00 +03.
    expect(startOfLocalDay("2024-03-31", "Asia/Beirut")).toBe(Date.parse("2024-03-30T22:00:00Z"));
  });

  it("start every day of 2024 at its first instant in zones whose DST changes at midnight (Intl as the reference)", () => {
    for (const tz of ["America/Santiago", "America/Havana", "America/Asuncion", "Asia/Beirut", "Africa/Cairo", "Europe/Berlin"]) {
      for (let d = Date.UTC(2024, 0, 1); d < Date.UTC(2025, 0, 1); d += 86_400_000) {
        const day = new Date(d).toISOString().slice(0, 10);
        const start = startOfLocalDay(day, tz);
        expect(dayOf(tz, start), `${tz} ${day}`).toBe(day);
        expect(dayOf(tz, start - 1), `${tz} ${day}`).not.toBe(day);
      }
    }
  });
});

describe("substitute, exactly", () => {
  // Computed in beforeAll, not while collecting: a throw there must fail tests, not the file's collection.
  let values: Record<string, string | number>;
  beforeAll(() => {
    values = placeholderValues({ app: { ...APP, name: "$country" }, period: { from: "2024-10-01" } });
  });

  it("leaves unknown placeholders as they are, whole or inside a text", () => {
    expect(substituteText("{nope}", values)).toBe("{nope}");
    expect(substituteText("x {nope} {from_day}", values)).toBe("x {nope} 2024-10-01");
    expect(substituteText("{from_ms}", values)).toBe(values.from_ms);
    expect(substituteText("{from_ms}s", values)).toBe(`${values.from_ms}s`);
  });

  it("wraps in $literal only a substituted text that reads as a field path, only in expressions", () => {
    expect(substitute("{app_name}", values, "expression")).toEqual({ $literal: "$country" });
    expect(substitute("{app_name}", values, "query")).toBe("$country");
    expect(substitute("{app_name}", values)).toBe("$country");
    expect(substitute("$name", values, "expression")).toBe("$name");
    expect(substitute("{from_ms}", values, "expression")).toBe(values.from_ms);
    expect(substitute({ $literal: "{app_name}" }, values, "expression")).toEqual({ $literal: "$country" });
    expect(substitute({ $expr: { $eq: ["$n", "{app_name}"] } }, values, "query")).toEqual({ $expr: { $eq: ["$n", { $literal: "$country" }] } });
    expect(substitute([1, null, true, "{from_day}"], values)).toEqual([1, null, true, "2024-10-01"]);
  });

  it("turns { $oid } and { $date } into BSON values, and names a malformed one", () => {
    expect(substitute({ $oid: "65F0A1B2C3D4E5F6A7B8C9D0" }, values)).toEqual(new ObjectId("65f0a1b2c3d4e5f6a7b8c9d0"));
    expect(() => substitute({ $oid: 12 }, values)).toThrow("{ $oid: 12 } is not an ObjectId (24 hex characters)");
    expect(() => substitute({ $oid: "65f0a1b2c3d4e5f6a7b8c9d0a" }, values)).toThrow('{ $oid: "65f0a1b2c3d4e5f6a7b8c9d0a" } is not an ObjectId (24 hex characters)');
    expect(() => substitute({ $oid: "x65f0a1b2c3d4e5f6a7b8c9d" }, values)).toThrow(/is not an ObjectId/);
    expect(substitute({ $date: "2024-10-01T00:00:00Z" }, values)).toEqual(new Date(Date.UTC(2024, 9, 1)));
    expect(substitute({ $date: 86_400_000 }, values)).toEqual(new Date(86_400_000));
    expect(() => substitute({ $date: "yesterday" }, values)).toThrow('{ $date: "yesterday" } is not a date (ISO 8601 text or epoch milliseconds)');
    expect(() => substitute({ $date: true }, values)).toThrow("{ $date: true } is not a date (ISO 8601 text or epoch milliseconds)");
    // With another key next to it, it is an ordinary mapping.
    expect(substitute({ $oid: "x", other: 1 }, values)).toEqual({ $oid: "x", other: 1 });
    expect(substitute({ $date: "x", other: 1 }, values)).toEqual({ $date: "x", other: 1 });
  });
});

describe("substitutePipeline", () => {
  let values: Record<string, string | number>;
  beforeAll(() => {
    values = placeholderValues({ app: { ...APP, name: "$country" }, period: {} });
  });
  const L = { $literal: "$country" };

  it("treats query stages as queries and every other stage as expressions", () => {
    const out = substitutePipeline(
      [{ $match: { n: "{app_name}" } }, { $sort: { "{app_name}": 1 } }, { $unwind: "{app_name}" }, { $count: "{app_name}" }, { $set: { n: "{app_name}" } }, { $group: { _id: "{app_name}" } }],
      values,
    );
    expect(out).toEqual([{ $match: { n: "$country" } }, { $sort: { "{app_name}": 1 } }, { $unwind: "$country" }, { $count: "$country" }, { $set: { n: L } }, { $group: { _id: L } }]);
  });

  it("handles sub-pipelines: $facet, $lookup (let and pipeline as expressions, the rest as values), $unionWith, $graphLookup startWith", () => {
    const out = substitutePipeline(
      [
        { $facet: { a: [{ $match: { n: "{app_name}" } }, { $project: { n: "{app_name}" } }] } },
        { $lookup: { from: "apps{app_id}", as: "{app_name}", let: { x: "{app_name}" }, pipeline: [{ $match: { n: "{app_name}" } }, { $addFields: { y: "{app_name}" } }] } },
        { $unionWith: { coll: "{app_name}", pipeline: [{ $project: { z: "{app_name}" } }] } },
        { $graphLookup: { from: "x", startWith: "{app_name}", connectFromField: "{app_name}" } },
      ],
      values,
    );
    expect(out).toEqual([
      { $facet: { a: [{ $match: { n: "$country" } }, { $project: { n: L } }] } },
      { $lookup: { from: `apps${APP.id}`, as: "$country", let: { x: L }, pipeline: [{ $match: { n: "$country" } }, { $addFields: { y: L } }] } },
      { $unionWith: { coll: "$country", pipeline: [{ $project: { z: L } }] } },
      { $graphLookup: { from: "x", startWith: L, connectFromField: "$country" } },
    ]);
  });

  it("passes malformed stages through substituted (validation reports them)", () => {
    expect(substitutePipeline("{app_name}", values)).toBe("$country");
    expect(substitutePipeline(["{app_name}", null, [1]], values)).toEqual(["$country", null, [1]]);
    expect(substitutePipeline([{ $facet: "{app_name}" }, { $lookup: ["{app_name}"] }], values)).toEqual([{ $facet: L }, { $lookup: [L] }]);
  });
});

describe("buildQuery and the period", () => {
  const q = (period: { from?: string; to?: string }, unit?: "ms" | "s" | "date", collection = "countly.app_users.v2") =>
    buildQuery("rows", { collection, pipeline: [], period_field: { field: "ls", ...(unit ? { unit } : {}) } }, { period }, { keepRows: 1, maxDocuments: 1 });

  it("limits by the period field in its unit (ms by default, seconds, dates), only on the ends the period has", () => {
    const from = Date.UTC(2024, 9, 1);
    const to = Date.UTC(2024, 9, 3);
    expect(q({ from: "2024-10-01", to: "2024-10-02" }).pipeline).toEqual([{ $match: { ls: { $gte: from, $lt: to } } }]);
    expect(q({ from: "2024-10-01", to: "2024-10-02" }, "s").pipeline).toEqual([{ $match: { ls: { $gte: from / 1000, $lt: to / 1000 } } }]);
    expect(q({ from: "2024-10-01" }, "date").pipeline).toEqual([{ $match: { ls: { $gte: new Date(from) } } }]);
    expect(q({ to: "2024-10-02" }, "ms").pipeline).toEqual([{ $match: { ls: { $lt: to } } }]);
  });

  it("splits database and collection at the first dot only", () => {
    expect(q({})).toMatchObject({ db: "countly", collection: "app_users.v2", pipeline: [] });
    expect(splitCollection("countly_drill.drill_events")).toEqual({ db: "countly_drill", collection: "drill_events" });
  });
});

describe("per app", () => {
  it("auto: per app exactly when the collection or any string of the pipeline names an {app_…} placeholder", () => {
    expect(usesAppPlaceholders({ collection: "countly.app_users{app_id}", pipeline: [] })).toBe(true);
    expect(usesAppPlaceholders({ collection: "countly.x", pipeline: [{ $match: { $or: [{ tz: "x" }, { tz: "{app_timezone}" }] } }] })).toBe(true);
    expect(usesAppPlaceholders({ collection: "countly.x", pipeline: [{ $match: { k: "key {app_key}" } }] })).toBe(true);
    expect(usesAppPlaceholders({ collection: "countly.x", pipeline: [{ $match: { ts: { $gte: "{from_ms}" }, n: 1, z: null } }] })).toBe(false);
    expect(perAppOf("auto", [{ collection: "countly.x", pipeline: [] }, { collection: "countly.y", pipeline: [{ $match: { a: "{app_id}" } }] }])).toBe(true);
    expect(perAppOf("auto", [{ collection: "countly.x", pipeline: [] }])).toBe(false);
    expect(perAppOf(false, [{ collection: "countly.app_users{app_id}", pipeline: [] }])).toBe(false);
    expect(perAppOf(true, [{ collection: "countly.x", pipeline: [] }])).toBe(true);
  });
});

describe("validateQuery, exactly", () => {
  const issues = (pipeline: unknown[], allowApp = true, collection = "countly.x") => validateQuery({ collection, pipeline: pipeline as Record<string, unknown>[] }, ["left"], allowApp);

  it("says what a stage must be, with the path under the given base", () => {
    const shape = "expected a stage: a mapping with one `$stage` key, e.g. `$match: {…}`";
    expect(issues(["$match", null, [{ $match: {} }]])).toEqual([
      { path: ["left", "pipeline", 0], message: shape },
      { path: ["left", "pipeline", 1], message: shape },
      { path: ["left", "pipeline", 2], message: shape },
    ]);
    expect(issues([{}])).toEqual([{ path: ["left", "pipeline", 0], message: "a stage has exactly one key (got none); put each stage in its own list item" }]);
    expect(issues([{ $match: {}, $limit: 1 }])[0]!.message).toBe("a stage has exactly one key (got $match, $limit); put each stage in its own list item");
    expect(issues([{ group: {} }])).toEqual([{ path: ["left", "pipeline", 0], key: "group", message: 'a stage name starts with "$" (did you mean $group?)' }]);
  });

  it("suggests every stage within two edits, and checks stages inside $facet, $lookup and $unionWith", () => {
    expect(issues([{ $sett: {} }])[0]).toEqual({ path: ["left", "pipeline", 0], key: "$sett", message: "unknown stage $sett (did you mean $set or $sort?)" });
    expect(issues([{ $MATCH: {} }])[0]!.message).toBe("unknown stage $MATCH (did you mean $match?)");
    expect(issues([{ $facet: { a: [{ $grup: {} }] } }])[0]).toMatchObject({ path: ["left", "pipeline", 0, "$facet", "a", 0], key: "$grup" });
    expect(issues([{ $lookup: { from: "y", as: "j", pipeline: [{ $grup: {} }] } }])[0]).toMatchObject({ path: ["left", "pipeline", 0, "$lookup", "pipeline", 0], key: "$grup" });
    expect(issues([{ $unionWith: { coll: "y", pipeline: [{ $grup: {} }] } }])[0]).toMatchObject({ path: ["left", "pipeline", 0, "$unionWith", "pipeline", 0], key: "$grup" });
    expect(issues([{ $unionWith: "y" }, { $facet: { a: "x" } }])).toEqual([]);
  });

  it("without per-app cases: {app_…} placeholders need a per-app check, and are not offered as known", () => {
    expect(issues([{ $match: { a: "{app_id}" } }], false)).toEqual([{ path: ["left", "pipeline", 0, "$match", "a"], message: "{app_id} needs a per-app check (per_app is false)" }]);
    expect(issues([{ $match: { a: "{nope}" } }], false)[0]!.message).toBe("unknown placeholder {nope} (known: {from_day}, {to_day}, {from_ms}, {to_ms}, {from_s}, {to_s})");
    expect(issues([], true, "countly.x{nope}")).toEqual([{ path: ["left", "collection"], message: expect.stringMatching(/^unknown placeholder \{nope\} \(known: \{app_id\}, \{app_name\}, \{app_key\}, \{app_timezone\}, \{from_day\}/) }]);
    expect(issues([{ $match: { a: "{app_id} and {from_day}" } }], true)).toEqual([]);
  });

  it("leaves $literal alone, reports bad $date values, and unquoted placeholders only as a one-key null mapping", () => {
    expect(issues([{ $project: { x: { $literal: "{nope}" } } }])).toEqual([]);
    expect(issues([{ $match: { cd: { $gte: { $date: "soon" } } } }])).toEqual([{ path: ["left", "pipeline", 0, "$match", "cd", "$gte"], message: '{ $date: "soon" } is not a date (ISO 8601 text or epoch milliseconds)' }]);
    expect(issues([{ $match: { cd: { $gte: { $date: "{from_ms}" } } } }])).toEqual([]);
    expect(issues([{ $match: { ts: { from_ms: 1 } } }])).toEqual([]);
    expect(issues([{ $match: { ts: { from_ms: null, to_ms: null } } }])).toEqual([]);
    expect(issues([{ $match: { ts: { nope: null } } }])).toEqual([]);
    expect(issues([{ $match: { ts: { $gte: { from_ms: null } } } }])).toEqual([
      { path: ["left", "pipeline", 0, "$match", "ts", "$gte"], message: 'unquoted {from_ms} is a YAML mapping, not a placeholder: write "{from_ms}" in quotes' },
    ]);
  });
});

describe("returned values", () => {
  it("numbers: JavaScript and BSON numbers, finite only", () => {
    expect(numberOf(BigInt(12))).toBe(12);
    expect(numberOf(Long.fromNumber(7))).toBe(7);
    expect(numberOf(new Int32(5))).toBe(5);
    expect(numberOf(new Double(2.5))).toBe(2.5);
    expect(numberOf(Decimal128.fromString("1.25"))).toBe(1.25);
    expect(numberOf(Decimal128.fromString("NaN"))).toBeUndefined();
    expect(numberOf(Number.POSITIVE_INFINITY)).toBeUndefined();
    expect(numberOf(null)).toBeUndefined();
    expect(numberOf(new ObjectId(APP.id))).toBeUndefined();
    expect(numberOf(true)).toBeUndefined();
  });

  it("texts: quoted strings, ISO dates, hex ids, BSON numbers, arrays and mappings; cut at max with an ellipsis", () => {
    expect(describeValue(undefined)).toBe("undefined");
    expect(describeValue(null)).toBe("null");
    expect(describeValue(false)).toBe("false");
    expect(describeValue('say "hi"')).toBe('"say \\"hi\\""');
    expect(describeValue(new Date(Date.UTC(2024, 9, 1)))).toBe("2024-10-01T00:00:00.000Z");
    expect(describeValue(new Date(Number.NaN))).toBe("Invalid Date");
    expect(describeValue(new ObjectId(APP.id))).toBe(APP.id);
    expect(describeValue(Long.fromNumber(42))).toBe("42");
    expect(describeValue({ a: [1, "x", { b: null }] })).toBe('{a: [1, "x", {b: null}]}');
    expect(describeValue(BigInt(3))).toBe("3");
    expect(describeValue("x".repeat(10), 5)).toBe('"xxx…');
    expect(describeValue("xxx", 5)).toBe('"xxx"');
    expect(describeValue("x".repeat(300))).toHaveLength(200);
  });

  it("keys: mappings as k=v (strings bare), scalars, dates and ids as text; empty mappings as {}", () => {
    expect(describeKey({ day: "2024-10-01", n: { x: 1 } })).toBe("day=2024-10-01, n={x: 1}");
    expect(describeKey({})).toBe("{}");
    expect(describeKey(new Date(Date.UTC(2024, 9, 1)))).toBe("2024-10-01T00:00:00.000Z");
    expect(describeKey(new ObjectId(APP.id))).toBe(APP.id);
    expect(describeKey(null)).toBe("null");
    expect(describeKey(["a", 1])).toBe('["a", 1]');
    expect(describeKey({ v: "y".repeat(100) })).toBe(`v=${"y".repeat(100)}`);
    expect(describeKey({ v: ["y".repeat(100)] })).toBe(`v=["${"y".repeat(77)}…`);
    expect(describeKey(["y".repeat(200)])).toHaveLength(120);
  });

  it("key identity: equal for equal values of BSON types and nested fields in any order; arrays keep their order", () => {
    expect(keyId(new Date(5))).toBe(keyId(new Date(5)));
    expect(keyId(new Date(5))).not.toBe(keyId(new Date(6)));
    expect(keyId(new Date(5))).not.toBe(keyId(new Date(5).toISOString()));
    expect(keyId(new ObjectId(APP.id))).not.toBe(keyId(APP.id));
    expect(keyId(Long.fromNumber(3))).toBe(keyId(Long.fromNumber(3)));
    expect(keyId(Long.fromNumber(3))).not.toBe(keyId(3));
    expect(keyId(Long.fromNumber(3))).not.toBe(keyId(new Int32(3)));
    expect(keyId({ a: { y: 1, x: 2 } })).toBe(keyId({ a: { x: 2, y: 1 } }));
    expect(keyId([1, 2])).not.toBe(keyId([2, 1]));
    expect(keyId([{ b: 1, a: 2 }])).toBe(keyId([{ a: 2, b: 1 }]));
    expect(keyId(undefined)).toBe(keyId(null));
    expect(keyId({ a: undefined })).toBe(keyId({ a: null }));
  });

  it("finding fields: event, a YYYY-MM-DD day, segment and field when they are strings", () => {
    expect(findingFields({ event: "Buy", day: "2024-10-01", segment: "country", field: "c", other: 1 })).toEqual({ event: "Buy", day: "2024-10-01", segment: "country", field: "c" });
    expect(findingFields({ event: 1, day: "2024:10:1", segment: null, field: ["c"] })).toEqual({});
    expect(findingFields(undefined)).toEqual({});
    expect(findingFields(["Buy"] as unknown as Record<string, unknown>)).toEqual({});
  });

  it("finding values: numbers and strings as they are, BSON numbers as numbers, the rest as text", () => {
    expect(findingValue(undefined)).toBeUndefined();
    expect(findingValue(0)).toBe(0);
    expect(findingValue("")).toBe("");
    expect(findingValue(Long.fromNumber(9))).toBe(9);
    expect(findingValue({ a: 1 })).toBe("{a: 1}");
    expect(findingValue(null)).toBe("null");
    expect(findingValue(["z".repeat(200)])).toHaveLength(120);
  });
});
