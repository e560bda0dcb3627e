// Fact eventAggregates from a dump: no-segment day totals and per-segment sums from
// `countly.events_data` (current) or `countly.events<H>` (legacy). The day totals (one per
// app, event and day: the many) live in typed-array columns (GroupTable) and become rows
// per check case (group-rows.ts). The no-segment documents of the current layout (nearly
// all of the collection) are read from their bytes (DocFields: app, key and month
// interned, `d.<day>.{c,s,dur}` read as numbers by a plain walk of the `d` bytes,
// MonthDayCounters, or for rarer shapes through DocFields slots); segment documents, legacy collections
// and documents of unusual shape take the decoded path (`visit`), which is the reference.
import { COLLECTIONS, legacyEventsHash } from "../../../countly/layout.ts";
import { NO_SEGMENT } from "../../../countly/ids.ts";
import { dayFromMonthAndKey, inPeriod } from "../../../countly/time.ts";
import { type DocFields, StringInterner, utf8Bytes } from "../../sources/dump/bson-fields.ts";
import { defineRows } from "../group-rows.ts";
import { hashIndex } from "../attribution.ts";
import type { CollectionRef, DumpCollector } from "../collector.ts";
import { GROUP_BYTES, MemoryBudget } from "../memory-budget.ts";
import { num, numAt } from "../numbers.ts";
import type { EventAggregatesFact, EventTotalDay, SegmentSumDay } from "../types.ts";
import { MonthDayCounters, MonthDayNumbers, MonthDays } from "./event-docs.ts";
import { dayGroupFields, type GroupFields, GroupTable, groupRows } from "./group-table.ts";
import { sortRows } from "./raw-events.ts";

const DAY_MS = 86_400_000;
const NO_SEGMENT_BYTES = utf8Bytes(NO_SEGMENT);
const ALL_BYTES = utf8Bytes("all");

/** BSON types a decoded value of which is falsy or no object (skipped as a day or as `d`): double, string, undefined, boolean, null, int32. */
const PRIMITIVE = new Uint8Array(256);
for (const t of [1, 2, 6, 8, 10, 16]) PRIMITIVE[t] = 1;

/** `<seg>_<YYYY>:<M>[_<postfix>]` at the end of an events id. */
const MONTH_ID_TAIL = /^(.*)_(\d{4}:\d{1,2})(?:_.)?$/;

