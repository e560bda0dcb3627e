import { describe, expect, it } from "vitest";
import {
  eventsDataId,
  legacyDrillCollection,
  legacyEventsCollection,
  legacyEventsId,
  legacyViewDataCollection,
  metricId,
  parseLegacyViewDataId,
  parseMetricId,
  parseViewDataId,
  parseViewsMetaId,
} from "../../countly/ids.ts";
import { DEFAULT_DATABASES, detectLayout, legacyDrillHash, legacyEventsHash, legacyViewDataHash } from "../../countly/layout.ts";
import { DATE_IDS, DRILL_DOC, MERGE_TEST } from "./countly-vectors.ts";

const { app, key, hash, segmentValue, legacyIds, currentIds } = MERGE_TEST;

describe("aggregated event ids, against Countly's merge test", () => {
  it("builds the legacy ids the test inserts into events<H>", () => {
    expect(legacyEventsCollection(app, key)).toBe(`events${hash}`);
    expect(legacyEventsId.noSegmentMonth("2023:11")).toBe(legacyIds.month);
    expect(legacyEventsId.segmentMonth("Method", "2023:11", segmentValue)).toBe(legacyIds.segment);
    expect(legacyEventsId.metaZero("2023:0", segmentValue)).toBe(legacyIds.zero);
  });

  it("builds the events_data ids the test expects after the merge (appId_H_ + legacy id)", () => {
    expect(eventsDataId.noSegmentMonth(app, key, "2023:11")).toBe(currentIds.month);
    expect(eventsDataId.segmentMonth(app, key, "Method", "2023:11", segmentValue)).toBe(currentIds.segment);
    expect(eventsDataId.metaZero(app, key, "2023:0", segmentValue)).toBe(currentIds.zero);
  });

  it("builds the all-events ids of api/aggregator/usage.ts @0e3d94e (appId_all_key_<month>_<P(key)>, appId_all_no-segment_<zero>_<P(key)>)", () => {
    // P("Buy") = "g" (md5 base64 gxoo8ejf…)
    expect(eventsDataId.allKeyMonth(DRILL_DOC.app, "2014:10", "Buy")).toBe("542e95d747f0be510c000004_all_key_2014:10_g");
    expect(eventsDataId.allListZero(DRILL_DOC.app, "2014:0", "Buy")).toBe("542e95d747f0be510c000004_all_no-segment_2014:0_g");
  });

  it("names the legacy drill collection as Countly's documentation does", () => {
    expect(legacyDrillCollection(DRILL_DOC.app, DRILL_DOC.key)).toBe(DRILL_DOC.collection);
  });

  it("recognises those collection names, and only 40-hex suffixes", () => {
    expect(legacyEventsHash(`events${hash}`)).toBe(hash);
    expect(legacyDrillHash(DRILL_DOC.collection)).toBe("57c2b7d4eeae912495088c3754d0c6cfe9949f06");
    expect(legacyEventsHash("events_data")).toBeUndefined();
    expect(legacyEventsHash(`zvents${hash}`)).toBeUndefined();
    expect(legacyDrillHash(`drill_eventz${hash}`)).toBeUndefined();
    expect(legacyEventsHash(`events${hash.toUpperCase()}`)).toBeUndefined();
    expect(legacyEventsHash(`events${hash}0`)).toBeUndefined();
    expect(legacyDrillHash(`drill_events${hash.slice(1)}`)).toBeUndefined();
    expect(legacyViewDataHash(`app_viewdata${hash}`)).toBe(hash);
    expect(legacyViewDataHash("app_viewdata")).toBeUndefined();
  });

  it("detects the layout from those names; events_data wins over leftover events<H>", () => {
    expect(detectLayout([`events${hash}`], [DRILL_DOC.collection])).toEqual({ events: "legacy", drill: "legacy", views: "current" });
    expect(detectLayout(["events_data", `events${hash}`, "app_viewdata"], ["drill_events", DRILL_DOC.collection])).toEqual({ events: "current", drill: "current", views: "current" });
    expect(detectLayout([`app_viewdata${hash}`], [])).toEqual({ events: "current", drill: "current", views: "legacy" });
    expect(detectLayout([], [])).toEqual({ events: "current", drill: "current", views: "current" });
    expect(detectLayout(["events", "app_viewsmeta"], ["drill_meta"])).toEqual({ events: "current", drill: "current", views: "current" });
  });

  it("knows Countly's default database names (bin/commands/countly.sh backs up countly and countly_drill)", () => {
    expect(DEFAULT_DATABASES).toEqual({ countly: "countly", drill: "countly_drill" });
  });
});

describe("metric and users ids (<appId>_<YYYY:M|YYYY:0>[_<postfix>])", () => {
  it.each(DATE_IDS.metricIds)("parses Countly's documented id $id", ({ id, appId, period, isZero }) => {
    expect(parseMetricId(id)).toEqual({ appId, period, isZero });
    expect(parseMetricId(`${id}_z`)).toEqual({ appId, period, isZero });
  });

  it("builds ids with the md5 base64 postfix of the value", () => {
    expect(metricId("56e53eae4a359b2f5057c8bb", "2016:2", "Mobile app")).toBe("56e53eae4a359b2f5057c8bb_2016:2_z");
  });

  it("rejects ids of other shapes", () => {
    for (const id of ["x_56e53eae4a359b2f5057c8bb_2016:2", "56e53eae4a359b2f5057c8bb_2016-2", "56e53eae4a359b2f5057c8bb_2016:2_zz", "56e53eae4a359b2f5057c8bb", "_2016:2", "x_16:2", "x_2016:123"]) {
      expect(parseMetricId(id), id).toBeUndefined();
    }
  });
});

describe("view ids", () => {
  const viewId = "5d41402abc4b2a76b9719d911017c592"; // md5("hello")
  it("parses current and legacy view data and meta ids", () => {
    expect(parseViewDataId(`${app}_no-segment_2023:11_${viewId}`)).toEqual({ appId: app, segment: "no-segment", period: "2023:11", viewId });
    expect(parseViewDataId(`${app}_platform_2023:0_${viewId}`)).toEqual({ appId: app, segment: "platform", period: "2023:0", viewId });
    expect(parseViewDataId(`${app}_no-segment_2023:11_${viewId.slice(1)}`)).toBeUndefined();
    expect(parseViewDataId(`${app}_no-segment_2023:11_${viewId}0`)).toBeUndefined();
    expect(parseViewDataId(`_${app}_no-segment_2023:11_${viewId}`)).toBeUndefined();
    expect(parseLegacyViewDataId(`0${app}_2023:11`)).toBeUndefined();
    expect(parseLegacyViewDataId(`${app}_2023:11_z`)).toBeUndefined();
    expect(parseViewsMetaId(`_${app}_${viewId}`)).toBeUndefined();
    expect(parseLegacyViewDataId(`${app}_2023:11`)).toEqual({ viewId: app, period: "2023:11" });
    expect(parseLegacyViewDataId(`${app}_2023-11`)).toBeUndefined();
    expect(parseViewsMetaId(`${app}_${viewId}`)).toEqual({ appId: app, viewId });
    expect(parseViewsMetaId(`${app}_${viewId}x`)).toBeUndefined();
  });

  it("names the legacy no-segment view collection app_viewdata + sha1(appId)", () => {
    // sha1("6075f94b7e5e0d392902520c"), computed with sha1sum
    expect(legacyViewDataCollection(app)).toBe("app_viewdata536be8035eac6c5797ddaeacfbfa651cba394097");
  });
});
