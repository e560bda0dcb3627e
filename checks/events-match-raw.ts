// Aggregated event counters per app, event and day equal the raw drill events.
// This is the invariant that broke in Countly issue #6073 (counts 0 after restore).
import type { Day } from "../countly/time.ts";
import { rowColumns } from "../runner/facts/group-rows.ts";
import type { EventTotalDay, RowColumns } from "../runner/facts/types.ts";
import { EVENT_LIMIT_FACTS, eventLimitState } from "./support/event-limit.ts";
import { DailyComparison } from "./shared/daily-comparison.ts";
import type { CheckDefinition } from "./types.ts";
import { withinTolerance } from "./types.ts";

export interface EventsMatchRawOptions {
  tolerance: number;
  relative_tolerance: number;
  settle_minutes: number;
  fields: ("c" | "s" | "dur")[];
  events?: string[];
  exclude_events: string[];
  aggregates_without_raw: "ignore" | "fail";
  event_limit?: number;
}

const FIELD_NAMES = { c: "count (c)", s: "sum (s)", dur: "duration (dur)" } as const;

/** Float sums of s/dur differ by rounding between Countly's $inc and ours. */
const FLOAT_EPSILON = 1e-9;

export const eventsMatchRaw: CheckDefinition<EventsMatchRawOptions> = {
  meta: {
    kind: "events-match-raw",
    summary: "Aggregated event counts (c, s, dur) per app, event and day equal the raw drill events.",
    proves:
      "For every custom event and app-local day in the period, the no-segment month document's `d.<day>.c` (and `s`, `dur` where sent) equals the sum over the raw `[CLY]_custom` drill documents of that event, bucketed by the app's timezone. Raw events inserted within the settle window before the newest insert may still be missing from the aggregates. Keys missing from a full `countly.events.list` are not compared: Countly keeps their raw events but never aggregates them (event limit from `countly.plugins` `api.event_limit` and the app's `plugins.api.event_limit`; 25.x api/aggregator/usage.js commit 63d5a9b9 stops adding keys at event_limit + 1, the legacy api/parts/data/events.js commit 051870e at event_limit or, within one request, a few more).",
    perApp: true,
    options: {
      type: "object",
      properties: {
        tolerance: { type: "number", minimum: 0, default: 0, description: "Absolute difference allowed per event and day." },
        relative_tolerance: { type: "number", minimum: 0, maximum: 1, default: 0, description: "Relative difference allowed per event and day (0.01 = 1 %)." },
        settle_minutes: { type: "number", minimum: 0, default: 5, description: "Raw events inserted (`cd`) this many minutes before the newest insert may not be aggregated yet." },
        fields: { type: "array", items: { enum: ["c", "s", "dur"] }, minItems: 1, default: ["c", "s", "dur"], description: "Counters to compare." },
        events: { type: "array", items: { type: "string" }, description: "Only these event keys (default: all)." },
        exclude_events: { type: "array", items: { type: "string" }, default: [], description: "Event keys to leave out." },
        aggregates_without_raw: {
          enum: ["ignore", "fail"],
          default: "ignore",
          description: "Aggregated days with no raw events at all: `ignore` (drill data retention deletes old raw data) or `fail`.",
        },
        event_limit: {
          type: "integer",
          minimum: 1,
          description:
            "Countly's `event_limit`; default: the limit in force from the data (`countly.apps` `plugins.api.event_limit`, else `countly.plugins` `api.event_limit`, else 500). An event missing from a full `countly.events.list` is never aggregated by Countly (its raw drill events are kept), so its raw events are not compared: 25.x api/aggregator/usage.js (commit 63d5a9b9) processEventTotalsFromStream adds a new key only while the list holds <= event_limit keys and otherwise returns (\"do not record this event in aggregated data\"), so the list ends at event_limit + 1 keys; the legacy api/parts/data/events.js (commit 051870e) checks the list as read at the start of each request, so one request can push it past the limit.",
        },
      },
    },
    likelyCause:
      "Aggregated counts of 0 or missing with raw events present: the aggregates were not rebuilt after a restore (the aggregator's change-stream resume tokens in `countly.plugins` `_changeStreams` belong to the old server) or the aggregated collections were not restored. Counts above raw: a restore merged into live data (double counting).",
    remediation:
      "Compare with the backup (`countly-check diff --before <backup> --after <database>`). Restore `countly.events_data` (or the legacy `events<hash>` collections) from the same backup as the raw data. Do not delete the `countly.plugins` `_changeStreams` entries to force re-aggregation: a consumer without an entry starts from \"now\"; builds with the bad-range recovery re-read raw data from a failing entry's `cd`, so keep the entries and run `aggregation-cursor-fresh`. Counts above raw: restore into an empty database (`mongorestore --drop`) instead of merging.",
    exampleFinding:
      "app Shop (65f0…) · event Buy · day 2024-10-27 · c: expected 42, actual 0 — no aggregated data for this day, 42 raw drill events: aggregates not rebuilt after restore?",
  },
  needs: (o) => [{ fact: "rawEvents", params: { tailMinutes: o.settle_minutes } }, { fact: "eventAggregates" }, ...EVENT_LIMIT_FACTS],
  // Reads the app's groups as columns (rowColumns): on thousands of apps with a year of days,
  // no object per group is made for a case, and a group costs one pass: no string built,
  // no Map looked up and no property named by a variable (a field is a number here).
  evaluate(ctx) {
    const o = ctx.options;
    const wanted = (key: string) => (o.events === undefined || o.events.includes(key)) && !o.exclude_events.includes(key);
    const rawFact = ctx.facts.get("rawEvents");
    const raw = rowColumns(rawFact, "rows");
    const aggregated = new AggregatedDays(rowColumns(ctx.facts.get("eventAggregates"), "totals"), wanted);

    const limit = eventLimitState(ctx.facts, ctx.app.id, o.event_limit);
    const cutoff = rawFact.maxCdMinute === undefined ? undefined : rawFact.maxCdMinute - o.settle_minutes;
    const tol = { absolute: o.tolerance, relative: o.relative_tolerance };
    const chart = new DailyComparison();
    const charted = o.fields[0]!;
    const chartedAt = FIELD_AT[charted];
    const fieldsAt = o.fields.map((f) => FIELD_AT[f]);
    const labels = new Map<string, string>();
    const label = (k: string): string => {
      let l = labels.get(k);
      if (l === undefined) labels.set(k, (l = `event ${k} · ${charted}`));
      return l;
    };
    const key = raw.column("key");
    const day = raw.column("day");
    const docs = raw.column("docs");
    const tail = raw.column("tail");
    // one reader per field at its own call site, so that each reads its column directly
    const [rawC, rawS, rawDur] = [raw.column("c"), raw.column("s"), raw.column("dur")];
    const [aggC, aggS, aggDur] = [aggregated.field.c, aggregated.field.s, aggregated.field.dur];
    // the rows compared: wanted keys that Countly aggregates (a key's rows come together: one look per key)
    const ids = raw.ids;
    let candidates = 0;
    let compared = 0;
    let lastKey: string | undefined;
    let lastWanted = false;
    let lastCompared = false;
    let lastLabel = "";
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      const k = key(id);
      if (k !== lastKey || i === 0) {
        lastKey = k;
        lastWanted = wanted(k);
        lastCompared = lastWanted && !limit.neverAggregated(k);
        if (lastCompared) lastLabel = label(k);
      }
      if (lastWanted) candidates++;
      if (!lastCompared) continue;
      compared++;
      const d = day(id);
      const agg = aggregated.take(k, d);
      const rc = rawC(id);
      const rs = rawS(id);
      const rd = rawDur(id);
      const ac = agg < 0 ? 0 : (aggC(agg) ?? 0);
      const as = agg < 0 ? 0 : (aggS(agg) ?? 0);
      const ad = agg < 0 ? 0 : (aggDur(agg) ?? 0);
      chart.add(lastLabel, d, chartedAt === 0 ? rc : chartedAt === 1 ? rs : rd, chartedAt === 0 ? ac : chartedAt === 1 ? as : ad);
      // the counters inserted after the cutoff (within the settle window): zeros without one
      let recentC = 0;
      let recentS = 0;
      let recentDur = 0;
      const buckets = cutoff === undefined ? undefined : tail(id);
      if (buckets !== undefined) {
        for (const b of buckets) {
          if (b.minute <= cutoff!) continue;
          recentC += b.c;
          recentS += b.s;
          recentDur += b.dur;
        }
      }
      for (let j = 0; j < fieldsAt.length; j++) {
        const f = fieldsAt[j]!;
        const hi = f === 0 ? rc : f === 1 ? rs : rd;
        const lo = hi - (f === 0 ? recentC : f === 1 ? recentS : recentDur);
        const actual = f === 0 ? ac : f === 1 ? as : ad;
        const epsilon = f === 0 ? 0 : FLOAT_EPSILON * Math.max(1, Math.abs(hi));
        if (actual >= lo - epsilon && actual <= hi + epsilon) continue;
        const expected = actual < lo ? lo : hi;
        if (withinTolerance(expected, actual, tol)) continue;
        chart.flag(lastLabel);
        const field = o.fields[j]!;
        ctx.report({
          event: k,
          day: d,
          field,
          expected: hi,
          actual,
          message: describe(field, hi, lo, actual, agg < 0, docs(id)),
        });
      }
    }
    if (candidates === 0) return { skipped: "no raw custom events in the period" };
    if (compared === 0) {
      const distinct = new Set<string>();
      for (let i = 0; i < ids.length; i++) if (wanted(key(ids[i]!))) distinct.add(key(ids[i]!));
      const keys = distinct.size;
      return { skipped: `the ${keys} event key${keys === 1 ? "" : "s"} with raw events in the period ${keys === 1 ? "is" : "are"} not in the full event list (event_limit ${limit.limit} from ${limit.basis}): Countly does not aggregate ${keys === 1 ? "it" : "them"}` };
    }
    const left = aggregated.left();
    const aggValue = aggregated.field[charted];
    for (const t of left) chart.add(label(t.key), t.day, 0, aggValue(t.row));
    chart.report(ctx, `all events · ${charted}`);
    if (o.aggregates_without_raw === "fail") {
      for (const t of left) {
        const c = aggC(t.row);
        if (c === 0) continue;
        ctx.report({ event: t.key, day: t.day, field: "c", expected: 0, actual: c, message: `aggregated count ${c} but no raw drill events that day (raw data deleted, or aggregates restored over another dataset)` });
      }
    }
  },
};

