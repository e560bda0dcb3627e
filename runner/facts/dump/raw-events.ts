// Fact rawEvents from a dump: raw custom events grouped by app, key and app-local day,
// with a per-minute tail of the newest inserts for settle windows.
//
// This is the hot loop of `events-match-raw` over tens of millions of raw drill events, so
// it places documents the way drillReader does (same rules, same results) without its
// per-document allocations: per app a LocalDays (day numbers, offsets remembered per
// 4-hour block) and nested maps app -> key -> day number -> group, where a day outside the
// period is remembered as null; day names are built once per group.
import { INTERNAL_EVENTS, legacyDrillHash } from "../../../countly/layout.ts";
import { dayName, inPeriod, LocalDays } from "../../../countly/time.ts";
import { hashIndex, type Attribution } from "../attribution.ts";
import type { DumpCollector } from "../collector.ts";
import { insertTime, num, rawCount, rawTimestamp } from "../numbers.ts";
import type { Counters, RawEventDay, TailBucket } from "../types.ts";
import { drillCollections, isCustomKey } from "./drill.ts";

interface Group extends Counters {
  app: string;
  key: string;
  day: string;
  docs: number;
  /** Insertion minutes at or after the current cutoff, in increasing minute order. */
  tail: TailBucket[];
}

/** An app in scope: its local days, and its groups by key and day number (null: day outside the period). */
interface AppGroups {
  readonly id: string;
  readonly days: LocalDays;
  readonly keys: Map<string, Map<number, Group | null>>;
}

export const rawEventsFromDump: DumpCollector<"rawEvents"> = {
  fact: "rawEvents",
  // ts and cd as epoch ms: rawTimestamp and insertTime read numbers and Dates alike, and no Date is allocated per event
  fields: { a: true, e: true, n: true, ts: "epoch-ms", cd: "epoch-ms", c: true, s: true, dur: true },
  collections: (scope, catalog) => drillCollections(scope, catalog, (w) => isCustomKey(w.key)),
  start(scope, catalog) {
    const tailMinutes = Math.ceil(scope.params.tailMinutes ?? 0);
    const period = scope.period;
    const apps = new Map<string, AppGroups>();
    // (an unknown timezone throws at the app's first raw event, as dayOf does)
    for (const a of scope.apps) apps.set(a.id, { id: a.id, days: new LocalDays(a.timezone), keys: new Map() });
    // legacy layout: app and event come from the collection name
    const index = scope.layout.drill === "legacy" ? hashIndex(scope.apps, catalog.eventLists) : undefined;
    let lastName = "";
    let lastWho: Attribution | undefined;
    let maxMinute: number | undefined;

    return {
      visit(doc, from) {
        let appGroups: AppGroups | undefined;
        let key: string;
        let custom: boolean;
        if (index) {
          if (from.name !== lastName) {
            lastName = from.name;
            const h = legacyDrillHash(from.name);
            lastWho = h === undefined ? undefined : index.get(h);
          }
          if (!lastWho) return;
          appGroups = apps.get(lastWho.app);
          custom = isCustomKey(lastWho.key);
          key = typeof doc.n === "string" ? doc.n : lastWho.key;
        } else {
          const a = doc.a;
          const e = doc.e;
          if (typeof a !== "string" || typeof e !== "string") return;
          appGroups = apps.get(a);
          custom = e === INTERNAL_EVENTS.custom;
          key = typeof doc.n === "string" ? doc.n : e;
        }
        if (appGroups === undefined) return;
        // Legacy collections also hold `_id: "meta"` / `"meta_v2"` documents without `ts`.
        const ts = rawTimestamp(doc.ts);
        if (ts === undefined) return;
        // before the event type, as drillReader does: a timestamp beyond the Date range throws for any event
        const dayNumber = appGroups.days.number(ts);
        if (!custom) return;

        let byDay = appGroups.keys.get(key);
        if (byDay === undefined) {
          byDay = new Map();
          appGroups.keys.set(key, byDay);
        }
        let g = byDay.get(dayNumber);
        if (g === undefined) {
          const day = dayName(dayNumber);
          g = inPeriod(day, period) ? { app: appGroups.id, key, day, c: 0, s: 0, dur: 0, docs: 0, tail: [] } : null;
          byDay.set(dayNumber, g);
        }
        if (g === null) return;

        const c = rawCount(doc.c);
        const s = num(doc.s);
        const dur = num(doc.dur);
        g.c += c;
        g.s += s;
        g.dur += dur;
        g.docs++;
        const cd = insertTime(doc.cd);
        if (cd === undefined) return;
        const minute = Math.floor(cd / 60000);
        if (maxMinute === undefined || minute > maxMinute) maxMinute = minute;
        const cutoff = maxMinute - tailMinutes;
        if (minute >= cutoff) addToTail(g.tail, minute, cutoff, c, s, dur);
      },
      finish() {
        const cutoff = maxMinute === undefined ? undefined : maxMinute - tailMinutes;
        const rows: RawEventDay[] = [];
        for (const appGroups of apps.values()) {
          for (const byDay of appGroups.keys.values()) {
            for (const g of byDay.values()) {
              if (g === null) continue;
              rows.push({
                app: g.app,
                key: g.key,
                day: g.day,
                c: g.c,
                s: g.s,
                dur: g.dur,
                docs: g.docs,
                tail: g.tail.filter((t) => cutoff === undefined || !(t.minute < cutoff)).map((t) => ({ minute: t.minute, c: t.c, s: t.s, dur: t.dur })),
              });
            }
          }
        }
        return { rows: sortRows(rows), maxCdMinute: maxMinute };
      },
    };
  },
};

/**
 * Adds counters to the tail bucket of `minute`, first dropping buckets before `cutoff`
 * (the newest insert minute only grows, so they can never be in the final window). The
 * tail stays ordered by minute and holds at most the minutes of the window; inserts come
 * mostly in minute order, so the common case is a push or an add to the last bucket.
 */
function addToTail(tail: TailBucket[], minute: number, cutoff: number, c: number, s: number, dur: number): void {
  let n = tail.length;
  if (n > 0 && tail[0]!.minute < cutoff) {
    let drop = 1;
    while (drop < n && tail[drop]!.minute < cutoff) drop++;
    for (let i = drop; i < n; i++) tail[i - drop] = tail[i]!;
    n -= drop;
    tail.length = n;
  }
  const lastBucket = n > 0 ? tail[n - 1]! : undefined;
  if (lastBucket === undefined || lastBucket.minute < minute) {
    tail.push({ minute, c, s, dur });
    return;
  }
  let i = n - 1;
  while (i >= 0 && tail[i]!.minute > minute) i--;
  const b = i >= 0 ? tail[i]! : undefined;
  if (b !== undefined && b.minute === minute) {
    b.c += c;
    b.s += s;
    b.dur += dur;
  } else {
    tail.splice(i + 1, 0, { minute, c, s, dur });
  }
}

export function sortRows<T extends { app: string; day: string; key?: string }>(rows: T[]): T[] {
  return rows.sort((a, b) => (a.app < b.app ? -1 : a.app > b.app ? 1 : (a.key ?? "") < (b.key ?? "") ? -1 : (a.key ?? "") > (b.key ?? "") ? 1 : a.day < b.day ? -1 : a.day > b.day ? 1 : 0));
}
