// Countly buckets everything by the app's local day (moment-timezone with the app's
// `timezone`). These helpers do the same with Intl, cached so a scan of millions of
// raw events does not format a date per event.

/** A calendar day in the app's timezone, `YYYY-MM-DD`. */
export type Day = string;

const QUARTER_HOUR_MS = 15 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

const formatters = new Map<string, Intl.DateTimeFormat>();
const offsetCaches = new Map<string, Map<number, number>>();
const dayNames = new Map<number, Day>();

/** Throws a RangeError naming the zone when Intl does not know it. */
export function assertTimezone(timezone: string): void {
  formatterFor(timezone);
}

export function isValidTimezone(timezone: string): boolean {
  try {
    formatterFor(timezone);
    return true;
  } catch {
    return false;
  }
}

function formatterFor(timezone: string): Intl.DateTimeFormat {
  let f = formatters.get(timezone);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat("en-US", {
        timeZone: timezone,
        hourCycle: "h23",
        year: "numeric",
        month: "numeric",
        day: "numeric",
        hour: "numeric",
        minute: "numeric",
      });
    } catch {
      throw new RangeError(`unknown timezone "${timezone}"`);
    }
    formatters.set(timezone, f);
  }
  return f;
}

/** Offset of `timezone` from UTC in ms at instant `ts`. Every real zone change happens on a quarter hour, so the cache key is the quarter hour. */
export function utcOffsetMs(timezone: string, ts: number): number {
  let cache = offsetCaches.get(timezone);
  if (!cache) {
    cache = new Map();
    offsetCaches.set(timezone, cache);
  }
  const q = Math.floor(ts / QUARTER_HOUR_MS);
  let off = cache.get(q);
  if (off === undefined) {
    off = computeOffset(timezone, q * QUARTER_HOUR_MS);
    cache.set(q, off);
  }
  return off;
}

function computeOffset(timezone: string, ts: number): number {
  const parts = formatterFor(timezone).formatToParts(new Date(ts));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const local = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"));
  const utcMinute = Math.floor(ts / 60000) * 60000;
  return local - utcMinute;
}

/** Local wall-clock ms (as if it were UTC) of instant `ts` in `timezone`. */
export function localMs(timezone: string, ts: number): number {
  return ts + utcOffsetMs(timezone, ts);
}

/** The app-local day of a raw event timestamp (ms). */
export function dayOf(timezone: string, ts: number): Day {
  const n = Math.floor(localMs(timezone, ts) / DAY_MS);
  let name = dayNames.get(n);
  if (name === undefined) {
    name = new Date(n * DAY_MS).toISOString().slice(0, 10);
    dayNames.set(n, name);
  }
  return name;
}

/** The app-local hour (0-23) of a raw event timestamp (ms). */
export function hourOf(timezone: string, ts: number): number {
  const local = localMs(timezone, ts);
  return Math.floor((local - Math.floor(local / DAY_MS) * DAY_MS) / 3600000);
}

/** Countly's month id `YYYY:M` (month not padded) for a day. */
export function monthIdOfDay(day: Day): string {
  return `${Number(day.slice(0, 4))}:${Number(day.slice(5, 7))}`;
}

/** Countly's year ("zero") id `YYYY:0` for a day. */
export function zeroIdOfDay(day: Day): string {
  return `${Number(day.slice(0, 4))}:0`;
}

/** The key of a day inside a month doc's `d` (`"1"`..`"31"`). */
export function dayKeyOfDay(day: Day): string {
  return String(Number(day.slice(8, 10)));
}

/** Builds a Day from a month id (`YYYY:M`) and a day key (`"1"`..`"31"`); undefined when either is not a valid date part. */
export function dayFromMonthAndKey(monthId: string, dayKey: string): Day | undefined {
  const m = /^(\d{4}):(\d{1,2})$/.exec(monthId);
  if (!m || !/^\d{1,2}$/.test(dayKey)) return undefined;
  const month = Number(m[2]);
  const d = Number(dayKey);
  if (month < 1 || month > 12 || d < 1 || d > 31) return undefined;
  return `${m[1]}-${String(month).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
}

export function isDay(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const d = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === text;
}

/** Inclusive day range; either end may be open. */
export interface Period {
  from?: Day;
  to?: Day;
}

export function inPeriod(day: Day, period: Period): boolean {
  return (period.from === undefined || day >= period.from) && (period.to === undefined || day <= period.to);
}

/** The month ids (`YYYY:M`) a period can touch, or undefined for an open period. */
export function monthIdsOfPeriod(period: Period): string[] | undefined {
  if (!period.from || !period.to) return undefined;
  const out: string[] = [];
  let y = Number(period.from.slice(0, 4));
  let m = Number(period.from.slice(5, 7));
  const endY = Number(period.to.slice(0, 4));
  const endM = Number(period.to.slice(5, 7));
  while (y < endY || (y === endY && m <= endM)) {
    out.push(`${y}:${m}`);
    m++;
    if (m > 12) {
      m = 1;
      y++;
    }
  }
  return out;
}
