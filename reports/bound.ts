// Every report stays small whatever the data: each text value is cut to a bounded length
// with a visible marker, and the findings of a whole run share one size budget (the rest
// are counted, as the per-case caps already do). Every reporter serialises a bounded run
// (runner/cli/output.ts), so a 1 MB event name cannot make a 200 MB JUnit that libxml2
// refuses ("huge text node", 10 MB) or a multi-GB process.
import type { CaseResult, Finding, RunResult } from "../runner/model.ts";

export interface TextLimits {
  /** Names, files, event/segment/field names and finding values. */
  name: number;
  /** Messages of findings and cases. */
  message: number;
  /** Remediation and descriptions. */
  prose: number;
  /** Characters of findings (all text fields) kept over the whole run. */
  findingsBudget: number;
}

export const TEXT_LIMITS: TextLimits = { name: 300, message: 1000, prose: 2000, findingsBudget: 4_000_000 };

/**
 * `text` if at most `max` characters, else its first `max` characters and a marker naming
 * how much was cut and a short hash of the whole (so two long names that share a prefix
 * stay different test cases).
 */
export function cutText(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max;
  // Never split a surrogate pair.
  if (/[\ud800-\udbff]/.test(text[end - 1] ?? "")) end--;
  return `${text.slice(0, end)}… [cut ${text.length - end} characters, #${fnv1a(text)}]`;
}

/** The same run with every string value mapped through `fn` (redaction, escaping). */
export function mapRunText(run: RunResult, fn: (text: string) => string): RunResult {
  const str = <T>(v: T): T => (typeof v === "string" ? (fn(v) as T) : v);
  const finding = (f: Finding): Finding => ({
    ...f,
    app: f.app && { id: fn(f.app.id), name: fn(f.app.name) },
    event: str(f.event),
    day: str(f.day),
    segment: str(f.segment),
    field: str(f.field),
    expected: str(f.expected),
    actual: str(f.actual),
    message: fn(f.message),
  });
  const testCase = (c: CaseResult): CaseResult => ({
    ...c,
    checkId: fn(c.checkId),
    kind: fn(c.kind),
    app: c.app && { id: fn(c.app.id), name: fn(c.app.name) },
    name: fn(c.name),
    classname: fn(c.classname),
    findings: c.findings.map(finding),
    message: str(c.message),
    remediation: str(c.remediation),
    file: fn(c.file),
    ...(c.series ? { series: c.series.map((x) => ({ ...x, label: fn(x.label) })) } : {}),
  });
  return {
    ...run,
    source: fn(run.source),
    layout: str(run.layout),
    suites: run.suites.map((s) => ({ ...s, name: fn(s.name), description: str(s.description), file: fn(s.file), cases: s.cases.map(testCase) })),
  };
}

/** The run as every report shows it: each value cut (TEXT_LIMITS), findings within one budget. */
export function boundRun(run: RunResult, limits: TextLimits = TEXT_LIMITS): RunResult {
  const name = (t: string) => cutText(t, limits.name);
  const opt = <T extends string | number | undefined>(v: T, max: number): T => (typeof v === "string" ? (cutText(v, max) as T) : v);
  let budget = limits.findingsBudget;
  const finding = (f: Finding): Finding => ({
    ...f,
    app: f.app && { id: name(f.app.id), name: name(f.app.name) },
    event: opt(f.event, limits.name),
    segment: opt(f.segment, limits.name),
    field: opt(f.field, limits.name),
    expected: opt(f.expected, limits.name),
    actual: opt(f.actual, limits.name),
    message: cutText(f.message, limits.message),
  });
  const testCase = (c: CaseResult): CaseResult => {
    const findings: Finding[] = [];
    for (const f of c.findings) {
      const b = finding(f);
      const size = findingSize(b);
      if (size > budget) break;
      budget -= size;
      findings.push(b);
    }
    return {
      ...c,
      checkId: name(c.checkId),
      kind: name(c.kind),
      app: c.app && { id: name(c.app.id), name: name(c.app.name) },
      name: cutText(c.name, limits.name * 2),
      classname: cutText(c.classname, limits.name * 2),
      findings,
      message: opt(c.message, limits.message),
      remediation: opt(c.remediation, limits.prose),
      file: name(c.file),
      ...(c.series ? { series: c.series.map((x) => ({ ...x, label: name(x.label) })) } : {}),
    };
  };
  return {
    ...run,
    source: name(run.source),
    layout: opt(run.layout, limits.name),
    suites: run.suites.map((s) => ({ ...s, name: name(s.name), description: opt(s.description, limits.prose), file: name(s.file), cases: s.cases.map(testCase) })),
  };
}

function findingSize(f: Finding): number {
  let n = f.message.length + 40;
  for (const v of [f.app?.id, f.app?.name, f.event, f.day, f.segment, f.field, f.expected, f.actual]) if (typeof v === "string") n += v.length;
  return n;
}

function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, "0");
}
