// The fields the tool writes itself in a closed format (its name and version, times, days,
// Expected hashes: 32-bit FNV-1a over UTF-16 code units computed with a separate implementation
// (Python, checked against fnv1a("a") = e40c292c and fnv1a("foobar") = bf9cf968).
// outcomes, severities, query kinds) are left as they are by the redaction and the bounds,
// but only while they have that format: anything else there (a secret, a longer text, a text
// that merely contains the format) is redacted and cut like every other text. And the limits
// by place: prose for the period note and the profile's lines, twice a name's for case names.
// reports/bound.ts is imported inside each test (not at collection time), so a table of
// formats that fails to build when the module loads fails a test here.
import { describe, expect, it } from "vitest";
import type { CaseResult, QueryTiming, RunResult } from "../../runner/model.ts";

const load = () => import("../../reports/bound.ts");
const SECRET = "Zq9SECRETpw";
const redact = (s: string): string => s.split(SECRET).join("***");
const mark = (s: string): string => `<${s}>`;
/** Small limits, so that every closed-format value below is longer than a name may be. */
const TINY = { name: 3, message: 3, prose: 3, findingsBudget: 1_000_000 };

/** The values of the closed-format fields of a run. */
interface Own {
  name: string;
  version: string;
  startedAt: string;
  timestamp: string;
  outcome: string;
  severity: string;
  day: string;
  seriesDay: string;
  kind: string;
}

const WELL: Own = {
  name: "countly-check",
  version: "0.1.0",
  startedAt: "2026-12-01T16:00:00.000Z",
  timestamp: "2026-12-01T16:00:05Z",
  outcome: "warned",
  severity: "warn",
  day: "2026-11-30",
  seriesDay: "2026-11-29",
  kind: "aggregate",
};

function runOf(o: Own): RunResult {
  const c: CaseResult = {
    checkId: "c", kind: "k", name: "c", classname: "s.c", outcome: o.outcome as CaseResult["outcome"], severity: o.severity as CaseResult["severity"],
    findings: [{ day: o.day, message: "m" }], findingsTotal: 1, file: "s.yaml", line: 1, durationMs: 0,
    series: [{ label: "l", days: [o.seriesDay], raw: [1], aggregated: [1] }],
  };
  return {
    tool: { name: o.name, version: o.version }, source: "d", startedAt: o.startedAt, durationMs: 1,
    suites: [{ name: "s", file: "f", timestamp: o.timestamp, durationMs: 1, cases: [c] }],
    timings: [{ collection: "e", kind: o.kind as QueryTiming["kind"], purpose: "p", ms: 1, docs: 1 }],
  };
}

function ownOf(run: RunResult): Own {
  const s = run.suites[0]!;
  const c = s.cases[0]!;
  return {
    name: run.tool.name, version: run.tool.version, startedAt: run.startedAt, timestamp: s.timestamp, outcome: c.outcome, severity: c.severity,
    day: c.findings[0]!.day!, seriesDay: c.series![0]!.days[0]!, kind: run.timings![0]!.kind,
  };
}

