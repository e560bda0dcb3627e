// Raw vs aggregated per day, collected while a check compares them and handed to
// CheckContext.series for the HTML report's charts: the total line first, then the lines
// with findings, then the rest by raw volume (the runner keeps the first few).
import type { Day } from "../../countly/time.ts";
import type { CheckContext, SeriesInput } from "../types.ts";

/**
 * The lines' days live in flat columns shared by every line of a case (a point per line and
 * day, linked in the order first added), not in arrays per line: a case of an app with
 * 500 events of one day each made 500 lines of three arrays (~600 bytes each before the
 * first day's sums), which on 2,000 apps was most of the check phase's garbage and of the
 * run's peak memory (docs/memory.md). A day later than every day of its line so far is new
 * without a lookup (days mostly come in order); others are looked up in an index of that
 * line made on the first such day.
 */
export class DailyComparison {
  /** label -> line */
  private readonly lines = new Map<string, number>();
  private readonly labels: string[] = [];
  private readonly flagged = new Set<string>();
  // per line: its first and last point, the latest day, how many days, the index of its days (made on demand)
  private first: number[] = [];
  private last: number[] = [];
  private latest: Day[] = [];
  private count: number[] = [];
  private index: (Map<Day, number> | undefined)[] = [];
  // per point: its day, sums and the next point of its line (-1: the last)
  private days: Day[] = [];
  private raw = new Float64Array(16);
  private aggregated = new Float64Array(16);
  private next = new Int32Array(16);
  private points = 0;
  // the line added to last: consecutive adds are mostly to one line
  private lastLabel: string | undefined;
  private lastLine = -1;

  add(label: string, day: Day, raw: number, aggregated: number): void {
    let line = label === this.lastLabel ? this.lastLine : this.lines.get(label);
    if (line === undefined) {
      line = this.newLine();
      this.lines.set(label, line);
      this.labels.push(label);
    }
    this.lastLabel = label;
    this.lastLine = line;
    this.addTo(line, day, raw, aggregated);
  }

  /** The line has findings: it is reported before the lines without. */
  flag(label: string): void {
    this.flagged.add(label);
  }

  /** Reports the lines; with `total`, a line summing all of them first (when there are several). */
  report(ctx: Pick<CheckContext<unknown>, "series">, total?: string): void {
    const n = this.labels.length;
    if (!ctx.series || n === 0) return;
    const volume = new Float64Array(n);
    const flagged = new Uint8Array(n);
    for (let l = 0; l < n; l++) {
      let v = 0;
      for (let p = this.first[l]!; p >= 0; p = this.next[p]!) v = v + this.raw[p]! + this.aggregated[p]!;
      volume[l] = v;
      flagged[l] = this.flagged.has(this.labels[l]!) ? 1 : 0;
    }
    const labels = this.labels;
    const order = Array.from({ length: n }, (_, l) => l).sort((a, b) => flagged[b]! - flagged[a]! || volume[b]! - volume[a]! || (labels[a]! < labels[b]! ? -1 : 1));
    if (total !== undefined && n > 1) {
      // the sum line made when the runner reads it (its days or points): a run's point budget
      // is soon spent, so on thousands of apps most cases' sums would be made for nothing
      // (it has at least the days of its longest line: the runner may decide by that alone)
      let longest = 0;
      for (let l = 0; l < n; l++) longest = Math.max(longest, this.count[l]!);
      let sum = -1;
      const made = (): number => {
        if (sum < 0) {
          sum = this.newLine();
          for (const l of order) for (let p = this.first[l]!; p >= 0; p = this.next[p]!) this.addTo(sum, this.days[p]!, this.raw[p]!, this.aggregated[p]!);
        }
        return sum;
      };
      const from = this;
      ctx.series({
        label: total,
        leastDays: longest,
        get days() {
          return from.count[made()]!;
        },
        get points() {
          return from.pointsOf(made());
        },
      });
    }
    // points made when read: the runner keeps the first few series of a case and only counts the rest
    for (const l of order) ctx.series(new LineSeries(this, labels[l]!, l, this.count[l]!));
  }

  /** Line `line`'s points in the order first added. @internal (LineSeries) */
  pointsOf(line: number): SeriesInput["points"] {
    const out: { day: Day; raw: number; aggregated: number }[] = [];
    for (let p = this.first[line]!; p >= 0; p = this.next[p]!) out.push({ day: this.days[p]!, raw: this.raw[p]!, aggregated: this.aggregated[p]! });
    return out;
  }

  private newLine(): number {
    const line = this.first.length;
    this.first.push(-1);
    this.last.push(-1);
    this.latest.push("" as Day);
    this.count.push(0);
    this.index.push(undefined);
    return line;
  }

  private addTo(line: number, day: Day, raw: number, aggregated: number): void {
    const at = this.count[line] === 0 || day > this.latest[line]! ? undefined : this.find(line, day);
    if (at !== undefined) {
      this.raw[at] += raw;
      this.aggregated[at] += aggregated;
      return;
    }
    const p = this.points++;
    if (p === this.next.length) this.grow();
    this.days.push(day);
    // the first sum as it is, but -0 as 0 (as a sum from 0 would)
    this.raw[p] = 0 + raw;
    this.aggregated[p] = 0 + aggregated;
    this.next[p] = -1;
    if (this.last[line]! >= 0) this.next[this.last[line]!] = p;
    else this.first[line] = p;
    this.last[line] = p;
    this.index[line]?.set(day, p);
    if (this.count[line] === 0 || day > this.latest[line]!) this.latest[line] = day;
    this.count[line]!++;
  }

  private find(line: number, day: Day): number | undefined {
    let index = this.index[line];
    if (index === undefined) {
      index = this.index[line] = new Map();
      for (let p = this.first[line]!; p >= 0; p = this.next[p]!) index.set(this.days[p]!, p);
    }
    return index.get(day);
  }

  private grow(): void {
    const size = this.next.length * 2;
    const raw = new Float64Array(size);
    raw.set(this.raw);
    this.raw = raw;
    const aggregated = new Float64Array(size);
    aggregated.set(this.aggregated);
    this.aggregated = aggregated;
    const next = new Int32Array(size);
    next.set(this.next);
    this.next = next;
  }
}

/** One line as a series: its points made only when the runner reads them (it keeps a few per case). */
class LineSeries implements SeriesInput {
  // private by the language: the series' own fields are label, days and points
  readonly #from: DailyComparison;
  readonly #line: number;

  constructor(
    from: DailyComparison,
    readonly label: string,
    line: number,
    readonly days: number,
  ) {
    this.#from = from;
    this.#line = line;
  }

  get points(): SeriesInput["points"] {
    return this.#from.pointsOf(this.#line);
  }
}
