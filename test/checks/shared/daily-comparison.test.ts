// The raw-vs-aggregated lines checks hand to the HTML report's charts.
import { describe, expect, it } from "vitest";
import { DailyComparison } from "../../../checks/shared/daily-comparison.ts";
import type { SeriesInput } from "../../../checks/types.ts";
import { held } from "../../support/heap-bytes.ts";

function reported(c: DailyComparison, total?: string): { label: string; points: { day: string; raw: number; aggregated: number }[] }[] {
  const out: SeriesInput[] = [];
  c.report({ series: (s) => out.push(s) }, total);
  return out.map((s) => ({ label: s.label, points: [...s.points] }));
}

describe("DailyComparison", () => {
  it("sums what is added for the same line and day", () => {
    const c = new DailyComparison();
    c.add("Buy · c", "2024-10-27", 3, 2);
    c.add("Buy · c", "2024-10-27", 4, 1);
    c.add("Buy · c", "2024-10-28", 1, 1);
    expect(reported(c)).toEqual([{ label: "Buy · c", points: [{ day: "2024-10-27", raw: 7, aggregated: 3 }, { day: "2024-10-28", raw: 1, aggregated: 1 }] }]);
  });

  it("sums a day added again after later days, keeps the days in the order first added, and gives their number", () => {
    const c = new DailyComparison();
    c.add("Buy", "2024-10-28", 1, 0);
    c.add("Buy", "2024-10-30", 2, 0);
    c.add("Buy", "2024-10-27", 4, 1);
    c.add("Buy", "2024-10-28", 8, 2);
    c.add("Buy", "2024-10-27", 16, 4);
    c.add("Buy", "2024-10-29", 32, 8);
    const out: SeriesInput[] = [];
    c.report({ series: (s) => out.push(s) });
    expect(out.map((s) => ({ days: s.days, points: [...s.points] }))).toEqual([
      {
        days: 4,
        points: [
          { day: "2024-10-28", raw: 9, aggregated: 2 },
          { day: "2024-10-30", raw: 2, aggregated: 0 },
          { day: "2024-10-27", raw: 20, aggregated: 5 },
          { day: "2024-10-29", raw: 32, aggregated: 8 },
        ],
      },
    ]);
  });

  it("orders lines with findings first, then by raw + aggregated volume, then by name", () => {
    const c = new DailyComparison();
    c.add("b", "2024-10-27", 1, 1);
    c.add("a", "2024-10-27", 1, 1);
    c.add("big", "2024-10-27", 50, 50);
    c.add("flagged", "2024-10-27", 1, 0);
    c.flag("flagged");
    expect(reported(c).map((s) => s.label)).toEqual(["flagged", "big", "a", "b"]);
    const byName = new DailyComparison();
    for (const label of ["a", "b", "c"]) byName.add(label, "2024-10-27", 1, 1);
    expect(reported(byName).map((s) => s.label)).toEqual(["a", "b", "c"]);
  });

  it("puts a total line first when there are several lines, and none for one line", () => {
    const c = new DailyComparison();
    c.add("Buy", "2024-10-27", 5, 4);
    c.add("View", "2024-10-27", 1, 1);
    c.add("View", "2024-10-28", 2, 0);
    expect(reported(c, "all events")).toEqual([
      { label: "all events", points: [{ day: "2024-10-27", raw: 6, aggregated: 5 }, { day: "2024-10-28", raw: 2, aggregated: 0 }] },
      { label: "Buy", points: [{ day: "2024-10-27", raw: 5, aggregated: 4 }] },
      { label: "View", points: [{ day: "2024-10-27", raw: 1, aggregated: 1 }, { day: "2024-10-28", raw: 2, aggregated: 0 }] },
    ]);
    const one = new DailyComparison();
    one.add("Buy", "2024-10-27", 5, 4);
    expect(reported(one, "all events").map((s) => s.label)).toEqual(["Buy"]);
  });

  it("makes the total line only when its days or points are read (the runner reads none once the run's points are spent)", () => {
    const c = new DailyComparison();
    c.add("Buy", "2024-10-27", 5, 4);
    c.add("View", "2024-10-28", 2, 0);
    c.add("View", "2024-10-27", 1, 1);
    const out: SeriesInput[] = [];
    c.report({ series: (s) => out.push(s) }, "all events");
    // the lines as added until then: a line added after report() would be in a sum made eagerly, not in one made when read
    c.add("Buy", "2024-10-29", 100, 100);
    expect(out[0]!.label).toBe("all events");
    // the longest line's days (View: 2), known before the sum is made
    expect(out[0]!.leastDays).toBe(2);
    expect(out[0]!.days).toBe(3);
    expect([...out[0]!.points]).toEqual([
      { day: "2024-10-27", raw: 6, aggregated: 5 },
      { day: "2024-10-29", raw: 100, aggregated: 100 },
      { day: "2024-10-28", raw: 2, aggregated: 0 },
    ]);
  });

  it("reports nothing without lines or to a harness without charts", () => {
    expect(reported(new DailyComparison(), "total")).toEqual([]);
    const c = new DailyComparison();
    c.add("Buy", "2024-10-27", 1, 1);
    expect(() => c.report({})).not.toThrow();
  });

  // A case of an app with 500 events of one day each makes 500 lines; on 2,000 apps, three
  // arrays per line were most of the check phase's garbage and of the run's peak RSS.
  it("holds under 200 bytes per line of one day (three arrays per line held ~650), and reads the points of a series only when asked", () => {
    const N = 20_000;
    const labels = Array.from({ length: N }, (_, i) => `event Event ${String(i).padStart(7, "0")} · c`);
    const { bytes, value } = held(() => {
      const c = new DailyComparison();
      for (let i = 0; i < N; i++) c.add(labels[i]!, "2024-10-27", i, i);
      return c;
    });
    console.log(`bytes per line of one day: ${bytes / N}`);
    expect(bytes / N).toBeLessThan(200);
    let read = 0;
    let total = 0;
    value.report({
      series: (s) => {
        total++;
        if (total <= 2) read += [...s.points].length;
      },
    }, "all events");
    expect({ total, read }).toEqual({ total: N + 1, read: 2 });
  });
});

