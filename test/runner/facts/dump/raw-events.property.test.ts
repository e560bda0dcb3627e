// rawEvents from dump documents equals a plain reading of the same documents: each decoded
// by bson, its counters read with numbers.ts's rules on the decoded values (rawCount, num,
// insertTime, rawTimestamp), its day from dayOf, groups summed in a Map in file order, and
// the tail as "every insert of the last tailMinutes + 1 minutes, per group and minute". The
// documents carry the odd values real drill data holds (counts as strings, Long, Int32,
// Decimal128, NaN, -0, ts in seconds, cd as a number, a date beyond the Date range, missing
// fields), in both layouts, through periods, settle tails and time zones.
import { BSON, Decimal128, Double, Int32, Long } from "bson";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { legacyDrillCollection } from "../../../../countly/ids.ts";
import { dayOf, inPeriod, type Period } from "../../../../countly/time.ts";
import { rawEventsFromDump, sortRows } from "../../../../runner/facts/dump/raw-events.ts";
import { insertTime, num, rawCount, rawTimestamp } from "../../../../runner/facts/numbers.ts";
import type { FactScope, RawEventDay } from "../../../../runner/facts/types.ts";
import { FieldLayout, objectReader } from "../../../../runner/sources/dump/bson-fields.ts";

const SEED = 20261203;
const APPS = [
  { id: "65f0c0ffee00000000000001", name: "Shop", timezone: "Asia/Kathmandu" },
  { id: "65f0c0ffee00000000000002", name: "Bank", timezone: "America/St_Johns" },
];
const KEYS = ["Buy", "Login", "Video Play", "[CLY]_custom"];
const T0 = Date.UTC(2024, 9, 26, 20, 0); // around Berlin's DST change and a few local midnights
const MIN = 60_000;

const counter = fc.oneof(
  { arbitrary: fc.integer({ min: -3, max: 9 }), weight: 4 },
  { arbitrary: fc.constant(new Double(-0)), weight: 2 }, // a plain -0 is serialised as int32 0
  fc.constantFrom(-0, 0.5, -0.5, 1e300, NaN, Infinity, "3", "abc", "", null, true),
  fc.integer({ min: -5, max: 5 }).map((n) => new Int32(n)),
  fc.integer({ min: -5, max: 5 }).map((n) => new Double(n === 0 ? -0 : n + 0.25)),
  fc.constantFrom(Long.fromNumber(4), Long.fromString("9007199254740993"), Decimal128.fromString("2.5"), Decimal128.fromString("NaN")),
);
const field = <T,>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined, freq: 4 });
const minuteOffset = fc.integer({ min: 0, max: 40 });
const insertAt = fc.oneof(
  { arbitrary: minuteOffset.chain((m) => fc.integer({ min: 0, max: MIN - 1 }).map((ms) => new Date(T0 + m * MIN + ms))), weight: 6 },
  minuteOffset.map((m) => T0 + m * MIN + 0.5), // a number
  fc.constantFrom(new Date(8.64e15 + 1), "2024-10-26", Long.fromNumber(T0), new Date(T0 - 3 * 86_400_000)),
);
const time = fc.oneof(
  { arbitrary: fc.integer({ min: -2 * 1440, max: 2 * 1440 }).map((m) => T0 + m * MIN + 17), weight: 6 },
  fc.integer({ min: -2 * 1440, max: 2 * 1440 }).map((m) => new Date(T0 + m * MIN)),
  fc.integer({ min: -2 * 1440, max: 2 * 1440 }).map((m) => Math.floor((T0 + m * MIN) / 1000)), // seconds
  fc.constantFrom(Long.fromNumber(T0), new Int32(1_730_000_000), "1730000000000"),
);
const rawDoc = fc.record(
  {
    a: fc.oneof({ arbitrary: fc.constantFrom(APPS[0]!.id, APPS[1]!.id), weight: 8 }, fc.constantFrom("65f0c0ffee00000000000009", 7)),
    e: fc.oneof({ arbitrary: fc.constant("[CLY]_custom"), weight: 8 }, fc.constantFrom("[CLY]_session", "[CLY]_view", 3)),
    n: fc.oneof({ arbitrary: fc.constantFrom(...KEYS), weight: 8 }, fc.constantFrom("", "Buy ", 5, null)),
    ts: field(time),
    cd: field(insertAt),
    c: field(counter),
    s: field(counter),
    dur: field(counter),
  },
  { requiredKeys: ["a", "e", "n"] },
);
const periodArb: fc.Arbitrary<Period> = fc.constantFrom({}, { from: "2024-10-26" }, { to: "2024-10-26" }, { from: "2024-10-27", to: "2024-10-27" });

function scopeOf(period: Period, tailMinutes: number, layout: "current" | "legacy", eventLists: Record<string, string[]>): FactScope {
  return { apps: APPS, period, layout: { events: layout, drill: layout, views: layout }, databases: { countly: "countly", drill: "countly_drill" }, params: { tailMinutes } };
}

/** The collector over the documents, each collection read in order. */
function collect(scope: FactScope, catalog: { collections: Record<string, string[]>; eventLists: Record<string, string[]> }, byCollection: Map<string, Record<string, unknown>[]>) {
  const v = rawEventsFromDump.start(scope, catalog);
  for (const ref of rawEventsFromDump.collections(scope, catalog)) {
    const layout = new FieldLayout(rawEventsFromDump.fields);
    const read = objectReader(layout, v.reader(layout, ref));
    for (const d of byCollection.get(ref.name) ?? []) read(d);
  }
  const out = v.finish();
  return { rows: out.rows, maxCdMinute: out.maxCdMinute };
}

