// Raw vs aggregated per day, collected while a check compares them and handed to
// CheckContext.series for the HTML report's charts: the total line first, then the lines
// with findings, then the rest by raw volume (the runner keeps the first few).
import type { Day } from "../../countly/time.ts";
import type { CheckContext } from "../types.ts";

/**
 * One line's days in the order first added, with their sums: arrays, not an object per
 * day, since a check adds one day per group compared (a year of days for thousands of
 * events). A day later than every day so far is new without a lookup (days mostly come in
 * order); others are looked up in an index made on the first such day.
 */
class Line {
  readonly days: Day[] = [];
  readonly raw: number[] = [];
  readonly aggregated: number[] = [];
  private latest: Day | undefined;
  private index: Map<Day, number> | undefined;

  add(day: Day, raw: number, aggregated: number): void {
    const at = this.latest === undefined || day > this.latest ? undefined : this.find(day);
    if (at !== undefined) {
      this.raw[at] += raw;
      this.aggregated[at] += aggregated;
      return;
    }
    this.index?.set(day, this.days.length);
    this.days.push(day);
    this.raw.push(0 + raw);
    this.aggregated.push(0 + aggregated);
    if (this.latest === undefined || day > this.latest) this.latest = day;
  }

  private find(day: Day): number | undefined {
    if (this.index === undefined) {
      this.index = new Map();
      for (let i = 0; i < this.days.length; i++) this.index.set(this.days[i]!, i);
    }
    return this.index.get(day);
  }
}

export class DailyComparison {
  private readonly lines = new Map<string, Line>();
  private readonly flagged = new Set<string>();
  // the line added to last: consecutive adds are mostly to one line
  private lastLabel: string | undefined;
  private lastLine: Line | undefined;

  add(label: string, day: Day, raw: number, aggregated: number): void {
    let line = label === this.lastLabel ? this.lastLine : this.lines.get(label);
    if (line === undefined) this.lines.set(label, (line = new Line()));
    this.lastLabel = label;
    this.lastLine = line;
    line.add(day, raw, aggregated);
  }

  /** The line has findings: it is reported before the lines without. */
  flag(label: string): void {
    this.flagged.add(label);
  }

  /** Reports the lines; with `total`, a line summing all of them first (when there are several). */
  report(ctx: Pick<CheckContext<unknown>, "series">, total?: string): void {
    if (!ctx.series || this.lines.size === 0) return;
    const volumes = new Map<string, number>();
    for (const [label, line] of this.lines) {
      let n = 0;
      for (let i = 0; i < line.days.length; i++) n = n + line.raw[i]! + line.aggregated[i]!;
      volumes.set(label, n);
    }
    const lines = [...this.lines].sort(([a], [b]) => Number(this.flagged.has(b)) - Number(this.flagged.has(a)) || volumes.get(b)! - volumes.get(a)! || (a < b ? -1 : 1));
    if (total !== undefined && lines.length > 1) {
      // the sum line made when the runner reads it (its days or points): a run's point budget
      // is soon spent, so on thousands of apps most cases' sums would be made for nothing
      // (it has at least the days of its longest line: the runner may decide by that alone)
      let sum: Line | undefined;
      const made = (): Line => {
        if (sum === undefined) {
          sum = new Line();
          for (const [, line] of lines) for (let i = 0; i < line.days.length; i++) sum.add(line.days[i]!, line.raw[i]!, line.aggregated[i]!);
        }
        return sum;
      };
      let longest = 0;
      for (const [, line] of lines) longest = Math.max(longest, line.days.length);
      ctx.series({
        label: total,
        leastDays: longest,
        get days() {
          return made().days.length;
        },
        get points() {
          return pointsOf(made());
        },
      });
    }
    // points made when read: the runner keeps the first few series of a case and only counts the rest
    for (const [label, line] of lines) {
      ctx.series({
        label,
        days: line.days.length,
        get points() {
          return pointsOf(line);
        },
      });
    }
  }
}

function pointsOf(line: Line): { day: Day; raw: number; aggregated: number }[] {
  return line.days.map((day, i) => ({ day, raw: line.raw[i]!, aggregated: line.aggregated[i]! }));
}
