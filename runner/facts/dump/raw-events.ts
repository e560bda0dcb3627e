// Fact rawEvents from a dump: raw custom events grouped by app, key and app-local day,
// with a per-minute tail of the newest inserts for settle windows.
import { INTERNAL_EVENTS } from "../../../countly/layout.ts";
import type { DumpCollector } from "../collector.ts";
import { insertTime, num, rawCount } from "../numbers.ts";
import type { Counters, RawEventDay } from "../types.ts";
import { drillCollections, drillReader, isCustomKey } from "./drill.ts";

interface Group extends Counters {
  app: string;
  key: string;
  day: string;
  docs: number;
  tail: Map<number, Counters>;
}

/** Fold old tail minutes every this many documents, so the tail stays small. */
const COMPACT_EVERY = 1 << 20;

export const rawEventsFromDump: DumpCollector<"rawEvents"> = {
  fact: "rawEvents",
  fields: { a: true, e: true, n: true, ts: true, cd: true, c: true, s: true, dur: true },
  collections: (scope, catalog) => drillCollections(scope, catalog, (w) => isCustomKey(w.key)),
  start(scope, catalog) {
    const place = drillReader(scope, catalog);
    const tailMinutes = Math.ceil(scope.params.tailMinutes ?? 0);
    const groups = new Map<string, Group>();
    let maxMinute: number | undefined;
    let sinceCompact = 0;

    const compact = () => {
      if (maxMinute === undefined) return;
      const cutoff = maxMinute - tailMinutes;
      for (const g of groups.values()) for (const m of g.tail.keys()) if (m < cutoff) g.tail.delete(m);
    };

    return {
      visit(doc, from) {
        const p = place(doc, from);
        if (!p || p.e !== INTERNAL_EVENTS.custom) return;
        const id = `${p.app}\u0000${p.key}\u0000${p.day}`;
        let g = groups.get(id);
        if (!g) {
          g = { app: p.app, key: p.key, day: p.day, c: 0, s: 0, dur: 0, docs: 0, tail: new Map() };
          groups.set(id, g);
        }
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
        if (minute >= maxMinute - tailMinutes) {
          const b = g.tail.get(minute);
          if (b) {
            b.c += c;
            b.s += s;
            b.dur += dur;
          } else g.tail.set(minute, { c, s, dur });
        }
        if (++sinceCompact >= COMPACT_EVERY) {
          sinceCompact = 0;
          compact();
        }
      },
      finish() {
        compact();
        const rows: RawEventDay[] = [...groups.values()].map((g) => ({
          app: g.app,
          key: g.key,
          day: g.day,
          c: g.c,
          s: g.s,
          dur: g.dur,
          docs: g.docs,
          tail: [...g.tail.entries()].sort((a, b) => a[0] - b[0]).map(([minute, t]) => ({ minute, ...t })),
        }));
        return { rows: sortRows(rows), maxCdMinute: maxMinute };
      },
    };
  },
};

export function sortRows<T extends { app: string; day: string; key?: string }>(rows: T[]): T[] {
  return rows.sort((a, b) => (a.app < b.app ? -1 : a.app > b.app ? 1 : (a.key ?? "") < (b.key ?? "") ? -1 : (a.key ?? "") > (b.key ?? "") ? 1 : a.day < b.day ? -1 : a.day > b.day ? 1 : 0));
}