/** A counter's place in the loops above (0, 1, 2): a number compares without a string. */
const FIELD_AT = { c: 0, s: 1, dur: 2 } as const;

/**
 * The aggregated days of the wanted keys, by event key and day, as a Map keyed by both
 * would hold them (a repeated key and day: the first one's place, the last one's counters):
 * `take` hands a day out once (the id of its row, or -1), `left` gives the rows of the days
 * never taken, in their order. Read from the columns with no object or Map entry per day:
 * the days sorted by key and day (as the facts give them, read in one pass; others are
 * sorted here) and found by binary search, starting where the last look ended (raw rows
 * come in the same order).
 */
class AggregatedDays {
  readonly field: Record<"c" | "s" | "dur", (id: number) => number>;
  /** Per distinct (key, day), sorted by them: its key and day, the id of its last row (its counters) and the position of its first (its place). */
  private readonly keys: string[] = [];
  private readonly days: Day[] = [];
  private readonly lastRow: number[] = [];
  private readonly place: number[] = [];
  private readonly taken: Uint8Array;
  private next = 0;

  constructor(totals: RowColumns<EventTotalDay>, wanted: (key: string) => boolean) {
    const key = totals.column("key");
    const day = totals.column("day");
    this.field = { c: totals.column("c"), s: totals.column("s"), dur: totals.column("dur") };
    // rows sorted by key and day (as the facts give them) become the entries in one pass;
    // others are sorted (sortedEntries)
    if (!this.entriesInOrder(totals.ids, key, day, wanted)) this.sortedEntries(totals.ids, key, day, wanted);
    this.taken = new Uint8Array(this.keys.length);
  }

