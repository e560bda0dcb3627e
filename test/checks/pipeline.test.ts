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
      "!=": [[1, 2, true], [2, 2, false]],
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
});
