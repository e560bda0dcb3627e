// Raw drill documents in either layout, reduced to who/what/when. The legacy
// per-event collections carry no `a`/`e`/`n`: those come from the collection name.
import { COLLECTIONS, INTERNAL_EVENTS } from "../../../countly/layout.ts";
import { dayName, inPeriod, localDaysByZone, utcOffsetMs, type Day, type LocalDays, type Period } from "../../../countly/time.ts";
import { StringInterner, type DocFields, type FieldLayout } from "../../sources/dump/bson-fields.ts";
import type { WalkedBatch } from "../../sources/dump/bson-walk-native.ts";
import { attributeLegacy, hashIndex, type Attribution } from "../attribution.ts";
import type { Catalog, CollectionRef } from "../collector.ts";
import { rawTimestampAt } from "../numbers.ts";
import type { AppInfo, FactScope } from "../types.ts";

/**
 * The apps in scope for the raw facts of one run: their ids interned by bytes (id i <->
 * localDays[i]), and where the current raw document belongs. Every fact of a run shares
 * one (`scopeApps`), so a document's app id is looked up, its `ts` read and its app-local
 * day computed once for all of them, not once per fact.
 */
export class ScopeApps {
  readonly ids = new StringInterner();
  /** Per interned app: its local days (offsets remembered per 4-hour block; an unknown zone throws at its first event, as dayOf does). */
  readonly localDays: LocalDays[] = [];
  /** The app-local day number of the document `place` last placed. */
  day = 0;
  /**
   * rawEvents' batch kernel of the read going on (raw-events-kernel.ts), which places the
   * documents it vouches for in wasm: `place` takes its app and day for them, for every raw fact.
   */
  kernel: KernelPlacement | undefined;
  private doc: DocFields | undefined;
  private gen = -1;
  private app = -1;
  private problem: unknown;
  /** Per interned app: the quarter hour (ts / 15 min) whose UTC offset `offsets` holds, NaN for none yet. */
  private readonly quarters: Float64Array;
  private readonly offsets: Float64Array;

  constructor(apps: readonly AppInfo[]) {
    const zone = localDaysByZone();
    for (const a of apps) if (this.ids.add(a.id) === this.localDays.length) this.localDays.push(zone(a.timezone));
    this.quarters = new Float64Array(this.localDays.length).fill(NaN);
    this.offsets = new Float64Array(this.localDays.length);
  }

  /**
   * localDays[app].number(ts) (the same day, the same errors), with the app's offset
   * remembered for the quarter hour of the last lookup: countly/time.ts gives one offset per
   * quarter hour, so the next events of the app (mostly in the same quarter) cost a division.
   */
  dayOf(app: number, ts: number): number {
    const q = Math.floor(ts / QUARTER_HOUR_MS);
    if (q === this.quarters[app]) {
      const n = Math.floor((ts + this.offsets[app]!) / DAY_MS);
      if (n <= MAX_DAY_NUMBER && n >= -MAX_DAY_NUMBER) return n;
    }
    const days = this.localDays[app]!;
    const n = days.number(ts);
    this.offsets[app] = utcOffsetMs(days.timezone, ts);
    this.quarters[app] = q;
    return n;
  }

  /** The quarter hour whose offset dayOf holds for `app` (NaN: none yet), and that offset: what a batch kernel mirrors (raw-events-kernel.ts). */
  cachedQuarter(app: number): number {
    return this.quarters[app]!;
  }

  cachedOffset(app: number): number {
    return this.offsets[app]!;
  }

  /**
   * The interned app of a current-layout raw document when its `a` is an app in scope, its
   * `e` a string and its `ts` a time (its day then in `day`); -1 otherwise. A `ts` that is no
   * time (DocumentProblem) or an unknown zone throws, the same error for every fact asking.
   */
  place(doc: DocFields, A: number, E: number, TS: number): number {
    if (doc === this.doc && doc.generation === this.gen) {
      if (this.problem !== undefined) throw this.problem;
      return this.app;
    }
    this.doc = doc;
    this.gen = doc.generation;
    this.problem = undefined;
    this.app = -1;
    const batch = doc.batch;
    const kernel = this.kernel;
    if (batch !== null && kernel !== undefined && kernel.vouches(batch, doc.row)) {
      const placed = kernel.app[doc.row]!;
      if (placed >= 0) this.day = kernel.day[doc.row]!;
      this.app = placed;
      return placed;
    }
    const app = doc.lookup(A, this.ids);
    if (app < 0 || !doc.isString(E)) return -1;
    try {
      const ts = rawTimestampAt(doc, TS);
      if (ts === undefined) return -1;
      this.day = this.dayOf(app, ts);
    } catch (e) {
      this.problem = e;
      throw e;
    }
    this.app = app;
    return app;
  }
}

