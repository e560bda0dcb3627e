// Fact counterProblems from a dump: every leaf of the `d` tree of aggregated documents
// that is not a finite, non-negative number (a string, NaN, a negative count...), in the
// events data, `users`, `sources`, the other metric collections and the views data.
// Countly only ever `$inc`s these leaves with numbers, so anything else came from
// somewhere else: a bad merge, an import that stringified numbers, a manual edit.
import { sha1Hex } from "../../../countly/hash.ts";
import { parseMetricId, parseViewDataId } from "../../../countly/ids.ts";
import { COLLECTIONS, legacyViewDataHash } from "../../../countly/layout.ts";
import { dayFromMonthAndKey, inPeriod } from "../../../countly/time.ts";
import { type CollectionRef, type DumpCollector, recordVisitor } from "../collector.ts";
import type { CounterCollectionKind, CounterProblem, CounterProblemKind, CounterProblemsFact } from "../types.ts";
import { eventCollections, eventDocReader, yearInPeriod, yearOf } from "./event-docs.ts";

/** Metric collections in the standard `<appId>_<YYYY:M|YYYY:0>_<P>` layout (besides `users` and `sources`). */
export const METRIC_COLLECTIONS = ["carriers", "devices", "device_details", "cities", "langs", "density", "browser"] as const;

/** Rows listed per app, collection and problem kind; the rest are counted. */
export const MAX_PROBLEMS_PER_COLLECTION = 100;

const PERIOD_IN_ID = /_(\d{4}:\d{1,2})(?:_|$)/;

export const counterProblemsFromDump: DumpCollector<"counterProblems"> = {
  fact: "counterProblems",
  collections(scope, catalog) {
    const db = scope.databases.countly;
    const names = catalog.collections[db] ?? [];
    const refs: CollectionRef[] = [...eventCollections(scope, catalog)];
    for (const n of [COLLECTIONS.users, COLLECTIONS.sources, ...METRIC_COLLECTIONS]) if (names.includes(n)) refs.push({ db, name: n });
    for (const n of names) if (n === COLLECTIONS.viewData || legacyViewDataHash(n) !== undefined) refs.push({ db, name: n });
    return refs;
  },
  fields: { _id: true, a: true, e: true, s: true, m: true, d: true },
  start(scope, catalog) {
    const apps = new Set(scope.apps.map((a) => a.id));
    const placeEvent = eventDocReader(scope, catalog);
    const eventColls = new Set(eventCollections(scope, catalog).map((r) => r.name));
    const legacyViewApps = new Map(scope.apps.map((a) => [`${COLLECTIONS.viewData}${sha1Hex(a.id)}`, a.id]));
    const rows: CounterProblem[] = [];
    const listed = new Map<string, number>();
    const omitted = new Map<string, CounterProblemsFact["omitted"][number]>();
    const scanned = new Map<string, CounterProblemsFact["scanned"][number]>();

    const whose = (doc: Record<string, unknown>, from: CollectionRef): { app: string; kind: CounterCollectionKind } | undefined => {
      const id = String(doc._id);
      if (eventColls.has(from.name)) {
        const p = placeEvent(doc, from);
        return p ? { app: p.app, kind: "events" } : undefined;
      }
      if (from.name === COLLECTIONS.viewData) {
        const v = parseViewDataId(id);
        return v ? { app: v.appId, kind: "views" } : undefined;
      }
      if (legacyViewDataHash(from.name) !== undefined) {
        const app = typeof doc.a === "string" ? doc.a : legacyViewApps.get(from.name);
        return app ? { app, kind: "views" } : undefined;
      }
      const kind: CounterCollectionKind = from.name === COLLECTIONS.users ? "users" : from.name === COLLECTIONS.sources ? "sources" : "metrics";
      const m = parseMetricId(id);
      const app = m?.appId ?? (typeof doc.a === "string" ? doc.a : undefined);
      return app ? { app, kind } : undefined;
    };

    return recordVisitor({
      visit(doc, from) {
        const d = doc.d;
        if (d === undefined) return;
        const who = whose(doc, from);
        if (!who || !apps.has(who.app)) return;
        const id = idText(doc._id);
        const period = typeof doc.m === "string" && /^\d{4}:\d{1,2}$/.test(doc.m) ? doc.m : PERIOD_IN_ID.exec(id)?.[1];
        const isZero = period?.endsWith(":0") ?? false;
        if (period && isZero && !yearInPeriod(yearOf(period), scope.period)) return;
        const collection = `${from.db}.${from.name}`;
        const sk = `${who.app}\u0000${who.kind}`;
        const s = scanned.get(sk) ?? { app: who.app, kind: who.kind, docs: 0 };
        s.docs++;
        scanned.set(sk, s);

        const report = (path: string, value: unknown, found: CounterProblemKind, day: string | undefined) => {
          // An event's sum may be negative (SDKs send refunds as negative sums; Countly accepts any number).
          const problem: CounterProblemKind = found === "negative" && who.kind === "events" && path.endsWith(".s") ? "negative sum" : found;
          const key = `${who.app}\u0000${collection}\u0000${problem}`;
          const n = listed.get(key) ?? 0;
          if (n >= MAX_PROBLEMS_PER_COLLECTION) {
            const o = omitted.get(key) ?? { app: who.app, kind: who.kind, collection, problem, count: 0 };
            o.count++;
            omitted.set(key, o);
            return;
          }
          listed.set(key, n + 1);
          const row: CounterProblem = { app: who.app, kind: who.kind, collection, id, path, value: printed(value), problem };
          if (period) row.period = period;
          if (day) row.day = day;
          rows.push(row);
        };

        const walk = (node: unknown, path: string, day: string | undefined) => {
          if (node !== null && typeof node === "object" && !Array.isArray(node) && !(node instanceof Date) && !("_bsontype" in node)) {
            for (const [k, v] of Object.entries(node as Record<string, unknown>)) walk(v, `${path}.${k}`, day);
            return;
          }
          const problem = problemOf(node);
          if (problem) report(path, node, problem, day);
        };

        if (d === null || typeof d !== "object" || Array.isArray(d)) {
          walk(d, "d", undefined);
          return;
        }
        for (const [k, v] of Object.entries(d as Record<string, unknown>)) {
          // Inside a month document, the first level is the app-local day.
          const day = period && !isZero ? dayFromMonthAndKey(period, k) : undefined;
          if (day && !inPeriod(day, scope.period)) continue;
          walk(v, `d.${k}`, day);
        }
      },
      finish() {
        const order = (a: { app: string; collection?: string; kind: string }, b: { app: string; collection?: string; kind: string }) =>
          a.app < b.app ? -1 : a.app > b.app ? 1 : a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : (a.collection ?? "") < (b.collection ?? "") ? -1 : (a.collection ?? "") > (b.collection ?? "") ? 1 : 0;
        return {
          rows: rows.sort((a, b) => order(a, b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : a.path < b.path ? -1 : a.path > b.path ? 1 : 0)),
          omitted: [...omitted.values()].sort((a, b) => order(a, b) || (a.problem < b.problem ? -1 : a.problem > b.problem ? 1 : 0)),
          scanned: [...scanned.values()].sort(order),
        };
      },
    });
  },
};

