// Every app id the raw data and the aggregates name has a `countly.apps` document: the
// other checks read the apps of `countly.apps` only, so data of any other id would go
// unchecked without a word (issue 13).
import type { UnknownAppData } from "../runner/facts/types.ts";
import type { CheckDefinition } from "./types.ts";
import { plural } from "./session-kinds.ts";

export interface AppsKnownOptions {
  ignore_apps: string[];
}

/** Collections listed in a finding; the rest are counted. */
const COLLECTIONS_SHOWN = 6;

export const appsKnown: CheckDefinition<AppsKnownOptions> = {
  meta: {
    kind: "apps-known",
    summary: "Every app id that raw data or aggregates name has a countly.apps document (data of any other id is read by no check).",
    proves:
      "No raw drill document (`countly_drill.drill_events` `a`) and no aggregated document (`_id` `<appId>_…` in events_data, users, sources, app_viewdata, app_viewsmeta and the metric collections; the legacy `app_viewsmeta<appId>`) belongs to an app id without a `countly.apps` document; raw documents without an app id (`a` missing or not a string) are reported too. Over all time and the whole database, not per app. Legacy hashed collections name no app id: `events<hash>` and `drill_events<hash>` that no known app hashes to are reported by event-list-matches-data.",
    perApp: false,
    options: {
      type: "object",
      properties: {
        ignore_apps: { type: "array", items: { type: "string", minLength: 1 }, default: [], description: "App ids whose leftover data is known and accepted (e.g. an app deleted while its data stayed)." },
      },
    },
    likelyCause:
      "The `countly.apps` documents were not restored with the data (a dump of some collections only, or `apps.bson` from another backup), or an app was deleted while its data stayed: Countly's app deletion (api/parts/mgmt/apps.js `deleteAllAppData`, commit 001abe87) removes the aggregates without waiting for the result, hands the raw data to `/core/delete_granular_data`, and removes events_data only when the app's `countly.events` document has a `list`; a restore of an older backup into the live database brings deleted apps' data back.",
    remediation:
      "If the app should exist, restore its `countly.apps` document from the backup that holds its data (`mongorestore --db countly --collection apps <backup>/dump/countly/apps.bson`), then run the checks again: its data is then checked like every app's. If the app was deleted on purpose, delete its leftovers (Countly's own app deletion again, or by `_id` prefix and `a`), or list its id in `ignore_apps`.",
    exampleFinding:
      "app id 65f0a1b2c3d4e5f6a7b8c9d1: expected a countly.apps document, actual none — app id 65f0a1b2c3d4e5f6a7b8c9d1 is in no countly.apps document, but its data is in countly_drill.drill_events (1200 documents), countly.events_data (48 documents): no check reads it",
  },
  needs: () => [{ fact: "unknownApps" }],
  evaluate(ctx) {
    const fact = ctx.facts.get("unknownApps");
    const ignored = new Set(ctx.options.ignore_apps);
    const byApp = new Map<string, UnknownAppData[]>();
    for (const row of fact.rows) {
      if (ignored.has(row.app)) continue;
      const list = byApp.get(row.app);
      if (list) list.push(row);
      else byApp.set(row.app, [row]);
    }
    for (const [app, rows] of byApp) {
      rows.sort((a, b) => b.docs - a.docs || (a.collection < b.collection ? -1 : 1));
      const shown = rows.slice(0, COLLECTIONS_SHOWN).map((r) => `${r.collection} (${plural(r.docs, "document")})`);
      if (rows.length > COLLECTIONS_SHOWN) shown.push(`${rows.length - COLLECTIONS_SHOWN} more collections`);
      if (app === "") {
        ctx.report({
          field: "a",
          expected: "an app id",
          actual: "missing or not a string",
          message: `raw documents without an app id (\`a\` missing or not a string) in ${shown.join(", ")}: no app's checks read them`,
        });
        continue;
      }
      ctx.report({
        field: `app id ${app}`,
        expected: "a countly.apps document",
        actual: "none",
        message: `app id ${app} is in no countly.apps document (${plural(fact.known.length, "app")} known), but its data is in ${shown.join(", ")}: no check reads it`,
      });
    }
  },
};
