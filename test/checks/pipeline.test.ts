import { describe, expect, it } from "vitest";
import { compareCount, COUNT_OPS, pipeline } from "../../checks/pipeline.ts";
import { withDefaults } from "../../checks/types.ts";
import { APP, evaluateWithResults } from "../support/check-harness.ts";

const BASE = { collection: "countly.events_data", pipeline: [{ $match: { a: "{app_id}" } }] };

describe("pipeline check", () => {
  it("expect: empty passes on no documents and reports each returned document", () => {
    expect(evaluateWithResults(pipeline, BASE, { rows: { rows: [], total: 0 } }).findings).toEqual([]);
    const out = evaluateWithResults(pipeline, BASE, {
      rows: {
        rows: [
          { _id: "x", event: "Buy", day: "2024-10-01", expected: 3, actual: 0, message: "count is 0" },
          { _id: { a: 1 }, day: "2024:10:1", n: 2 },
        ],
        total: 2,
      },
    });
    expect(out.findings).toEqual([
      { event: "Buy", day: "2024-10-01", expected: 3, actual: 0, message: "count is 0" },
      { message: 'returned {_id: {a: 1}, day: "2024:10:1", n: 2}' },
    ]);
  });

  it("counts the documents it does not keep (max_findings)", () => {
    const out = evaluateWithResults(pipeline, { ...BASE, max_findings: 1 }, { rows: { rows: [{ _id: 1 }], total: 40 } });
    expect(out.findings).toHaveLength(1);
    expect(out.total).toBe(40);
  });

  it("expect: count compares the number of documents with samples in the message", () => {
    const expect_ = { count: { op: ">=", value: 1 } };
    expect(evaluateWithResults(pipeline, { ...BASE, expect: expect_ }, { rows: { rows: [{ _id: 1 }], total: 1 } }).findings).toEqual([]);
    const fail = evaluateWithResults(pipeline, { ...BASE, expect: { count: { op: "<=", value: 0 } } }, { rows: { rows: [{ _id: 1 }, { _id: 2 }], total: 7 } });
    expect(fail.findings).toEqual([{ expected: "<= 0", actual: 7, message: "the pipeline returned 7 documents; expected a count <= 0, e.g. {_id: 1}; {_id: 2}" }]);
  });

  it("compares counts like the operators say", () => {
    const table: Record<string, [number, number, boolean][]> = {
      "==": [[1, 1, true], [1, 2, false]],
      "!=": [[1, 2, true], [2, 2, false], [3, 2, true]],
      "<": [[1, 2, true], [2, 2, false]],
      "<=": [[2, 2, true], [3, 2, false]],
      ">": [[3, 2, true], [2, 2, false]],
      ">=": [[2, 2, true], [1, 2, false]],
    };
    for (const op of COUNT_OPS) for (const [a, b, r] of table[op]!) expect(compareCount(a, op, b)).toBe(r);
  });

  it("is per app exactly when it uses {app_…} placeholders, unless per_app says", () => {
    const o = (extra: Record<string, unknown>) => withDefaults<any>(pipeline.meta, { ...BASE, ...extra });
    expect(pipeline.perApp!(o({}))).toBe(true);
    expect(pipeline.perApp!(o({ pipeline: [{ $match: { ts: { $gte: "{from_ms}" } } }] }))).toBe(false);
    expect(pipeline.perApp!(o({ per_app: true, pipeline: [] }))).toBe(true);
    expect(pipeline.perApp!(o({ per_app: false, collection: "countly.apps", pipeline: [] }))).toBe(false);
  });

  it("declares one query, keeping max_findings documents (3 samples for a count)", () => {
    const q = pipeline.queries!(withDefaults<any>(pipeline.meta, BASE), { app: APP, period: {} });
    expect(q).toEqual([{ id: "rows", db: "countly", collection: "events_data", pipeline: [{ $match: { a: APP.id } }], keepRows: 100, maxDocuments: 1_000_000 }]);
    expect(pipeline.queries!(withDefaults<any>(pipeline.meta, { ...BASE, expect: { count: { op: "==", value: 0 } } }), { app: APP, period: {} })[0]!.keepRows).toBe(3);
  });

  it("a failed count: singular wording, no samples without rows, samples cut at 160 characters", () => {
    const count = (op: string, value: number, rows: Record<string, unknown>[], total: number) => evaluateWithResults(pipeline, { ...BASE, expect: { count: { op, value } } }, { rows: { rows, total } }).findings;
    expect(count("==", 0, [{ _id: 1 }], 1)).toEqual([{ expected: "== 0", actual: 1, message: "the pipeline returned 1 document; expected a count == 0, e.g. {_id: 1}" }]);
    expect(count(">", 0, [], 0)).toEqual([{ expected: "> 0", actual: 0, message: "the pipeline returned 0 documents; expected a count > 0" }]);
    const long = count("<", 1, [{ _id: "x".repeat(300) }], 1)[0]!.message;
    expect(long).toBe(`the pipeline returned 1 document; expected a count < 1, e.g. {_id: "${"x".repeat(152)}…`);
  });

  it("a returned document: its own non-empty message, else the document; expected and actual from its fields as given", () => {
    const out = evaluateWithResults(pipeline, BASE, {
      rows: { rows: [{ _id: 1, message: "", expected: "x", actual: 0 }, { _id: 2, message: 7, segment: "plan", field: "c" }, { _id: 3 }], total: 3 },
    });
    expect(out.findings).toEqual([
      { expected: "x", actual: 0, message: 'returned {_id: 1, message: "", expected: "x", actual: 0}' },
      { segment: "plan", field: "c", message: "returned {_id: 2, message: 7, segment: \"plan\", field: \"c\"}" },
      { message: "returned {_id: 3}" },
    ]);
    expect(out.total).toBe(3);
  });

  it("expect: empty is the default, and a count keeps up to 3 samples, fewer when max_findings is lower", () => {
    const q = (extra: Record<string, unknown>) => pipeline.queries!(withDefaults<any>(pipeline.meta, { ...BASE, ...extra }), { app: APP, period: {} })[0]!.keepRows;
    expect(q({ max_findings: 7 })).toBe(7);
    expect(q({ expect: { count: { op: "==", value: 0 } }, max_findings: 2 })).toBe(2);
    expect(evaluateWithResults(pipeline, BASE, { rows: { rows: [{ _id: 1 }], total: 1 } }).findings).toHaveLength(1);
  });

  it("is an internal error without its result, and validates the query at load time", () => {
    expect(() => evaluateWithResults(pipeline, BASE, {})).toThrow("the pipeline's result is missing (internal error)");
    expect(pipeline.validate!(withDefaults<any>(pipeline.meta, { ...BASE, pipeline: [{ $out: "x" }] }))).toEqual([{ path: ["pipeline", 0], key: "$out", message: expect.stringMatching(/read-only/) }]);
    expect(pipeline.validate!(withDefaults<any>(pipeline.meta, { ...BASE, per_app: false }))).toEqual([{ path: ["pipeline", 0, "$match", "a"], message: "{app_id} needs a per-app check (per_app is false)" }]);
  });

  it("with per_app auto, {app_id} makes it per app and is valid; it reads the data through its query only (no facts)", () => {
    expect(pipeline.validate!(withDefaults<any>(pipeline.meta, BASE))).toEqual([]);
    expect(pipeline.needs(withDefaults<any>(pipeline.meta, BASE))).toEqual([]);
  });
});