describe("the tool's own fields", () => {
  const wellFormed: [keyof Own, string][] = [
    ["name", "countly-check"],
    ["version", "0.1.0"], ["version", "12.30.4"], ["version", "123456789.0.10"], ["version", "1.0.0-rc.2"], ["version", "1.0.0-abcdefghij.123456789"],
    ["startedAt", "2026-12-01T16:00:00Z"], ["startedAt", "2026-12-01T16:00:00.000Z"], ["startedAt", "2026-12-01T16:00:00.123456789Z"],
    ["timestamp", "2026-12-01T16:00:00Z"], ["timestamp", "2026-12-01T16:00:00.5Z"],
    ...(["passed", "failed", "warned", "error", "skipped"] as const).map((v): [keyof Own, string] => ["outcome", v]),
    ["severity", "error"], ["severity", "warn"],
    ["day", "2024-02-29"], ["seriesDay", "2024-02-29"],
    ...(["aggregate", "find", "count", "pass"] as const).map((v): [keyof Own, string] => ["kind", v]),
  ];

  it.each(wellFormed)("%s %j, well formed, is neither mapped nor cut", async (field, value) => {
    const { boundRun, mapRunText } = await load();
    const own = { ...WELL, [field]: value };
    expect(ownOf(mapRunText(runOf(own), mark))).toEqual(own);
    expect(ownOf(boundRun(runOf(own), TINY))).toEqual(own);
  });

  const hostile: [keyof Own, string][] = [
    ["name", SECRET], ["name", `x countly-check`], ["name", `countly-check ${SECRET}`], ["name", "Countly-check"],
    ["version", SECRET], ["version", `${SECRET} 0.1.0`], ["version", `0.1.0 ${SECRET}`], ["version", `0.1.0-${SECRET}`], ["version", "1.0"], ["version", "1234567890.0.0"], ["version", "0.1234567890.0"], ["version", "0.0.1234567890"],
    ["version", "1.0.0-rc"], ["version", "1.0.0-.1"], ["version", "1.0.0-RC.1"], ["version", "1.0.0-abcdefghijk.1"], ["version", "1.0.0-rc.1234567890"],
    ["startedAt", SECRET], ["startedAt", `${SECRET} 2026-12-01T16:00:00Z`], ["startedAt", `2026-12-01T16:00:00Z ${SECRET}`], ["startedAt", "2026-12-01 16:00:00Z"], ["startedAt", "2026-12-01T16:00:00.Z"], ["startedAt", "2026-12-01T16:00:00.1234567890Z"],
    ["timestamp", SECRET], ["timestamp", `${SECRET} 2026-12-01T16:00:00Z`], ["timestamp", `2026-12-01T16:00:00Z ${SECRET}`], ["timestamp", "2026-12-01T16:00:00.Z"], ["timestamp", "2026-12-01T16:00:00.1234567890Z"],
    ["outcome", SECRET], ["outcome", `${SECRET} failed`], ["outcome", `failed ${SECRET}`], ["outcome", "FAILED"],
    ["severity", SECRET], ["severity", `${SECRET} error`], ["severity", `error ${SECRET}`], ["severity", "warning"],
    ["day", SECRET], ["day", `${SECRET} 2026-11-30`], ["day", `2026-11-30 ${SECRET}`], ["day", "2026-11-30T00:00:00Z"],
    ["seriesDay", SECRET], ["seriesDay", `${SECRET} 2026-11-30`], ["seriesDay", `2026-11-30 ${SECRET}`],
    ["kind", SECRET], ["kind", `${SECRET} find`], ["kind", `find ${SECRET}`], ["kind", "scan"],
  ];

  it.each(hostile)("%s %j, not of the format, is mapped like any text: the secret is redacted", async (field, value) => {
    const { mapRunText } = await load();
    const run = runOf({ ...WELL, [field]: value });
    expect(ownOf(mapRunText(run, mark))).toEqual({ ...WELL, [field]: `<${value}>` });
    expect(JSON.stringify(mapRunText(run, redact))).not.toContain(SECRET);
  });

  it("an over-long value in a closed-format field is cut at a name's limit", async () => {
    const { boundRun } = await load();
    const limits = { name: 12, message: 1000, prose: 1000, findingsBudget: 1_000_000 };
    const run = runOf({ ...WELL, startedAt: `2026-12-01T16:00:00.${"0".repeat(1000)}Z`, version: `1.0.0-rc.${"9".repeat(100)}`, name: "countly-check".repeat(2) });
    expect(ownOf(boundRun(run, limits))).toEqual({
      ...WELL,
      startedAt: "2026-12-01T1… [cut 1009 characters, #28f6e0b6]",
      version: "1.0.0-rc.999… [cut 97 characters, #dddf50c6]",
      name: "countly-chec… [cut 14 characters, #7024c277]",
    });
  });

  it("user texts shaped like the tool's formats are mapped: the formats hold only at their own place", async () => {
    const { mapRunText } = await load();
    const run = runOf(WELL);
    run.label = "2026-12-01T16:00:00Z";
    run.source = "countly-check";
    const c = run.suites[0]!.cases[0]!;
    c.name = "passed";
    c.message = "error";
    c.app = { id: "2026-11-30", name: "countly-check" };
    c.findings[0]!.event = "2026-11-30";
    c.findings[0]!.segment = "warn";
    c.series![0]!.label = "2026-11-30";
    run.timings![0]!.purpose = "find";
    const m = mapRunText(run, mark);
    const mc = m.suites[0]!.cases[0]!;
    expect([m.label, m.source, mc.name, mc.message, mc.app, mc.findings[0]!.event, mc.findings[0]!.segment, mc.series![0]!.label, m.timings![0]!.purpose]).toEqual([
      "<2026-12-01T16:00:00Z>", "<countly-check>", "<passed>", "<error>", { id: "<2026-11-30>", name: "<countly-check>" }, "<2026-11-30>", "<warn>", "<2026-11-30>", "<find>",
    ]);
    expect(ownOf(m)).toEqual(WELL);
  });
});

