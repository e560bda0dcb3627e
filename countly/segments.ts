// How Countly turns a raw segment value into the key it aggregates under
// (api/aggregator/usage.ts @0e3d94e processEventFromStream; usage.js @091d42b for metric
// values). Shared by checks and fixtures; pinned case by case in test/countly/segments.test.ts.

const DAY_LIKE = /^(?:[1-9]|[12]\d|3[01])$/;

/** Segment keys: leading `$` and every `.` removed (events.js `segKey.replace(/^\$+|\./g, "")`). */
export function normaliseSegmentKey(key: string): string {
  return key.replace(/^\$+|\./g, "");
}

/**
 * The aggregated form of a raw segment value, or undefined when Countly skips it.
 * Countly skips arrays and values whose raw text is "1".."31" (they would collide
 * with the day keys of `d`); a value that only becomes day-like after cleaning
 * ("$5") is prefixed with `[CLY]`. Objects and null are dropped by the ingestor;
 * empty strings are skipped here because `d.<day>..c` is not a valid update path.
 */
export function normaliseSegmentValue(value: unknown): string | undefined {
  if (value === null || value === undefined || Array.isArray(value)) return undefined;
  if (typeof value === "object" && !(value instanceof Date)) return undefined;
  const raw = String(value);
  if (DAY_LIKE.test(raw)) return undefined;
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