/** The plain reading: documents decoded (as the dump holds them) and summed in file order. */
function reference(docs: { collection: string; app?: string; key?: string; doc: Record<string, unknown> }[], period: Period, tailMinutes: number) {
  const groups = new Map<string, RawEventDay & { inserts: [number, number, number, number][] }>();
  let maxMinute: number | undefined;
  for (const { app: legacyApp, key: legacyKey, doc: original } of docs) {
    const d = BSON.deserialize(BSON.serialize(original)) as Record<string, unknown>;
    const app = legacyApp ?? d["a"];
    const info = APPS.find((x) => x.id === app);
    if (legacyApp === undefined && (info === undefined || typeof d["e"] !== "string")) continue;
    const ts = rawTimestamp(d["ts"]);
    if (ts === undefined) continue;
    const day = dayOf(info!.timezone, ts);
    const custom = legacyKey !== undefined ? !legacyKey.startsWith("[CLY]_") : d["e"] === "[CLY]_custom";
    if (!custom || !inPeriod(day, period)) continue;
    const key = typeof d["n"] === "string" ? d["n"] : (legacyKey ?? "[CLY]_custom");
    const id = `${app as string}\u0000${key}\u0000${day}`;
    let g = groups.get(id);
    if (g === undefined) groups.set(id, (g = { app: app as string, key, day, c: 0, s: 0, dur: 0, docs: 0, tail: [], inserts: [] }));
    const c = rawCount(d["c"]);
    const s = num(d["s"]);
    const dur = num(d["dur"]);
    g.c += c;
    g.s += s;
    g.dur += dur;
    g.docs++;
    const cd = insertTime(d["cd"]);
    if (cd === undefined) continue;
    const minute = Math.floor(cd / MIN);
    if (maxMinute === undefined || minute > maxMinute) maxMinute = minute;
    g.inserts.push([minute, c, s, dur]);
  }
  const cutoff = maxMinute === undefined ? undefined : maxMinute - tailMinutes;
  const rows: RawEventDay[] = [];
  for (const { inserts, ...row } of groups.values()) {
    const byMinute = new Map<number, { minute: number; c: number; s: number; dur: number }>();
    for (const [minute, c, s, dur] of inserts) {
      if (cutoff === undefined || !(minute >= cutoff)) continue;
      const b = byMinute.get(minute);
      if (b === undefined) byMinute.set(minute, { minute, c, s, dur });
      else {
        b.c += c;
        b.s += s;
        b.dur += dur;
      }
    }
    rows.push({ ...row, tail: [...byMinute.values()].sort((x, y) => x.minute - y.minute) });
  }
  return { rows: sortRows(rows), maxCdMinute: maxMinute };
}

describe(`rawEvents from a dump (fast-check seed ${SEED})`, () => {
  console.log(`rawEvents property: fast-check seed ${SEED}`);

  it("current layout: equals the plain reading, every number to the bit (-0, NaN-free sums, Long, Decimal128)", () => {
    fc.assert(
      fc.property(fc.array(rawDoc, { maxLength: 120 }), periodArb, fc.integer({ min: 0, max: 12 }), (raw, period, tailMinutes) => {
        const docs = raw.map((doc) => ({ collection: "drill_events", doc: doc as Record<string, unknown> }));
        const scope = scopeOf(period, tailMinutes, "current", {});
        const catalog = { collections: { countly_drill: ["drill_events"] }, eventLists: {} };
        const want = reference(docs, period, tailMinutes);
        expect(collect(scope, catalog, new Map([["drill_events", docs.map((d) => d.doc)]]))).toEqual(want);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it("legacy layout: app and event from the collection name, `n` when it is a string", () => {
    const eventLists = { [APPS[0]!.id]: ["Buy", "Login"], [APPS[1]!.id]: ["Video Play"] };
    const targets = [
      { app: APPS[0]!.id, key: "Buy" },
      { app: APPS[0]!.id, key: "Login" },
      { app: APPS[1]!.id, key: "Video Play" },
      { app: APPS[1]!.id, key: "[CLY]_session" },
    ].map((t) => ({ ...t, collection: legacyDrillCollection(t.app, t.key) }));
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat({ max: targets.length - 1 }), rawDoc), { maxLength: 120 }), periodArb, fc.integer({ min: 0, max: 12 }), (raw, period, tailMinutes) => {
        const docs = raw.map(([t, { a: _a, e: _e, ...doc }]) => ({ ...targets[t]!, doc: doc as Record<string, unknown> }));
        const byCollection = new Map<string, Record<string, unknown>[]>();
        for (const d of docs) byCollection.set(d.collection, [...(byCollection.get(d.collection) ?? []), d.doc]);
        const scope = scopeOf(period, tailMinutes, "legacy", eventLists);
        const catalog = { collections: { countly_drill: targets.map((t) => t.collection) }, eventLists };
        // the collector reads collection by collection: the reference reads them in that order too
        const order = rawEventsFromDump.collections(scope, catalog).map((r) => r.name);
        const ordered = order.flatMap((name) => docs.filter((d) => d.collection === name));
        expect(collect(scope, catalog, byCollection)).toEqual(reference(ordered, period, tailMinutes));
      }),
      { seed: SEED + 1, numRuns: 200 },
    );
  });

  it("a ts that is no time stops the fact with the document's problem, as before", () => {
    const scope = scopeOf({}, 0, "current", {});
    const catalog = { collections: { countly_drill: ["drill_events"] }, eventLists: {} };
    const docs = [{ a: APPS[0]!.id, e: "[CLY]_custom", n: "Buy", ts: NaN }];
    expect(() => collect(scope, catalog, new Map([["drill_events", docs]]))).toThrow(/raw event ts NaN is not a time/);
  });
});
