// A user-written invariant: an aggregation pipeline over one collection and what its
// result must look like (`expect: empty`: every returned document is a violation; or a
// bound on the number of documents returned). The runner runs the pipeline on the
// source (runner/queries.ts); this module only builds it and judges the rows.
import {
  buildQuery,
  COLLECTION_SCHEMA,
  describeValue,
  findingFields,
  findingValue,
  MAX_DOCUMENTS_SCHEMA,
  MAX_FINDINGS_SCHEMA,
  PER_APP_SCHEMA,
  PERIOD_FIELD_SCHEMA,
  perAppOf,
  PIPELINE_SCHEMA,
  validateQuery,
  type PeriodField,
  type Stage,
} from "./custom-queries.ts";
import type { CheckDefinition, CheckFinding, JsonSchema } from "./types.ts";

export const COUNT_OPS = ["==", "!=", "<", "<=", ">", ">="] as const;
export type CountOp = (typeof COUNT_OPS)[number];

export interface PipelineOptions {
  collection: string;
  pipeline: Stage[];
  expect: "empty" | { count: { op: CountOp; value: number } };
  period_field?: PeriodField;
  per_app: "auto" | boolean;
  max_findings: number;
  max_documents: number;
}

const EXPECT_SCHEMA: JsonSchema = {
  description: "`empty`: the pipeline returns the violations, so any document fails the check. `{ count: { op, value } }`: the number of documents returned must satisfy `<count> <op> <value>`.",
  default: "empty",
  oneOf: [
    { type: "string", const: "empty", description: "Every returned document is a finding." },
    {
      type: "object",
      additionalProperties: false,
      required: ["count"],
      properties: {
        count: {
          type: "object",
          additionalProperties: false,
          required: ["op", "value"],
          description: "A bound on the number of documents the pipeline returns.",
          properties: {
            op: { enum: COUNT_OPS, description: "Comparison of the count with `value`." },
            value: { type: "number", description: "What the count is compared with." },
          },
        },
      },
    },
  ],
};

/** Sample documents shown with a failed count. */
const COUNT_SAMPLES = 3;

export function compareCount(count: number, op: CountOp, value: number): boolean {
  switch (op) {
    case "==":
      return count === value;
    case "!=":
      return count !== value;
    case "<":
      return count < value;
    case "<=":
      return count <= value;
    case ">":
      return count > value;
    case ">=":
      return count >= value;
  }
}

export const pipeline: CheckDefinition<PipelineOptions> = {
  meta: {
    kind: "pipeline",
    summary: "Your own invariant: an aggregation pipeline whose result must be empty (or have a given count).",
    proves:
      "What the pipeline says: with `expect: empty` it returns the documents that violate the invariant, each reported as a finding (its `_id`, `event`, `day`, `expected`, `actual` and `message` fields are shown when present). Runs on the server for MongoDB and in memory for dumps.",
    perApp: true,
    options: {
      type: "object",
      required: ["collection", "pipeline"],
      properties: {
        collection: COLLECTION_SCHEMA,
        pipeline: PIPELINE_SCHEMA,
        expect: EXPECT_SCHEMA,
        period_field: PERIOD_FIELD_SCHEMA,
        per_app: PER_APP_SCHEMA,
        max_findings: MAX_FINDINGS_SCHEMA,
        max_documents: MAX_DOCUMENTS_SCHEMA,
      },
    },
    likelyCause: "The documents the pipeline returned violate the invariant it states (see its description).",
    remediation: "Look at the documents listed; run the same pipeline in mongosh to see them whole (its placeholders filled in for the app and period).",
    exampleFinding: "app Shop (65f0…) · event Buy · day 2024-10-27 · actual 0 — no-segment total is 0 although the day exists",
  },
  needs: () => [],
  perApp: (o) => perAppOf(o.per_app, [o]),
  validate: (o) => validateQuery(o, [], perAppOf(o.per_app, [o])),
  queries(o, scope) {
    const keepRows = o.expect === "empty" ? o.max_findings : Math.min(COUNT_SAMPLES, o.max_findings);
    return [buildQuery("rows", o, scope, { keepRows, maxDocuments: o.max_documents })];
  },
  evaluate(ctx) {
    const o = ctx.options;
    const result = ctx.results?.rows;
    if (!result) throw new Error("the pipeline's result is missing (internal error)");
    if (o.expect === "empty") {
      for (const row of result.rows) ctx.report(rowFinding(row));
      ctx.reportMore?.(result.total - result.rows.length);
      return;
    }
    const { op, value } = o.expect.count;
    if (compareCount(result.total, op, value)) return;
    const samples = result.rows.length ? `, e.g. ${result.rows.map((r) => describeValue(r, 160)).join("; ")}` : "";
    ctx.report({
      expected: `${op} ${value}`,
      actual: result.total,
      message: `the pipeline returned ${result.total} document${result.total === 1 ? "" : "s"}; expected a count ${op} ${value}${samples}`,
    });
  },
};

/** A returned document as a finding: its own `message` when it has one, else the document itself. */
export function rowFinding(row: Record<string, unknown>): CheckFinding {
  const { message } = row;
  const finding: CheckFinding = {
    ...findingFields(row),
    message: typeof message === "string" && message !== "" ? message : `returned ${describeValue(row)}`,
  };
  const expected = findingValue(row.expected);
  const actual = findingValue(row.actual);
  if (expected !== undefined) finding.expected = expected;
  if (actual !== undefined) finding.actual = actual;
  return finding;
}
