// The per-day series of the raw-vs-aggregated checks (what the HTML report charts): on
// consistent data both lines agree, after the post-restore incident the aggregated line is 0
// where raw events exist, a shifted timezone moves it, and the run stays bounded.
import { describe, expect, it } from "vitest";
import { applyCorruptions } from "../../fixtures/corruptions.ts";
import { generateDataset } from "../../fixtures/generate.ts";
import type { CaseResult } from "../../runner/model.ts";
import { CaseSeries, SERIES_LIMITS, SeriesBudget } from "../../runner/series.ts";
import { runKinds } from "../support/run-fixture.ts";

const KINDS = ["events-match-raw", "sessions-match-raw", "views-match-raw", "sources-match-raw", "no-double-counting"] as const;
const SEED = 20250319;
const consistent = generateDataset(SEED, { layout: "current" });

function byKind(cases: readonly CaseResult[], kind: string): CaseResult[] {
  return cases.filter((c) => c.kind === kind);
}

describe("series of the raw-vs-aggregated checks", () => {
  it("every such case of every app carries its series, the total line first; raw equals aggregated on consistent data", async () => {
    const cases = await runKinds(consistent, KINDS);
    for (const kind of KINDS) {
      const list = byKind(cases, kind).filter((c) => c.outcome !== "skipped");
      expect(list.length, kind).toBeGreaterThan(0);
      for (const c of list) {
        expect(c.outcome, `${c.name}: ${c.message}`).toBe("passed");
        expect(c.series?.length, c.name).toBeGreaterThan(0);
        expect(c.seriesTotal).toBeGreaterThanOrEqual(c.series!.length);
        for (const s of c.series!) {
          expect(s.days).toEqual([...s.days].sort());
          expect(s.raw).toHaveLength(s.days.length);
          expect(s.aggregated, `${c.name} ${s.label}`).toEqual(s.raw);
        }
      }
    }
    const events = byKind(cases, "events-match-raw").find((c) => (c.series?.length ?? 0) > 1)!;
    expect(events.series![0]!.label).toBe("all events · c");
    // The total line is the sum of the event lines, day by day.
    const total = new Map(events.series![0]!.days.map((d, i) => [d, events.series![0]!.raw[i]!]));
    if (events.seriesTotal === events.series!.length) {
      const sums = new Map<string, number>();
      for (const s of events.series!.slice(1)) s.days.forEach((d, i) => sums.set(d, (sums.get(d) ?? 0) + s.raw[i]!));
      expect(sums).toEqual(total);
    }
  });

  it("after the post-restore incident the aggregated line of events is 0 wherever raw events exist, and the lines with findings come first", async () => {
    const cases = await runKinds(applyCorruptions(consistent, ["post-restore-incident"]), ["events-match-raw"]);
    const failed = cases.filter((c) => c.outcome === "failed");
    expect(failed.length).toBeGreaterThan(0);
    for (const c of failed) {
      const [total, first] = c.series!;
      expect(total!.label).toBe("all events · c");
      expect(total!.raw.some((n) => n > 0)).toBe(true);
      expect(total!.aggregated.every((n) => n === 0)).toBe(true);
      // The first event line is one the findings name.
      expect(c.findings.map((f) => `event ${f.event} · c`)).toContain(first!.label);
    }
  });

  it("a shifted timezone shows as aggregated values on other days than the raw ones, totals unchanged", async () => {
    const cases = await runKinds(applyCorruptions(consistent, ["timezone-shifted"]), ["sessions-match-raw"]);
    const shifted = cases.filter((c) => c.outcome === "failed");
    expect(shifted.length).toBeGreaterThan(0);
    for (const c of shifted) {
      const s = c.series![0]!;
      const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
      expect(s.raw).not.toEqual(s.aggregated);
      expect(sum(s.aggregated)).toBe(sum(s.raw));
    }
  });
});

