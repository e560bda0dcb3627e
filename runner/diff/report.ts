// A diff as the result model every reporter already serialises: one suite `diff`, one
// case per database.collection (classname `diff.<db>.<collection>`) and one per app for
// the event totals (classname `diff.event-totals`). A difference is a failed case, a side that
// could not be read an errored one (exit code 3), as for `run`.
import type { CaseResult, Finding, RunResult, SuiteResult } from "../model.ts";
import { VERSION } from "../version.ts";
import { formatId } from "./canonical.ts";
import type { CollectionDiff, DiffResult, IdSummary, TotalsDiff } from "./diff.ts";
import { displayMonth } from "./totals.ts";

export const DIFF_SUITE = "diff";
const KIND = "matches-backup";

const REMEDIATION = {
  missing:
    "Documents of the backup are not in the restored database: re-run the restore of this database (without --drop, mongorestore inserts only the missing _ids) and read its log for errors (duplicate keys, documents too large, disk full, interrupted run).",
  extra:
    "The restored database has documents the backup does not: the restore merged into a database that already had data (countly restore runs mongorestore without --drop), or Countly has written since. Restore into an empty database if the backup is meant to be the whole truth.",
  different:
    "Documents with the same _id differ: mongorestore without --drop keeps a document that already existed, or Countly updated it after the restore. Compare one of the listed ids on both sides.",
  indexes:
    "Indexes differ: mongorestore recreates indexes from <coll>.metadata.json unless --noIndexRestore was given; recreate the missing ones (createIndex with the key and options shown) or drop the extra ones.",
  totals:
    "The event counts the dashboard shows changed. A doubled month means aggregates were merged into a database that already had them (restore without --drop, or the aggregator re-processed restored raw events); lower or zero counts mean countly.events_data (or the legacy events<hash> collections) did not arrive completely.",
} as const;

function plural(n: number, word: string): string {
  return `${n.toLocaleString("en-US")} ${word}${n === 1 ? "" : "s"}`;
}

/** Up to `max` ids over the three kinds, taken in turn so no kind hides another. */
function pickIds(kinds: { list: IdSummary; label: string }[], max: number): { id: string; label: string }[] {
  const out: { id: string; label: string }[] = [];
  const sorted = kinds.map((k) => ({ label: k.label, ids: [...k.list.ids].map((id) => ({ id, text: formatId(id) })).sort((x, y) => (x.text < y.text ? -1 : x.text > y.text ? 1 : 0)) }));
  for (let i = 0; out.length < max; i++) {
    let any = false;
    for (const k of sorted) {
      const next = k.ids[i];
      if (!next || out.length >= max) continue;
      any = true;
      out.push({ id: next.text, label: k.label });
    }
    if (!any) break;
  }
  return out;
}

function collectionCase(c: CollectionDiff, result: DiffResult, file: string): CaseResult {
  const name = `${c.db}.${c.collection}`;
  const base = { checkId: name, kind: KIND, name, classname: `${DIFF_SUITE}.${name}`, severity: "error" as const, file, line: 0, durationMs: c.durationMs };
  if (c.error) return { ...base, outcome: "error", findings: [], findingsTotal: 0, message: `could not compare ${name}: ${c.error}` };

  const findings: Finding[] = [];
  const causes: (keyof typeof REMEDIATION)[] = [];
  const summary: string[] = [];
  const before = c.documents.before ?? 0;
  const after = c.documents.after ?? 0;
  if (c.presence === "before-only") {
    findings.push({ message: `collection missing after: ${plural(before, "document")} in the backup` });
    summary.push(`missing after (${plural(before, "document")} before)`);
    causes.push("missing");
  } else if (c.presence === "after-only") {
    findings.push({ message: `collection only after (not in the backup): ${plural(after, "document")}` });
    summary.push(`only after (${plural(after, "document")})`);
    causes.push("extra");
  } else if (before !== after) {
    findings.push({ field: "documents", expected: before, actual: after, message: `document count differs (${after - before > 0 ? "+" : ""}${after - before})` });
  }
  for (const ix of c.indexes ?? []) {
    if (ix.problem === "missing-after") findings.push({ message: `index ${ix.name} missing after: ${ix.before}` });
    else if (ix.problem === "missing-before") findings.push({ message: `index ${ix.name} only after: ${ix.after}` });
    else findings.push({ message: `index ${ix.name} differs: before ${ix.before}, after ${ix.after}` });
  }
  if (c.indexes?.length) {
    summary.push(c.indexes.length === 1 ? "1 index differs" : `${c.indexes.length} indexes differ`);
    causes.push("indexes");
  }
  let docDiffs = 0;
  if (c.presence === "both") {
    docDiffs = c.onlyBefore.count + c.onlyAfter.count + c.different.count;
    if (docDiffs > 0) {
      summary.unshift(`${plural(c.onlyBefore.count, "document")} only before, ${c.onlyAfter.count.toLocaleString("en-US")} only after, ${c.different.count.toLocaleString("en-US")} different`);
      if (c.onlyBefore.count) causes.push("missing");
      if (c.onlyAfter.count) causes.push("extra");
      if (c.different.count) causes.push("different");
    }
    if (c.unstable) {
      findings.push({ message: "the bucket summaries differed but no document could be named: a live side changed during the diff; run it again on a quiet database" });
    }
    const picked = pickIds(
      [
        { list: c.onlyBefore, label: "only before (missing after)" },
        { list: c.onlyAfter, label: "only after (not in the backup)" },
        { list: c.different, label: "different" },
      ],
      result.maxIds,
    );
    for (const p of picked) findings.push({ message: `_id ${p.id}: ${p.label}` });
  } else {
    docDiffs = c.presence === "before-only" ? c.onlyBefore.count : c.onlyAfter.count;
    const list = c.presence === "before-only" ? c.onlyBefore : c.onlyAfter;
    const label = c.presence === "before-only" ? "only before (missing after)" : "only after (not in the backup)";
    for (const p of pickIds([{ list, label }], result.maxIds)) findings.push({ message: `_id ${p.id}: ${p.label}` });
  }
  const named = findings.filter((f) => f.message.startsWith("_id ")).length;
  const findingsTotal = findings.length - named + docDiffs;
  if (findings.length === 0) return { ...base, outcome: "passed", findings, findingsTotal: 0 };
  const counts = c.presence === "both" ? `${before.toLocaleString("en-US")} documents before, ${after.toLocaleString("en-US")} after` : "";
  return {
    ...base,
    outcome: "failed",
    findings,
    findingsTotal: Math.max(findingsTotal, findings.length),
    message: [counts, ...summary].filter(Boolean).join("; "),
    remediation: [...new Set(causes)].map((k) => REMEDIATION[k]).join(" ") || undefined,
  };
}

