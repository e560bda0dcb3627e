// eventAggregates from a dump: the no-segment day totals read from the bytes of
// `events_data` (MonthDayCounters' plain walk, the DocFields slot walk, the decoded path)
// equal a plain reading of the decoded documents, whatever the `d` tree holds: doubles,
// int32s, Longs, Decimal128s, strings, NaN and infinities as counters, hour buckets and
// other nested documents, zero-padded, repeated and out-of-range day keys, days that are
// arrays or other values, the 31st of a short month, year documents, other apps, the
// all-events documents, segments, and a period cutting the month.
import { BSON, Decimal128, Double, Int32, Long, ObjectId } from "bson";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { NO_SEGMENT } from "../../../../countly/ids.ts";
import { dayFromMonthAndKey, dayName, inPeriod, type Period } from "../../../../countly/time.ts";
import { eventAggregatesFromDump } from "../../../../runner/facts/dump/event-aggregates.ts";
import { MonthDayCounters } from "../../../../runner/facts/dump/event-docs.ts";
import { sortRows } from "../../../../runner/facts/dump/raw-events.ts";
import { num } from "../../../../runner/facts/numbers.ts";
import type { EventTotalDay, FactScope } from "../../../../runner/facts/types.ts";
import { DocFields, FieldLayout } from "../../../../runner/sources/dump/bson-fields.ts";

const SEED = 20261201;
console.log(`eventAggregates byte paths: fast-check seed ${SEED}`);

const APPS = ["65f0a1b2c3d4e5f6a7b8c9d0", "65f0a1b2c3d4e5f6a7b8c9d1"];
const OTHER_APP = "65f0a1b2c3d4e5f6a7b8c9ff";
const DAY_MS = 86_400_000;

/** A BSON document given as its elements (keys may repeat, as only raw bytes can have them). */
interface Raw {
  raw: [string, Value][];
}
type Value = Raw | unknown;

/** BSON bytes of `entries` in this order, repeated keys kept. */
function bsonDoc(entries: [string, Value][]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const [key, value] of entries) {
    const k = new TextEncoder().encode(key);
    if (isRaw(value)) {
      parts.push(Uint8Array.of(3), k, Uint8Array.of(0), bsonDoc(value.raw));
      continue;
    }
    const one = BSON.serialize({ x: value });
    if (one.length === 5) continue; // undefined: not serialised
    parts.push(one.subarray(4, 5), k, Uint8Array.of(0), one.subarray(7, one.length - 1));
  }
  const size = 4 + parts.reduce((n, p) => n + p.length, 0) + 1;
  const out = new Uint8Array(size);
  new DataView(out.buffer).setInt32(0, size, true);
  let at = 4;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function isRaw(v: unknown): v is Raw {
  return typeof v === "object" && v !== null && Array.isArray((v as Raw).raw);
}

/** Counters the plain walk reads itself (doubles, int32s), and the others. */
const plainCounter = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: -5, max: 1000 }) },
  { weight: 4, arbitrary: fc.double({ min: -1e6, max: 1e6, noNaN: true }).map((x) => new Double(x)) },
  fc.constantFrom(NaN, Infinity, -Infinity, -0, 2 ** 40, 0.1),
  fc.integer({ min: 0, max: 99 }).map((n) => new Int32(n)),
);
const anyCounter = fc.oneof(
  plainCounter,
  fc.integer({ min: 0, max: 99 }).map((n) => Long.fromNumber(n)),
  fc.constant(Long.fromString("9007199254740993")),
  fc.integer({ min: 0, max: 99 }).map((n) => Decimal128.fromString(String(n))),
  fc.constantFrom("7", "", null, true, undefined, [3], { c: 1 }),
);

