// rawSessions and rawViews from dump documents (current layout: rows found by interned
// numbers, raw-sessions.ts / raw-views.ts) equal a plain reading of the same documents
// decoded by bson: app in scope, string `e`, `ts` a time, the app-local day in the period,
// sessions and begins per app and day with their normalised `up.src`, view documents per
// app, view (`n`, else `sg.name`, else "") and day with `sg.visit`. Read in one pass with
// the other raw facts that share the per-document ids (ScopeApps, RawIds), in any order of
// facts. Odd values real data holds: `n`/`sg.name` of other types, `sg`/`up` that are no
// documents, sources with `$` and `.`, empty and numeric sources. Fixed, printed seed.
import { BSON } from "bson";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { normaliseMetricValue } from "../../../../countly/segments.ts";
import { dayOf, inPeriod, type Period } from "../../../../countly/time.ts";
import { sortRows } from "../../../../runner/facts/dump/raw-events.ts";
import { rawTimestamp } from "../../../../runner/facts/numbers.ts";
import type { FactName, RawSessionDay, RawViewDay } from "../../../../runner/facts/types.ts";
import { DocFields, objectReader } from "../../../../runner/sources/dump/bson-fields.ts";
import { computeFactsByScanning } from "../../../../runner/sources/scan-plan.ts";

const SEED = 20261201;
const APPS = [
  { id: "65f0c0ffee00000000000001", name: "Shop", timezone: "Asia/Kathmandu" },
  { id: "65f0c0ffee00000000000002", name: "Bank", timezone: "America/St_Johns" },
];
const T0 = Date.UTC(2024, 9, 26, 20, 0);
const MIN = 60_000;
const SESSION = "[CLY]_session";
const BEGIN = "[CLY]_session_begin";
const VIEW = "[CLY]_view";

const maybe = <T,>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined, freq: 4 });
const rawDoc = fc.record(
  {
    a: fc.oneof({ arbitrary: fc.constantFrom(APPS[0]!.id, APPS[1]!.id), weight: 8 }, fc.constantFrom("65f0c0ffee00000000000009", 7)),
    e: fc.oneof({ arbitrary: fc.constantFrom(SESSION, BEGIN, VIEW), weight: 6 }, fc.constantFrom("[CLY]_custom", "[CLY]_view_update", 3)),
    n: maybe(fc.constantFrom("Home", "Cart", "", "Ключ", 5, null)),
    ts: fc.integer({ min: -2 * 1440, max: 2 * 1440 }).map((m) => T0 + m * MIN + 17),
    cd: maybe(fc.integer({ min: 0, max: 40 }).map((m) => new Date(T0 + m * MIN))),
    sg: maybe(
      fc.oneof(
        { arbitrary: fc.record({ visit: maybe(fc.constantFrom(0, 1, true, false, "x", null)), name: maybe(fc.constantFrom("Home", "Cart", "", 4)), segment: maybe(fc.constantFrom("a", 1)) }, { requiredKeys: [] }), weight: 6 },
        fc.constantFrom("sg", 1, [1]),
      ),
    ),
    up: maybe(fc.oneof({ arbitrary: fc.record({ src: maybe(fc.constantFrom("google", "$direct", "a.b.c", "", 0, 5, "$")) }, { requiredKeys: [] }), weight: 6 }, fc.constantFrom("up", 2))),
  },
  { requiredKeys: ["a", "e", "ts"] },
);
const periodArb: fc.Arbitrary<Period> = fc.constantFrom({}, { from: "2024-10-26" }, { to: "2024-10-26" }, { from: "2024-10-27", to: "2024-10-27" });
const FACTS: FactName[] = ["rawEvents", "rawViews", "rawSessions", "rawTail", "rawInserts", "drillMeta", "unknownApps"];

/** The facts computed in one pass over the documents, the collectors' readers in `order`. */
async function collect(order: FactName[], period: Period, docs: Record<string, unknown>[]) {
  const scope = { apps: APPS, period, layout: { events: "current", drill: "current", views: "current" }, databases: { countly: "countly", drill: "countly_drill" }, allApps: true } as const;
  const catalog = { collections: { countly: [], countly_drill: ["drill_events"] }, eventLists: {} };
  const requests = new Map(order.map((f) => [f, { tailMinutes: 5 }]));
  const results = await computeFactsByScanning(requests, scope, catalog, async (_ref, prepare) => {
    const what = prepare();
    if (!what) return;
    const read = objectReader(what.layout, what.visit);
    for (const d of docs) read(d);
  }, (_ref, e) => String(e));
  return results;
}