  /**
   * The entries of rows that come sorted by key and day, a repeated key and day next to
   * its first row; false (entries left partial) as soon as a row is out of that order.
   */
  private entriesInOrder(ids: ArrayLike<number>, key: (id: number) => string, day: (id: number) => Day, wanted: (key: string) => boolean): boolean {
    let lastKey: string | undefined;
    let lastWanted = false;
    for (let p = 0; p < ids.length; p++) {
      const id = ids[p]!;
      const k = key(id);
      if (k !== lastKey || p === 0) {
        lastKey = k;
        lastWanted = wanted(k);
      }
      if (!lastWanted) continue;
      const d = day(id);
      const n = this.keys.length;
      if (n > 0) {
        const c = order(this.keys[n - 1]!, k) || order(this.days[n - 1]!, d);
        if (c > 0) return false;
        if (c === 0) {
          this.lastRow[n - 1] = id;
          continue;
        }
      }
      this.keys.push(k);
      this.days.push(d);
      this.lastRow.push(id);
      this.place.push(p);
    }
    return true;
  }

  /** The entries of rows in any order: sorted by key and day, ties by position. */
  private sortedEntries(ids: ArrayLike<number>, key: (id: number) => string, day: (id: number) => Day, wanted: (key: string) => boolean): void {
    this.keys.length = this.days.length = this.lastRow.length = this.place.length = 0;
    // the wanted rows' positions, keys and days
    const at: number[] = [];
    const keys: string[] = [];
    const days: Day[] = [];
    let lastKey: string | undefined;
    let lastWanted = false;
    for (let p = 0; p < ids.length; p++) {
      const k = key(ids[p]!);
      if (k !== lastKey || p === 0) {
        lastKey = k;
        lastWanted = wanted(k);
      }
      if (!lastWanted) continue;
      at.push(p);
      keys.push(k);
      days.push(day(ids[p]!));
    }
    const compare = (i: number, j: number) => order(keys[i]!, keys[j]!) || order(days[i]!, days[j]!);
    // ties by position: a run of one key and day starts with its first row and ends with its last
    const byKeyAndDay = at.map((_, j) => j).sort((i, j) => compare(i, j) || at[i]! - at[j]!);
    for (let n = 0; n < byKeyAndDay.length; n++) {
      const j = byKeyAndDay[n]!;
      if (n > 0 && compare(byKeyAndDay[n - 1]!, j) === 0) {
        this.lastRow[this.lastRow.length - 1] = ids[at[j]!]!;
        continue;
      }
      this.keys.push(keys[j]!);
      this.days.push(days[j]!);
      this.lastRow.push(ids[at[j]!]!);
      this.place.push(at[j]!);
    }
  }

