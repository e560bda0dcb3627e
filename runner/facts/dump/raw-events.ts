// Fact rawEvents from a dump: raw custom events grouped by app, key and app-local day,
// with a per-minute tail of the newest inserts for settle windows.
//
// This is the hot loop of `events-match-raw` over tens of millions of raw drill events, so
// it reads the documents' bytes (DocFields) without decoding them: the app id is looked up
// by its bytes among the apps in scope, `e` compared as bytes with `[CLY]_custom`, the
// event key interned by a byte hash (decoded once per distinct key), numbers read from the
// buffer. The app id, `ts` and app-local day are found once per document for every raw
// fact (ScopeApps). Groups live in typed-array columns (GroupTable: ~30 bytes per
// app/key/day while scanning, ~20 after) and become row objects only when a check case
// asks for its app's rows (group-rows.ts). The rules are drillReader's (same results).
// With the wasm scanner, a batch kernel (raw-events-kernel.ts, native/raw-events.c) computes
// each document's app, key, day, counters and insert time in wasm; the reader below then only
// adds them to the groups, and reads in JavaScript whatever the kernel leaves to it.
import { INTERNAL_EVENTS } from "../../../countly/layout.ts";
import { StringInterner, utf8Bytes, type DocFields, type FieldLayout } from "../../sources/dump/bson-fields.ts";
import { attributeLegacy, hashIndex } from "../attribution.ts";
import { defineRows } from "../group-rows.ts";
import { GROUP_BYTES, INTERNED_KEY_BYTES, MemoryBudget } from "../memory-budget.ts";
import type { BatchRead, DumpCollector } from "../collector.ts";
import { insertTimeAt, numAt, rawCountAt, rawTimestampAt } from "../numbers.ts";
import type { RawEventDay, RawEventsFact, TailBucket } from "../types.ts";
import { dayNumberInPeriod, drillCollections, isCustomKey, scopeApps } from "./drill.ts";
import { dayGroupFields, type GroupFields, GroupTable, groupRows } from "./group-table.ts";
import { RawEventsKernel } from "./raw-events-kernel.ts";
import { rawIds } from "./raw-ids.ts";
import type { Arena, WalkedBatch } from "../../sources/dump/bson-walk-native.ts";

const CUSTOM = utf8Bytes(INTERNAL_EVENTS.custom);

