// Fact rawInserts from a dump: raw drill documents per app and internal key, with when the
// newest were inserted (`cd`). What the aggregator-freshness and collections checks
// compare with. Scoped to the run as the live fact is (raw-insert-groups.ts `insertScope`
// is the definition): a run over every app and all time counts every raw document with a
// string `e` (any `a`); a run narrowed to some apps counts theirs, and a run with a period
// those whose app-local day is in it (a `ts` that is no time is in no period).
import { COLLECTIONS, INTERNAL_EVENTS } from "../../../countly/layout.ts";
import { normaliseMetricValue } from "../../../countly/segments.ts";
import { attributeLegacy, hashIndex } from "../attribution.ts";
import type { CollectionRef, DumpCollector } from "../collector.ts";
import { rawTimestampAt } from "../numbers.ts";
import type { DocFields } from "../../sources/dump/bson-fields.ts";
import { InsertTimes, insertRows, SESSION_KINDS, timedGroup, type TimedGroup } from "../raw-insert-groups.ts";
import { dayNumberInPeriod, isCustomKey, scopeApps } from "./drill.ts";
import { listeningRawIds } from "./raw-ids.ts";

const SESSION_KEYS = new Set(SESSION_KINDS);

export const rawInsertsFromDump: DumpCollector<"rawInserts"> = {
  fact: "rawInserts",
  fields: { a: true, e: true, ts: true, cd: true, up: ["src"] },
  collections(scope, catalog) {
    const db = scope.databases.drill;
    const names = catalog.collections[db] ?? [];
    if (scope.layout.drill === "current") return names.includes(COLLECTIONS.drillEvents) ? [{ db, name: COLLECTIONS.drillEvents }] : [];
    const index = hashIndex(scope.apps, catalog.eventLists);
    return names.filter((name) => attributeLegacy({ name }, index)).map((name): CollectionRef => ({ db, name }));
  },
  start(scope, catalog) {
    const tailMinutes = Math.ceil(scope.params.tailMinutes ?? 0);
    const bounded = scope.period.from !== undefined || scope.period.to !== undefined;
    const dayInPeriod = dayNumberInPeriod(scope.period);
    const apps = scopeApps(scope);
    // every app the data names and kind, interned by their bytes, and `cd`, once per document for the raw facts
    const ids = listeningRawIds(scope);
    const index = scope.layout.drill === "legacy" ? hashIndex(scope.apps, catalog.eventLists) : undefined;
    const groups = new Map<string, TimedGroup>();
    const times = new InsertTimes(tailMinutes);

    const visit = (g: TimedGroup, session: boolean, doc: DocFields, CD: number, SRC: number): void => {
      g.docs++;
      if (session && normaliseMetricValue(doc.value(SRC)) !== undefined) g.withSource++;
      const cd = ids.cd(doc, CD);
      if (cd !== undefined) times.add(g, cd);
    };

    const appIds = ids.apps;
    const kinds = ids.kinds;
    const noApp = appIds.add("");
    /** app id -> kind id -> its group. */
    const byApp: (TimedGroup | undefined)[][] = [];
    const group = (app: number, e: number): TimedGroup => {
      const row = (byApp[app] ??= []);
      let g = row[e];
      if (!g) {
        const appText = appIds.text(app);
        const eText = kinds.text(e);
        g = timedGroup(appText, eText);
        row[e] = g;
        groups.set(`${appText}\u0000${eText}`, g);
      }
      return g;
    };
    const isSession: boolean[] = [];
    /** ScopeApps id -> this fact's app id. */
    const ownId: number[] = [];

    return {
      reader(layout, from) {
        const A = layout.slot("a");
        const E = layout.slot("e");
        const CD = layout.slot("cd");
        const SRC = layout.slot("up.src");
        const TS = layout.slot("ts");
        let fixed: TimedGroup | undefined;
        let fixedSession = false;
        if (index) {
          const who = attributeLegacy(from, index);
          if (!who) return () => {};
          const e = isCustomKey(who.key) ? INTERNAL_EVENTS.custom : who.key;
          const session = SESSION_KEYS.has(e);
          if (bounded) {
            // the group appears with its first document in the period (as the live fact's)
            const days = apps.localDays[apps.ids.add(who.app)]!;
            let g: TimedGroup | undefined;
            return (doc) => {
              let day: number | undefined;
              try {
                const ts = rawTimestampAt(doc, TS);
                day = ts === undefined ? undefined : days.number(ts);
              } catch {
                return; // no time at all: in no period
              }
              if (day === undefined || !dayInPeriod(day)) return;
              g ??= group(appIds.add(who.app), kinds.add(e));
              visit(g, session, doc, CD, SRC);
            };
          }
          fixed = group(appIds.add(who.app), kinds.add(e));
          fixedSession = session;
        }
        // narrowed to some apps or days: only documents of the apps in scope (on their days), found once per document for every raw fact
        const scoped = !index && (bounded || scope.allApps !== true);
        return (doc) => {
          let g = fixed;
          let session = fixedSession;
          if (g === undefined) {
            const e = ids.kind(doc, E);
            if (e < 0) return;
            let a: number;
            if (scoped) {
              let app: number;
              try {
                app = bounded ? apps.place(doc, A, E, TS) : doc.lookup(A, apps.ids);
              } catch {
                return; // no time at all: in no period
              }
              if (app < 0) return;
              if (bounded && !dayInPeriod(apps.day)) return;
              a = ownId[app] ??= appIds.add(apps.ids.text(app));
            } else {
              a = ids.app(doc, A, E, TS);
              if (a < 0) a = noApp;
            }
            g = group(a, e);
            if (e >= isSession.length) for (let k = isSession.length; k <= e; k++) isSession.push(SESSION_KEYS.has(kinds.text(k)));
            session = isSession[e]!;
          }
          visit(g, session, doc, CD, SRC);
        };
      },
      finish() {
        times.finish(groups.values());
        return { rows: insertRows(groups.values()), maxCdMinute: times.maxMinute };
      },
    };
  },
};
