// The databases and collections a Countly install needs exist, and hold documents
// wherever the raw data says Countly must have written some.
import { COLLECTIONS, INTERNAL_EVENTS, legacyEventsHash, legacyViewDataHash } from "../countly/layout.ts";
import type { CollectionCountsFact } from "../runner/facts/types.ts";
import type { CheckDefinition } from "./types.ts";
import { plural } from "./session-kinds.ts";

export interface CollectionsPresentOptions {
  require_drill: boolean;
  ignore: string[];
}

/** What raw data requires, by rule name (the `ignore` option takes these names). */
const RULES = ["drill", "events", "event-list", "users", "views", "views-meta", "sources"] as const;
type Rule = (typeof RULES)[number];

interface Family {
  /** How the family is named in messages. */
  label: string;
  /** Collection names (in the countly database) that belong to it. */
  member: (name: string) => boolean;
}

export const collectionsPresent: CheckDefinition<CollectionsPresentOptions> = {
  meta: {
    kind: "collections-present",
    summary: "The countly and countly_drill databases exist, and the aggregated collections the raw data requires are present and non-empty.",
    proves:
      "`countly_drill` has collections (rule `drill`), and, for raw data anywhere in `countly_drill` (all apps, all time): raw custom events (`[CLY]_custom`, legacy `drill_events<hash>` of custom events) require event aggregates (`events_data`, legacy `events<hash>`; rule `events`) and the event list `countly.events` (`event-list`); raw sessions (`[CLY]_session` or `[CLY]_session_begin`) require `countly.users` (`users`); raw `[CLY]_view` events require `app_viewdata` (legacy `app_viewdata<hash>`; `views`) and `app_viewsmeta` (legacy `app_viewsmeta<appId>`; `views-meta`); raw sessions with `up.src` require `countly.sources` (`sources`). Each required collection must exist and hold at least one document. Whole database, not per app; the per-app and per-day comparisons are the *-match-raw checks.",
    perApp: false,
    options: {
      type: "object",
      properties: {
        require_drill: {
          type: "boolean",
          default: true,
          description: "Fail when countly_drill has no collections at all. Set false for Community Edition before 25.x, where drill was an Enterprise plugin (`countly upgrade ce` drops countly_drill).",
        },
        ignore: { type: "array", items: { enum: [...RULES] }, default: [], description: "Rules to leave out: drill, events, event-list, users, views, views-meta, sources." },
      },
    },
    likelyCause:
      "A partial restore: the dump did not contain the collection (it was excluded, or the backup ran `mongodump` for only some databases: `countly backup` dumps countly, countly_drill, countly_fs and countly_out), the restore failed for it, or it was emptied afterwards. An empty aggregated collection with raw data present is also what a 25.x server shows when the restored raw data was never aggregated (Countly issue #6073).",
    remediation:
      "Restore the named collections (and databases) from the backup: `mongorestore --db <db> --collection <name> <backup>/dump/<db>/<name>.bson`, or `countly restore` for whole databases; then run the *-match-raw checks, which tell per app and day whether the restored aggregates agree with the raw data.",
    exampleFinding: "countly.app_viewdata: expected > 0 documents, actual 0 — 1200 raw [CLY]_view events in countly_drill, but countly.app_viewdata is empty: the Views dashboard shows nothing",
  },
  needs: () => [{ fact: "collectionCounts" }, { fact: "rawInserts" }],
  evaluate(ctx) {
    const o = ctx.options;
    const cc = ctx.facts.get("collectionCounts");
    const on = (r: Rule) => !o.ignore.includes(r);
    const drillDb = cc.databases.drill;
    const countlyDb = cc.databases.countly;
    if ((cc.present[drillDb] ?? []).length === 0) {
      if (on("drill") && o.require_drill) {
        ctx.report({ field: drillDb, expected: "a database with collections", actual: "missing", message: `the ${drillDb} database has no collections: the raw data is missing (dumped without \`--db ${drillDb}\`?), so the aggregates cannot be checked against it` });
        return;
      }
      return { skipped: `no ${drillDb} database: nothing requires the aggregated collections` };
    }

    const raw = ctx.facts.get("rawInserts").rows;
    const count = (pred: (e: string) => boolean) => raw.filter((r) => pred(r.e)).reduce((n, r) => n + r.docs, 0);
    const custom = count((e) => e === INTERNAL_EVENTS.custom);
    const sessions = count((e) => e === INTERNAL_EVENTS.session || e === INTERNAL_EVENTS.sessionBegin);
    const views = count((e) => e === INTERNAL_EVENTS.view);
    const sourced = raw.reduce((n, r) => n + r.withSource, 0);
    if (custom + sessions + views === 0) return { skipped: `no raw custom events, sessions or views in ${drillDb}` };

    const legacyEvents = cc.layout.events === "legacy";
    const legacyViews = cc.layout.views === "legacy";
    const exact = (name: string): Family => ({ label: `${countlyDb}.${name}`, member: (n) => n === name });
    const families: Record<Exclude<Rule, "drill">, Family> = {
      events: legacyEvents ? { label: `${countlyDb}.events<hash>`, member: (n) => legacyEventsHash(n) !== undefined } : exact(COLLECTIONS.eventsData),
      "event-list": exact(COLLECTIONS.events),
      users: exact(COLLECTIONS.users),
      views: legacyViews ? { label: `${countlyDb}.app_viewdata<hash>`, member: (n) => legacyViewDataHash(n) !== undefined } : exact(COLLECTIONS.viewData),
      "views-meta": legacyViews ? { label: `${countlyDb}.app_viewsmeta<appId>`, member: (n) => /^app_viewsmeta[0-9a-f]{24}$/.test(n) } : exact(COLLECTIONS.viewsMeta),
      sources: exact(COLLECTIONS.sources),
    };
    const needed: [Exclude<Rule, "drill">, number, string][] = [
      ["events", custom, plural(custom, "raw custom event")],
      ["event-list", custom, plural(custom, "raw custom event")],
      ["users", sessions, plural(sessions, "raw session document")],
      ["views", views, plural(views, "raw [CLY]_view event")],
      ["views-meta", views, plural(views, "raw [CLY]_view event")],
      ["sources", sourced, `${plural(sourced, "raw session")} with a source (up.src)`],
    ];
    for (const [rule, n, what] of needed) {
      if (n === 0 || !on(rule)) continue;
      const state = familyState(cc, countlyDb, families[rule]);
      if (state.docs > 0) continue;
      const why = WHY[rule];
      ctx.report({
        field: families[rule].label,
        expected: "> 0 documents",
        actual: state.collections === 0 ? "missing" : 0,
        message: `${what} in ${drillDb}, but ${families[rule].label} ${state.collections === 0 ? "does not exist" : "is empty"}: ${why}`,
      });
    }
  },
};

const WHY: Record<Exclude<Rule, "drill">, string> = {
  events: "event counts are 0 on the dashboard (aggregated events not restored, or never rebuilt after a restore)",
  "event-list": "the dashboard lists no events (the events document was not restored)",
  users: "sessions and users are 0 on the dashboard (countly.users not restored, or never rebuilt after a restore)",
  views: "the Views dashboard shows no data",
  "views-meta": "the Views dashboard lists no views",
  sources: "the Sources dashboard is empty",
};

function familyState(cc: CollectionCountsFact, db: string, family: Family): { collections: number; docs: number } {
  const collections = (cc.present[db] ?? []).filter(family.member).length;
  const docs = cc.counts.filter((c) => c.db === db && family.member(c.name)).reduce((n, c) => n + c.docs, 0);
  return { collections, docs };
}
