// The Sources dashboard is not empty for an app and period in which raw sessions carry a source.
import type { RawSessionDay } from "../runner/facts/types.ts";
import type { CheckDefinition } from "./types.ts";
import { dayRange } from "./present-when-raw.ts";

export const sourcesPresentWhenRaw: CheckDefinition<Record<string, never>> = {
  meta: {
    kind: "sources-present-when-raw",
    summary: "Sources data (countly.sources) is non-empty for an app and period with raw sessions that carry up.src.",
    proves:
      "When the drill data holds `[CLY]_session` events with a source (`up.src`) for an app in the period, `countly.sources` holds sessions for that app in that period. No raw sessions with a source: skipped.",
    perApp: true,
    options: { type: "object", properties: {} },
    likelyCause:
      "The session metrics were not rebuilt after a restore: sources are written by the `session-ingestion` aggregator from the drill change stream, which does not replay restored documents (Countly issue #6073).",
    remediation:
      "Restore `countly.sources` from the same backup as the raw data. Keep the `session-ingestion` entry of `countly.plugins` `_changeStreams` (deleting it makes the consumer start from \"now\"); see `aggregation-cursor-fresh`.",
    exampleFinding: "app Shop (65f0…): 800 raw sessions with a source on 21 days (2024-10-20..2024-11-09), but countly.sources has no data",
  },
  needs: () => [{ fact: "rawSessions" }, { fact: "sourceAggregates" }],
  evaluate(ctx) {
    // Depending on the Countly build, sessions are counted from [CLY]_session or [CLY]_session_begin documents.
    const sourced = (r: RawSessionDay) => Math.max(sum(r.bySource), sum(r.beginsBySource));
    const raw = ctx.facts.get("rawSessions").filter((r) => sourced(r) > 0);
    const sessions = raw.reduce((n, r) => n + sourced(r), 0);
    if (sessions === 0) return { skipped: "no raw sessions with a source (up.src) in the period" };
    const t = ctx.facts.get("sourceAggregates").days.reduce((n, d) => n + d.t, 0);
    if (t === 0) {
      ctx.report({
        expected: "> 0 sessions by source",
        actual: 0,
        message: `${sessions} raw sessions with a source on ${dayRange(raw.map((r) => r.day))}, but countly.sources has no data for them: sources not rebuilt after restore?`,
      });
    }
  },
};

function sum(counts: Record<string, number>): number {
  return Object.values(counts).reduce((a, b) => a + b, 0);
}
