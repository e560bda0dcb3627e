// Fact rawEvents from a dump: raw custom events grouped by app, key and app-local day,
// with a per-minute tail of the newest inserts for settle windows.
//
// This is the hot loop of `events-match-raw` over tens of millions of raw drill events, so
// it reads the documents' bytes (DocFields) without decoding them: the app id is looked up
// by its bytes among the apps in scope, `e` compared as bytes with `[CLY]_custom`, the
// event key interned by a byte hash (decoded once per distinct key), numbers read from the
// buffer. The app id, `ts` and app-local day are found once per document for every raw
// fact (ScopeApps). Groups live in typed-array columns (GroupTable: ~60 bytes per
// app/key/day while scanning, ~50 after) and become row objects only when a check case
// asks for its app's rows (group-rows.ts). The rules are drillReader's (same results).
import { INTERNAL_EVENTS } from "../../../countly/layout.ts";
import { dayName } from "../../../countly/time.ts";
import { StringInterner, utf8Bytes } from "../../sources/dump/bson-fields.ts";
import { attributeLegacy, hashIndex } from "../attribution.ts";
import { defineRows } from "../group-rows.ts";
import { MemoryBudget } from "../memory-budget.ts";
import type { DumpCollector } from "../collector.ts";
import { insertTimeAt, numAt, rawCountAt, rawTimestampAt } from "../numbers.ts";
import type { RawEventDay, RawEventsFact, TailBucket } from "../types.ts";
import { dayNumberInPeriod, drillCollections, isCustomKey, scopeApps } from "./drill.ts";
import { GroupTable, groupRows } from "./group-table.ts";
import { rawIds } from "./raw-ids.ts";

const CUSTOM = utf8Bytes(INTERNAL_EVENTS.custom);

/** Insertion-minute buckets of one group, flat: minute, c, s, dur, minute, ... in `tail[0, length)`. */
interface Tail {
  tail: number[];
  length: number;
}