/** A `d` tree whose counters come from `counter`: mostly distinct days, sometimes a repeated or odd key. */
function tree(counter: fc.Arbitrary<unknown>): fc.Arbitrary<Value> {
  const hour = fc.record({ c: counter, s: counter }).map((r) => ({ raw: Object.entries(r) }) as Raw);
  // a day's document: c/s/dur (maybe repeated), hour buckets, other keys
  const dayDoc = fc
    .array(fc.tuple(fc.constantFrom("c", "s", "dur", "c", "s", "dur", "0", "13", "23", "x", "cc", "du", "durs", "sc"), fc.oneof({ weight: 3, arbitrary: counter }, hour)), { maxLength: 6 })
    .map((raw) => ({ raw }) as Raw);
  const dayValue = fc.oneof(
    { weight: 12, arbitrary: dayDoc },
    { weight: 1, arbitrary: fc.constantFrom(1, 0, "", "x", null, true, false, undefined, [1], new Date(0), new ObjectId("65f0a1b2c3d4e5f6a7b8c9d0"), Long.fromNumber(5), Decimal128.fromString("1")) },
  );
  const dayKey = fc.oneof(
    { weight: 10, arbitrary: fc.integer({ min: 1, max: 31 }).map(String) },
    { weight: 2, arbitrary: fc.constantFrom("01", "09", "00", "0", "32", "39", "99", "x", "1a", "100", "") },
  );
  return fc.array(fc.tuple(dayKey, dayValue), { maxLength: 8 }).map((raw) => ({ raw }) as Raw);
}

const dTree = fc.oneof(
  { weight: 8, arbitrary: tree(plainCounter) },
  { weight: 4, arbitrary: tree(anyCounter) },
  { weight: 1, arbitrary: fc.constantFrom(5, "d", null, [1, 2], undefined) },
);

const eventDoc = fc.record({
  a: fc.constantFrom(APPS[0], APPS[0], APPS[1], OTHER_APP, 7),
  e: fc.constantFrom("Buy", "Buy", "Login", "all", 3),
  s: fc.constantFrom(NO_SEGMENT, NO_SEGMENT, NO_SEGMENT, "platform", null),
  m: fc.constantFrom("2024:2", "2024:2", "2024:3", "2023:4", "2024:0", "2024:13", 5),
  d: dTree,
});

type EventDoc = { a: unknown; e: unknown; s: unknown; m: unknown; d: Value };

function bytesOf(doc: EventDoc): Uint8Array {
  const { a, e, s, m, d } = doc;
  return bsonDoc([["_id", `${String(a)}_${String(e)}_${String(s)}_${String(m)}`], ["a", a], ["e", e], ["s", s], ["m", m], ["d", d]]);
}

const period = fc.constantFrom<Period>({}, { from: "2024-02-10", to: "2024-03-02" }, { from: "2024-03-01" }, { to: "2024-02-29" });

function scopeOf(p: Period): FactScope {
  return {
    apps: APPS.map((id) => ({ id, name: id, timezone: "UTC" })),
    period: p,
    layout: { events: "current", drill: "current", views: "current" },
    databases: { countly: "countly", drill: "countly_drill" },
    params: {},
  };
}

/** The collector over the documents' bytes, as a dump scan feeds it. */
function collect(docs: Uint8Array[], p: Period) {
  const v = eventAggregatesFromDump.start(scopeOf(p), { collections: { countly: ["events_data"] }, eventLists: {} });
  const layout = new FieldLayout(eventAggregatesFromDump.fields);
  const read = v.reader(layout, { db: "countly", name: "events_data" });
  const fields = new DocFields(layout);
  for (const b of docs) {
    fields.load(b, 0, b.length);
    read(fields);
  }
  return v.finish();
}

