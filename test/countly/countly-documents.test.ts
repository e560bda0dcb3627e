// Document shapes: the aggregated event documents of Countly's own merge test (see
// countly-vectors.ts MERGE_TEST), stored exactly as that test inserts them (legacy
// `events<H>`) and as it expects them after merge_events_collections.js (`events_data`,
// id prefixed with `<appId>_<H>_`, `a` and `e` added), read by our checks.
import { ObjectId } from "bson";
import { describe, expect, it } from "vitest";
import type { Dataset, Doc } from "../../fixtures/dataset.ts";
import { runOnDataset } from "../support/run-fixture.ts";
import { MERGE_TEST } from "./countly-vectors.ts";

const { app, key, hash } = MERGE_TEST;
const clone = (d: unknown): Doc => JSON.parse(JSON.stringify(d)) as Doc;

function dataset(layout: "legacy" | "current"): Dataset {
  const legacy = MERGE_TEST.legacyDocs.map(clone);
  const countly: Record<string, Doc[]> = {
    apps: [{ _id: new ObjectId(app), name: "Merge test", key: "k", timezone: "UTC" }],
    events: [{ _id: new ObjectId(app), list: [key], segments: { [key]: ["Method"] } }],
  };
  // merge_events_collections.js @a9bafe3: _id = appId + "_" + H + "_" + _id, a = appId, e = key
  if (layout === "legacy") countly[`events${hash}`] = legacy;
  else countly.events_data = legacy.map((d) => ({ ...d, _id: `${app}_${hash}_${String(d._id)}`, a: app, e: key }));
  return { seed: 0, layout, apps: [{ id: app, name: "Merge test", key: "k", timezone: "UTC" }], databases: { countly, countly_drill: {} }, corruptions: [] };
}

const SCENARIO = [
  "name: countly-merge-test",
  `apps: [ "${app}" ]`,
  "checks:",
  "  - { id: hours, check: event-hours-match-day }",
  "  - { id: meta, check: segment-meta-matches-data }",
  "  - { id: segments, check: event-segments-within-total }",
].join("\n");

describe("Countly's merge-test documents, in both layouts", () => {
  it("builds the current ids the merge test expects", () => {
    expect(dataset("current").databases.countly!.events_data!.map((d) => d._id)).toEqual([MERGE_TEST.currentIds.zero, MERGE_TEST.currentIds.month, MERGE_TEST.currentIds.segment]);
  });

  it.each(["legacy", "current"] as const)("%s: hours add up, the segment value sits in its md5 bucket, and day 2's segment count without a total is found", async (layout) => {
    const cases = await runOnDataset(SCENARIO, dataset(layout));
    const byId = Object.fromEntries(cases.map((c) => [c.checkId, c]));
    expect(byId.hours).toMatchObject({ outcome: "passed", findingsTotal: 0 });
    expect(byId.meta).toMatchObject({ outcome: "passed", findingsTotal: 0 });
    // the test's segment document has "Mobile app" c 6 on day 2, where its no-segment document has no day 2
    expect(byId.segments!.outcome).toBe("failed");
    expect(byId.segments!.findings).toEqual([expect.objectContaining({ event: key, day: "2023-11-02", segment: "Method", field: "c", expected: "<= 0", actual: 6 })]);
  });
});
