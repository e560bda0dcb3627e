// `countly-check run --explain`: the query plans of a run, on the console (one block per
// query: collection, command and purpose, winning plan, filter) and as JSON (`--json`).
import type { QueryPlan } from "../sources/mongo/explain-plan.ts";

/** 1: first format of the explain JSON (`{ formatVersion, source, queries: QueryPlan[], exitCode }`). */
export const EXPLAIN_FORMAT_VERSION = 1;

/** Console filters are cut here (a run over thousands of apps lists every app id); the JSON keeps them whole. */
const FILTER_CHARS = 400;

/** Dates as `{"$date": …}` (Extended JSON), so a date bound is not mistaken for a string. */
function dates(this: unknown, key: string, value: unknown): unknown {
  const raw = (this as Record<string, unknown>)[key];
  return raw instanceof Date ? { $date: raw.toISOString() } : value;
}

function filterText(filter: Record<string, unknown> | undefined): string {
  if (filter === undefined || Object.keys(filter).length === 0) return "{} (every document)";
  const text = JSON.stringify(filter, dates);
  return text.length > FILTER_CHARS ? `${text.slice(0, FILTER_CHARS)}… (${text.length} characters; --json has it whole)` : text;
}

/**
 * The plans with every text in them (purposes, errors, the strings and keys of filters and
 * sorts) through `safe`, the command's secret scrubber: a filter holds values from the data
 * and the scenarios. Dates and other non-plain values stay as they are.
 */
export function redactPlans(plans: readonly QueryPlan[], safe: (text: string) => string): QueryPlan[] {
  const walk = (v: unknown): unknown => {
    if (typeof v === "string") return safe(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v === null || typeof v !== "object" || Object.getPrototypeOf(v) !== Object.prototype) return v;
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [safe(k), walk(x)]));
  };
  return plans.map((p) => walk(p) as QueryPlan);
}

export function explainConsole(source: string, plans: readonly QueryPlan[]): string {
  const lines = [`countly-check --explain: ${plans.length} quer${plans.length === 1 ? "y" : "ies"} a run would send to ${source} (explain, verbosity queryPlanner: plans only, nothing executed)`];
  for (const [i, p] of plans.entries()) {
    lines.push("");
    lines.push(`${i + 1}. ${p.collection}  ${p.command}  (${p.purpose})`);
    lines.push(`   plan:   ${p.error ? `could not be explained: ${p.error}` : p.plan}${p.collectionScan ? "  <- reads every document of the collection" : ""}`);
    if (p.command !== "count" || p.filter !== undefined) lines.push(`   filter: ${filterText(p.filter)}`);
    if (p.sort) lines.push(`   sort:   ${JSON.stringify(p.sort)}${p.limit ? `, limit ${p.limit}` : ""}`);
  }
  const scans = plans.filter((p) => p.collectionScan).length;
  const failed = plans.filter((p) => p.error).length;
  lines.push("");
  lines.push(`${plans.length - scans - failed} use an index or metadata, ${scans} scan a whole collection${failed ? `, ${failed} could not be explained` : ""}. docs/live-mongodb.md lists the indexes that serve these queries.`);
  return `${lines.join("\n")}\n`;
}

export function explainJson(source: string, plans: readonly QueryPlan[], exitCode: number): string {
  return `${JSON.stringify({ formatVersion: EXPLAIN_FORMAT_VERSION, source, queries: plans, exitCode }, dates, 2)}\n`;
}