export const rawEventsFromDump: DumpCollector<"rawEvents"> = {
  fact: "rawEvents",
  fields: { a: true, e: true, n: true, ts: true, cd: true, c: true, s: true, dur: true },
  collections: (scope, catalog) => drillCollections(scope, catalog, (w) => isCustomKey(w.key)),
  start(scope, catalog) {
    const tailMinutes = Math.ceil(scope.params.tailMinutes ?? 0);
    const period = scope.period;
    // apps in scope, shared with the other raw facts
    const apps = scopeApps(scope);
    const appIds = apps.ids;
    const ids = rawIds(scope);
    const keys = new StringInterner();
    const groups = new GroupTable();
    // per group (index: the group number), created when the group first has an insert in the window
    const tails: (Tail | undefined)[] = [];
    const customKeyId = keys.add(INTERNAL_EVENTS.custom);
    // held per group: ~44 bytes of columns and ~16 of index while scanning (plus the columns' growth)
    const budget = scope.budget ?? new MemoryBudget();
    const groupMeter = budget.meter("rawEvents", "app/event/day groups", 64);
    const keyMeter = budget.meter("rawEvents", "event keys", 64);
    const dayInPeriod = dayNumberInPeriod(period);
    // legacy layout: app and event come from the collection name
    const index = scope.layout.drill === "legacy" ? hashIndex(scope.apps, catalog.eventLists) : undefined;
    let maxMinute: number | undefined;

    let knownKeys = keys.size;
    const add = (app: number, key: number, dayNumber: number, c: number, s: number, dur: number, cd: number | undefined): void => {
      if (keys.size !== knownKeys) {
        // a new key: its bytes, its string (UTF-16) and its slots
        keyMeter.add(1, 64 + 3 * utf8Bytes(keys.text(key)).length);
        knownKeys = keys.size;
      }
      const before = groups.size;
      const g = groups.add(app, key, dayNumber, c, s, dur);
      if (groups.size !== before) groupMeter.add();
      if (cd === undefined) return;
      const minute = Math.floor(cd / 60000);
      if (maxMinute === undefined || minute > maxMinute) maxMinute = minute;
      const cutoff = maxMinute - tailMinutes;
      if (minute >= cutoff) {
        let t = tails[g];
        if (t === undefined) {
          while (tails.length < g) tails.push(undefined);
          t = { tail: [], length: 0 };
          tails[g] = t;
        }
        addToTail(t, minute, cutoff, c, s, dur);
      }
    };

    return {
      reader(layout, from) {
        const A = layout.slot("a");
        const E = layout.slot("e");
        const N = layout.slot("n");
        const TS = layout.slot("ts");
        const CD = layout.slot("cd");
        const C = layout.slot("c");
        const S = layout.slot("s");
        const DUR = layout.slot("dur");
        if (index) {
          const who = attributeLegacy(from, index);
          if (!who) return () => {};
          const app = appIds.find(utf8Bytes(who.app), 0, utf8Bytes(who.app).length);
          if (app < 0) return () => {};
          const days = apps.localDays[app]!;
          const custom = isCustomKey(who.key);
          const collectionKey = keys.add(who.key);
          return (doc) => {
            // Legacy collections also hold `_id: "meta"` / `"meta_v2"` documents without `ts`.
            const ts = rawTimestampAt(doc, TS);
            if (ts === undefined) return;
            const dayNumber = days.number(ts);
            if (!custom || !dayInPeriod(dayNumber)) return;
            const key = doc.isString(N) ? doc.intern(N, keys) : collectionKey;
            add(app, key, dayNumber, rawCountAt(doc, C), numAt(doc, S), numAt(doc, DUR), insertTimeAt(doc, CD));
          };
        }
        return (doc) => {
          // before the event type, as drillReader does: a timestamp beyond the Date range throws for any event
          const app = apps.place(doc, A, E, TS);
          if (app < 0) return;
          const dayNumber = apps.day;
          if (!doc.stringIs(E, CUSTOM) || !dayInPeriod(dayNumber)) return;
          const named = ids.name(doc, N, keys); // -1: no string `n`; hashed once per document with drillMeta (RawIds)
          add(app, named >= 0 ? named : customKeyId, dayNumber, rawCountAt(doc, C), numAt(doc, S), numAt(doc, DUR), insertTimeAt(doc, CD));
        };
      },
      finish() {
        const cutoff = maxMinute === undefined ? undefined : maxMinute - tailMinutes;
        groups.done();
        const value: RawEventsFact = { rows: [], maxCdMinute: maxMinute };
        return defineRows(
          value,
          "rows",
          groupRows(groups, appIds.texts, keys.texts, (g): RawEventDay => {
            const t = tails[g];
            return {
              app: appIds.text(groups.app(g)),
              key: keys.text(groups.key(g)),
              day: dayName(groups.day(g)),
              c: groups.c(g),
              s: groups.s(g),
              dur: groups.dur(g),
              docs: groups.docs(g),
              tail: t === undefined ? [] : tailBuckets(t, cutoff),
            };
          }),
        );
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
function addToTail(g: Tail, minute: number, cutoff: number, c: number, s: number, dur: number): void {
  const tail = g.tail;
  let n = g.length;
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
      g.length = n;
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
  g.length = n + TAIL_STRIDE;
}

const TAIL_STRIDE = 4;

/** The tail buckets at or after `cutoff` (all of them when there is none). */
function tailBuckets(g: Tail, cutoff: number | undefined): TailBucket[] {
  const out: TailBucket[] = [];
  const tail = g.tail;
  for (let i = 0; i < g.length; i += TAIL_STRIDE) {
    const minute = tail[i]!;
    if (cutoff !== undefined && minute < cutoff) continue;
    out.push({ minute, c: tail[i + 1]!, s: tail[i + 2]!, dur: tail[i + 3]! });
  }
  return out;
}

export function sortRows<T extends { app: string; day: string; key?: string }>(rows: T[]): T[] {
  return rows.sort((a, b) => (a.app < b.app ? -1 : a.app > b.app ? 1 : (a.key ?? "") < (b.key ?? "") ? -1 : (a.key ?? "") > (b.key ?? "") ? 1 : a.day < b.day ? -1 : a.day > b.day ? 1 : 0));
}
