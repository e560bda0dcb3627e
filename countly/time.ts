// Countly buckets everything by the app's local day (moment-timezone with the app's
// `timezone`). These helpers do the same with Intl, cached so a scan of millions of
// raw events does not format a date per event.

/** A calendar day in the app's timezone, `YYYY-MM-DD`. */
export type Day = string;

const QUARTER_HOUR_MS = 15 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

const formatters = new Map<string, Intl.DateTimeFormat>();
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
        era: "short",
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

/**
 * Offset of `timezone` from UTC in ms at instant `ts`: Intl's offset at the start of the
 * quarter hour holding `ts` (every real zone change happens on a quarter hour).
 */
export function utcOffsetMs(timezone: string, ts: number): number {
  let z = zones.get(timezone);
  if (!z) {
    z = new ZoneOffsets(timezone);
    zones.set(timezone, z);
  }
  return z.at(ts);
}

const zones = new Map<string, ZoneOffsets>();

/** Quarter hours per block (4 hours): Intl is asked at block boundaries, and at every quarter only inside blocks where the offset changes. */
const BLOCK_QUARTERS = 16;

/** A block of BLOCK_QUARTERS quarter hours: one offset, or (where the zone changes) one per quarter. */
interface OffsetBlock {
  readonly offset: number;
  readonly quarters: readonly number[] | null;
}

const OUT_OF_RANGE: OffsetBlock = { offset: NaN, quarters: null };

/** Offsets found so far, per zone, shared by every ZoneOffsets of the zone. */
interface ZoneData {
  readonly blocks: Map<number, OffsetBlock>;
  readonly edges: Map<number, number>;
}
const zoneData = new Map<string, ZoneData>();

/**
 * The UTC offsets of one zone, computed with Intl (slow: microseconds per call) as rarely
 * as possible: at the boundaries of 4-hour blocks, and at every quarter hour of a block
 * whose two ends differ. A block whose ends agree is taken to have that one offset, which
 * holds unless a zone changes its offset and back within 4 hours (tzdb's changes are weeks
 * apart), so `utcOffsetMs` gives what asking Intl at the quarter hour itself gives.
 * What is found is shared by all instances of a zone; each instance remembers the block it
 * used last, so a scan that keeps one per app mostly answers without a lookup.
 */
export class ZoneOffsets {
  private readonly blocks: Map<number, OffsetBlock>;
  private readonly edges: Map<number, number>;
  private lastIndex = NaN;
  private last: OffsetBlock = OUT_OF_RANGE;

  /** A zone Intl does not know throws (a RangeError naming it) from `at`, like utcOffsetMs. */
  constructor(readonly timezone: string) {
    let data = zoneData.get(timezone);
    if (!data) {
      data = { blocks: new Map(), edges: new Map() };
      zoneData.set(timezone, data);
    }
    this.blocks = data.blocks;
    this.edges = data.edges;
  }

  /** Offset in ms at instant `ts` (see utcOffsetMs). */
  at(ts: number): number {
    const q = Math.floor(ts / QUARTER_HOUR_MS);
    const index = Math.floor(q / BLOCK_QUARTERS);
    let b = this.last;
    if (index !== this.lastIndex) {
      b = this.blocks.get(index) ?? this.block(index);
      this.last = b;
      this.lastIndex = index;
    }
    const off = b.quarters === null ? b.offset : b.quarters[q - index * BLOCK_QUARTERS]!;
    // NaN: a block at the ends of the Date range, where Intl throws; ask for the quarter itself
    return off === off ? off : computeOffset(this.timezone, q * QUARTER_HOUR_MS);
  }

