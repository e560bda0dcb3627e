// Literal values taken from Countly itself, each with where it came from. The tests in
// test/countly/* compare our ids, hashes and keys with these; none is computed here, so a
// wrong belief in countly/ (hash order, postfix alphabet, padded months) turns them red.

/**
 * Countly/countly-server's validation script for bin/upgrade/DEV/scripts/merge_events_collections.js
 * ("Script validates merging of aggregated events collections using
 * merge_events_collections.js script"; it runs `/opt/countly/bin/upgrade/DEV/scripts/merge_events_collections.js`
 * and requires `../../plugins/pluginManager.js`). The public code index holds its text but
 * not its path or commit, so the literals below are pinned to what the merge script itself
 * does, which is cited by file and commit: bin/upgrade/DEV/scripts/merge_events_collections.js
 * @ a9bafe310bae1c2c0e46930897b434ca6f3713ac, `load_event_hashmap` names each legacy collection
 * "events" + sha1(list[i] + app _id) (key first, then app id) and `merge_data_from_collection`
 * writes `_id = app_id + "_" + <hash> + "_" + <old _id>` into `events_data` with `a` (app id) and
 * `e` (event key) added; the same script is shipped as bin/upgrade/24.10/scripts/ and
 * bin/upgrade/25.03/scripts/merge_events_collections.js.
 * The validation script sets `collectionName = 'fe55f384d642312c76f6164a4f8ea40ffcc80795'`
 * ("just hash of event name") for `app_ID = '6075f94b7e5e0d392902520c'`, `EventKey = 'bumba'`,
 * inserts the legacy documents below into `events<collectionName>` and expects them in
 * `events_data` as `app_ID + "_" + collectionName + "_" + _id` with `a` and `e` added.
 * sha1("bumba6075f94b7e5e0d392902520c") is that hash (checked with sha1sum); sha1 of the
 * other order is not. The segment value "Mobile app" lands in postfix "z": the first
 * character of md5 in base64 (zQ+4…), where hex would give "c" (cd0f…).
 */
export const MERGE_TEST = {
  app: "6075f94b7e5e0d392902520c",
  key: "bumba",
  hash: "fe55f384d642312c76f6164a4f8ea40ffcc80795",
  segmentValue: "Mobile app",
  postfix: "z",
  legacyIds: { zero: "no-segment_2023:0_z", month: "no-segment_2023:11", segment: "Method_2023:11_z" },
  currentIds: {
    zero: "6075f94b7e5e0d392902520c_fe55f384d642312c76f6164a4f8ea40ffcc80795_no-segment_2023:0_z",
    month: "6075f94b7e5e0d392902520c_fe55f384d642312c76f6164a4f8ea40ffcc80795_no-segment_2023:11",
    segment: "6075f94b7e5e0d392902520c_fe55f384d642312c76f6164a4f8ea40ffcc80795_Method_2023:11_z",
  },
  /** The documents as the test inserts them (legacy layout), literally. */
  legacyDocs: [
    { _id: "no-segment_2023:0_z", m: "2023:0", meta_v2: { Method: { "Mobile app": true }, segments: { Method: true } }, s: "no-segment" },
    {
      _id: "no-segment_2023:11",
      d: { "1": { "0": { c: 1, dur: 8 }, "4": { c: 2, dur: 11 }, "11": { c: 2, dur: 7 }, "13": { c: 1, dur: 1 }, "14": { c: 1, dur: 6 }, "18": { c: 1, dur: 10 }, c: 8, dur: 43 } },
      m: "2023:11",
      s: "no-segment",
    },
    { _id: "Method_2023:11_z", d: { "1": { "Mobile app": { c: 8, dur: 43 } }, "2": { "Mobile app": { c: 6, dur: 43 } } }, m: "2023:11", s: "Method" },
  ],
} as const;

/**
 * Countly's data-model documentation, "countly_drill.drill_events{ID}"
 * (support.countly.com/hc/en-us/articles/360038263211): for event "Buy" of app
 * "542e95d747f0be510c000004" the collection is "drill_events" + sha1("Buy542e95d747f0be510c000004"),
 * "drill_events57c2b7d4eeae912495088c3754d0c6cfe9949f06" (that is the real sha1; the
 * sibling page for events{ID} shows an illustrative hash that is not).
 */
export const DRILL_DOC = {
  app: "542e95d747f0be510c000004",
  key: "Buy",
  collection: "drill_events57c2b7d4eeae912495088c3754d0c6cfe9949f06",
} as const;

/**
 * Month and year ids, unpadded:
 * - api/utils/common.js @0064a19bd940321f8003d08af4ee6db784445bcd, getDateIds:
 *   "@returns {object} with date ids, as {zero:"2017:0", month:"2017:2"}";
 * - Countly's documentation of countly.density (support.countly.com/hc/en-us/articles/360037894192):
 *   month document `"_id": "56e53eae4a359b2f5057c8bb_2016:2", "m": "2016:2"`, zero document
 *   `"_id": "56e53eae4a359b2f5057c8bb_2012:0"`; of countly.users (…/360037915792):
 *   `"_id": "54ef785410fb8a6c23e6ef90_2015:0"`, field table `542e95d747f0be510c000004_2014:10`.
 */
export const DATE_IDS = {
  getDateIds: { zero: "2017:0", month: "2017:2" },
  metricIds: [
    { id: "56e53eae4a359b2f5057c8bb_2016:2", appId: "56e53eae4a359b2f5057c8bb", period: "2016:2", isZero: false },
    { id: "56e53eae4a359b2f5057c8bb_2012:0", appId: "56e53eae4a359b2f5057c8bb", period: "2012:0", isZero: true },
    { id: "54ef785410fb8a6c23e6ef90_2015:0", appId: "54ef785410fb8a6c23e6ef90", period: "2015:0", isZero: true },
    { id: "542e95d747f0be510c000004_2014:10", appId: "542e95d747f0be510c000004", period: "2014:10", isZero: false },
  ],
} as const;
