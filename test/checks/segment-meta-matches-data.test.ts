import { describe, expect, it } from "vitest";
import { segmentMetaMatchesData } from "../../checks/segment-meta-matches-data.ts";
import { md5Postfix } from "../../countly/hash.ts";
import type { EventListEntry, SegmentMetaValue, SegmentValueSeen } from "../../runner/facts/types.ts";
import { APP, evaluate } from "../support/check-harness.ts";

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
});
