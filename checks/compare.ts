// A user-written invariant between two keyed aggregations: the `left` and `right`
// pipelines each return rows `{ _id: <key>, value: <number> }`; for every key the two
// values must stand in a relation (equal, at most, at least, or a ratio range), within
// a tolerance. Keys on one side only fail, are ignored, or count as 0 (`missing`).
import {
  buildQuery,
  COLLECTION_SCHEMA,
  describeKey,
  describeValue,
  findingFields,
  keyId,
  MAX_DOCUMENTS_SCHEMA,
  MAX_FINDINGS_SCHEMA,
  numberOf,
  PER_APP_SCHEMA,
  PERIOD_FIELD_SCHEMA,
  perAppOf,
  PIPELINE_SCHEMA,
  validateQuery,
  type QueryOptions,
} from "./custom-queries.ts";
import { CheckDataError, type CheckDefinition, type CheckFinding, type JsonSchema, type OptionIssue, type QueryRows } from "./types.ts";

export interface CompareSide extends QueryOptions {
  label?: string;
}

export type Relation = "eq" | "lte" | "gte" | { ratio_between: [number, number] };

export interface CompareOptions {
  left: CompareSide;
  right: CompareSide;
  relation: Relation;
  tolerance: { absolute?: number; relative?: number };
  missing: "fail" | "ignore" | "zero";
  per_app: "auto" | boolean;
  max_findings: number;
  max_rows: number;
  max_documents: number;
}

const SIDE = (which: "left" | "right"): JsonSchema => ({
  type: "object",
  additionalProperties: false,
  required: ["collection", "pipeline"],
  description: `The ${which} side: a pipeline returning one row per key, \`{ _id: <key>, value: <number> }\` (\`_id\` a scalar or a mapping such as \`{ day, event }\`; \`value\` a number).`,
  properties: {
    label: { type: "string", description: `Name of this side in findings (default: the collection).` },
    collection: COLLECTION_SCHEMA,
    pipeline: PIPELINE_SCHEMA,
    period_field: PERIOD_FIELD_SCHEMA,
  },
});

export const compare: CheckDefinition<CompareOptions> = {
  meta: {
    kind: "compare",
    summary: "Your own invariant between two keyed aggregations (left vs right, per key: eq, lte, gte or a ratio range).",
    proves:
      "For every key (`_id`) the left and right pipelines return, `value` on the left stands in the relation to `value` on the right, within the tolerance; keys on one side only are handled as `missing` says. Each pipeline runs on the server for MongoDB and in memory for dumps.",
    perApp: true,
    options: {
      type: "object",
      required: ["left", "right"],
      properties: {
        left: SIDE("left"),
        right: SIDE("right"),
        relation: {
          default: "eq",
          description: "`eq`: left = right; `lte`: left ≤ right; `gte`: left ≥ right (each within the tolerance); `{ ratio_between: [lo, hi] }`: lo ≤ left / right ≤ hi (0 / 0 holds).",
          oneOf: [
            { type: "string", enum: ["eq", "lte", "gte"] },
            {
              type: "object",
              additionalProperties: false,
              required: ["ratio_between"],
              properties: { ratio_between: { type: "array", items: { type: "number" }, minItems: 2, maxItems: 2, description: "[lo, hi], inclusive." } },
            },
          ],
        },
        tolerance: {
          type: "object",
          additionalProperties: false,
          default: { absolute: 0, relative: 0 },
          description: "How far left may be from right for eq/lte/gte: the larger of `absolute` and `relative` × |right|.",
          properties: {
            absolute: { type: "number", minimum: 0, default: 0, description: "Absolute difference allowed per key." },
            relative: { type: "number", minimum: 0, default: 0, description: "Difference allowed per key as a fraction of |right| (0.01 = 1 %)." },
          },
        },
        missing: {
          enum: ["fail", "ignore", "zero"],
          default: "fail",
          description: "A key returned by one side only: `fail` (a finding), `ignore`, or `zero` (the other side counts as 0 and the relation decides).",
        },
        per_app: PER_APP_SCHEMA,
        max_findings: MAX_FINDINGS_SCHEMA,
        max_rows: { type: "integer", minimum: 1, default: 100_000, description: "Rows each side may return (both are held to be joined by key); more is an error." },
        max_documents: MAX_DOCUMENTS_SCHEMA,
      },
    },
    likelyCause: "The two sides disagree for the keys listed: one of the collections is incomplete, stale or double counted (see the check's description).",
    remediation: "Look at the keys listed with both values; run the two pipelines in mongosh (placeholders filled in) to see which side is off.",
    exampleFinding: "app Shop (65f0…) · day 2024-10-27 · expected 12, actual 0 — day=2024-10-27, source=Google Play: countly.sources 0, raw sessions 12 (expected equal)",
  },
  needs: () => [],
  perApp: (o) => perAppOf(o.per_app, [o.left, o.right]),
  validate(o) {
    const perApp = perAppOf(o.per_app, [o.left, o.right]);
    const issues: OptionIssue[] = [...validateQuery(o.left, ["left"], perApp), ...validateQuery(o.right, ["right"], perApp)];
    if (typeof o.relation === "object") {
      const [lo, hi] = o.relation.ratio_between;
      if (lo > hi) issues.push({ path: ["relation", "ratio_between"], message: `lo (${lo}) is above hi (${hi})` });
      if ((o.tolerance.absolute ?? 0) > 0 || (o.tolerance.relative ?? 0) > 0) {
        issues.push({ path: ["tolerance"], message: "tolerance applies to eq, lte and gte; ratio_between is its own tolerance" });
      }
    }
    return issues;
  },
  queries(o, scope) {
    const limits = { keepRows: o.max_rows, maxDocuments: o.max_documents };
    return [buildQuery("left", o.left, scope, limits), buildQuery("right", o.right, scope, limits)];
  },
  evaluate(ctx) {
    const o = ctx.options;
    const leftLabel = o.left.label ?? o.left.collection;
    const rightLabel = o.right.label ?? o.right.collection;
    const left = keyed(ctx.results?.left, "left", leftLabel, o.max_rows);
    const right = keyed(ctx.results?.right, "right", rightLabel, o.max_rows);
    if (left.size === 0 && right.size === 0) return { skipped: "both pipelines returned no rows (nothing to compare; check the pipelines if data was expected)" };
    const absolute = o.tolerance.absolute ?? 0;
    const relative = o.tolerance.relative ?? 0;
    let reported = 0;
    let more = 0;
    const report = (f: CheckFinding) => {
      if (reported < o.max_findings) {
        ctx.report(f);
        reported++;
      } else more++;
    };
    const ids = [...left.keys(), ...[...right.keys()].filter((k) => !left.has(k))];
    for (const id of ids) {
      const l = left.get(id);
      const r = right.get(id);
      const key = (l ?? r)!.key;
      const where = describeKey(key);
      const fields = typeof key === "string" ? findingFields({ day: key }) : findingFields(key && typeof key === "object" ? (key as Record<string, unknown>) : undefined);
      if (l === undefined || r === undefined) {
        if (o.missing === "ignore") continue;
        if (o.missing === "fail") {
          const [has, hasNot, row] = l ? [leftLabel, rightLabel, l] : [rightLabel, leftLabel, r!];
          report({ ...fields, ...(l ? { actual: l.value } : { expected: r!.value }), message: `${where}: ${has} has ${row.value}, ${hasNot} has no row for this key` });
          continue;
        }
      }
      const lv = l?.value ?? 0;
      const rv = r?.value ?? 0;
      const problem = violation(o.relation, lv, rv, absolute, relative);
      if (problem) report({ ...fields, expected: rv, actual: lv, message: `${where}: ${leftLabel} ${lv}, ${rightLabel} ${rv} (${problem})` });
    }
    if (more > 0) ctx.reportMore?.(more);
  },
};