describe("limits by place", () => {
  const limits = { name: 5, message: 8, prose: 10, findingsBudget: 1_000_000 };

  it("the period note and the profile's summary lines are prose; what the profile detected (values, bases) are names", async () => {
    const { boundRun } = await load();
    const run = runOf(WELL);
    run.suites[0]!.periodNote = "last 7 days";
    run.suites.push({ ...run.suites[0]!, periodNote: "7 days ok" });
    run.profile = {
      summary: { aggregation: "change streams", views: "aggregated" },
      detected: {
        aggregation: { value: "change-streams", basis: "_changeStreams" },
        segments: { value: "written", basis: "segments" },
        views: { value: "aggregated", basis: "views", lastDay: {}, firstDay: {} },
        eventLimit: { server: 500, basis: "default", apps: {} },
      },
    };
    const b = boundRun(run, limits);
    expect(b.suites.map((s) => s.periodNote)).toEqual(["last 7 day… [cut 1 characters, #b3b29bef]", "7 days ok"]);
    expect(b.profile!.summary).toEqual({ aggregation: "change str… [cut 4 characters, #bd20c42c]", views: "aggregated" });
    expect(b.profile!.detected.aggregation).toEqual({ value: "chang… [cut 9 characters, #989223f9]", basis: "_chan… [cut 9 characters, #124fc223]" });
    expect(b.timings![0]!.collection).toBe("e");
  });

  it("case names and classnames get twice a name's limit, other names (suites, apps, timings) a name's", async () => {
    const { boundRun } = await load();
    const run = runOf(WELL);
    run.suites[0]!.name = "suite-1";
    const c = run.suites[0]!.cases[0]!;
    c.name = "case-name-1";
    c.classname = "s.case-1";
    c.app = { id: "app-1", name: "name-1" };
    run.timings![0]!.collection = "events";
    const b = boundRun(run, limits);
    const bc = b.suites[0]!.cases[0]!;
    expect([b.suites[0]!.name, bc.name, bc.classname, bc.app, b.timings![0]!.collection]).toEqual([
      "suite… [cut 2 characters, #81a71b65]", "case-name-… [cut 1 characters, #e3bbe495]", "s.case-1", { id: "app-1", name: "name-… [cut 1 characters, #1db7ade0]" }, "event… [cut 1 characters, #12d8e384]",
    ]);
  });
});

describe("the walk", () => {
  it("copies own properties only: what a value inherits is not walked into the report", async () => {
    const { mapRunText } = await load();
    const run = runOf(WELL);
    const app = Object.assign(Object.create({ token: SECRET }) as object, { id: "i", name: "n" }) as { id: string; name: string };
    run.suites[0]!.cases[0]!.app = app;
    const mapped = mapRunText(run, mark);
    expect(mapped.suites[0]!.cases[0]!.app).toStrictEqual({ id: "<i>", name: "<n>" });
    expect(JSON.stringify(mapped)).not.toContain(SECRET);
  });

  it("keeps arrays as arrays of the same length, and null as null", async () => {
    const { mapRunText } = await load();
    const run = runOf(WELL);
    const f = run.suites[0]!.cases[0]!.findings[0]! as unknown as Record<string, unknown>;
    f.expected = null;
    run.suites[0]!.cases[0]!.series![0]!.days = ["2026-11-29", "2026-11-30"];
    const mapped = mapRunText(run, mark);
    expect(mapped.suites[0]!.cases[0]!.findings[0]).toStrictEqual({ day: "2026-11-30", message: "<m>", expected: null });
    expect(mapped.suites[0]!.cases[0]!.series![0]).toStrictEqual({ label: "<l>", days: ["2026-11-29", "2026-11-30"], raw: [1], aggregated: [1] });
  });

  it("cuts a text of astral characters before a pair, never inside it", async () => {
    const { cutText } = await load();
    expect(cutText("🛒🛒🛒", 3)).toBe("🛒… [cut 4 characters, #8f5ea912]");
    expect(cutText("🛒🛒🛒", 4)).toBe("🛒🛒… [cut 2 characters, #8f5ea912]");
  });
});

describe("one walk", () => {
  // a scrubber that turns some texts into a closed format (the second mapping must still cut them where the format does not hold)
  const toFormat = (s: string): string => (s.includes("Q") ? "2026-12-01T16:00:00Z" : s.includes(SECRET) ? redact(s) : s);
  const scrubbers = [mark, redact, toFormat];
  const texts = ["", "Q", SECRET, `x${SECRET}y`, "countly-check", "0.1.0", "2026-11-30", "passed", "find", "a".repeat(20), `Q${"b".repeat(30)}`];

  it(`boundRun with a scrubber equals boundRun over mapRunText's result, for every closed field and free text given any of the texts (${texts.length} texts x 3 scrubbers)`, async () => {
    const { boundRun, mapRunText } = await load();
    for (const safe of scrubbers) {
      for (const text of texts) {
        for (const field of Object.keys(WELL) as (keyof Own)[]) {
          const run = runOf({ ...WELL, [field]: text });
          const c = run.suites[0]!.cases[0]!;
          c.message = `${text}${text}`;
          c.app = { id: text, name: `${text}!` };
          run.profile = {
            summary: { aggregation: text },
            detected: {
              aggregation: { value: text, basis: text },
              segments: { value: "written", basis: "s" },
              views: { value: "aggregated", basis: "v", lastDay: { [text]: "2026-11-30" }, firstDay: { [`${text}Q`]: text } },
              eventLimit: { server: 500, basis: text, apps: { [text]: 3, [`${SECRET}${text}`]: 4 } },
            },
          } as unknown as RunResult["profile"];
          for (const limits of [TINY, { name: 12, message: 8, prose: 10, findingsBudget: 30 }]) {
            expect(boundRun(run, limits, safe)).toStrictEqual(boundRun(mapRunText(run, safe), limits));
          }
        }
      }
    }
  });
});
