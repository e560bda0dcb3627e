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

  it.each([
    ["string", "a string: written by an import or script that stringified numbers (mongoimport of CSV/JSON, a bad merge); `$inc` on it fails and the dashboard concatenates instead of adding"],
    ["negative", "negative: a repair or merge subtracted more than was there (a rollback of a rollback?)"],
    ["negative sum", "a negative event sum: legitimate when the SDK sends negative sums (refunds), otherwise a repair or merge subtracted more than was there"],
    ["NaN", "NaN: arithmetic on a missing or non-numeric value in a merge or repair script; every sum it enters becomes NaN"],
    ["infinite", "infinite: a division or overflow in a merge or repair script"],
    ["null", "null: a field unset or overwritten by a bad merge; `$inc` on it fails"],
    ["boolean", "a boolean: overwritten by a bad merge or manual edit"],
    ["array", "an array: overwritten by a bad merge or manual edit"],
    ["not a number", "not a number: overwritten by a bad merge or manual edit"],
  ] as const)("says what a %s counter means", (kind, why) => {
    const out = evaluate(countersAreNumbers, { negative_sums: "fail" }, facts([problem("events", { id: "x1", path: "d.27.c", value: "v", problem: kind })]));
    expect(out.findings).toEqual([{ day: "2024-10-27", field: "d.27.c", expected: "a finite number >= 0", actual: "v", message: `countly.events_data _id "x1": d.27.c = v, ${why}` }]);
  });

  it("by default checks every kind of aggregated data, and fails negative counters", () => {
    const rows = (["events", "users", "sources", "metrics", "views"] as const).map((kind) => problem(kind, { value: "-1", problem: "negative" }));
    expect(evaluate(countersAreNumbers, {}, facts(rows)).findings).toHaveLength(5);
    expect(evaluate(countersAreNumbers, {}, facts([], { scanned: [{ app: a, kind: "metrics", docs: 1 }] }))).toEqual({ findings: [], skipped: undefined });
  });

  it("counts left-out counters only of the chosen kinds, and not negative ones when negatives are allowed", () => {
    const omitted = [
      { app: a, kind: "sources" as const, collection: "countly.sources", problem: "negative" as const, count: 3 },
      { app: a, kind: "users" as const, collection: "countly.users", problem: "string" as const, count: 4 },
    ];
    expect(evaluate(countersAreNumbers, { collections: ["users"] }, facts([], { omitted })).findings.map((f) => f.actual)).toEqual(["4 more"]);
    expect(evaluate(countersAreNumbers, { allow_negative: true }, facts([], { omitted })).findings.map((f) => f.actual)).toEqual(["4 more"]);
    expect(evaluate(countersAreNumbers, {}, facts([], { omitted })).findings).toEqual([
      { expected: "a finite number >= 0", actual: "3 more", message: 'countly.sources: 3 more counters with the problem "negative" (only the first ones are listed): a whole collection merged or imported badly?' },
      expect.objectContaining({ actual: "4 more" }),
    ]);
  });

  it("year documents: in the period when their year is from the period's first to its last year, whichever end is open", () => {
    const year = (y: number) => problem("users", { id: `${a}_${y}:0_x`, path: "d.u", period: `${y}:0`, day: undefined });
    const judged = (period: { from?: string; to?: string }) => evaluate(countersAreNumbers, {}, facts([year(2022), year(2023), year(2024), year(2025)]), period).findings.map((f) => /_(\d{4}):0_x/.exec(f.message)![1]);
    expect(judged({ from: "2023-12-31", to: "2024-01-01" })).toEqual(["2023", "2024"]);
    expect(judged({ to: "2023-05-01" })).toEqual(["2022", "2023"]);
    expect(judged({ from: "2025-05-01" })).toEqual(["2025"]);
    // A month document (period without ":0") is the fact's business, even without a day.
    expect(evaluate(countersAreNumbers, {}, facts([problem("users", { period: "2022:5", day: undefined })]), { from: "2024-01-01" }).findings).toHaveLength(1);
  });

  it("names the views aggregator only for the scroll value of views data", () => {
    const scr = (kind: "views" | "events", path: string) => evaluate(countersAreNumbers, {}, facts([problem(kind, { path, value: "NaN", problem: "NaN" })])).findings[0]!.message;
    expect(scr("views", "d.27.3.scr")).toMatch(/, NaN: arithmetic on a missing or non-numeric value in a merge or repair script; every sum it enters becomes NaN \(for `scr` also the views aggregator itself, from a non-numeric or negative scroll position an SDK sent\)$/);
    expect(scr("events", "d.27.scr")).not.toMatch(/views aggregator/);
    expect(scr("views", "d.27.3.t")).not.toMatch(/views aggregator/);
  });

  it("skips when the documents read hold no documents, and judges rows whose document has no period", () => {
    expect(evaluate(countersAreNumbers, {}, facts([], { scanned: [{ app: a, kind: "events", docs: 0 }] })).skipped).toBe("no aggregated documents (events, users, sources, metrics, views) for this app");
    const noPeriod = problem("users", { period: undefined, day: undefined });
    expect(evaluate(countersAreNumbers, {}, facts([noPeriod]), { from: "2030-01-01" }).findings).toHaveLength(1);
  });
});
