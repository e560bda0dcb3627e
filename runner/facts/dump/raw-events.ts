// Fact rawEvents from a dump: raw custom events grouped by app, key and app-local day,
// with a per-minute tail of the newest inserts for settle windows.
//
// This is the hot loop of `events-match-raw` over tens of millions of raw drill events, so
// it places documents the way drillReader does (same rules, same results) without its
// per-document allocations: per app a LocalDays (day numbers, offsets remembered per
// 4-hour block) and nested maps app -> key -> day number -> group, where a day outside the
// period is remembered as null; day names are built once per group. The previous key of
// each app and the previous day of each app and key are remembered, which saves most map
// lookups (raw events come roughly in time order).
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
  /**
   * Insertion minutes at or after the current cutoff, in increasing minute order, flat:
   * minute, c, s, dur, minute, c, s, dur... in `tail[0, tailLength)`: one array of numbers
   * that is reused as buckets come and go, instead of an object per bucket.
   */
  tail: number[];
  tailLength: number;
}

/** An app in scope: its local days, and its groups by key. */
interface AppGroups {
  readonly id: string;
  readonly days: LocalDays;
  readonly keys: Map<string, KeyGroups>;
  /** The key of the app's previous document (consecutive documents often share it). */
  lastKey: string | undefined;
  lastKeyGroups: KeyGroups | undefined;
}

/** The groups of one app and key by day number (null: the day is outside the period). */
interface KeyGroups {
  readonly days: Map<number, Group | null>;
  /** The day of the previous document of this app and key, which is mostly the next one's too. */
  lastDay: number;
  lastGroup: Group | null;
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
    for (const a of scope.apps) apps.set(a.id, { id: a.id, days: new LocalDays(a.timezone), keys: new Map(), lastKey: undefined, lastKeyGroups: undefined });
    // legacy layout: app and event come from the collection name
    const index = scope.layout.drill === "legacy" ? hashIndex(scope.apps, catalog.eventLists) : undefined;
    let lastName = "";
    let lastWho: Attribution | undefined;
    let lastApp: string | undefined;
    let lastAppGroups: AppGroups | undefined;
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
          // the decoder hands out the same string for the same app id, so this is mostly a pointer compare
          appGroups = a === lastApp ? lastAppGroups : apps.get(a);
          lastApp = a;
          lastAppGroups = appGroups;
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

        let kg = appGroups.lastKeyGroups;
        if (key !== appGroups.lastKey || kg === undefined) {
          kg = appGroups.keys.get(key);
          if (kg === undefined) {
            kg = { days: new Map(), lastDay: NaN, lastGroup: null };
            appGroups.keys.set(key, kg);
          }
          appGroups.lastKey = key;
          appGroups.lastKeyGroups = kg;
        }
        let g = kg.lastGroup;
        if (dayNumber !== kg.lastDay) {
          let found = kg.days.get(dayNumber);
          if (found === undefined) {
            const day = dayName(dayNumber);
            found = inPeriod(day, period) ? { app: appGroups.id, key, day, c: 0, s: 0, dur: 0, docs: 0, tail: [], tailLength: 0 } : null;
            kg.days.set(dayNumber, found);
          }
          g = found;
          kg.lastDay = dayNumber;
          kg.lastGroup = g;
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
        if (minute >= cutoff) addToTail(g, minute, cutoff, c, s, dur);
      },
      finish() {
        const cutoff = maxMinute === undefined ? undefined : maxMinute - tailMinutes;
        const rows: RawEventDay[] = [];
        for (const appGroups of apps.values()) {
          for (const kg of appGroups.keys.values()) {
            for (const g of kg.days.values()) {
              if (g === null) continue;
              rows.push({
                app: g.app,
                key: g.key,
                day: g.day,
                c: g.c,
                s: g.s,
                dur: g.dur,
                docs: g.docs,
                tail: tailBuckets(g, cutoff),
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
 * mostly in minute order, so the common case is an append or an add to the last bucket.
 */
function addToTail(g: Group, minute: number, cutoff: number, c: number, s: number, dur: number): void {
  const tail = g.tail;
  let n = g.tailLength;
  if (n > 0 && tail[0]! < cutoff) {
    let drop = TAIL_STRIDE;
    while (drop < n && tail[drop]! < cutoff) drop += TAIL_STRIDE;
    for (let i = drop; i < n; i++) tail[i - drop] = tail[i]!;
    n -= drop;
  }
  let at: number;
  if (n === 0 || tail[n - TAIL_STRIDE]! < minute) {
    at = n;
  } else {
    let i = n - TAIL_STRIDE;
    while (i >= 0 && tail[i]! > minute) i -= TAIL_STRIDE;
    if (i >= 0 && tail[i] === minute) {
      tail[i + 1]! += c;
      tail[i + 2]! += s;
      tail[i + 3]! += dur;
      g.tailLength = n;
      return;
    }
    at = i + TAIL_STRIDE;
    // make room: move the later buckets up by one
    for (let j = n - 1; j >= at; j--) tail[j + TAIL_STRIDE] = tail[j]!;
  }
  tail[at] = minute;
  tail[at + 1] = c;
  tail[at + 2] = s;
  tail[at + 3] = dur;
  g.tailLength = n + TAIL_STRIDE;
}

const TAIL_STRIDE = 4;

/** The tail buckets at or after `cutoff` (all of them when there is none). */
function tailBuckets(g: Group, cutoff: number | undefined): TailBucket[] {
  const out: TailBucket[] = [];
  const tail = g.tail;
  for (let i = 0; i < g.tailLength; i += TAIL_STRIDE) {
    const minute = tail[i]!;
    if (cutoff !== undefined && minute < cutoff) continue;
    out.push({ minute, c: tail[i + 1]!, s: tail[i + 2]!, dur: tail[i + 3]! });
  }
  return out;
}

export function sortRows<T extends { app: string; day: string; key?: string }>(rows: T[]): T[] {
  return rows.sort((a, b) => (a.app < b.app ? -1 : a.app > b.app ? 1 : (a.key ?? "") < (b.key ?? "") ? -1 : (a.key ?? "") > (b.key ?? "") ? 1 : a.day < b.day ? -1 : a.day > b.day ? 1 : 0));
}
