import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { segmentMetaMatchesData } from "../../checks/segment-meta-matches-data.ts";
import { md5Postfix } from "../../countly/hash.ts";
import type { EventListEntry, SegmentMetaValue, SegmentValueSeen } from "../../runner/facts/types.ts";
import { APP, EMPTY_FACTS, evaluate } from "../support/check-harness.ts";

const a = APP.id;
const seen = (key: string, segment: string, value: string, extra: Partial<SegmentValueSeen> = {}): SegmentValueSeen => ({
  app: a,
  key,
  segment,
  value,
  year: 2024,
  postfix: md5Postfix(value),
  firstDay: "2024-10-20",
  lastDay: "2024-10-27",
  ...extra,
});
const meta = (key: string, segment: string, value: string, extra: Partial<SegmentMetaValue> = {}): SegmentMetaValue => ({ app: a, key, segment, value, year: 2024, postfix: md5Postfix(value), ...extra });
const entry = (segments: Record<string, string[]>, omitted: Record<string, string[]> = {}): EventListEntry => ({ app: a, list: Object.keys(segments), segments, omitted });
const facts = (s: SegmentValueSeen[], m: SegmentMetaValue[], e: EventListEntry | null = entry({ Buy: ["method"] })) => ({
  segmentMeta: { seen: s, meta: m },
  eventCatalog: { apps: e ? [e] : [], data: [], drill: [], unresolved: [] },
});