export const rawEventsFromDump: DumpCollector<"rawEvents"> = {
  fact: "rawEvents",
  fields: { a: true, e: true, n: true, ts: true, cd: true, c: true, s: true, dur: true },
  collections: (scope, catalog) => drillCollections(scope, catalog, (w) => isCustomKey(w.key)),
  start(scope, catalog) {
    const tailMinutes = Math.ceil(scope.params.tailMinutes ?? 0);
    const period = scope.period;
    const everyDay = period.from === undefined && period.to === undefined;
    // apps in scope, shared with the other raw facts
    const apps = scopeApps(scope);
    const appIds = apps.ids;
    const ids = rawIds(scope);
    const keys = new StringInterner();
    const groups = new GroupTable();
    const tails = new InsertTails();
    const customKeyId = keys.add(INTERNAL_EVENTS.custom);
    // held per group: ~20 bytes of columns and ~8-16 of index while scanning (GROUP_BYTES, calibrated)
    const budget = scope.budget ?? new MemoryBudget();
    const groupMeter = budget.meter("rawEvents", "app/event/day groups", GROUP_BYTES);
    const keyMeter = budget.meter("rawEvents", "event keys", INTERNED_KEY_BYTES);
    const dayInPeriod = dayNumberInPeriod(period);
    // legacy layout: app and event come from the collection name
    const index = scope.layout.drill === "legacy" ? hashIndex(scope.apps, catalog.eventLists) : undefined;
    let maxMinute: number | undefined;
    // maxMinute - tailMinutes: inserts before it are not in the tail (NaN: none yet)
    let cutoff = NaN;
    let knownKeys = keys.size;
    /** The batch reader of each current-layout read, made with its reader (they share its kernel). */
    const batchReads = new WeakMap<FieldLayout, BatchRead>();

    /** One raw event of `app`, `key` (interned), app-local day number `day`, in group terms. */
    const count = (doc: DocFields, app: number, key: number, day: number, slots: Slots): void => {
      if (keys.size !== knownKeys) {
        // a new key: its bytes, its string (UTF-16) and its slots
        keyMeter.add(1, INTERNED_KEY_BYTES + 3 * utf8Bytes(keys.text(key)).length);
        knownKeys = keys.size;
      }
      const c = rawCountAt(doc, slots.c);
      const s = numAt(doc, slots.s);
      const dur = numAt(doc, slots.dur);
      const g = group(app, key, day, c, s, dur);
      const cd = insertTimeAt(doc, slots.cd);
      if (cd !== undefined) tail(g, c, s, dur, cd);
    };

    /** Adds the counters to the group of (app, key, day); returns the group. */
    const group = (app: number, key: number, day: number, c: number, s: number, dur: number): number => {
      const before = groups.size;
      const g = groups.add(app, key, day, c, s, dur);
      if (groups.size !== before) groupMeter.add();
      return g;
    };

    /** Group g's counters inserted at `cd` (ms), for the settle tail. */
    const tail = (g: number, c: number, s: number, dur: number, cd: number): void => {
      const minute = Math.floor(cd / 60000);
      if (maxMinute === undefined || minute > maxMinute) {
        maxMinute = minute;
        cutoff = minute - tailMinutes;
      }
      if (minute >= cutoff) tails.add(minute, cutoff, g, c, s, dur);
    };

    return {
      reader(layout, from) {
        const A = layout.slot("a");
        const E = layout.slot("e");
        const N = layout.slot("n");
        const TS = layout.slot("ts");
        const slots: Slots = { c: layout.slot("c"), s: layout.slot("s"), dur: layout.slot("dur"), cd: layout.slot("cd") };
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
            count(doc, app, doc.isString(N) ? doc.intern(N, keys) : collectionKey, dayNumber, slots);
          };
        }
        /** The JavaScript reading of a document; returns its app (-1: none in scope), for the kernel to learn from. */
        const read = (doc: DocFields): number => {
          // before the event type, as drillReader does: a timestamp beyond the Date range throws for any event
          const app = apps.place(doc, A, E, TS);
          if (app < 0 || !doc.stringIs(E, CUSTOM)) return app;
          const dayNumber = apps.day;
          if (!everyDay && !dayInPeriod(dayNumber)) return app;
          const named = ids.name(doc, N, keys); // -1: no string `n`; hashed once per document with drillMeta (RawIds)
          count(doc, app, named >= 0 ? named : customKeyId, dayNumber, slots);
          return app;
        };
        // documents walked by the wasm scanner: their rows computed by the batch kernel (raw-events-kernel.ts)
        let kernel: RawEventsKernel | undefined;
        let noKernelIn: Arena | undefined;
        /** The kernel for `batch`'s rows (made once per scan), or undefined when its arena has no room for one. */
        const kernelOf = (batch: WalkedBatch): RawEventsKernel | undefined => {
          const k = kernel;
          return k !== undefined && k.serves(batch) ? k : newKernel(batch);
        };
        const newKernel = (batch: WalkedBatch): RawEventsKernel | undefined => {
          if (noKernelIn === batch.arena) return undefined;
          const made = (kernel = RawEventsKernel.create(batch, layout, apps, keys, customKeyId));
          if (made === undefined) noKernelIn = batch.arena;
          // the other raw facts of the read take their documents' app and day from it (ScopeApps.place)
          else apps.kernel = made;
          return made;
        };
        /** The batch reader (collector.ts, "Batch kernels"): the rows the kernel vouches for, added to the groups in document order. */
        const batchRead: BatchRead = (batch, from, to) => {
          const k = kernelOf(batch);
          if (k === undefined) return from;
          const { counts, day: days, app: appOut, key: keyOut, c: cs, s: ss, dur: durs, cd: cds } = k;
          let row = from;
          while (row < to) {
            const done = k.vouchedTo(batch, row);
            if (done === row) return row;
            const stop = done < to ? done : to;
            for (; row < stop; row++) {
              if (counts[row] === 0) continue;
              const day = days[row]!;
              if (!everyDay && !dayInPeriod(day)) continue;
              const c = cs[row]!;
              const s = ss[row]!;
              const dur = durs[row]!;
              const g = group(appOut[row]!, keyOut[row]!, day, c, s, dur);
              const cd = cds[row]!;
              if (cd === cd) tail(g, c, s, dur, cd);
            }
          }
          return row;
        };
        batchReads.set(layout, batchRead);
        return (doc) => {
          const batch = doc.batch;
          if (batch === null) {
            read(doc);
            return;
          }
          const k = kernelOf(batch);
          if (k === undefined) {
            read(doc);
            return;
          }
          const row = doc.row;
          if (!k.vouches(batch, row)) {
            k.learn(read(doc));
            return;
          }
          if (k.counts[row] === 0) return;
          const day = k.day[row]!;
          if (ids.listening) {
            // the other raw facts' per-document kind, name and insert time, as the kernel computed them (RawIds; ScopeApps.place takes the app and day from the kernel)
            const key = k.key[row]!;
            ids.placedCustom(doc, keys, key === customKeyId ? -1 : key, k.cd[row]!);
          }
          if (!everyDay && !dayInPeriod(day)) return;
          const c = k.c[row]!;
          const s = k.s[row]!;
          const dur = k.dur[row]!;
          const g = group(k.app[row]!, k.key[row]!, day, c, s, dur);
          const cd = k.cd[row]!;
          if (cd === cd) tail(g, c, s, dur, cd);
        };
      },
      batchReader(layout) {
        // while other raw facts read the same documents, each document's kind, name and insert
        // time are handed to them per document (RawIds.placedCustom): the per-document function does that
        if (ids.listening) return undefined;
        return batchReads.get(layout);
      },
      finish() {
        const last = maxMinute === undefined ? undefined : maxMinute - tailMinutes;
        groups.done();
        // one app's groups side by side (read by its check case); the tails follow their groups' new numbers
        const before = groups.sortGroups(appIds.texts, keys.texts);
        const tailOf = renumbered(tails.byGroup(last), before);
        const value: RawEventsFact = { rows: [], maxCdMinute: maxMinute };
        const fields: GroupFields<RawEventDay> = {
          ...dayGroupFields(groups, appIds, keys),
          docs: (g) => groups.docs(g),
          tail: (g) => tailBuckets(tailOf.get(g)),
        };
        return defineRows(value, "rows", groupRows(groups, appIds.texts, keys.texts, fields));
      },
    };
  },
};