function totalsCases(t: TotalsDiff, file: string): CaseResult[] {
  const base = { kind: KIND, classname: `${DIFF_SUITE}.event-totals`, severity: "error" as const, file, line: 0, durationMs: 0 };
  if (t.error) return [{ ...base, checkId: "event-totals", name: "event totals", outcome: "error", findings: [], findingsTotal: 0, message: `the event totals could not be compared: ${t.error}` }];
  return t.apps.map((app): CaseResult => {
    const ref = { id: app.app, name: app.name };
    const name = `event totals [${app.name} ${app.app}]`;
    const findings: Finding[] = app.differences.map((d) => {
      const delta = d.after - d.before;
      const note = d.before !== 0 && d.after === 2 * d.before ? " (doubled)" : d.after === 0 ? " (gone)" : d.before === 0 ? " (new)" : "";
      return { app: ref, event: d.event, field: "c", expected: d.before, actual: d.after, message: `month ${displayMonth(d.month)}: ${delta > 0 ? "+" : ""}${delta}${note}` };
    });
    const c: CaseResult = { ...base, checkId: "event-totals", app: ref, name, outcome: findings.length ? "failed" : "passed", findings, findingsTotal: findings.length };
    if (findings.length) {
      c.message = `${plural(app.differences.length, "event month")} of ${app.compared.toLocaleString("en-US")} changed; total c before ${app.before.toLocaleString("en-US")}, after ${app.after.toLocaleString("en-US")}`;
      c.remediation = REMEDIATION.totals;
    }
    return c;
  });
}

/** The diff as a RunResult with one suite `diff`. `file` is what JUnit's file attribute shows (the backup). */
export function diffToRun(result: DiffResult): RunResult {
  const file = result.beforeLocation;
  const cases = [...result.collections.map((c) => collectionCase(c, result, file)), ...totalsCases(result.totals, file)];
  const suite: SuiteResult = {
    name: DIFF_SUITE,
    description: `Backup ${result.before} compared with ${result.after}: collections, document counts, indexes, documents by _id, and event totals per app, event and month.`,
    file,
    timestamp: result.startedAt,
    durationMs: result.durationMs,
    cases,
  };
  const layouts = result.layouts.before || result.layouts.after ? `before ${result.layouts.before ?? "none"}, after ${result.layouts.after ?? "none"}` : undefined;
  return {
    tool: { name: "countly-check", version: VERSION },
    source: `${result.before} → ${result.after}`,
    ...(layouts ? { layout: layouts } : {}),
    startedAt: result.startedAt,
    durationMs: result.durationMs,
    suites: [suite],
  };
}

/** A side could not be read at all: one errored case, so JUnit still says why (exit code 3). */
export function unreadableDiffRun(before: string, after: string, side: "before" | "after" | undefined, message: string, file = before): RunResult {
  const now = new Date().toISOString();
  const name = side ? `read ${side}` : "read sources";
  return {
    tool: { name: "countly-check", version: VERSION },
    source: `${before} → ${after}`,
    startedAt: now,
    durationMs: 0,
    suites: [
      {
        name: DIFF_SUITE,
        file,
        timestamp: now,
        durationMs: 0,
        cases: [{ checkId: "sources", kind: KIND, name, classname: `${DIFF_SUITE}.sources`, outcome: "error", severity: "error", findings: [], findingsTotal: 0, message, file, line: 0, durationMs: 0 }],
      },
    ],
  };
}
