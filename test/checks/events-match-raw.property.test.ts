// events-match-raw reads its app's groups as columns (no object per group). Its findings,
// skip reasons and chart series equal those of the row-by-row comparison it replaced
// (`reference` below: rows made as objects, aggregated days in a Map by key and day), on any
// facts: rows in any order, repeated keys and days, other apps, periods, settle windows and
// options; and the same facts kept in group tables (as a dump gives them) read the same.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DailyComparison } from "../../checks/shared/daily-comparison.ts";
import { eventsMatchRaw, type EventsMatchRawOptions } from "../../checks/events-match-raw.ts";
import { withDefaults, withinTolerance, type CheckContext } from "../../checks/types.ts";
import { dayName, inPeriod, type Period } from "../../countly/time.ts";
import { GroupTable, groupRows, type GroupFields } from "../../runner/facts/dump/group-table.ts";
import { defineRows } from "../../runner/facts/group-rows.ts";
import type { EventTotalDay, RawEventDay, TailBucket } from "../../runner/facts/types.ts";
import { APP, evaluate, evaluateSeries } from "../support/check-harness.ts";

const SEED = 20261201;
const RUNS = 300;

const a = APP.id;
const KEYS = ["Buy", "Login", "b", "Ä", "Share"];
const DAYS = ["2024-10-26", "2024-10-27", "2024-10-28", "2024-11-01", "2025-01-01"];

const counters = fc.record({ c: fc.integer({ min: 0, max: 6 }), s: fc.constantFrom(0, 0.1, 0.2, 2.5, 1e6 + 0.3), dur: fc.constantFrom(0, 1, 7.25) });
const tail = fc.array(fc.record({ minute: fc.integer({ min: 995, max: 1003 }), c: fc.integer({ min: 0, max: 3 }), s: fc.constantFrom(0, 0.5), dur: fc.constantFrom(0, 2) }), { maxLength: 3 });
const rawRow = fc
  .record({ app: fc.constantFrom(a, a, a, "other"), key: fc.constantFrom(...KEYS), day: fc.constantFrom(...DAYS), counters, docs: fc.integer({ min: 1, max: 9 }), tail })
  .map(({ counters: n, ...r }): RawEventDay => ({ ...r, ...n, tail: r.tail.sort((x, y) => x.minute - y.minute) }));
const aggRow = fc.record({ app: fc.constantFrom(a, a, "other"), key: fc.constantFrom(...KEYS), day: fc.constantFrom(...DAYS), counters }).map(({ counters: n, ...r }): EventTotalDay => ({ ...r, ...n }));
const options = fc.record(
  {
    fields: fc.subarray(["c", "s", "dur"] as const, { minLength: 1 }),
    tolerance: fc.constantFrom(0, 1),
    relative_tolerance: fc.constantFrom(0, 0.1),
    settle_minutes: fc.constantFrom(0, 2, 5),
    events: fc.subarray(KEYS),
    exclude_events: fc.subarray(KEYS, { maxLength: 2 }),
    aggregates_without_raw: fc.constantFrom("ignore" as const, "fail" as const),
  },
  { requiredKeys: ["fields"] },
);
const period = fc.constantFrom<Period>({}, { from: "2024-10-27" }, { to: "2024-10-28" }, { from: "2024-10-27", to: "2024-11-01" });

