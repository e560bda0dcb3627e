// The per-(app, kind) insert groups of fact rawInserts, and how they become its rows:
// shared by the dump collector and the live pipeline, which fill them differently.
import { INTERNAL_EVENTS } from "../../countly/layout.ts";
import type { RawInsertRow } from "./types.ts";

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