/** `byGroup` keyed by the groups' numbers after GroupTable.sortGroups (`before[g]`: group g's number before; a table of add()ed groups keeps all of them). */
function renumbered<T>(byGroup: Map<number, T>, before: Int32Array): Map<number, T> {
  if (byGroup.size === 0) return byGroup;
  const after = new Int32Array(before.length);
  for (let g = 0; g < before.length; g++) after[before[g]!] = g;
  const out = new Map<number, T>();
  for (const [g, v] of byGroup) out.set(after[g]!, v);
  return out;
}

/** The layout's slots of the counters and the insert time. */
interface Slots {
  c: number;
  s: number;
  dur: number;
  cd: number;
}

/**
 * The counters of the inserts of the settle window, per insertion minute and group: a
 * minute's buckets are dropped whole once the newest insert leaves it before the window (it
 * only moves forward, so they can never be in the final one). Inserts come mostly in minute
 * order, so the common case is the minute of the previous insert, and few minutes are held.
 */
class InsertTails {
  /** The minutes held, ascending, and their buckets. */
  private readonly minutes: number[] = [];
  private readonly buckets: MinuteBuckets[] = [];
  private lastMinute = NaN;
  private last: MinuteBuckets | undefined;

  /** Adds an insert of `minute` (>= cutoff) to group g's bucket of that minute, first dropping minutes before `cutoff`. */
  add(minute: number, cutoff: number, g: number, c: number, s: number, dur: number): void {
    if (this.minutes[0]! < cutoff) this.drop(cutoff);
    let b = this.last;
    if (minute !== this.lastMinute || b === undefined) {
      b = this.minuteBuckets(minute);
      this.lastMinute = minute;
      this.last = b;
    }
    b.add(g, c, s, dur);
  }