describe("events-match-raw over columns", () => {
  it(`equals the row-by-row comparison on any facts, as rows in any order or kept in group tables (seed ${SEED}, ${RUNS} runs)`, () => {
    console.log(`events-match-raw columns: fast-check seed ${SEED}`);
    fc.assert(
      fc.property(fc.array(rawRow, { maxLength: 25 }), fc.array(aggRow, { maxLength: 25 }), fc.option(fc.constant(1003), { nil: undefined }), options, period, (rows, totals, maxCdMinute, o, p) => {
        const facts = { rawEvents: { rows, maxCdMinute }, eventAggregates: { totals, segments: [], unattributed: [] } };
        const want = reference(withDefaults<EventsMatchRawOptions>(eventsMatchRaw.meta, o), facts, p);
        expect(evaluate(eventsMatchRaw, o, facts, p)).toEqual(want.outcome);
        expect(evaluateSeries(eventsMatchRaw, o, facts, p)).toEqual(want.series);
        // kept as a dump keeps them: one group per app, key and day, sorted
        const tables = asTables(rows, totals, maxCdMinute);
        const wantTables = reference(withDefaults<EventsMatchRawOptions>(eventsMatchRaw.meta, o), { rawEvents: { rows: tables.rows, maxCdMinute }, eventAggregates: { totals: tables.totals, segments: [], unattributed: [] } }, p);
        const fromTables = { rawEvents: tables.rawFact, eventAggregates: tables.aggFact };
        expect(evaluate(eventsMatchRaw, o, fromTables, p)).toEqual(wantTables.outcome);
        expect(evaluateSeries(eventsMatchRaw, o, fromTables, p)).toEqual(wantTables.series);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });
});

const dayNumber = (day: string) => Date.parse(`${day}T00:00:00Z`) / 86_400_000;

/** The rows summed into group tables (as rawEvents and eventAggregates of a dump), the facts over them, and the rows they hold. */
function asTables(rows: RawEventDay[], totals: EventTotalDay[], maxCdMinute: number | undefined) {
  const apps = [a, "other"];
  const raw = new GroupTable();
  const tails = new Map<number, TailBucket[]>();
  for (const r of rows) {
    const g = raw.add(apps.indexOf(r.app), KEYS.indexOf(r.key), dayNumber(r.day), r.c, r.s, r.dur);
    if (r.tail.length) tails.set(g, [...(tails.get(g) ?? []), ...r.tail]);
  }
  raw.done();
  const rawFields: GroupFields<RawEventDay> = {
    app: (g) => apps[raw.app(g)]!,
    key: (g) => KEYS[raw.key(g)]!,
    day: (g) => dayName(raw.day(g)),
    c: (g) => raw.c(g),
    s: (g) => raw.s(g),
    dur: (g) => raw.dur(g),
    docs: (g) => raw.docs(g),
    tail: (g) => tails.get(g) ?? [],
  };
  const rawRows = groupRows(raw, apps, KEYS, rawFields);
  const agg = new GroupTable(false);
  for (const t of totals) agg.add(apps.indexOf(t.app), KEYS.indexOf(t.key), dayNumber(t.day), t.c, t.s, t.dur);
  agg.done();
  const aggFields: GroupFields<EventTotalDay> = { app: (g) => apps[agg.app(g)]!, key: (g) => KEYS[agg.key(g)]!, day: (g) => dayName(agg.day(g)), c: (g) => agg.c(g), s: (g) => agg.s(g), dur: (g) => agg.dur(g) };
  const aggRows = groupRows(agg, apps, KEYS, aggFields);
  return {
    rows: rawRows.all(),
    totals: aggRows.all(),
    rawFact: defineRows({ rows: [] as RawEventDay[], maxCdMinute }, "rows", rawRows),
    aggFact: defineRows({ totals: [] as EventTotalDay[], segments: [], unattributed: [] }, "totals", aggRows),
  };
}

/** The comparison as it was made row by row (the app's rows as objects, aggregated days in a Map by key and day), with the same messages. */
function reference(o: EventsMatchRawOptions, facts: { rawEvents: { rows: RawEventDay[]; maxCdMinute?: number }; eventAggregates: { totals: EventTotalDay[]; segments: unknown[]; unattributed: string[] } }, p: Period) {
  const findings: Record<string, unknown>[] = [];
  const series: { label: string; points: { day: string; raw: number; aggregated: number }[] }[] = [];
  const ctx = { series: (s: { label: string; points: Iterable<{ day: string; raw: number; aggregated: number }> }) => series.push({ label: s.label, points: [...s.points] }) } as Pick<CheckContext<unknown>, "series">;
  const mine = <T extends { app: string; day: string }>(r: T) => r.app === a && inPeriod(r.day, p);
  const wanted = (key: string) => (o.events === undefined || o.events.includes(key)) && !o.exclude_events.includes(key);
  const days = new Map<string, Map<string, number>>();
  const list: EventTotalDay[] = [];
  const taken: boolean[] = [];
  for (const t of facts.eventAggregates.totals.filter(mine)) {
    if (!wanted(t.key)) continue;
    let byDay = days.get(t.key);
    if (!byDay) days.set(t.key, (byDay = new Map()));
    const at = byDay.get(t.day);
    if (at === undefined) {
      byDay.set(t.day, list.length);
      list.push(t);
      taken.push(false);
    } else list[at] = t;
  }
  const rows = facts.rawEvents.rows.filter(mine).filter((r) => wanted(r.key));
  if (rows.length === 0) return { outcome: { findings, skipped: "no raw custom events in the period" }, series };
  const max = facts.rawEvents.maxCdMinute;
  const cutoff = max === undefined ? undefined : max - o.settle_minutes;
  const chart = new DailyComparison();
  const charted = o.fields[0]!;
  const label = (key: string) => `event ${key} · ${charted}`;
  for (const r of rows) {
    const at = days.get(r.key)?.get(r.day);
    const agg = at === undefined || taken[at] ? undefined : list[at];
    if (at !== undefined) taken[at] = true;
    chart.add(label(r.key), r.day, r[charted], agg?.[charted] ?? 0);
    const recent = { c: 0, s: 0, dur: 0 };
    if (cutoff !== undefined) for (const b of r.tail) if (b.minute > cutoff) for (const f of ["c", "s", "dur"] as const) recent[f] += b[f];
    for (const f of o.fields) {
      const hi = r[f];
      const lo = hi - recent[f];
      const actual = agg?.[f] ?? 0;
      const epsilon = f === "c" ? 0 : 1e-9 * Math.max(1, Math.abs(hi));
      if (actual >= lo - epsilon && actual <= hi + epsilon) continue;
      if (withinTolerance(actual < lo ? lo : hi, actual, { absolute: o.tolerance, relative: o.relative_tolerance })) continue;
      chart.flag(label(r.key));
      findings.push({ event: r.key, day: r.day, field: f, expected: hi, actual, message: expect.any(String) });
    }
  }
  const left = list.filter((_, i) => !taken[i]);
  for (const t of left) chart.add(label(t.key), t.day, 0, t[charted]);
  chart.report(ctx, `all events · ${charted}`);
  if (o.aggregates_without_raw === "fail") for (const t of left) if (t.c !== 0) findings.push({ event: t.key, day: t.day, field: "c", expected: 0, actual: t.c, message: expect.stringMatching(/^aggregated count/) });
  return { outcome: { findings, skipped: undefined }, series };
}