/** What ScopeApps.place needs of a batch kernel: whether it vouches for a row of a walked batch, and that row's app (-1: not placed) and day. */
export interface KernelPlacement {
  vouches(batch: WalkedBatch, row: number): boolean;
  readonly app: Int32Array;
  readonly day: Int32Array;
}

const QUARTER_HOUR_MS = 15 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;
/** The day numbers dayName names (LocalDays.number checks the same bound). */
const MAX_DAY_NUMBER = 100_000_000;

/**
 * `inPeriod(dayName(n), period)` for app-local day numbers, remembered for the last day
 * asked: raw documents mostly come day after day, so most calls make no day name.
 */
export function dayNumberInPeriod(period: Period): (n: number) => boolean {
  let lastDay = NaN;
  let lastIn = false;
  return (n) => {
    if (n !== lastDay) {
      lastDay = n;
      lastIn = inPeriod(dayName(n), period);
    }
    return lastIn;
  };
}

const shared = new WeakMap<readonly AppInfo[], ScopeApps>();

/** The ScopeApps of the run's apps (one per `scope.apps` array: every fact of a computation gets the same). */
export function scopeApps(scope: FactScope): ScopeApps {
  let apps = shared.get(scope.apps);
  if (apps === undefined) shared.set(scope.apps, (apps = new ScopeApps(scope.apps)));
  return apps;
}

export interface DrillDoc {
  app: string;
  /** Internal key (`[CLY]_session`, `[CLY]_view`...) or `[CLY]_custom`. */
  e: string;
  /** Event key (custom events) or view name (views). */
  key: string;
  day: Day;
}

/** Collections holding raw events of the apps in scope (legacy: only those whose hash resolves to one of `kinds`). */
export function drillCollections(scope: FactScope, catalog: Catalog, wanted: (a: Attribution) => boolean): CollectionRef[] {
  const names = catalog.collections[scope.databases.drill] ?? [];
  if (scope.layout.drill === "current") {
    return names.includes(COLLECTIONS.drillEvents) ? [{ db: scope.databases.drill, name: COLLECTIONS.drillEvents }] : [];
  }
  const index = hashIndex(scope.apps, catalog.eventLists);
  return names
    .filter((name) => {
      const who = attributeLegacy({ name }, index);
      return who !== undefined && wanted(who);
    })
    .map((name) => ({ db: scope.databases.drill, name }));
}

export function isCustomKey(key: string): boolean {
  return !key.startsWith("[CLY]_");
}

/**
 * Places raw documents (app, event, app-local day) read as DocFields, for the collectors
 * of a few event kinds: `wanted(e)` is asked once per distinct `e` (interned by its bytes),
 * and a document of another kind costs no decoding. Per collection read (`reader`), the
 * function placing a document or returning undefined to skip it. The layout must select
 * `a`, `e`, `n` and `ts`.
 */
export function drillPlacer(scope: FactScope, catalog: Catalog, wanted: (e: string) => boolean): (layout: FieldLayout, from: CollectionRef) => (doc: DocFields) => DrillDoc | undefined {
  const apps = scopeApps(scope);
  const kinds = new StringInterner();
  const kindWanted: boolean[] = [];
  const index = scope.layout.drill === "legacy" ? hashIndex(scope.apps, catalog.eventLists) : undefined;
  return (layout, from) => {
    const A = layout.slot("a");
    const E = layout.slot("e");
    const N = layout.slot("n");
    const TS = layout.slot("ts");
    if (index) {
      const who = attributeLegacy(from, index);
      if (!who) return () => undefined;
      const days = apps.localDays[apps.ids.add(who.app)]!;
      const e = isCustomKey(who.key) ? INTERNAL_EVENTS.custom : who.key;
      const take = wanted(e);
      return (doc) => {
        // Legacy collections also hold `_id: "meta"` / `"meta_v2"` documents without `ts`.
        const ts = rawTimestampAt(doc, TS);
        if (ts === undefined) return undefined;
        const dayNumber = days.number(ts); // = dayOf(timezone, ts)
        if (!take) return undefined;
        const day = dayName(dayNumber);
        if (!inPeriod(day, scope.period)) return undefined;
        return { app: who.app, e, key: doc.string(N) ?? who.key, day };
      };
    }
    return (doc) => {
      const app = apps.place(doc, A, E, TS);
      if (app < 0) return undefined;
      const kind = doc.intern(E, kinds);
      if (kind >= kindWanted.length) for (let k = kindWanted.length; k <= kind; k++) kindWanted.push(wanted(kinds.text(k)));
      if (!kindWanted[kind]) return undefined;
      const day = dayName(apps.day);
      if (!inPeriod(day, scope.period)) return undefined;
      const e = kinds.text(kind);
      return { app: apps.ids.text(app), e, key: doc.string(N) ?? e, day };
    };
  };
}
