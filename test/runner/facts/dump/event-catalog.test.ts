// The event catalog's memory meters: what it keeps grows with event names (the keys each
// app's events document names, one row per app and key with aggregated data), and it is
// charged to the run's budget, so 1M distinct names stop with the budget's message instead
// of running past it.
import { describe, expect, it } from "vitest";
import { eventCatalogFromDump } from "../../../../runner/facts/dump/event-catalog.ts";
import { EVENT_LIST_KEY_BYTES, GROUP_BYTES, KEY_REFERENCE_BYTES, MemoryBudget, MemoryBudgetError } from "../../../../runner/facts/memory-budget.ts";
import type { FactScope } from "../../../../runner/facts/types.ts";
import { FieldLayout, objectReader } from "../../../../runner/sources/dump/bson-fields.ts";
import { ObjectId } from "bson";
import { rowColumns } from "../../../../runner/facts/group-rows.ts";
import { scopeFact } from "../../../../runner/facts/scope.ts";
import { held } from "../../../support/heap-bytes.ts";

const APP = "65f0a1b2c3d4e5f6a7b8c9d0";
const scope = (budget: MemoryBudget): FactScope => ({
  apps: [{ id: APP, name: "Shop", timezone: "UTC" }],
  period: {},
  layout: { events: "current", drill: "current", views: "current" },
  databases: { countly: "countly", drill: "countly_drill" },
  params: {},
  budget,
});
const catalog = { collections: { countly: ["events", "events_data"] }, eventLists: {} };
const eventsDoc = (keys: string[]) => ({ _id: new ObjectId(APP), list: keys });
const dataDoc = (key: string) => ({ _id: `${APP}_${key}_2024:10`, a: APP, e: key, m: "2024:10" });

function collect(budget: MemoryBudget, keys: string[], dataKeys: string[]) {
  const v = eventCatalogFromDump.start(scope(budget), catalog);
  const layout = new FieldLayout(eventCatalogFromDump.fields);
  const events = objectReader(layout, v.reader(layout, { db: "countly", name: "events" }));
  events(eventsDoc(keys));
  const data = objectReader(layout, v.reader(layout, { db: "countly", name: "events_data" }));
  for (const k of dataKeys) data(dataDoc(k));
  return v.finish();
}

describe("eventCatalogFromDump memory meters", () => {
  const keys = ["Buy", "Login", "Share"];
  // `list` and the keys named anywhere in the document: two references per key, one string each
  const listBytes = keys.reduce((n, k) => n + 2 * KEY_REFERENCE_BYTES + EVENT_LIST_KEY_BYTES + k.length, 0);

  it("charges the listed keys and one row per key with data, at the documented estimates", () => {
    const budget = new MemoryBudget(1024 * 1024);
    const out = collect(budget, keys, ["Buy", "Buy", "Login"]);
    expect(out.data.map((r) => [r.key, r.docs])).toEqual([["Buy", 2], ["Login", 1]]);
    expect(budget.usedBytes).toBe(listBytes + 2 * GROUP_BYTES);
  });

  it("stops one row past the budget, naming the apps and event keys it grew to", () => {
    let err: unknown;
    try {
      collect(new MemoryBudget(listBytes + 2 * GROUP_BYTES - 1), keys, ["Buy", "Login"]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(MemoryBudgetError);
    expect((err as Error).message).toMatch(/eventCatalog grew to 1 apps, 2 event keys\. Narrow the run with --app .* --from .*--max-memory/);
  });
});

describe("eventCatalogFromDump rows of aggregated data", () => {
  // 2,000 apps of 500 events each held ~100 bytes per app and event in row objects and a Map
  // for the whole run: a quarter of its heap, though the event checks read one app's at a time.
  const APPS = Array.from({ length: 200 }, (_, i) => `65f0a1b2c3d4e5f6a7b8${String(i).padStart(4, "0")}`);
  const KEYS = Array.from({ length: 250 }, (_, i) => `Event ${i}`);
  const manyApps = (): FactScope => ({ ...scope(new MemoryBudget()), apps: APPS.map((id) => ({ id, name: id, timezone: "UTC" })) });
  function collectAll(): ReturnType<typeof collect> {
    const v = eventCatalogFromDump.start(manyApps(), catalog);
    const layout = new FieldLayout(eventCatalogFromDump.fields);
    const data = objectReader(layout, v.reader(layout, { db: "countly", name: "events_data" }));
    for (const a of APPS) for (const e of KEYS) for (const m of ["2024:0", "2024:10", "2024:11"]) data({ _id: `${a}_${e}_${m}`, a, e, m });
    return v.finish();
  }

  it("holds under 45 bytes per app and event (was ~75 in row objects), and makes an app's rows only when read, in app and key order", () => {
    const { bytes, value } = held(collectAll);
    const n = APPS.length * KEYS.length;
    console.log(`event catalog: bytes held per app and event: ${bytes / n}`);
    expect(bytes / n).toBeLessThan(45);
    const one = scopeFact<"eventCatalog">(value, APPS[7]!, {});
    expect(rowColumns(one, "data").ids.length).toBe(KEYS.length);
    const sorted = [...KEYS].sort();
    expect(one.data).toEqual(sorted.map((key) => ({ app: APPS[7], key, collection: "countly.events_data", monthDocs: 2, docs: 3 })));
    expect(value.data.length).toBe(n);
    expect(value.data[0]).toEqual({ app: APPS[0], key: sorted[0], collection: "countly.events_data", monthDocs: 2, docs: 3 });
  });
});
