// The per-day series checks report (raw vs aggregated, CheckContext.series), bounded so the
// JSON and HTML reports stay small on installs with thousands of apps: a few series per case,
// the latest days of each, and a budget of points for the whole run. What is left out is
// counted (`seriesTotal`, `daysLeftOut`), never dropped silently.
import type { SeriesInput } from "../checks/types.ts";
import type { CaseResult, DailySeries } from "./model.ts";

export const SERIES_LIMITS = {
  /** Series kept per case (the check reports the most telling first). */
  perCase: 6,
  /** Days kept per series: a year and a month. */
  days: 400,
  /** Points (days) kept over the whole run. */
  runPoints: 40_000,
} as const;

/** What is left of the run's points; one per run, shared by its cases. */
export class SeriesBudget {
  pointsLeft: number = SERIES_LIMITS.runPoints;
}

/** Collects one case's series. */
export class CaseSeries {
  private readonly kept: DailySeries[] = [];
  private total = 0;

  constructor(private readonly budget: SeriesBudget) {}

  add(input: SeriesInput): void {
    this.total++;
    // the run's points spent: nothing more is kept (read nothing of the series, which may make its points or days when read)
    if (this.kept.length >= SERIES_LIMITS.perCase || this.budget.pointsLeft <= 0) return;
    // fewer points left than the series has days at least: it would not be kept (fits() below), whatever `days` says
    if (input.leastDays !== undefined && Math.min(input.leastDays, SERIES_LIMITS.days) > this.budget.pointsLeft) return;
    // the same test as below on the days shown, before the points are made (on a large run the budget is soon spent)
    if (input.days !== undefined && !this.fits(Math.min(input.days, SERIES_LIMITS.days))) return;
    const byDay = new Map<string, { raw: number; aggregated: number }>();
    for (const p of input.points) {
      const sum = byDay.get(p.day) ?? { raw: 0, aggregated: 0 };
      sum.raw += p.raw;
      sum.aggregated += p.aggregated;
      byDay.set(p.day, sum);
    }
    const days = [...byDay.keys()].sort();
    const leftOut = Math.max(0, days.length - SERIES_LIMITS.days);
    const shown = days.slice(leftOut);
    if (!this.fits(shown.length)) return;
    this.budget.pointsLeft -= shown.length;
    this.kept.push({
      label: input.label,
      days: shown as DailySeries["days"],
      raw: shown.map((d) => byDay.get(d)!.raw),
      aggregated: shown.map((d) => byDay.get(d)!.aggregated),
      ...(leftOut ? { daysLeftOut: leftOut } : {}),
    });
  }

  private fits(days: number): boolean {
    return days > 0 && days <= this.budget.pointsLeft;
  }

  /** The fields for the case result: none when the check reported no series. */
  result(): Pick<CaseResult, "series" | "seriesTotal"> {
    return this.total ? { series: this.kept, seriesTotal: this.total } : {};
  }
}
