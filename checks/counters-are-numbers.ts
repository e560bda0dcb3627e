// Every counter in aggregated documents is a finite, non-negative number: Countly only
// ever `$inc`s them with numbers, so a string, NaN or negative value came from elsewhere.
import type { CounterCollectionKind, CounterProblemKind } from "../runner/facts/types.ts";
import type { CheckDefinition } from "./types.ts";

export interface CountersAreNumbersOptions {
  collections: CounterCollectionKind[];
  allow_negative: boolean;
  negative_sums: "ignore" | "fail";
}

const KINDS: CounterCollectionKind[] = ["events", "users", "sources", "metrics", "views"];

const WHY: Record<CounterProblemKind, string> = {
  string: "a string: written by an import or script that stringified numbers (mongoimport of CSV/JSON, a bad merge); `$inc` on it fails and the dashboard concatenates instead of adding",
  negative: "negative: a repair or merge subtracted more than was there (a rollback of a rollback?)",
  "negative sum": "a negative event sum: legitimate when the SDK sends negative sums (refunds), otherwise a repair or merge subtracted more than was there",
  NaN: "NaN: arithmetic on a missing or non-numeric value in a merge or repair script; every sum it enters becomes NaN",
  infinite: "infinite: a division or overflow in a merge or repair script",
  null: "null: a field unset or overwritten by a bad merge; `$inc` on it fails",
  boolean: "a boolean: overwritten by a bad merge or manual edit",
  array: "an array: overwritten by a bad merge or manual edit",
  "not a number": "not a number: overwritten by a bad merge or manual edit",
};

export const countersAreNumbers: CheckDefinition<CountersAreNumbersOptions> = {
  meta: {
    kind: "counters-are-numbers",
    summary: "No counter in aggregated documents (events data, users, sources, metrics, views) is a string, NaN, infinite, negative or null.",
    proves:
      "Every leaf of the `d` tree of Countly's aggregated documents is only ever written with `$inc` of a number (common.fillTimeObjectMonth / fillTimeObjectZero): the events data (`countly.events_data`, legacy `events<hash>`), `countly.users`, `countly.sources` and the other metric collections (carriers, devices, device_details, cities, langs, density, browser), and the views data (`app_viewdata`, legacy `app_viewdata<hash>`). So every such leaf is a finite number >= 0 — except an event's sum `s`, which Countly takes from the SDK as any number (a refund is a negative sum), so negative sums are reported only with `negative_sums: fail`. Month documents are limited to the period's days, year documents to its years.",
    perApp: true,
    options: {
      type: "object",
      properties: {
        collections: {
          type: "array",
          items: { enum: KINDS },
          minItems: 1,
          default: KINDS,
          description: "Which aggregated data to check: `events`, `users`, `sources`, `metrics` (carriers, devices, device_details, cities, langs, density, browser), `views`.",
        },
        allow_negative: { type: "boolean", default: false, description: "Accept negative numbers (for installs whose custom plugins decrement counters)." },
        negative_sums: {
          enum: ["ignore", "fail"],
          default: "ignore",
          description: "Negative event sums (`s` in the events data): `ignore` (Countly accepts any number as an event's sum, e.g. refunds) or `fail` for apps that never send negative sums.",
        },
      },
    },
    likelyCause:
      "A bad merge or import: documents merged by a script that added values of different types, a `mongoimport` that stringified numbers, a repair that subtracted too much, or a manual edit. `$inc` on a non-number fails, so Countly stops updating that document, and the dashboard shows wrong or NaN totals.",
    remediation:
      "Restore the named documents from the backup; or fix each named path with `$set` to the right number (recompute it from the raw drill data where it still exists), then re-run this check.",
    exampleFinding: "app Shop (65f0…) · field d.27.14.c — countly.events_data _id \"65f0…_9a1c…_no-segment_2024:10\": d.27.14.c = \"3\", a string: written by an import or script that stringified numbers",
  },
  needs: () => [{ fact: "counterProblems" }],
  evaluate(ctx) {
    const o = ctx.options;
    const fact = ctx.facts.get("counterProblems");
    const kinds = new Set(o.collections);
    const fromYear = ctx.period.from === undefined ? -Infinity : Number(ctx.period.from.slice(0, 4));
    const toYear = ctx.period.to === undefined ? Infinity : Number(ctx.period.to.slice(0, 4));
    const scanned = fact.scanned.filter((s) => kinds.has(s.kind)).reduce((n, s) => n + s.docs, 0);
    if (scanned === 0) return { skipped: `no aggregated documents (${o.collections.join(", ")}) for this app` };
    for (const r of fact.rows) {
      if (!kinds.has(r.kind)) continue;
      if (o.allow_negative && (r.problem === "negative" || r.problem === "negative sum")) continue;
      if (r.problem === "negative sum" && o.negative_sums === "ignore") continue;
      // Year documents: their year must overlap the period (month documents are filtered by day).
      if (r.period?.endsWith(":0") && r.day === undefined) {
        const y = Number(r.period.slice(0, 4));
        if (y < fromYear || y > toYear) continue;
      }
      // plugins/views/api/aggregator.js computes `scr` as y * 100 / height from the SDK's values, unchecked.
      const why = r.kind === "views" && r.path.endsWith(".scr") ? `${WHY[r.problem]} (for \`scr\` also the views aggregator itself, from a non-numeric or negative scroll position an SDK sent)` : WHY[r.problem];
      const row = { field: r.path, expected: "a finite number >= 0", actual: r.value, message: `${r.collection} _id ${JSON.stringify(r.id)}: ${r.path} = ${r.value}, ${why}` };
      ctx.report(r.day ? { ...row, day: r.day } : row);
    }
    for (const m of fact.omitted) {
      if (!kinds.has(m.kind)) continue;
      if ((m.problem === "negative" || m.problem === "negative sum") && o.allow_negative) continue;
      if (m.problem === "negative sum" && o.negative_sums === "ignore") continue;
      ctx.report({ expected: "a finite number >= 0", actual: `${m.count} more`, message: `${m.collection}: ${m.count} more counters with the problem "${m.problem}" (only the first ones are listed): a whole collection merged or imported badly?` });
    }
  },
};
