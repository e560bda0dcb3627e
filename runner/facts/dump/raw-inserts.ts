// Fact rawInserts from a dump: raw drill documents per app and internal key over the
// whole drill data (no period, every app the data names), with when the newest were
// inserted (`cd`). What the aggregator-freshness and collections checks compare with.
import { legacyDrillHash, COLLECTIONS, INTERNAL_EVENTS } from "../../../countly/layout.ts";
import { normaliseMetricValue } from "../../../countly/segments.ts";
import { hashIndex } from "../attribution.ts";
import type { CollectionRef, DumpCollector } from "../collector.ts";
import { insertTime } from "../numbers.ts";
import { insertRows, SESSION_KINDS, type InsertGroup } from "../raw-insert-groups.ts";
import { isCustomKey } from "./drill.ts";

const SESSION_KEYS = new Set(SESSION_KINDS);

export const rawInsertsFromDump: DumpCollector<"rawInserts"> = {
  fact: "rawInserts",
  fields: { a: true, e: true, cd: true, up: ["src"] },
  collections(scope, catalog) {
    const db = scope.databases.drill;
    const names = catalog.collections[db] ?? [];
    if (scope.layout.drill === "current") return names.includes(COLLECTIONS.drillEvents) ? [{ db, name: COLLECTIONS.drillEvents }] : [];
    const index = hashIndex(scope.apps, catalog.eventLists);
    return names.filter((n) => index.has(legacyDrillHash(n) ?? "")).map((name): CollectionRef => ({ db, name }));
  },
  start(scope, catalog) {
    const tailMinutes = Math.ceil(scope.params.tailMinutes ?? 0);
    const index = scope.layout.drill === "legacy" ? hashIndex(scope.apps, catalog.eventLists) : undefined;
    const groups = new Map<string, InsertGroup>();
    let maxMinute: number | undefined;
    let sinceCompact = 0;

    const settle = (g: InsertGroup, cd: number) => {
      if (g.settledMaxCd === undefined || cd > g.settledMaxCd) g.settledMaxCd = cd;
    };
    const compact = () => {
      if (maxMinute === undefined) return;
      for (const g of groups.values()) {
        for (const [m, cd] of g.tail) {
          if (m > maxMinute - tailMinutes) continue;
          settle(g, cd);
          g.tail.delete(m);
        }
      }
    };

    return {
      visit(doc, from) {
        let app: string;
        let e: string;
        if (index) {
          const who = index.get(legacyDrillHash(from.name) ?? "");
          if (!who) return;
          app = who.app;
          e = isCustomKey(who.key) ? INTERNAL_EVENTS.custom : who.key;
        } else {
          if (typeof doc.e !== "string") return;
          app = typeof doc.a === "string" ? doc.a : "";
          e = doc.e;
        }
        const id = `${app}\u0000${e}`;
        let g = groups.get(id);
        if (!g) {
          g = { app, e, docs: 0, withSource: 0, tail: new Map() };
          groups.set(id, g);
        }
        g.docs++;
        if (SESSION_KEYS.has(e) && normaliseMetricValue((doc.up as Record<string, unknown> | undefined)?.src) !== undefined) g.withSource++;
        const cd = insertTime(doc.cd);
        if (cd === undefined) return;
        if (g.maxCd === undefined || cd > g.maxCd) g.maxCd = cd;
        const minute = Math.floor(cd / 60000);
        if (maxMinute === undefined || minute > maxMinute) maxMinute = minute;
        if (minute <= maxMinute - tailMinutes) settle(g, cd);
        else if ((g.tail.get(minute) ?? -Infinity) < cd) g.tail.set(minute, cd);
        if (++sinceCompact >= 1 << 16) {
          sinceCompact = 0;
          compact();
        }
      },
      finish() {
        compact();
        return { rows: insertRows(groups.values()), maxCdMinute: maxMinute };
      },
    };
  },
};