/** What is wrong with a leaf value, or undefined for a finite, non-negative number. */
export function problemOf(value: unknown): CounterProblemKind | undefined {
  let n: number;
  if (typeof value === "number") n = value;
  else if (value !== null && typeof value === "object" && "_bsontype" in value) {
    const t = (value as { _bsontype: string })._bsontype;
    // bson numbers a dump decoder may return (Long beyond 2^53, Decimal128, or unpromoted values).
    if (t !== "Long" && t !== "Int32" && t !== "Double" && t !== "Decimal128") return "not a number";
    n = Number(String(value));
  } else if (typeof value === "string") return "string";
  else if (typeof value === "boolean") return "boolean";
  else if (value === null || value === undefined) return "null";
  else if (Array.isArray(value)) return "array";
  else return "not a number";
  if (Number.isNaN(n)) return "NaN";
  if (!Number.isFinite(n)) return "infinite";
  if (n < 0) return "negative";
  return undefined;
}

function printed(value: unknown): string {
  if (typeof value === "string") {
    const text = JSON.stringify(value);
    return text.length > 40 ? `${text.slice(0, 39)}…` : text;
  }
  if (value instanceof Date) return value.toISOString();
  if (value !== null && typeof value === "object" && "_bsontype" in value) return `${(value as { _bsontype: string })._bsontype}(${String(value)})`;
  if (Array.isArray(value)) {
    const text = JSON.stringify(value);
    return text.length > 40 ? `${text.slice(0, 39)}…` : text;
  }
  return String(value);
}

function idText(id: unknown): string {
  const o = id as { toHexString?: () => string } | undefined;
  return String(o?.toHexString?.() ?? id);
}
