// Countly's `_id` formats for aggregated documents, built and parsed in one place.
import { eventHash, md5Postfix, sha1Hex } from "./hash.ts";

export const NO_SEGMENT = "no-segment";

/** Current layout (`countly.events_data`) ids. */
export const eventsDataId = {
  noSegmentMonth: (appId: string, key: string, monthId: string) => `${appId}_${eventHash(key, appId)}_${NO_SEGMENT}_${monthId}`,
  segmentMonth: (appId: string, key: string, segKey: string, monthId: string, segValue: string) =>
    `${appId}_${eventHash(key, appId)}_${segKey}_${monthId}_${md5Postfix(segValue)}`,
  metaZero: (appId: string, key: string, zeroId: string, segValue: string) =>
    `${appId}_${eventHash(key, appId)}_${NO_SEGMENT}_${zeroId}_${md5Postfix(segValue)}`,
  allKeyMonth: (appId: string, monthId: string, key: string) => `${appId}_all_key_${monthId}_${md5Postfix(key)}`,
  allListZero: (appId: string, zeroId: string, key: string) => `${appId}_all_${NO_SEGMENT}_${zeroId}_${md5Postfix(key)}`,
};

/** Legacy layout (`countly.events<H>`) ids: the current ids without `<appId>_<H>_`. */
export const legacyEventsId = {
  noSegmentMonth: (monthId: string) => `${NO_SEGMENT}_${monthId}`,
  segmentMonth: (segKey: string, monthId: string, segValue: string) => `${segKey}_${monthId}_${md5Postfix(segValue)}`,
  metaZero: (zeroId: string, segValue: string) => `${NO_SEGMENT}_${zeroId}_${md5Postfix(segValue)}`,
};

export function legacyEventsCollection(appId: string, key: string): string {
  return `events${eventHash(key, appId)}`;
}

export function legacyDrillCollection(appId: string, key: string): string {
  return `drill_events${eventHash(key, appId)}`;
}

/** Legacy no-segment views collection: `app_viewdata` + sha1(appId). */
export function legacyViewDataCollection(appId: string): string {
  return `app_viewdata${sha1Hex(appId)}`;
}

/** `countly.users` and metric collections (`sources`, `devices`...): `<appId>_<YYYY:M|YYYY:0>_<postfix>`. */
export function metricId(appId: string, monthOrZeroId: string, postfixOf: string): string {
  return `${appId}_${monthOrZeroId}_${md5Postfix(postfixOf)}`;
}

/**
 * Parses a metric/users `_id`; older versions had no postfix, so it is optional.
 * Returns undefined for ids of another shape.
 */
export function parseMetricId(id: string): { appId: string; period: string; isZero: boolean } | undefined {
  const m = /^([^_]+)_(\d{4}:\d{1,2})(?:_.)?$/.exec(id);
  if (!m) return undefined;
  return { appId: m[1]!, period: m[2]!, isZero: m[2]!.endsWith(":0") };
}

/** Views (current layout): `<appId>_<seg>_<YYYY:M|YYYY:0>_<md5(viewName)>` in `app_viewdata`. */
export function parseViewDataId(id: string): { appId: string; segment: string; period: string; viewId: string } | undefined {
  const m = /^([^_]+)_(.+)_(\d{4}:\d{1,2})_([0-9a-f]{32})$/.exec(id);
  if (!m) return undefined;
  return { appId: m[1]!, segment: m[2]!, period: m[3]!, viewId: m[4]! };
}

/** Views (legacy layout): `<viewObjectId>_<YYYY:M|YYYY:0>` in `app_viewdata<sha1(seg + appId)>`. */
export function parseLegacyViewDataId(id: string): { viewId: string; period: string } | undefined {
  const m = /^([0-9a-f]{24})_(\d{4}:\d{1,2})$/.exec(id);
  if (!m) return undefined;
  return { viewId: m[1]!, period: m[2]! };
}

/** `app_viewsmeta` (current layout) `_id`: `<appId>_<md5(viewName)>`. */
export function parseViewsMetaId(id: string): { appId: string; viewId: string } | undefined {
  const m = /^([^_]+)_([0-9a-f]{32})$/.exec(id);
  if (!m) return undefined;
  return { appId: m[1]!, viewId: m[2]! };
}
