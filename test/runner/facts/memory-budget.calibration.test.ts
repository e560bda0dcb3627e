// The budget's charges (memory-budget.ts) against the bytes their structures really hold:
// each charge within a factor of 2 of the measured bytes, so the charges alone can decide
// the verdict (deterministic) and still track the memory a run holds. Heap bytes are
// measured as heapUsed + arrayBuffers deltas after a full collection; typed-array tables
// by their own byte counts.
import { describe, expect, it } from "vitest";
import { GroupTable } from "../../../runner/facts/dump/group-table.ts";
import { EVENT_LIST_KEY_BYTES, GROUP_BYTES, INTERNED_KEY_BYTES, KEY_REFERENCE_BYTES } from "../../../runner/facts/memory-budget.ts";
import { StringInterner } from "../../../runner/sources/dump/bson-fields.ts";
import { held } from "../../support/heap-bytes.ts";

/** `charge` is within a factor of 2 of `measured` either way. */
function expectWithin2(charge: number, measured: number): void {
  expect(charge).toBeGreaterThanOrEqual(measured / 2);
  expect(charge).toBeLessThanOrEqual(measured * 2);
}

const N = 200_000;
/** A fresh flat string, as a BSON decode makes one (not a slice or a concatenation of another). */
const decoded = (t: string): string => Buffer.from(t, "utf8").toString("utf8");
const keyOf = (i: number): string => `Event ${String(i).padStart(7, "0")}`;

describe("memory budget charges vs the bytes held", () => {
  it(`GROUP_BYTES (${GROUP_BYTES}) per app/event/day group: a raw table while groups are added and once done (with the order kept for the checks), an appended aggregate table`, () => {
    const raw = new GroupTable();
    const appended = new GroupTable(false);
    let peak = 0;
    for (let i = 0; i < N; i++) {
      const [app, key, day] = [i % 200, Math.floor(i / 200) % 500, 20_000 + Math.floor(i / 100_000)];
      raw.add(app, key, day, 1, (i % 7) * 0.25, i % 3);
      appended.append(app, key, day, 2, (i % 5) * 0.5, i % 4);
      if ((i & 0xfff) === 0) peak = Math.max(peak, raw.bytes);
    }
    peak = Math.max(peak, raw.bytes);
    raw.done();
    appended.done();
    const ORDER = 4;
    const measured = { adding: peak / N, rawDone: raw.bytes / N + ORDER, appendedDone: appended.bytes / N + ORDER };
    console.log(`bytes per group: ${JSON.stringify(measured)}; charge ${GROUP_BYTES}`);
    for (const m of Object.values(measured)) expectWithin2(GROUP_BYTES, m);
  });

  it(`GROUP_BYTES per group stays within a factor of 2 when every value needs doubles (fractions everywhere, ids past 16 bits)`, () => {
    const t = new GroupTable();
    for (let i = 0; i < N; i++) t.add(100_000 + (i % 200), 100_000 + Math.floor(i / 200), 20_000 + (i % 3), 0.5, 0.25, 0.125);
    const adding = t.bytes / t.size;
    t.done();
    console.log(`bytes per group, all doubles: adding ${adding}, done ${t.bytes / t.size + 4}; charge ${GROUP_BYTES}`);
    expectWithin2(GROUP_BYTES, adding);
    expectWithin2(GROUP_BYTES, t.bytes / t.size + 4);
  });

  it(`INTERNED_KEY_BYTES (${INTERNED_KEY_BYTES}) + 3 per UTF-8 byte per distinct raw event key (StringInterner)`, () => {
    const keys = Array.from({ length: N }, (_, i) => Buffer.from(keyOf(i)));
    const { bytes, value } = held(() => {
      const interner = new StringInterner();
      for (const k of keys) interner.id(k, 0, k.length);
      return interner;
    });
    expect(value.size).toBe(N);
    const charge = INTERNED_KEY_BYTES + 3 * keys[0]!.length;
    console.log(`bytes per interned key: ${bytes / N}; charge ${charge}`);
    expectWithin2(charge, bytes / N);
  });

  it(`EVENT_LIST_KEY_BYTES (${EVENT_LIST_KEY_BYTES}) + its length per key of an app's event list (a decoded string and its array slot)`, () => {
    const { bytes, value } = held(() => Array.from({ length: N }, (_, i) => decoded(keyOf(i))));
    const charge = EVENT_LIST_KEY_BYTES + keyOf(0).length;
    console.log(`bytes per event list key: ${bytes / N}; charge ${charge}`);
    expect(value.length).toBe(N);
    expectWithin2(charge, bytes / N);
  });

  it(`GROUP_BYTES (${GROUP_BYTES}) per app/event row of the event catalog (a group of day 0 counting documents), KEY_REFERENCE_BYTES (${KEY_REFERENCE_BYTES}) per reference to a key held already`, () => {
    const keys = Array.from({ length: 1000 }, (_, i) => decoded(keyOf(i)));
    // as event-catalog.ts fills it: a group per app and key, month documents in c
    const catalog = new GroupTable();
    let peak = 0;
    for (let i = 0; i < N; i++) {
      catalog.add(i % 200, Math.floor(i / 200), 0, i % 3 === 0 ? 0 : 1, 0, 0);
      if ((i & 0xfff) === 0) peak = Math.max(peak, catalog.bytes);
    }
    peak = Math.max(peak, catalog.bytes);
    catalog.done();
    const ORDER = 4;
    const perRow = { adding: peak / N, done: catalog.bytes / N + ORDER };
    const refs = held(() => Array.from({ length: N }, (_, i) => keys[i % 1000]!));
    console.log(`bytes per catalog row: ${JSON.stringify(perRow)}, per key reference: ${refs.bytes / N}; charges ${GROUP_BYTES}, ${KEY_REFERENCE_BYTES}`);
    expect(catalog.size + refs.value.length).toBe(2 * N);
    for (const m of Object.values(perRow)) expectWithin2(GROUP_BYTES, m);
    expectWithin2(KEY_REFERENCE_BYTES, refs.bytes / N);
  });
});