describe("segment-meta-matches-data", () => {
  it("passes when every value is listed in the right bucket and every segment registered", () => {
    const out = evaluate(segmentMetaMatchesData, {}, facts([seen("Buy", "method", "card"), seen("Buy", "method", "cash")], [meta("Buy", "method", "card"), meta("Buy", "method", "cash"), meta("Buy", "method", "old")]));
    expect(out).toEqual({ findings: [], skipped: undefined });
  });

  it("reports values missing from the year's meta_v2, once per event, year and segment", () => {
    const out = evaluate(segmentMetaMatchesData, { max_examples: 2 }, facts([seen("Buy", "method", "card"), seen("Buy", "method", "cash"), seen("Buy", "method", "v1:2"), seen("Buy", "method", "[CLY]7")], [meta("Buy", "method", "card")]));
    expect(out.findings).toEqual([
      expect.objectContaining({
        event: "Buy",
        segment: "method",
        field: "meta_v2",
        expected: "4 values listed",
        actual: "3 missing",
        message: '3 of 4 values found in 2024 month documents are not in the year\'s meta_v2 ("cash", "v1:2", … 1 more): the dashboard cannot offer them (some zero documents lost, or meta_v2 partially restored?)',
      }),
    ]);
    // Meta of another year does not count.
    expect(evaluate(segmentMetaMatchesData, {}, facts([seen("Buy", "method", "card")], [meta("Buy", "method", "card", { year: 2023 })])).findings[0]!.message).toMatch(/zero documents lost or not restored/);
  });

  it("reports values in the wrong md5 bucket, in month and in zero documents", () => {
    const wrong = md5Postfix("card") === "A" ? "B" : "A";
    const out = evaluate(segmentMetaMatchesData, {}, facts([seen("Buy", "method", "card", { postfix: wrong })], [meta("Buy", "method", "card", { postfix: wrong })]));
    expect(out.findings).toEqual([
      expect.objectContaining({ field: "postfix", expected: md5Postfix("card"), actual: wrong, message: expect.stringMatching(/month document with postfix .* but md5 puts it in/) }),
      expect.objectContaining({ field: "postfix", expected: md5Postfix("card"), actual: wrong, message: expect.stringMatching(/zero document with postfix .*meta_v2 copied or merged into the wrong zero document/) }),
    ]);
    expect(evaluate(segmentMetaMatchesData, { check_buckets: false }, facts([seen("Buy", "method", "card", { postfix: wrong })], [meta("Buy", "method", "card")])).findings).toEqual([]);
  });

  it("reports segment keys missing from countly.events.segments (dotted event keys as events.js stores them), except omitted ones", () => {
    const s = [seen("Buy", "method", "card"), seen("Buy", "plan", "gold"), seen("a.b", "level", "x")];
    const m = [meta("Buy", "method", "card"), meta("Buy", "plan", "gold"), meta("a.b", "level", "x")];
    expect(evaluate(segmentMetaMatchesData, {}, facts(s, m, entry({ Buy: ["method"], "a:b": ["level"] }))).findings).toEqual([
      expect.objectContaining({ event: "Buy", segment: "plan", field: "countly.events.segments", actual: "missing", message: expect.stringMatching(/not in countly\.events\.segments of this event/) }),
    ]);
    expect(evaluate(segmentMetaMatchesData, {}, facts(s, m, entry({ Buy: ["method"], "a:b": ["level"] }, { Buy: ["plan"] }))).findings).toEqual([]);
    expect(evaluate(segmentMetaMatchesData, { ignore_omitted: false }, facts(s, m, entry({ Buy: ["method"], "a:b": ["level"] }, { Buy: ["plan"] }))).findings).toHaveLength(1);
    expect(evaluate(segmentMetaMatchesData, { check_registry: false }, facts(s, m, null)).findings).toEqual([]);
    expect(evaluate(segmentMetaMatchesData, {}, facts(s, m, null)).findings.map((f) => f.actual)).toEqual(["no countly.events document", "no countly.events document", "no countly.events document"]);
  });

  it("honours the period and exclude_events, and skips without segment data", () => {
    const f = facts([seen("Buy", "method", "card", { firstDay: "2024-10-01", lastDay: "2024-10-05" })], []);
    expect(evaluate(segmentMetaMatchesData, {}, f, { from: "2024-10-04" }).findings).toHaveLength(1);
    expect(evaluate(segmentMetaMatchesData, {}, f, { from: "2024-10-06" }).skipped).toBe("no segment data in the period");
    expect(evaluate(segmentMetaMatchesData, { exclude_events: ["Buy"] }, f).skipped).toBe("no segment data in the period");
  });

  // The md5 postfix as Countly computes it (common.crypto md5, base64, first character), independently of countly/hash.ts.
  const bucket = (value: string) => createHash("md5").update(value).digest("base64")[0]!;

  it("one missing value of several, and all missing: the whole findings; by default up to 5 examples", () => {
    const values = ["v1", "v2", "v3", "v4", "v5", "v6", "v7"];
    const plan = entry({ Buy: ["plan"] });
    const all = evaluate(segmentMetaMatchesData, {}, facts(values.map((v) => seen("Buy", "plan", v)), [], plan));
    expect(all.findings).toEqual([
      { event: "Buy", segment: "plan", field: "meta_v2", expected: "7 values listed", actual: "7 missing", message: '7 of 7 values found in 2024 month documents are not in the year\'s meta_v2 ("v1", "v2", "v3", "v4", "v5", … 2 more): the dashboard cannot offer them (zero documents lost or not restored?)' },
    ]);
    const one = evaluate(segmentMetaMatchesData, {}, facts([seen("Buy", "plan", "gold"), seen("Buy", "plan", "gold", { year: 2024 }), seen("Buy", "plan", "free")], [meta("Buy", "plan", "free")], plan));
    expect(one.findings.map((f) => f.message)).toEqual(['1 of 2 values found in 2024 month documents is not in the year\'s meta_v2 ("gold"): the dashboard cannot offer it (some zero documents lost, or meta_v2 partially restored?)']);
    const five = evaluate(segmentMetaMatchesData, {}, facts(values.slice(0, 5).map((v) => seen("Buy", "plan", v)), [], plan));
    expect(five.findings[0]!.message).toContain('("v1", "v2", "v3", "v4", "v5"):');
  });

  it("wrong buckets: the whole findings against md5's base64 postfix; values without a postfix are not judged", () => {
    const wrong = bucket("card") === "A" ? "B" : "A";
    const out = evaluate(segmentMetaMatchesData, {}, facts([seen("Buy", "method", "card", { postfix: wrong }), seen("Buy", "method", "cash", { postfix: "" })], [meta("Buy", "method", "card", { postfix: wrong }), meta("Buy", "method", "cash", { postfix: "" })], entry({ Buy: ["method"] })));
    expect(out.findings).toEqual([
      { event: "Buy", segment: "method", field: "postfix", expected: bucket("card"), actual: wrong, message: `value "card" is in a 2024 month document with postfix "${wrong}", but md5 puts it in "${bucket("card")}": document copied or renamed without recomputing its id (Countly reads it from the "${bucket("card")}" document only)` },
      { event: "Buy", segment: "method", field: "postfix", expected: bucket("card"), actual: wrong, message: `value "card" is listed in the 2024 zero document with postfix "${wrong}", but md5 puts it in "${bucket("card")}": meta_v2 copied or merged into the wrong zero document` },
    ]);
  });

  it("registry: the whole findings, events in key order, segments sorted", () => {
    const s = [seen("Zed", "b", "x"), seen("Zed", "a", "x"), seen("Ace", "c", "x")];
    const m = [meta("Zed", "b", "x"), meta("Zed", "a", "x"), meta("Ace", "c", "x")];
    expect(evaluate(segmentMetaMatchesData, {}, facts(s, m, entry({ Zed: [], Ace: [] }))).findings.map((f) => `${f.event}.${f.segment}`)).toEqual(["Ace.c", "Zed.a", "Zed.b"]);
    expect(evaluate(segmentMetaMatchesData, {}, facts([s[2]!], [m[2]!], entry({ Ace: [] }))).findings).toEqual([
      { event: "Ace", segment: "c", field: "countly.events.segments", expected: "registered", actual: "missing", message: 'segment "c" has month documents but is not in countly.events.segments of this event: the dashboard does not offer it (countly.events restored from an older backup, or rebuilt by a build that registers only the list?)' },
    ]);
    expect(evaluate(segmentMetaMatchesData, {}, facts([s[2]!], [m[2]!], null)).findings[0]!.message).toBe('segment "c" has month documents but the app has no countly.events document at all (not restored?)');
  });

  it("the period: values seen overlapping it, meta of its years, either end open", () => {
    const v = (firstDay: string, lastDay: string, value: string) => seen("Buy", "plan", value, { firstDay, lastDay, year: Number(firstDay.slice(0, 4)) });
    const f = facts([v("2024-10-01", "2024-10-05", "a"), v("2024-10-10", "2024-10-12", "b")], [meta("Buy", "plan", "z", { year: 2023 })]);
    const missing = (period: { from?: string; to?: string }) => evaluate(segmentMetaMatchesData, { check_registry: false }, f, period).findings.map((x) => x.actual);
    expect(missing({ to: "2024-10-05" })).toEqual(["1 missing"]);
    expect(missing({ to: "2024-10-04", from: "2024-10-01" })).toEqual(["1 missing"]);
    expect(missing({ from: "2024-10-12" })).toEqual(["1 missing"]);
    expect(missing({ from: "2024-10-13" })).toEqual([]);
    // Meta of the period's years only: 2023 meta with no value seen is nothing to judge.
    expect(evaluate(segmentMetaMatchesData, {}, facts([], [meta("Buy", "plan", "z", { year: 2023 })]), { from: "2024-01-01" }).skipped).toBe("no segment data in the period");
    expect(evaluate(segmentMetaMatchesData, {}, facts([], [meta("Buy", "plan", "z", { year: 2023 })]), { to: "2022-12-31" }).skipped).toBe("no segment data in the period");
    expect(evaluate(segmentMetaMatchesData, {}, facts([], [meta("Buy", "plan", "z", { year: 2023 })]), { from: "2023-12-31", to: "2023-12-31" })).toEqual({ findings: [], skipped: undefined });
  });

  it("on a build that writes no segment documents, the skip names the build (not merely 'no segment data')", () => {
    const streams = { drillLayout: "current" as const, present: true, tokens: [{ consumer: "event-aggregator", hasToken: true }] };
    const out = evaluate(segmentMetaMatchesData, {}, { ...facts([], []), changeStreams: streams, buildSignals: { ...EMPTY_FACTS.buildSignals, totalDocs: 3 } });
    expect(out.skipped).toMatch(/^segments not checked: this Countly build writes no segment documents — 3 event total documents but no segment document/);
  });

  it("a value seen up to the period's first day is in the period; one seen only before it is not", () => {
    const s = [seen("Buy", "method", "edge", { lastDay: "2024-10-27" }), seen("Buy", "method", "before", { firstDay: "2024-10-01", lastDay: "2024-10-26" }), seen("Buy", "method", "after", { lastDay: "2024-10-29" })];
    const out = evaluate(segmentMetaMatchesData, {}, facts(s, []), { from: "2024-10-27" });
    expect(out.findings.map((f) => [f.field, f.actual, f.message.split(": ")[0]])).toEqual([["meta_v2", "2 missing", '2 of 2 values found in 2024 month documents are not in the year\'s meta_v2 ("edge", "after")']]);
  });

  it("names unregistered segments event by event in sorted order", () => {
    const s = [seen("Buy", "method", "card"), seen("Cart", "step", "1"), seen("Add", "item", "x")];
    const m = [meta("Buy", "method", "card"), meta("Cart", "step", "1"), meta("Add", "item", "x")];
    const out = evaluate(segmentMetaMatchesData, {}, facts(s, m, entry({})));
    expect(out.findings.map((f) => `${f.event}/${f.segment}`)).toEqual(["Add/item", "Buy/method", "Cart/step"]);
  });
});