  private drop(cutoff: number): void {
    let n = 0;
    while (n < this.minutes.length && this.minutes[n]! < cutoff) n++;
    this.minutes.splice(0, n);
    this.buckets.splice(0, n);
    this.lastMinute = NaN;
    this.last = undefined;
  }

  private minuteBuckets(minute: number): MinuteBuckets {
    const minutes = this.minutes;
    let i = minutes.length;
    while (i > 0 && minutes[i - 1]! > minute) i--;
    if (i > 0 && minutes[i - 1] === minute) return this.buckets[i - 1]!;
    const b = new MinuteBuckets(minute);
    minutes.splice(i, 0, minute);
    this.buckets.splice(i, 0, b);
    return b;
  }

  /** Per group with inserts at or after `cutoff` (all minutes held when undefined): minute, c, s, dur, minute, ... in minute order. */
  byGroup(cutoff: number | undefined): Map<number, number[]> {
    const out = new Map<number, number[]>();
    for (const b of this.buckets) {
      if (cutoff !== undefined && b.minute < cutoff) continue;
      b.into(out);
    }
    return out;
  }
}

/** One insertion minute's counters per group: an open-addressing index by group over flat columns. */
class MinuteBuckets {
  private index = new Int32Array(16).fill(-1);
  private groups = new Int32Array(8);
  private counters = new Float64Array(24);
  private size = 0;

  constructor(readonly minute: number) {}

  add(g: number, c: number, s: number, dur: number): void {
    const index = this.index;
    const mask = index.length - 1;
    let h = Math.imul(g, 0x9e3779b1) & mask;
    for (;;) {
      const at = index[h]!;
      if (at < 0) break;
      if (this.groups[at] === g) {
        const i = at * 3;
        this.counters[i]! += c;
        this.counters[i + 1]! += s;
        this.counters[i + 2]! += dur;
        return;
      }
      h = (h + 1) & mask;
    }
    const at = this.size++;
    if (at === this.groups.length) {
      const groups = new Int32Array(at * 2);
      groups.set(this.groups);
      this.groups = groups;
      const counters = new Float64Array(at * 6);
      counters.set(this.counters);
      this.counters = counters;
    }
    this.groups[at] = g;
    // the first insert's values as they are (a sum from 0 would turn -0 into 0)
    this.counters[at * 3] = c;
    this.counters[at * 3 + 1] = s;
    this.counters[at * 3 + 2] = dur;
    index[h] = at;
    if (this.size * 2 > index.length) this.rehash();
  }

  private rehash(): void {
    const index = new Int32Array(this.index.length * 2).fill(-1);
    const mask = index.length - 1;
    for (let at = 0; at < this.size; at++) {
      let h = Math.imul(this.groups[at]!, 0x9e3779b1) & mask;
      while (index[h]! >= 0) h = (h + 1) & mask;
      index[h] = at;
    }
    this.index = index;
  }

  /** Appends this minute's bucket to each of its groups' lists. */
  into(out: Map<number, number[]>): void {
    for (let at = 0; at < this.size; at++) {
      const g = this.groups[at]!;
      let list = out.get(g);
      if (list === undefined) out.set(g, (list = []));
      list.push(this.minute, this.counters[at * 3]!, this.counters[at * 3 + 1]!, this.counters[at * 3 + 2]!);
    }
  }
}

/** A group's tail buckets (fresh objects: rows are the checks' to keep). */
function tailBuckets(flat: readonly number[] | undefined): TailBucket[] {
  const out: TailBucket[] = [];
  if (flat === undefined) return out;
  for (let i = 0; i < flat.length; i += 4) out.push({ minute: flat[i]!, c: flat[i + 1]!, s: flat[i + 2]!, dur: flat[i + 3]! });
  return out;
}

export function sortRows<T extends { app: string; day: string; key?: string }>(rows: T[]): T[] {
  return rows.sort((a, b) => (a.app < b.app ? -1 : a.app > b.app ? 1 : (a.key ?? "") < (b.key ?? "") ? -1 : (a.key ?? "") > (b.key ?? "") ? 1 : a.day < b.day ? -1 : a.day > b.day ? 1 : 0));
}
