// The per-(app, kind) insert groups of fact rawInserts, and how they become its rows:
// shared by the dump collector and the live pipeline, which fill them differently.
import { INTERNAL_EVENTS } from "../../countly/layout.ts";
import type { Catalog, CollectionRef } from "./collector.ts";
import { dayOf, inPeriod } from "../../countly/time.ts";
import { attributeLegacy, hashIndex } from "./attribution.ts";
import { rawTimestamp } from "./numbers.ts";
import type { FactScope, RawInsertRow } from "./types.ts";

export interface InsertGroup {
  app: string;
  e: string;
  docs: number;
  withSource: number;
  maxCd?: number;
  settledMaxCd?: number;
  /** Insertion minute -> newest `cd` in that minute, for the last `tailMinutes` minutes. */
  tail: Map<number, number>;
}

/**
 * A group of the dump's collector: its tail as the newest `cd` per insertion minute in two
 * arrays in minute order (the window holds a few minutes; inserts come mostly in minute
 * order), made its `tail` map by InsertTimes.finish. Every field is set from the start, so
 * the per-document updates see one shape.
 */
export interface TimedGroup extends InsertGroup {
  minutes: number[];
  newest: number[];
}

export function timedGroup(app: string, e: string): TimedGroup {
  return { app, e, docs: 0, withSource: 0, maxCd: undefined, settledMaxCd: undefined, tail: new Map(), minutes: [], newest: [] };
}

/**
 * The insert times of the groups, document after document: each group's newest `cd`, and
 * the newest per minute of the last `tailMinutes` minutes before the newest insert minute of
 * all (`maxMinute`). A minute at or before the cutoff (`maxMinute - tailMinutes`) is settled:
 * the cutoff only moves forward, so it is never in the final window, and settling keeps a
 * maximum, so when it happens changes nothing. A group's minutes are settled when it is
 * next given an insert, and all of them at the end.
 */
export class InsertTimes {
  maxMinute: number | undefined;

  constructor(private readonly tailMinutes: number) {}

  /** An insert of group `g` at `cd` (ms; NaN for a date beyond any time). */
  add(g: TimedGroup, cd: number): void {
    if (g.maxCd === undefined || cd > g.maxCd) g.maxCd = cd;
    const minute = Math.floor(cd / 60000);
    if (this.maxMinute === undefined || minute > this.maxMinute) this.maxMinute = minute;
    const cutoff = this.maxMinute - this.tailMinutes;
    if (minute <= cutoff) settle(g, cd);
    // a NaN `cd` is in no minute
    else if (cd === cd) addToTail(g, minute, cd, cutoff);
  }

  /** Settles every group's minutes at or before the final cutoff and makes the others its `tail`. */
  finish(groups: Iterable<TimedGroup>): void {
    for (const g of groups) {
      if (this.maxMinute !== undefined) settleBefore(g, this.maxMinute - this.tailMinutes);
      g.minutes.forEach((m, i) => g.tail.set(m, g.newest[i]!));
    }
  }
}

function settle(g: InsertGroup, cd: number): void {
  if (g.settledMaxCd === undefined || cd > g.settledMaxCd) g.settledMaxCd = cd;
}

/** Notes `cd` in the tail minute `minute` (after `cutoff`), first settling the group's minutes the cutoff passed. */
function addToTail(g: TimedGroup, minute: number, cd: number, cutoff: number): void {
  const minutes = g.minutes;
  if (minutes.length > 0 && !(minutes[0]! > cutoff)) settleBefore(g, cutoff);
  let i = minutes.length - 1;
  while (i >= 0 && minutes[i]! > minute) i--;
  if (i >= 0 && minutes[i] === minute) {
    if (g.newest[i]! < cd) g.newest[i] = cd;
    return;
  }
  minutes.splice(i + 1, 0, minute);
  g.newest.splice(i + 1, 0, cd);
}

/** Settles the group's tail minutes not after `cutoff` (all of them when it is NaN: no minute is after it). */
function settleBefore(g: TimedGroup, cutoff: number): void {
  const minutes = g.minutes;
  let n = 0;
  while (n < minutes.length && !(minutes[n]! > cutoff)) settle(g, g.newest[n++]!);
  if (n === 0) return;
  minutes.splice(0, n);
  g.newest.splice(0, n);
}

/** Internal keys whose documents feed the session metrics (and so `up.src` counts). */
export const SESSION_KINDS: readonly string[] = [INTERNAL_EVENTS.session, INTERNAL_EVENTS.sessionBegin];

/** The fact's rows, sorted by app and kind. */
export function insertRows(groups: Iterable<InsertGroup>): RawInsertRow[] {
  const rows = [...groups].map((g) => {
    const row: RawInsertRow = { app: g.app, e: g.e, docs: g.docs, withSource: g.withSource, tail: [...g.tail.entries()].sort((a, b) => a[0] - b[0]).map(([minute, maxCd]) => ({ minute, maxCd })) };
    if (g.maxCd !== undefined) row.maxCd = g.maxCd;
    if (g.settledMaxCd !== undefined) row.settledMaxCd = g.settledMaxCd;
    return row;
  });
  return rows.sort((a, b) => (a.app < b.app ? -1 : a.app > b.app ? 1 : a.e < b.e ? -1 : a.e > b.e ? 1 : 0));
}

/**
 * Which raw documents fact rawInserts counts in a live run: a run over every app and all
 * time counts every raw document with a string `e` (any `a`, as the dump does); a run
 * narrowed to some apps counts theirs (a legacy collection's owner), and a run with a
 * period those whose app-local day is in it (the same day rule as every raw fact).
 */
export function insertScope(scope: FactScope, catalog: Catalog): (doc: Record<string, unknown>, from: CollectionRef) => boolean {
  const zones = new Map(scope.apps.map((a) => [a.id, a.timezone]));
  const index = scope.layout.drill === "legacy" ? hashIndex(scope.apps, catalog.eventLists) : undefined;
  const bounded = scope.period.from !== undefined || scope.period.to !== undefined;
  return (doc, from) => {
    let app: string;
    if (index) {
      const who = attributeLegacy(from, index);
      if (!who) return false;
      app = who.app;
    } else {
      if (typeof doc.e !== "string") return false;
      if (!bounded) return scope.allApps === true || (typeof doc.a === "string" && zones.has(doc.a));
      if (typeof doc.a !== "string") return false;
      app = doc.a;
    }
    if (!bounded) return true;
    const timezone = zones.get(app);
    if (timezone === undefined) return false;
    let ts: number | undefined;
    try {
      ts = rawTimestamp(doc.ts);
    } catch {
      return false; // no time at all: in no period
    }
    return ts !== undefined && inPeriod(dayOf(timezone, ts), scope.period);
  };
}