interface KeyedRow {
  key: unknown;
  value: number;
}

/** Rows by canonical key; rows of the wrong shape are a CheckDataError naming the side. */
function keyed(result: QueryRows | undefined, side: string, label: string, maxRows: number): Map<string, KeyedRow> {
  if (!result) throw new Error(`the ${side} pipeline's result is missing (internal error)`);
  if (result.total > result.rows.length) {
    throw new CheckDataError(`the ${side} pipeline (${label}) returned ${result.total} rows, more than max_rows (${maxRows}); group by fewer keys, narrow the period, or raise max_rows`);
  }
  const out = new Map<string, KeyedRow>();
  for (const row of result.rows) {
    if (!("_id" in row)) throw new CheckDataError(`the ${side} pipeline (${label}) returned a row without _id: ${describeValue(row)}; end it with a $group on the key`);
    const value = row.value === undefined || row.value === null ? undefined : numberOf(row.value);
    if (value === undefined) {
      throw new CheckDataError(`the ${side} pipeline (${label}) returned a row whose value is not a number: ${describeValue(row)}; each row must be { _id: <key>, value: <number> }`);
    }
    const id = keyId(row._id);
    if (out.has(id)) throw new CheckDataError(`the ${side} pipeline (${label}) returned the key ${describeKey(row._id)} twice; $group by the key so each appears once`);
    out.set(id, { key: row._id, value });
  }
  return out;
}

/** Why left/right break the relation, or undefined when they hold. */
export function violation(relation: Relation, l: number, r: number, absolute: number, relative: number): string | undefined {
  if (typeof relation === "object") {
    const [lo, hi] = relation.ratio_between;
    if (r === 0) return l === 0 ? undefined : `ratio ${l}/0 is not in [${lo}, ${hi}]`;
    const ratio = l / r;
    return ratio >= lo && ratio <= hi ? undefined : `ratio ${round(ratio)} is not in [${lo}, ${hi}]`;
  }
  const allowance = Math.max(absolute, relative * Math.abs(r));
  const tol = allowance > 0 ? ` within ${round(allowance)}` : "";
  // Sums of floats differ by rounding between engines.
  const epsilon = 1e-9 * Math.max(1, Math.abs(l), Math.abs(r));
  if (relation === "eq") return Math.abs(l - r) <= allowance + epsilon ? undefined : `expected equal${tol}`;
  if (relation === "lte") return l <= r + allowance + epsilon ? undefined : `expected left ≤ right${tol}`;
  return l >= r - allowance - epsilon ? undefined : `expected left ≥ right${tol}`;
}

function round(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}
