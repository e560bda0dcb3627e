// The one registry of check kinds: every kind a scenario can name, each under its own meta.kind.
// Imported inside the test (not at collection time) so a registry that fails to build fails here.
import { describe, expect, it } from "vitest";

describe("checks/index.ts", () => {
  it("registers every check kind under its meta.kind", async () => {
    const { CHECKS } = await import("../../checks/index.ts");
    expect([...CHECKS.keys()].sort()).toEqual([
      "aggregation-cursor-fresh", "apps-known", "collections-present", "compare", "counters-are-numbers", "drill-meta-matches-data",
      "event-all-key-matches", "event-hours-match-day", "event-list-matches-data", "event-segments-within-total", "events-match-raw",
      "matches-backup", "no-double-counting", "pipeline", "resume-tokens-resumable", "segment-meta-matches-data", "sessions-match-raw",
      "sources-match-raw", "sources-present-when-raw", "views-match-raw", "views-present-when-raw",
    ]);
    for (const [kind, def] of CHECKS) expect(def.meta.kind).toBe(kind);
  });
});
