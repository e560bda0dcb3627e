import { describe, expect, it } from "vitest";
import { countersAreNumbers } from "../../checks/counters-are-numbers.ts";
import type { CounterCollectionKind, CounterProblem, CounterProblemsFact } from "../../runner/facts/types.ts";
import { APP, evaluate } from "../support/check-harness.ts";

const a = APP.id;
const problem = (kind: CounterCollectionKind, extra: Partial<CounterProblem>): CounterProblem => ({
  app: a,
  kind,
  collection: `countly.${kind === "events" ? "events_data" : kind}`,
  id: `${a}_x`,
  path: "d.27.c",
  value: '"3"',
  problem: "string",
  period: "2024:10",
  day: "2024-10-27",
  ...extra,
});
const scannedAll = (["events", "users", "sources", "metrics", "views"] as const).map((kind) => ({ app: a, kind, docs: 10 }));
const facts = (rows: CounterProblem[], extra: Partial<CounterProblemsFact> = {}) => ({ counterProblems: { rows, omitted: [], scanned: scannedAll, ...extra } });

describe("counters-are-numbers", () => {
  it("passes when no counter is broken, and ignores other apps", () => {
    expect(evaluate(countersAreNumbers, {}, facts([{ ...problem("events", {}), app: "other" }]))).toEqual({ findings: [], skipped: undefined });
  });

  it("names the collection, the document _id, the path and the value, with the likely cause", () => {
    const out = evaluate(countersAreNumbers, {}, facts([
      problem("events", { id: `${a}_h_no-segment_2024:10`, path: "d.27.14.c" }),
      problem("users", { collection: "countly.users", path: "d.27.t", value: "-2", problem: "negative" }),
      problem("views", { collection: "countly.app_viewdata", path: "d.27.3.t", value: "NaN", problem: "NaN" }),
    ]));
    expect(out.findings).toEqual([
      { day: "2024-10-27", field: "d.27.14.c", expected: "a finite number >= 0", actual: '"3"', message: expect.stringMatching(new RegExp(`^countly\\.events_data _id "${a}_h_no-segment_2024:10": d\\.27\\.14\\.c = "3", a string: .*stringified numbers`)) },
      expect.objectContaining({ field: "d.27.t", actual: "-2", message: expect.stringMatching(/^countly\.users _id .*: d\.27\.t = -2, negative: a repair or merge subtracted/) }),
      expect.objectContaining({ field: "d.27.3.t", actual: "NaN", message: expect.stringMatching(/^countly\.app_viewdata .*NaN: arithmetic on a missing or non-numeric value/) }),
    ]);
  });

  it("honours collections and allow_negative, and counts what the fact left out", () => {
    const rows = [problem("events", {}), problem("users", { value: "-1", problem: "negative" })];
    expect(evaluate(countersAreNumbers, { collections: ["users"] }, facts(rows)).findings.map((f) => f.actual)).toEqual(["-1"]);
    expect(evaluate(countersAreNumbers, { allow_negative: true }, facts(rows)).findings.map((f) => f.actual)).toEqual(['"3"']);
    const out = evaluate(countersAreNumbers, {}, facts([], { omitted: [{ app: a, kind: "sources", collection: "countly.sources", problem: "string", count: 250 }] }));
    expect(out.findings).toEqual([expect.objectContaining({ actual: "250 more", message: expect.stringMatching(/^countly\.sources: 250 more counters with the problem "string"/) })]);
  });

  it("leaves negative event sums (refunds) alone unless negative_sums is fail", () => {
    const rows = [problem("events", { path: "d.27.s", value: "-9.99", problem: "negative sum" })];
    const omitted = [{ app: a, kind: "events" as const, collection: "countly.events_data", problem: "negative sum" as const, count: 7 }];
    expect(evaluate(countersAreNumbers, {}, facts(rows, { omitted })).findings).toEqual([]);
    expect(evaluate(countersAreNumbers, { negative_sums: "fail" }, facts(rows, { omitted })).findings.map((f) => f.actual)).toEqual(["-9.99", "7 more"]);
    expect(evaluate(countersAreNumbers, { negative_sums: "fail", allow_negative: true }, facts(rows, { omitted })).findings).toEqual([]);
  });

  it("names the views aggregator as a possible source of a broken scroll value", () => {
    const out = evaluate(countersAreNumbers, {}, facts([problem("views", { collection: "countly.app_viewdata", path: "d.27.3.scr", value: "NaN", problem: "NaN" })]));
    expect(out.findings[0]!.message).toMatch(/the views aggregator itself, from a non-numeric or negative scroll position/);
  });

  it("limits year documents to the period's years (month documents are limited by day in the fact)", () => {
    const zero = problem("users", { id: `${a}_2023:0_x`, path: "d.u", period: "2023:0", day: undefined });
    expect(evaluate(countersAreNumbers, {}, facts([zero]), { from: "2024-01-01" }).findings).toEqual([]);
    expect(evaluate(countersAreNumbers, {}, facts([zero]), { from: "2023-06-01", to: "2024-01-31" }).findings).toHaveLength(1);
    expect(evaluate(countersAreNumbers, {}, facts([zero])).findings[0]).not.toHaveProperty("day");
  });

  it("skips when no aggregated document of the chosen kinds was read", () => {
    expect(evaluate(countersAreNumbers, {}, facts([], { scanned: [] })).skipped).toBe("no aggregated documents (events, users, sources, metrics, views) for this app");
    expect(evaluate(countersAreNumbers, { collections: ["views"] }, facts([], { scanned: [{ app: a, kind: "events", docs: 3 }] })).skipped).toMatch(/no aggregated documents \(views\)/);
  });
});