  private block(index: number): OffsetBlock {
    const first = index * BLOCK_QUARTERS;
    let before: number;
    let after: number;
    try {
      before = this.edge(first);
      after = this.edge(first + BLOCK_QUARTERS);
    } catch {
      // beyond the Date range (or an unknown zone): `at` asks Intl itself, which throws as it should
      return OUT_OF_RANGE;
    }
    let b: OffsetBlock;
    if (before === after) {
      b = { offset: before, quarters: null };
    } else {
      const quarters = [before];
      for (let i = 1; i < BLOCK_QUARTERS; i++) quarters.push(computeOffset(this.timezone, (first + i) * QUARTER_HOUR_MS));
      b = { offset: NaN, quarters };
    }
    this.blocks.set(index, b);
    return b;
  }

  private edge(q: number): number {
    let off = this.edges.get(q);
    if (off === undefined) {
      off = computeOffset(this.timezone, q * QUARTER_HOUR_MS);
      this.edges.set(q, off);
    }
    return off;
  }
}

function computeOffset(timezone: string, ts: number): number {
  const parts = formatterFor(timezone).formatToParts(new Date(ts));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  // years before 1 AD come as "271822" + era "BC"; setUTCFullYear also keeps years 0..99 as they are
  const bc = parts.find((p) => p.type === "era")?.value === "BC";
  const wall = new Date(0);
  wall.setUTCFullYear(bc ? 1 - get("year") : get("year"), get("month") - 1, get("day"));
  const local = wall.setUTCHours(get("hour"), get("minute"), 0, 0);
  const utcMinute = Math.floor(ts / 60000) * 60000;
  return local - utcMinute;
}

/** Local wall-clock ms (as if it were UTC) of instant `ts` in `timezone`. */
export function localMs(timezone: string, ts: number): number {
  return ts + utcOffsetMs(timezone, ts);
}

/** The app-local day of a raw event timestamp (ms); throws a RangeError naming the time and zone where that day is beyond the Date range. */
export function dayOf(timezone: string, ts: number): Day {
  return dayName(checkedDayNumber(timezone, ts, Math.floor(localMs(timezone, ts) / DAY_MS)));
}

/** The day `n` days after 1970-01-01 (`YYYY-MM-DD`); throws a RangeError beyond the Date range. */
export function dayName(n: number): Day {
  let name = dayNames.get(n);
  if (name === undefined) {
    name = new Date(n * DAY_MS).toISOString().slice(0, 10);
    dayNames.set(n, name);
  }
  return name;
}

/**
 * `n` when there is such a day. At the ends of the Date range (ts near ±8.64e15) the app-local
 * wall clock can fall outside it; computeOffset then gives NaN (Date arithmetic beyond the
 * range is NaN), so `n` is NaN: a finite offset keeps the local time, and so `n`, within
 * the days Date can hold (±100 000 000).
 */
function checkedDayNumber(timezone: string, ts: number, n: number): number {
  if (!Number.isNaN(n)) return n;
  throw new RangeError(`time ${ts} (${new Date(ts).toISOString()}) has no local day in time zone "${timezone}": the day falls outside the dates JavaScript can represent`);
}

/** One LocalDays per time zone (apps of the same zone share its cached offsets: linear in zones, not apps). */
export function localDaysByZone(): (timezone: string) => LocalDays {
  const zones = new Map<string, LocalDays>();
  return (timezone) => {
    let days = zones.get(timezone);
    if (days === undefined) zones.set(timezone, (days = new LocalDays(timezone)));
    return days;
  };
}

/**
 * App-local days as numbers, for loops over millions of raw events: `number(ts)` is the
 * day `dayOf(timezone, ts)` names (`dayName(number(ts)) === dayOf(timezone, ts)`) and
 * throws the same RangeError where dayOf throws, without building a string per event.
 */
export class LocalDays {
  private readonly offsets: ZoneOffsets;

  constructor(readonly timezone: string) {
    this.offsets = new ZoneOffsets(timezone);
  }

  number(ts: number): number {
    return checkedDayNumber(this.timezone, ts, Math.floor((ts + this.offsets.at(ts)) / DAY_MS));
  }
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
