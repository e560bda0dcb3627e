// Raw vs aggregated per day, collected while a check compares them and handed to
// CheckContext.series for the HTML report's charts: the total line first, then the lines
// with findings, then the rest by raw volume (the runner keeps the first few).
import type { Day } from "../../countly/time.ts";
import type { CheckContext } from "../types.ts";

type Sums = Map<Day, { raw: number; aggregated: number }>;

export class DailyComparison {
  private readonly lines = new Map<string, Sums>();
  private readonly flagged = new Set<string>();

  add(label: string, day: Day, raw: number, aggregated: number): void {
    let days = this.lines.get(label);
    if (days === undefined) this.lines.set(label, (days = new Map()));
    const sum = days.get(day);
    if (sum === undefined) days.set(day, { raw: 0 + raw, aggregated: 0 + aggregated });
    else {
      sum.raw += raw;
      sum.aggregated += aggregated;
    }
  }

  /** The line has findings: it is reported before the lines without. */
  flag(label: string): void {
    this.flagged.add(label);
  }

  /** Reports the lines; with `total`, a line summing all of them first (when there are several). */
  report(ctx: Pick<CheckContext<unknown>, "series">, total?: string): void {
    if (!ctx.series || this.lines.size === 0) return;
    const volumes = new Map<string, number>();
    for (const [label, days] of this.lines) {
      let n = 0;
      for (const v of days.values()) n = n + v.raw + v.aggregated;
      volumes.set(label, n);
    }
    const lines = [...this.lines].sort(([a], [b]) => Number(this.flagged.has(b)) - Number(this.flagged.has(a)) || volumes.get(b)! - volumes.get(a)! || (a < b ? -1 : 1));
    if (total !== undefined && lines.length > 1) {
      const sum = new DailyComparison();
      for (const [, days] of lines) for (const [day, v] of days) sum.add(total, day, v.raw, v.aggregated);
      lines.unshift([total, sum.lines.get(total)!]);
    }
    // points made when read: the runner keeps the first few series of a case and only counts the rest
    for (const [label, days] of lines) {
      ctx.series({
        label,
        get points() {
          return [...days].map(([day, v]) => ({ day, raw: v.raw, aggregated: v.aggregated }));
        },
      });
    }
  }
}