  /** The id of the row holding the counters of (key, day), once; -1 when there is none or it was taken. */
  take(key: string, day: Day): number {
    const n = this.next;
    const e = n < this.keys.length && this.keys[n] === key && this.days[n] === day ? n : this.find(key, day);
    if (e < 0 || this.taken[e]) return -1;
    this.taken[e] = 1;
    this.next = e + 1;
    return this.lastRow[e]!;
  }

  /** The days never taken, in their order: their keys, days and the ids of the rows with their counters. */
  left(): { key: string; day: Day; row: number }[] {
    const out: number[] = [];
    for (let e = 0; e < this.keys.length; e++) if (!this.taken[e]) out.push(e);
    out.sort((a, b) => this.place[a]! - this.place[b]!);
    return out.map((e) => ({ key: this.keys[e]!, day: this.days[e]!, row: this.lastRow[e]! }));
  }

  private find(key: string, day: Day): number {
    let lo = 0;
    let hi = this.keys.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const c = order(this.keys[mid]!, key) || order(this.days[mid]!, day);
      if (c === 0) return mid;
      if (c < 0) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }
}

function order(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function describe(f: "c" | "s" | "dur", hi: number, lo: number, actual: number, missing: boolean, docs: number): string {
  const unsettled = lo === hi ? "" : ` (${round(hi - lo)} of it inserted within the settle window may still be pending)`;
  const raw = `${docs} raw drill event${docs === 1 ? "" : "s"}`;
  if (missing) return `no aggregated data for this day, ${raw}${unsettled}: aggregates not rebuilt after restore?`;
  if (actual === 0) return `aggregated ${FIELD_NAMES[f]} is 0, ${raw}${unsettled}: counters zeroed, or the data was never aggregated`;
  if (actual < lo) return `${round(lo - actual)} less than the ${raw} add up to${unsettled}: part of the raw data was never aggregated`;
  const ratio = hi > 0 ? actual / hi : Infinity;
  const multiple = Number.isInteger(ratio) && ratio >= 2 ? `, exactly ${ratio}x: a restore merged over live aggregation?` : ": aggregates exceed the raw data";
  return `${round(actual - hi)} more than the ${raw} add up to${multiple}`;
}

function round(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}
