// The numbers the dashboard shows: per app, event and month, the sum of `d.<day>.c` of
// the no-segment month documents, from `countly.events_data` (current layout) or
// `countly.events<sha1(key + appId)>` resolved through `countly.events.list` (legacy).
// Compared before vs after, they show "the counts changed" even when documents were
// merged rather than copied (a restore without --drop merges into existing data), and
// they line up across layouts (a legacy backup restored and then upgraded).
import { MemoryBudget, type Meter } from "../facts/memory-budget.ts";
import { num } from "../facts/numbers.ts";
import { BSON } from "bson";
import { eventHash } from "../../countly/hash.ts";
import { COLLECTIONS, legacyEventsHash } from "../../countly/layout.ts";
import type { RawVisitor } from "./raw-bson-file.ts";
import type { DiffSide } from "./side.ts";

export const COUNTLY_DB = "countly";

const MONTH = /^\d{4}:(?:[1-9]|1[0-2])$/;
const LEGACY_MONTH_ID = /^no-segment_(\d{4}:(?:[1-9]|1[0-2]))$/;
const DAY = /^(?:[1-9]|[12]\d|3[01])$/;

/** What a side's `countly.apps` and `countly.events` say: app names and, for legacy collections, which app and event a hash is. */
export interface CountlyCatalog {
  apps: Map<string, string>;
  /** sha1(key + appId) -> app and event key. */
  legacy: Map<string, { app: string; key: string }>;
}

function idString(v: unknown): string {
  return String((v as { toHexString?: () => string })?.toHexString?.() ?? v);
}

/** Reads `countly.apps` and `countly.events` (small) whole. Rejects when they cannot be read. */
export async function readCatalog(side: DiffSide, collections: readonly string[], budget: MemoryBudget = new MemoryBudget()): Promise<CountlyCatalog> {
  const catalog: CountlyCatalog = { apps: new Map(), legacy: new Map() };
  if (collections.includes(COLLECTIONS.apps)) {
    await side.scan(COUNTLY_DB, COLLECTIONS.apps, (b, s, e) => {
      const doc = BSON.deserialize(b.subarray(s, e));
      const id = idString(doc._id);
      catalog.apps.set(id, typeof doc.name === "string" && doc.name !== "" ? doc.name : id);
    });
  }
  // the hashes resolve legacy events<hash> collections only: without one, no hash (a SHA-1 per event key) is made or held
  if (collections.includes(COLLECTIONS.events) && collections.some((c) => legacyEventsHash(c) !== undefined)) {
    const keys = budget.meter("the event lists (countly.events)", "event keys", LEGACY_KEY_BYTES);
    await side.scan(COUNTLY_DB, COLLECTIONS.events, (b, s, e) => {
      const doc = BSON.deserialize(b.subarray(s, e));
      const app = idString(doc._id);
      if (!Array.isArray(doc.list)) return;
      for (const key of doc.list) {
        if (typeof key !== "string") continue;
        catalog.legacy.set(eventHash(key, app), { app, key });
        keys.add(1, LEGACY_KEY_BYTES + key.length);
      }
    });
  }
  return catalog;
}

/** A legacy hash held for one event key: the 40-character hash, its map entry and the { app, key } it names (plus the key's length). */
const LEGACY_KEY_BYTES = 200;

function sumDays(d: unknown): number {
  if (!d || typeof d !== "object") return 0;
  let total = 0;
  for (const [day, v] of Object.entries(d as Record<string, unknown>)) {
    if (DAY.test(day) && v && typeof v === "object") total += num((v as Record<string, unknown>).c); // every BSON numeric type (Decimal128 too), as the checks read them
  }
  return total;
}

/** Per side: app -> "event\0month" -> total c. */
export class TotalsTable {
  readonly rows = new Map<string, Map<string, number>>();
  /** Legacy `events<H>` collections no app/event of `countly.events.list` hashes to. */
  readonly unattributed: string[] = [];
  /** An app/event/month row: its key string and map entry (~160 bytes). */
  private readonly meter: Meter;

  constructor(budget: MemoryBudget = new MemoryBudget()) {
    this.meter = budget.meter("the event totals", "rows", 160);
  }

  add(app: string, event: string, month: string, c: number): void {
    let byApp = this.rows.get(app);
    if (!byApp) this.rows.set(app, (byApp = new Map()));
    const k = `${event}\u0000${month}`;
    const prev = byApp.get(k);
    if (prev === undefined) this.meter.add();
    byApp.set(k, (prev ?? 0) + c);
  }

  /**
   * The visitor that folds a collection's documents into the table, or undefined when the
   * collection holds no event totals.
   */
  visitor(db: string, coll: string, catalog: CountlyCatalog): RawVisitor | undefined {
    if (db !== COUNTLY_DB) return undefined;
    if (coll === COLLECTIONS.eventsData) {
      return (b, s, e) => {
        const doc = BSON.deserialize(b.subarray(s, e));
        if (doc.s !== "no-segment" || typeof doc.a !== "string" || typeof doc.e !== "string" || doc.e === "all" || typeof doc.m !== "string" || !MONTH.test(doc.m)) return;
        this.add(doc.a, doc.e, doc.m, sumDays(doc.d));
      };
    }
    const h = legacyEventsHash(coll);
    if (h === undefined) return undefined;
    const who = catalog.legacy.get(h);
    if (!who) {
      this.unattributed.push(`${db}.${coll}`);
      return undefined;
    }
    return (b, s, e) => {
      const doc = BSON.deserialize(b.subarray(s, e));
      const m = typeof doc._id === "string" ? LEGACY_MONTH_ID.exec(doc._id) : null;
      if (m) this.add(who.app, who.key, m[1]!, sumDays(doc.d));
    };
  }
}

export interface TotalsRow {
  event: string;
  /** Countly's month id, `YYYY:M`. */
  month: string;
  before: number;
  after: number;
}

export interface AppTotals {
  app: string;
  /** (event, month) pairs on either side. */
  compared: number;
  before: number;
  after: number;
  /** Pairs whose totals differ, by event then month. */
  differences: TotalsRow[];
}

function monthOrder(m: string): number {
  const [y, mm] = m.split(":");
  return Number(y) * 100 + Number(mm);
}

/** One entry per app of either side (apps collection or totals), by app id. */
export function compareTotals(before: TotalsTable, after: TotalsTable, apps: Iterable<string>): AppTotals[] {
  const ids = new Set([...apps, ...before.rows.keys(), ...after.rows.keys()]);
  const out: AppTotals[] = [];
  for (const app of [...ids].sort()) {
    const b = before.rows.get(app) ?? new Map<string, number>();
    const a = after.rows.get(app) ?? new Map<string, number>();
    const keys = new Set([...b.keys(), ...a.keys()]);
    const row: AppTotals = { app, compared: keys.size, before: 0, after: 0, differences: [] };
    for (const k of keys) {
      const x = b.get(k) ?? 0;
      const y = a.get(k) ?? 0;
      row.before += x;
      row.after += y;
      if (x !== y) {
        const [event, month] = k.split("\u0000") as [string, string];
        row.differences.push({ event, month, before: x, after: y });
      }
    }
    row.differences.sort((p, q) => (p.event < q.event ? -1 : p.event > q.event ? 1 : monthOrder(p.month) - monthOrder(q.month)));
    out.push(row);
  }
  return out;
}

/** `2024:3` -> `2024-03`. */
export function displayMonth(month: string): string {
  const [y, m] = month.split(":");
  return `${y}-${String(m).padStart(2, "0")}`;
}
