// How Countly turns a raw segment value into the key it aggregates under. Two writers
// differ: the legacy API (api/parts/data/events.js, commit 051870e) keeps day-like values
// "1".."31" as `[CLY]1`..`[CLY]31`; the 25.x processEventFromStream (api/aggregator/usage.js,
// commit 63d5a9b9; usage.ts @0e3d94e) skips a value whose raw text is day-like before cleaning
// it (usage.js @091d42b for metric values). Shared by checks and fixtures; pinned case by case
// in test/countly/segments.test.ts.

const DAY_LIKE = /^(?:[1-9]|[12]\d|3[01])$/;

/** Segment keys: leading `$` and every `.` removed (events.js `segKey.replace(/^\$+|\./g, "")`). */
export function normaliseSegmentKey(key: string): string {
  return key.replace(/^\$+|\./g, "");
}

/** Which Countly code aggregates the segments: the legacy API or the 25.x aggregator. */
export type SegmentWriter = "events.js" | "processEventFromStream";

/**
 * The aggregated form of a raw segment value, or undefined when Countly skips it.
 * Both skip arrays; a value that is day-like after cleaning ("$5", and on the legacy
 * API also "5") is prefixed with `[CLY]` so it cannot collide with the day keys of `d`;
 * processEventFromStream skips a raw "1".."31" outright (`forbiddenSegValues.indexOf(sg[seg] + "")`).
 * Objects and null are dropped by the ingestor; empty strings are skipped here because
 * `d.<day>..c` is not a valid update path.
 */
export function normaliseSegmentValue(value: unknown, writer: SegmentWriter = "processEventFromStream"): string | undefined {
  if (value === null || value === undefined || Array.isArray(value)) return undefined;
  if (typeof value === "object" && !(value instanceof Date)) return undefined;
  const raw = String(value);
  if (writer === "processEventFromStream" && DAY_LIKE.test(raw)) return undefined;
  // common.encodeCharacters: NUL becomes "&#9647" (no ";"), nothing else changes
  const text = raw.replace(/^\$+/, "").replace(/\./g, ":").replace(/\u0000/g, "&#9647");
  if (text === "") return undefined;
  return DAY_LIKE.test(text) ? `[CLY]${text}` : text;
}

/** Metric values (`up.<short_code>`, e.g. the source): one leading `$` removed, `.` replaced by `:`. */
export function normaliseMetricValue(value: unknown): string | undefined {
  // usage.js keeps a metric only `if (recvMetricValue)`: 0 and NaN are skipped too
  if (!value) return undefined;
  return String(value).replace(/^\$/, "").replace(/\./g, ":");
}
