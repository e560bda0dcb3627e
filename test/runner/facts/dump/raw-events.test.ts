// The dump collector of rawEvents on hand-written drill documents: grouping by app, key and
// app-local day, and the per-minute tail of the newest inserts, including inserts that
// arrive out of minute order (a minute older than the newest tail bucket).
import { describe, expect, it } from "vitest";
import { rawEventsFromDump } from "../../../../runner/facts/dump/raw-events.ts";
import type { FactScope } from "../../../../runner/facts/types.ts";
import { FieldLayout, objectReader } from "../../../../runner/sources/dump/bson-fields.ts";

const APP = "65f0a1b2c3d4e5f6a7b8c9d0";
const MIN = 60_000;
const T0 = Date.UTC(2024, 9, 27, 10, 0); // 12:00 in Berlin
const scope = (tailMinutes: number, period = {}): FactScope => ({
  apps: [{ id: APP, name: "Shop", timezone: "Europe/Berlin" }],
  period,
  layout: { events: "current", drill: "current", views: "current" },
  databases: { countly: "countly", drill: "countly_drill" },
  params: { tailMinutes },
});
const catalog = { collections: { countly_drill: ["drill_events"] }, eventLists: {} };
const FROM = { db: "countly_drill", name: "drill_events" };
const ev = (n: string, ts: number, cdMinute: number, c = 1, s = 0, dur = 0) => ({ a: APP, e: "[CLY]_custom", n, ts, cd: T0 + cdMinute * MIN, c, s, dur });

function collect(tailMinutes: number, docs: Record<string, unknown>[], period = {}) {
  const v = rawEventsFromDump.start(scope(tailMinutes, period), catalog);
  const layout = new FieldLayout(rawEventsFromDump.fields);
  const visit = objectReader(layout, v.reader(layout, FROM));
  for (const d of docs) visit(d);
  return v.finish();
}

const m0 = Math.floor(T0 / MIN);

describe("rawEventsFromDump", () => {
  it("keeps per insert minute the counters of the settle window, in minute order, also for late older minutes", () => {
    const out = collect(5, [
      ev("Buy", T0, 0, 1, 1.5, 10),
      ev("Buy", T0, 10, 2, 2, 20), // newest minute 10: window is minutes 5..10, minute 0 drops out
      ev("Buy", T0, 8, 3, 3, 30), // older than the newest bucket: inserted before it
      ev("Buy", T0, 10, 4, 4, 40), // same minute as the newest bucket
      ev("Buy", T0, 7, 5, 5, 50), // older again, before minute 8
      ev("Buy", T0, 8, 6, 6, 60), // adds to the middle bucket
      ev("Buy", T0, 2, 7, 7, 70), // before the window: counted, not in the tail
    ]);
    expect(out.maxCdMinute).toBe(m0 + 10);
    expect(out.rows).toEqual([
      {
        app: APP,
        key: "Buy",
        day: "2024-10-27",
        c: 28,
        s: 28.5,
        dur: 280,
        docs: 7,
        tail: [
          { minute: m0 + 7, c: 5, s: 5, dur: 50 },
          { minute: m0 + 8, c: 9, s: 9, dur: 90 },
          { minute: m0 + 10, c: 6, s: 6, dur: 60 },
        ],
      },
    ]);
  });

  it("drops buckets that fall out of the window as newer inserts arrive, also in other groups", () => {
    const out = collect(2, [ev("Buy", T0, 0), ev("Login", T0, 1), ev("Buy", T0, 3), ev("Buy", T0, 4), ev("Login", T0, 9)]);
    expect(out.rows.map((r) => [r.key, r.c, r.tail.map((b) => b.minute - m0)])).toEqual([
      ["Buy", 3, []],
      ["Login", 2, [9]],
    ]);
  });

  it("puts an insert a fraction of a ms before a minute in the minute before, after inserts on both sides", () => {
    const at = (ms: number, c: number) => ({ ...ev("Buy", T0, 0, c), cd: T0 + ms });
    const out = collect(60, [at(9 * MIN, 1), at(10 * MIN - 0.5, 2), at(10 * MIN, 4), at(10 * MIN - 0.25, 8), at(10 * MIN + 0.25, 16), at(9 * MIN - 0.25, 32)]);
    expect(out.rows[0]!.tail.map((b) => [b.minute - m0, b.c])).toEqual([[8, 32], [9, 11], [10, 20]]);
  });

  it("groups by app-local day, skips other apps, internal events, documents without ts, and days outside the period", () => {
    const lateEvening = Date.UTC(2024, 9, 26, 22, 30); // 00:30 on the 27th in Berlin (CEST)
    const out = collect(0, [
      ev("Buy", lateEvening, 0),
      ev("Buy", Date.UTC(2024, 9, 26, 21, 59), 0), // 23:59 on the 26th
      { ...ev("Buy", T0, 0), a: "other" },
      { ...ev("Buy", T0, 0), e: "[CLY]_session" },
      { _id: "meta", a: APP, e: "[CLY]_custom", n: "Buy" },
      ev("Buy", Date.UTC(2024, 9, 20, 12), 0),
    ], { from: "2024-10-21" });
    expect(out.rows.map((r) => [r.day, r.c, r.docs])).toEqual([["2024-10-26", 1, 1], ["2024-10-27", 1, 1]]);
  });
});
