// Reads back the JUnit XML that reports/junit.ts writes, as an XML parser would see it:
// entity references decoded and attribute values normalised (XML 1.0 §2.11 and §3.3.3:
// CR LF / CR become LF, then every TAB, LF and CR becomes a space). Sound for this
// writer because every `<` and `"` inside text and attribute values is escaped, so
// the tag patterns below only ever match real markup; xmllint checks well-formedness.

export interface JUnitCase {
  name: string;
  classname: string;
  outcome: "passed" | "failed" | "error" | "skipped";
  /** `<system-out>` present (a warning: passed, findings shown). */
  systemOut: boolean;
}

export interface JUnitSuite {
  attrs: Record<string, string>;
  cases: JUnitCase[];
}

export interface JUnitDocument {
  attrs: Record<string, string>;
  suites: JUnitSuite[];
}

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

/** An attribute value as a parser reports it. */
export function decodeAttribute(raw: string): string {
  // Literal line ends are normalised before references are expanded; references are not normalised.
  const normalised = raw.replace(/\r\n?/g, "\n").replace(/[\t\n\r]/g, " ");
  return normalised.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (whole, ref: string) => {
    if (ref.startsWith("#x")) return String.fromCodePoint(parseInt(ref.slice(2), 16));
    if (ref.startsWith("#")) return String.fromCodePoint(parseInt(ref.slice(1), 10));
    const e = ENTITIES[ref];
    if (e === undefined) throw new Error(`unknown entity ${whole}`);
    return e;
  });
}

function attributes(tag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of tag.matchAll(/\s([A-Za-z_:][\w.:-]*)="([^"]*)"/g)) {
    if (m[1]! in out) throw new Error(`duplicate attribute ${m[1]} in ${tag.slice(0, 200)}`);
    out[m[1]!] = decodeAttribute(m[2]!);
  }
  return out;
}

export function parseJUnit(xml: string): JUnitDocument {
  const root = /<testsuites(\s[^>]*)?>/.exec(xml);
  if (!root) throw new Error("no <testsuites> element");
  const doc: JUnitDocument = { attrs: attributes(root[0]), suites: [] };
  for (const s of xml.matchAll(/<testsuite(\s[^>]*)>([\s\S]*?)<\/testsuite>/g)) {
    const suite: JUnitSuite = { attrs: attributes(`<testsuite${s[1]}>`), cases: [] };
    for (const c of s[2]!.matchAll(/<testcase(\s[^>]*?)(\/>|>([\s\S]*?)<\/testcase>)/g)) {
      const a = attributes(`<testcase${c[1]}>`);
      const body = c[3] ?? "";
      const outcome = /<failure[\s>/]/.test(body) ? "failed" : /<error[\s>/]/.test(body) ? "error" : /<skipped[\s>/]/.test(body) ? "skipped" : "passed";
      suite.cases.push({ name: a.name ?? "", classname: a.classname ?? "", outcome, systemOut: /<system-out>/.test(body) });
    }
    doc.suites.push(suite);
  }
  return doc;
}

/** Problems with the counts: every suite's tests/failures/errors/skipped and the root's totals must match the cases. */
export function countProblems(doc: JUnitDocument): string[] {
  const problems: string[] = [];
  const sum = { tests: 0, failures: 0, errors: 0 };
  for (const s of doc.suites) {
    const got = {
      tests: s.cases.length,
      failures: s.cases.filter((c) => c.outcome === "failed").length,
      errors: s.cases.filter((c) => c.outcome === "error").length,
      skipped: s.cases.filter((c) => c.outcome === "skipped").length,
    };
    for (const [k, v] of Object.entries(got)) {
      if (s.attrs[k] !== String(v)) problems.push(`suite ${JSON.stringify(s.attrs.name)}: ${k}="${s.attrs[k]}" but ${v} test cases`);
    }
    sum.tests += got.tests;
    sum.failures += got.failures;
    sum.errors += got.errors;
  }
  for (const [k, v] of Object.entries(sum)) {
    if (doc.attrs[k] !== String(v)) problems.push(`<testsuites> ${k}="${doc.attrs[k]}" but ${v} in its suites`);
  }
  return problems;
}

/** Test case names that occur more than once across the whole report. */
export function duplicateNames(doc: JUnitDocument): string[] {
  const seen = new Set<string>();
  const dups = new Set<string>();
  for (const s of doc.suites) {
    for (const c of s.cases) {
      if (seen.has(c.name)) dups.add(c.name);
      seen.add(c.name);
    }
  }
  return [...dups];
}

/** The report without what changes from run to run (durations, timestamps). */
export function withoutTimes(xml: string): string {
  return xml.replace(/ (time|timestamp)="[^"]*"/g, "");
}
