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

/** Where a value sits in the run: property names and array indexes from the root. */
export type TextPath = readonly (string | number)[];

/**
 * Values that are no free text: a closed format the tool itself writes (times it took, days,
 * outcomes, its own name and version). They are left as they are by the mappings below, but
 * only while they have that format: anything else there is mapped like every other text.
 * Each format is as narrow as what the tool writes (runner/version.ts, `Date#toISOString()`):
 * a wider one would let a secret or an unbounded text through unredacted and uncut.
 * Keyed by path with array indexes as `*`.
 */
const CLOSED_FORMATS: ReadonlyMap<string, RegExp> = new Map([
  ["tool.name", /^countly-check$/],
  ["tool.version", /^\d{1,9}\.\d{1,9}\.\d{1,9}(?:-[a-z]{1,10}\.\d{1,9})?$/],
  ["startedAt", /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z$/],
  ["suites.*.timestamp", /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z$/],
  ["suites.*.cases.*.outcome", /^(?:passed|failed|warned|error|skipped)$/],
  ["suites.*.cases.*.severity", /^(?:error|warn)$/],
  ["suites.*.cases.*.findings.*.day", /^\d{4}-\d{2}-\d{2}$/],
  ["suites.*.cases.*.series.*.days.*", /^\d{4}-\d{2}-\d{2}$/],
  ["timings.*.kind", /^(?:aggregate|find|count|pass)$/],
  ["timings.*.scanner", /^(?:wasm|js)$/],
]);

/** Objects whose keys are data (app ids), not property names of the model: their keys are text too. */
const DATA_KEYED: ReadonlySet<string> = new Set(["profile.detected.eventLimit.apps", "profile.detected.views.lastDay", "profile.detected.views.firstDay"]);

/** `path` is `pattern` (dot-separated, `*` for any array index). */
function isAt(path: TextPath, pattern: readonly string[]): boolean {
  if (path.length !== pattern.length) return false;
  for (let i = path.length - 1; i >= 0; i--) {
    const p = path[i]!;
    if (pattern[i] === "*" ? typeof p !== "number" : p !== pattern[i]) return false;
  }
  return true;
}

const CLOSED: readonly [string[], RegExp][] = [...CLOSED_FORMATS].map(([k, re]) => [k.split("."), re]);
const KEYED: readonly string[][] = [...DATA_KEYED].map((k) => k.split("."));

/**
 * `value` with every string in it, at any depth, mapped through `fn` (and the keys of the
 * DATA_KEYED objects), except values of a CLOSED_FORMATS field that have its format. By
 * construction: a field added to the model is mapped without being named here. With
 * `then`, each text `fn` gave is mapped through `then` as a second mapTexts over the
 * first's result would map it (a closed field's value left as it is when it has the format
 * now), in the same walk.
 */
function mapTexts<T>(value: T, fn: (text: string, path: TextPath) => string, then?: (text: string, path: TextPath) => string): T {
  const path: (string | number)[] = [];
  const both = then ? (text: string, p: TextPath) => then(fn(text, p), p) : fn;
  const walk = (v: unknown): unknown => {
    if (typeof v === "string") {
      for (const [at, format] of CLOSED) {
        if (!isAt(path, at)) continue;
        if (format.test(v)) return v;
        const mapped = fn(v, path);
        return then && !format.test(mapped) ? then(mapped, path) : mapped;
      }
      return both(v, path);
    }
    if (typeof v !== "object" || v === null) return v;
    if (Array.isArray(v)) {
      const out = new Array<unknown>(v.length);
      for (let i = 0; i < v.length; i++) {
        path.push(i);
        out[i] = walk(v[i]);
        path.pop();
      }
      return out;
    }
    const dataKeyed = KEYED.some((at) => isAt(path, at));
    const out: Record<string, unknown> = {};
    for (const k in v) {
      if (!Object.hasOwn(v, k)) continue;
      path.push(k);
      const mapped = walk((v as Record<string, unknown>)[k]);
      out[dataKeyed ? both(k, path) : k] = mapped;
      path.pop();
    }
    return out;
  };
  return walk(value) as T;
}

/** The same run with every text in it mapped through `fn` (redaction): every string value, whatever its field, but the closed formats (CLOSED_FORMATS). */
export function mapRunText(run: RunResult, fn: (text: string) => string): RunResult {
  return mapTexts(run, (text) => fn(text));
}

/** The limit of a text by where it is: messages, prose (remediation, descriptions, notes, the profile's lines), case names, else a name's. */
function limitOf(path: TextPath, limits: TextLimits): number {
  const key = path.at(-1);
  if (key === "message") return limits.message;
  if (key === "remediation" || key === "description" || key === "periodNote" || (path.length === 3 && path[0] === "profile" && path[1] === "summary")) return limits.prose;
  if ((key === "name" || key === "classname") && path.length === 5 && path[2] === "cases") return limits.name * 2;
  return limits.name;
}

/**
 * The run as every report shows it: each text cut by where it is (TEXT_LIMITS), findings
 * within one budget. With `safe` (a secret scrubber), each text goes through it first, as
 * `boundRun(mapRunText(run, safe))` would give, in one walk of the run instead of two.
 */
export function boundRun(run: RunResult, limits: TextLimits = TEXT_LIMITS, safe?: (text: string) => string): RunResult {
  const bound = (text: string, path: TextPath) => cutText(text, limitOf(path, limits));
  const cut = safe ? mapTexts(run, (text) => safe(text), bound) : mapTexts(run, bound);
  let budget = limits.findingsBudget;
  const withinBudget = (c: CaseResult): CaseResult => {
    const findings: Finding[] = [];
    for (const f of c.findings) {
      const size = findingSize(f);
      if (size > budget) break;
      budget -= size;
      findings.push(f);
    }
    return { ...c, findings };
  };
  return { ...cut, suites: cut.suites.map((s) => ({ ...s, cases: s.cases.map(withinBudget) })) };
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