const embedded = (v: unknown): Record<string, unknown> | undefined => (v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined);

/** The plain reading of the documents, each decoded as the dump holds it. */
function reference(raw: Record<string, unknown>[], period: Period): { sessions: RawSessionDay[]; views: RawViewDay[] } {
  const sessions = new Map<string, RawSessionDay>();
  const views = new Map<string, RawViewDay>();
  for (const original of raw) {
    const d = BSON.deserialize(BSON.serialize(original)) as Record<string, unknown>;
    const app = APPS.find((x) => x.id === d["a"]);
    if (!app || typeof d["e"] !== "string") continue;
    const ts = rawTimestamp(d["ts"])!;
    const day = dayOf(app.timezone, ts);
    if (!inPeriod(day, period)) continue;
    if (d["e"] === SESSION || d["e"] === BEGIN) {
      const id = `${app.id}\u0000${day}`;
      const r = sessions.get(id) ?? { app: app.id, day, sessions: 0, begins: 0, bySource: {}, beginsBySource: {} };
      sessions.set(id, r);
      const begin = d["e"] === BEGIN;
      if (begin) r.begins++;
      else r.sessions++;
      const src = normaliseMetricValue(embedded(d["up"])?.["src"]);
      if (src === undefined) continue;
      const to = begin ? r.beginsBySource : r.bySource;
      to[src] = (to[src] ?? 0) + 1;
    } else if (d["e"] === VIEW) {
      const sg = embedded(d["sg"]);
      const view = typeof d["n"] === "string" ? d["n"] : typeof sg?.["name"] === "string" ? (sg["name"] as string) : "";
      const id = `${app.id}\u0000${view}\u0000${day}`;
      const r = views.get(id) ?? { app: app.id, view, day, events: 0, visits: 0 };
      views.set(id, r);
      r.events++;
      if (sg?.["visit"]) r.visits++;
    }
  }
  return { sessions: sortRows([...sessions.values()]), views: sortRows([...views.values()].map((r) => ({ ...r, key: r.view }))).map(({ key: _k, ...r }) => r) };
}

describe(`rawSessions and rawViews from a dump (fast-check seed ${SEED})`, () => {
  console.log(`raw usage facts property: fast-check seed ${SEED}`);

  it("equal the plain reading, read with the other raw facts in any order (current layout)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(rawDoc, { maxLength: 80 }), periodArb, fc.shuffledSubarray(FACTS, { minLength: 1 }), async (raw, period, others) => {
        const want = reference(raw as Record<string, unknown>[], period);
        const order = [...new Set([...others, "rawSessions" as const, "rawViews" as const])];
        const got = await collect(order, period, raw as Record<string, unknown>[]);
        expect(got.rawSessions).toEqual({ ok: true, value: want.sessions });
        expect(got.rawViews).toEqual({ ok: true, value: want.views });
        // bySource keys in the order the documents name them, as the plain reading's
        const keys = (rows: RawSessionDay[]) => rows.map((r) => [Object.keys(r.bySource), Object.keys(r.beginsBySource)]);
        expect(keys((got.rawSessions as { value: RawSessionDay[] }).value)).toEqual(keys(want.sessions));
      }),
      { seed: SEED, numRuns: 150 },
    );
  });

  it("a session or view document whose `n` is no UTF-8 fails the fact reading it alone, as drillPlacer's reading of `n` did", async () => {
    for (const [e, fact] of [[SESSION, "rawSessions"], [BEGIN, "rawSessions"], [VIEW, "rawViews"]] as const) {
      const bytes = BSON.serialize({ a: APPS[0]!.id, e, n: "abc", ts: T0 });
      bytes[Buffer.from(bytes).indexOf("abc")] = 0xff; // the "a" of the name
      const scope = { apps: APPS, period: {}, layout: { events: "current", drill: "current", views: "current" }, databases: { countly: "countly", drill: "countly_drill" }, allApps: true } as const;
      const catalog = { collections: { countly: [], countly_drill: ["drill_events"] }, eventLists: {} };
      const got = await computeFactsByScanning(new Map([[fact, {}]]), scope, catalog, async (_ref, prepare) => {
        const what = prepare()!;
        const doc = new DocFields(what.layout);
        doc.load(bytes, 0, bytes.length);
        what.visit(doc);
      }, (_ref, err) => String(err));
      expect(got[fact], `${fact} on ${e}`).toEqual({ ok: false, error: expect.stringMatching(/UTF-8/) });
    }
  });
});