export const eventAggregatesFromDump: DumpCollector<"eventAggregates"> = {
  fact: "eventAggregates",
  collections(scope, catalog) {
    const names = catalog.collections[scope.databases.countly] ?? [];
    if (scope.layout.events === "current") return names.includes(COLLECTIONS.eventsData) ? [{ db: scope.databases.countly, name: COLLECTIONS.eventsData }] : [];
    return names.filter((n) => legacyEventsHash(n) !== undefined).map((name) => ({ db: scope.databases.countly, name }));
  },
  fields: { _id: true, a: true, e: true, s: true, m: true, d: true },
  start(scope, catalog) {
    const apps = new Set(scope.apps.map((a) => a.id));
    const index = scope.layout.events === "legacy" ? hashIndex(scope.apps, catalog.eventLists) : undefined;
    const totals = new GroupTable(false);
    const appIds = new StringInterner();
    const keyIds = new StringInterner();
    const segments = new Map<string, SegmentSumDay>();
    const unattributed = new Set<string>();
    const budget = scope.budget ?? new MemoryBudget();
    const totalMeter = budget.meter("eventAggregates", "app/event/day groups", GROUP_BYTES);
    const segmentMeter = budget.meter("eventAggregates", "segment values", 240);

    const visit = (doc: Record<string, unknown>, from: CollectionRef): void => {
        let app: string;
        let key: string;
        let segment: string;
        let month: string;
        if (index) {
          const h = legacyEventsHash(from.name);
          const who = h === undefined ? undefined : index.get(h);
          if (!who) {
            unattributed.add(`${from.db}.${from.name}`);
            return;
          }
          const m = MONTH_ID_TAIL.exec(String(doc._id));
          if (!m) return;
          app = who.app;
          key = who.key;
          segment = m[1]!;
          month = m[2]!;
        } else {
          if (typeof doc.a !== "string" || typeof doc.e !== "string" || typeof doc.m !== "string" || typeof doc.s !== "string") return;
          if (doc.e === "all") return; // all-events (all_key) documents are another invariant's business
          app = doc.a;
          key = doc.e;
          segment = doc.s;
          month = doc.m;
        }
        if (!apps.has(app) || month.endsWith(":0")) return;
        const d = doc.d;
        if (!d || typeof d !== "object") return;
        const appId = segment === NO_SEGMENT ? appIds.add(app) : -1;
        const keyId = segment === NO_SEGMENT ? keyIds.add(key) : -1;
        for (const [dayKey, value] of Object.entries(d as Record<string, unknown>)) {
          const day = dayFromMonthAndKey(month, dayKey);
          if (!day || !inPeriod(day, scope.period) || !value || typeof value !== "object") continue;
          const v = value as Record<string, unknown>;
          if (segment === NO_SEGMENT) {
            totals.append(appId, keyId, Date.parse(`${day}T00:00:00Z`) / DAY_MS, num(v.c), num(v.s), num(v.dur));
            totalMeter.add();
          } else {
            const id = `${app}\u0000${key}\u0000${day}\u0000${segment}`;
            let row = segments.get(id);
            if (!row) {
              row = { app, key, day, segment, c: 0, s: 0, dur: 0, values: 0 };
              segmentMeter.add();
            }
            for (const counters of Object.values(v)) {
              if (!counters || typeof counters !== "object") continue;
              const cv = counters as Record<string, unknown>;
              row.c += num(cv.c);
              row.s += num(cv.s);
              row.dur += num(cv.dur);
              row.values++;
            }
            segments.set(id, row);
          }
        }
    };

    // the byte path's per-id memos: app in scope, month's day numbers
    const appInScope: boolean[] = [];
    const monthIds = new StringInterner();
    const monthDays: ({ number: Float64Array; included: Uint8Array } | null)[] = [];
    const dayNumbers = new MonthDayNumbers(scope.period);
    const d = new MonthDays();
    const counters = new MonthDayCounters();

    return {
      reader(layout, from) {
        const decoded = (doc: DocFields) => visit(doc.record(), from);
        if (index) return decoded;
        const A = layout.slot("a");
        const E = layout.slot("e");
        const S = layout.slot("s");
        const M = layout.slot("m");
        const D = layout.slot("d");
        return (doc) => {
          if (!doc.isString(A) || !doc.isString(E) || !doc.isString(M) || !doc.isString(S)) return;
          if (!doc.stringIs(S, NO_SEGMENT_BYTES)) return decoded(doc);
          if (doc.stringIs(E, ALL_BYTES)) return;
          const app = doc.intern(A, appIds);
          while (appInScope.length <= app) appInScope.push(apps.has(appIds.text(appInScope.length)));
          if (!appInScope[app]) return;
          const month = doc.intern(M, monthIds);
          while (monthDays.length <= month) monthDays.push(dayNumbers.of(monthIds.text(monthDays.length)));
          const days = monthDays[month]!;
          if (days === null) return;
          const dt = doc.type(D);
          if (dt !== 3) return dt === 0 || PRIMITIVE[dt] ? undefined : decoded(doc);
          if (counters.read(doc.bytes, doc.valueStart(D), doc.valueEnd(D))) {
            const key = doc.intern(E, keyIds);
            const bits = counters.days;
            for (let k = 1; k <= 31; k++) {
              if ((bits & (1 << k)) === 0 || !days.included[k]) continue;
              totals.append(app, key, days.number[k]!, counters.c[k]!, counters.s[k]!, counters.dur[k]!);
              totalMeter.add();
            }
            return;
          }
          // a shape the plain walk leaves alone: the slot walk, or the decoded path
          d.load(doc, D);
          const f = d.fields;
          // a padded day key, or a day that is an object of another BSON type: the decoded path
          if (d.hasPaddedDay()) return decoded(doc);
          for (let k = 1; k <= 31; k++) {
            const t = f.type(d.day[k]!);
            if (t !== 0 && t !== 3 && !PRIMITIVE[t] && days.included[k]) return decoded(doc);
          }
          const key = doc.intern(E, keyIds);
          for (let k = 1; k <= 31; k++) {
            if (!days.included[k] || f.type(d.day[k]!) !== 3) continue;
            totals.append(app, key, days.number[k]!, numAt(f, d.c[k]!), numAt(f, d.s[k]!), numAt(f, d.dur[k]!));
            totalMeter.add();
          }
        };
      },
      finish: () => {
        totals.done();
        totals.sortGroups(appIds.texts, keyIds.texts);
        const value: EventAggregatesFact = {
          totals: [],
          segments: sortRows([...segments.values()]).sort((a, b) => (a.app === b.app && a.key === b.key && a.day === b.day ? (a.segment < b.segment ? -1 : a.segment > b.segment ? 1 : 0) : 0)),
          unattributed: [...unattributed].sort(),
        };
        const fields: GroupFields<EventTotalDay> = dayGroupFields(totals, appIds, keyIds);
        return defineRows(value, "totals", groupRows(totals, appIds.texts, keyIds.texts, fields));
      },
    };
  },
};
