// A second, deliberately plain reading of Countly's naming and time rules, for the tests
// that judge fixtures and checks. It imports nothing from countly/ (or fixtures/), so a
// wrong belief there cannot also make the judge agree. Plain on purpose: no offset
// caches, no quarter-hour blocks, one Intl question per answer (formatters are reused).
//
// Sources (Countly/countly-server):
// - H = sha1(eventKey + appId) hex: api/aggregator/usage.ts @0e3d94e (eventCollectionName),
//   bin/upgrade/DEV/scripts/merge_events_collections.js @a9bafe3 (load_event_hashmap).
// - postfix = md5(x) as base64, first character: same files (postfix2, postfix_seg).
// - month ids `YYYY:M`, never zero-padded: api/utils/common.js @0064a19 getDateIds
//   ("as {zero:"2017:0", month:"2017:2"}"), initTimeObj `format("M")`.
// - days are the app timezone's calendar days (moment-timezone there, Intl here).
import { createHash } from "node:crypto";

export function oracleEventHash(eventKey: string, appId: string): string {
  return createHash("sha1").update(`${eventKey}${appId}`, "utf8").digest("hex");
}

export function oraclePostfix(value: string): string {
  return createHash("md5").update(value, "utf8").digest("base64").charAt(0);
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timezone: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${timezone}|${JSON.stringify(options)}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", { ...options, timeZone: timezone });
    formatters.set(key, f);
  }
  return f;
}

const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));

/**
 * The UTC offset Intl reports for `timezone` at instant `ts`, in ms, read from the zone's
 * own offset name ("GMT+05:45") rather than from the wall clock, and floored to the
 * minute (historic offsets such as LMT +05:53:28 carry seconds).
 */
export function oracleOffsetMs(timezone: string, ts: number): number {
  // format() ends with the offset name ("12/1/2026, GMT+05:45") and costs a third of formatToParts
  const text = formatter(timezone, { timeZoneName: "longOffset" }).format(new Date(ts));
  const m = /, GMT(?:([+-])(\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(text);
  if (!m) throw new Error(`unexpected offset name in ${JSON.stringify(text)} for ${timezone}`);
  if (m[1] === undefined) return 0;
  const seconds = (Number(m[2]) * 3600 + Number(m[3]) * 60 + Number(m[4] ?? 0)) * (m[1] === "-" ? -1 : 1);
  return Math.floor(seconds / 60) * 60_000;
}

/** The app-local calendar day `YYYY-MM-DD` of instant `ts`, as Intl names it in `timezone`. */
export function oracleDay(timezone: string, ts: number): string {
  const parts = formatter(timezone, { year: "numeric", month: "numeric", day: "numeric" }).formatToParts(new Date(ts));
  const get = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  return `${get("year")}-${pad2(get("month"))}-${pad2(get("day"))}`;
}

/** The app-local hour 0..23 of instant `ts`. */
export function oracleHour(timezone: string, ts: number): number {
  const parts = formatter(timezone, { hour: "numeric", hourCycle: "h23" }).formatToParts(new Date(ts));
  return Number(parts.find((p) => p.type === "hour")!.value);
}

/** Countly's month id of a day: `2024:9`, not `2024:09`. */
export function oracleMonthId(day: string): string {
  const [y, m] = day.split("-");
  return `${Number(y)}:${Number(m)}`;
}

/**
 * The day a month document's `d.<key>` names. Strict: a month id Countly would never write
 * (`2024:09`, `2024:0`, `2024:13`) or a day key with a leading zero throws, so fixtures
 * that spell ids the wrong way cannot be read as healthy.
 */
export function oracleDayOfMonthKey(monthId: string, dayKey: string): string {
  const m = /^(\d{4}):([1-9]|1[0-2])$/.exec(monthId);
  if (!m) throw new Error(`not a Countly month id: ${JSON.stringify(monthId)}`);
  if (!/^([1-9]|[12]\d|3[01])$/.test(dayKey)) throw new Error(`not a Countly day key: ${JSON.stringify(dayKey)} in ${monthId}`);
  return `${m[1]}-${pad2(Number(m[2]))}-${pad2(Number(dayKey))}`;
}