/** The day totals as Countly's documents say, read from the decoded documents. */
function modelTotals(docs: Uint8Array[], p: Period): EventTotalDay[] {
  const rows = new Map<string, EventTotalDay>();
  for (const b of docs) {
    const doc = BSON.deserialize(b);
    const { a, e, s, m, d } = doc;
    if (typeof a !== "string" || typeof e !== "string" || typeof s !== "string" || typeof m !== "string") continue;
    if (e === "all" || s !== NO_SEGMENT || !APPS.includes(a) || m.endsWith(":0") || !d || typeof d !== "object") continue;
    for (const [k, value] of Object.entries(d as Record<string, unknown>)) {
      const day = dayFromMonthAndKey(m, k);
      if (!day || !inPeriod(day, p) || !value || typeof value !== "object") continue;
      // the day number of a `YYYY-MM-DD` name (the 31st of a short month rolls over)
      const name = dayName(Date.parse(`${day}T00:00:00Z`) / DAY_MS);
      const id = `${a}/${e}/${name}`;
      const row = rows.get(id) ?? { app: a, key: e, day: name, c: 0, s: 0, dur: 0 };
      const v = value as Record<string, unknown>;
      row.c += num(v.c);
      row.s += num(v.s);
      row.dur += num(v.dur);
      rows.set(id, row);
    }
  }
  return sortRows([...rows.values()]);
}

/** Shapes each reader must hand on: a padded day beside its plain twin, a repeated day whose last value is no document. */
const EXAMPLES: [EventDoc[], Period][] = [
  [[{ a: APPS[0], e: "Buy", s: NO_SEGMENT, m: "2024:2", d: { raw: [["1", { raw: [["c", 2]] }], ["01", { raw: [["c", 1]] }]] } }], {}],
  [[{ a: APPS[0], e: "Buy", s: NO_SEGMENT, m: "2024:2", d: { raw: [["3", { raw: [["c", 2]] }], ["3", 5]] } }], {}],
];

describe("eventAggregates from events_data bytes", () => {
  it("day totals equal the decoded documents' for any d tree (property, fixed seed)", () => {
    fc.assert(
      fc.property(fc.array(eventDoc, { maxLength: 12 }), period, (docs, p) => {
        const bytes = docs.map((d) => bytesOf(d as EventDoc));
        expect(collect(bytes, p).totals).toEqual(modelTotals(bytes, p));
      }),
      { seed: SEED, numRuns: 400, examples: EXAMPLES },
    );
  });

  it("reads the common shape without the slower readers, and leaves padded and repeated day keys and other counter types to them", () => {
    const walk = (d: [string, Value][]) => {
      const b = bsonDoc(d);
      const m = new MonthDayCounters();
      return m.read(b, 0, b.length) ? m : undefined;
    };
    const plain = walk([
      ["1", { raw: [["c", 2], ["s", new Double(1.5)], ["0", { raw: [["c", 2]] }]] }],
      ["31", { raw: [["dur", 40], ["c", NaN]] }],
      ["7", "x"],
      ["note", [1, 2]],
    ]);
    expect(plain?.days).toBe((1 << 1) | (1 << 31));
    expect([plain?.c[1], plain?.s[1], plain?.dur[1]]).toEqual([2, 1.5, 0]);
    expect([plain?.c[31], plain?.dur[31]]).toEqual([0, 40]);
    expect(walk([["01", { raw: [["c", 1]] }]])).toBeUndefined();
    expect(walk([["3", { raw: [["c", 1]] }], ["3", { raw: [["c", 2]] }]])).toBeUndefined();
    expect(walk([["3", { raw: [["c", 1], ["c", 2]] }]])).toBeUndefined();
    expect(walk([["3", { raw: [["c", Long.fromNumber(1)]] }]])).toBeUndefined();
    expect(walk([["3", [1]]])).toBeUndefined();
  });

  it("hands malformed trees to the slot walk (which reports them as before): a day longer than its month, a key running into the terminator", () => {
    const m = new MonthDayCounters();
    const b = bsonDoc([["3", { raw: [["c", 1]] }]]);
    expect(m.read(b, 0, b.length)).toBe(true);
    const long = b.slice();
    new DataView(long.buffer).setInt32(7, 200, true); // the day document's size, past the end of d
    expect(m.read(long, 0, long.length)).toBe(false);
    const unterminated = Uint8Array.of(8, 0, 0, 0, 16, 0x33, 0x33, 0);
    expect(m.read(unterminated, 0, unterminated.length)).toBe(false);
  });
});