describe("series limits", () => {
  const points = (n: number, from = 0) => Array.from({ length: n }, (_, i) => ({ day: new Date(Date.UTC(2020, 0, 1 + from + i)).toISOString().slice(0, 10) as `${number}-${number}-${number}`, raw: i, aggregated: i + 1 }));

  it("keeps the latest days of a long series and counts the rest", () => {
    const s = new CaseSeries(new SeriesBudget());
    s.add({ label: "long", points: points(SERIES_LIMITS.days + 30).reverse() });
    const [kept] = s.result().series!;
    expect(kept!.days).toHaveLength(SERIES_LIMITS.days);
    expect(kept!.daysLeftOut).toBe(30);
    expect(kept!.days[0]).toBe(points(1, 30)[0]!.day);
    expect(kept!.raw[0]).toBe(30);
    expect(kept!.aggregated[0]).toBe(31);
  });

  it("keeps a few series per case and a bounded number of points per run, counting every series", () => {
    const budget = new SeriesBudget();
    const s = new CaseSeries(budget);
    for (let i = 0; i < SERIES_LIMITS.perCase + 4; i++) s.add({ label: `s${i}`, points: points(10) });
    expect(s.result().series).toHaveLength(SERIES_LIMITS.perCase);
    expect(s.result().seriesTotal).toBe(SERIES_LIMITS.perCase + 4);
    let kept = 0;
    for (let c = 0; c < SERIES_LIMITS.runPoints / 100; c++) {
      const other = new CaseSeries(budget);
      other.add({ label: "x", points: points(200) });
      kept += (other.result().series?.length ?? 0) * 200;
    }
    expect(kept + SERIES_LIMITS.perCase * 10).toBeLessThanOrEqual(SERIES_LIMITS.runPoints);
    expect(budget.pointsLeft).toBeLessThan(200);
  });

  it("with the number of days given, reads no points of a series it would not keep, and keeps the same", () => {
    const counted = (n: number, days?: number) => {
      let reads = 0;
      const input = { label: "x", days, get points() { reads++; return points(n); } };
      return { input, reads: () => reads };
    };
    const budget = new SeriesBudget();
    budget.pointsLeft = 15;
    const hinted = new CaseSeries(budget);
    const tooLong = counted(20, 20);
    hinted.add(tooLong.input);
    expect(tooLong.reads()).toBe(0);
    const fits = counted(10, 10);
    hinted.add(fits.input);
    expect(fits.reads()).toBe(1);
    const plainBudget = new SeriesBudget();
    plainBudget.pointsLeft = 15;
    const plain = new CaseSeries(plainBudget);
    plain.add({ label: "x", points: points(20) });
    plain.add({ label: "x", points: points(10) });
    expect(hinted.result()).toEqual(plain.result());
    expect(budget.pointsLeft).toBe(plainBudget.pointsLeft);
  });

  it("once the run's points are spent, reads neither the days nor the points of a series, and still counts it", () => {
    const budget = new SeriesBudget();
    budget.pointsLeft = 0;
    const s = new CaseSeries(budget);
    let reads = 0;
    s.add({ label: "x", get days() { reads++; return 3; }, get points() { reads++; return points(3); } });
    s.add({ label: "y", points: { [Symbol.iterator]: () => { reads++; return points(3)[Symbol.iterator](); } } });
    expect(reads).toBe(0);
    expect(s.result()).toEqual({ series: [], seriesTotal: 2 });
  });

  it("with fewer points left than a series' least days, reads neither its days nor its points, and keeps what it would have kept", () => {
    const budget = new SeriesBudget();
    budget.pointsLeft = 5;
    const s = new CaseSeries(budget);
    let reads = 0;
    s.add({ label: "long", leastDays: 6, get days() { reads++; return 8; }, get points() { reads++; return points(8); } });
    expect(reads).toBe(0);
    // a bound that fits: the series is read and judged by its days as before
    s.add({ label: "short", leastDays: 2, get days() { reads++; return 3; }, get points() { reads++; return points(3); } });
    expect(reads).toBeGreaterThan(0);
    const plain = new CaseSeries(Object.assign(new SeriesBudget(), { pointsLeft: 5 }));
    plain.add({ label: "long", points: points(8) });
    plain.add({ label: "short", points: points(3) });
    expect(s.result()).toEqual(plain.result());
    expect(s.result().series!.map((x) => x.label)).toEqual(["short"]);
  });

  it("a check that reports no series adds nothing to the case", () => {
    expect(new CaseSeries(new SeriesBudget()).result()).toEqual({});
  });
});
