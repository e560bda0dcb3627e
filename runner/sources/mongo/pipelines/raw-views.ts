// Fact rawViews from a live database: `[CLY]_view` documents per app, view name and
// day, grouped on the server (runner/facts/dump/raw-views.ts is the reference).
import { INTERNAL_EVENTS } from "../../../../countly/layout.ts";
import { sortRows } from "../../../facts/dump/raw-events.ts";
import type { RawViewDay } from "../../../facts/types.ts";
import { drillFront, drillTargets } from "./drill.ts";
import { jsTruthy, objectField, stringOr } from "./expressions.ts";
import type { LiveCollector } from "./types.ts";

const VIEW = [INTERNAL_EVENTS.view];

export const rawViewsLive: LiveCollector<"rawViews"> = {
  fact: "rawViews",
  async compute(db, scope, catalog) {
    const targets = drillTargets(scope, catalog, (w) => w.key === INTERNAL_EVENTS.view);
    const rows = new Map<string, RawViewDay>();
    for (const target of targets) {
      // `n`, else `sg.name`, else "" (the dump's `typeof doc.n === "string" ? ... : ...`).
      const view = stringOr("$n", stringOr(objectField("sg", "name"), ""));
      const pipeline = [
        ...drillFront(target, scope, VIEW, { v: view, visit: { $cond: [jsTruthy(objectField("sg", "visit")), 1, 0] } }),
        { $group: { _id: { a: "$a", v: "$v", d: "$day" }, events: { $sum: 1 }, visits: { $sum: "$visit" } } },
      ];
      for await (const row of db.aggregate(target.ref, pipeline, "rawViews")) {
        const { a: app, v: view, d: day } = row._id as { a: string; v: string; d: string };
        const id = `${app}\u0000${view}\u0000${day}`;
        const out = rows.get(id) ?? { app, view, day, events: 0, visits: 0 };
        out.events += row.events as number;
        out.visits += row.visits as number;
        rows.set(id, out);
      }
    }
    return sortRows([...rows.values()].map((r) => ({ ...r, key: r.view }))).map(({ key: _k, ...r }) => r);
  },
};
