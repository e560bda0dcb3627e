// The memory budget of a run (`--max-memory`): the facts charge what they keep per
// group, key, segment value and day as they grow, and when the data needs more than the
// budget the fact stops with a message naming what grew and how to narrow the run, which
// the run reports as an error per case (exit 3): never an out-of-memory crash. The charges
// alone decide, so the same data and options give the same verdict on every run and
// machine. The process's resident memory (RSS) is not consulted: it also holds garbage the
// collector has not reclaimed yet, so a verdict on it would depend on the collector's
// timing (a run near the budget passed or stopped from one run to the next). Instead each
// charge is calibrated against the bytes its structure really holds
// (test/runner/facts/memory-budget.calibration.test.ts measures them and keeps each
// charge within a factor of 2 of them), so the charges track what is held; peak RSS adds
// the runtime (~50 MB) and that garbage on top (docs/memory.md).

/** Default budget: 1 GiB of fact state. */
export const DEFAULT_MAX_MEMORY = 1024 * 1024 * 1024;

/** What a fact holds more of as the data grows. */
export type Growth = "apps" | "event keys" | "segment values" | "days" | "app/event/day groups" | "rows" | "pairs" | "app/key/segment rows" | "drill_meta documents" | "app/view/day rows" | "app/day rows";

export class MemoryBudgetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MemoryBudgetError";
  }
}

/**
 * Per-item charges, each measured by memory-budget.calibration.test.ts (heapUsed deltas
 * after gc(), typed arrays by their bytes) and kept within a factor of 2 of what it charges:
 * - EVENT_LIST_KEY_BYTES (+ its length): a key string in an app's event list, with its array slot;
 * - KEY_REFERENCE_BYTES: one more reference to a key already held;
 * - GROUP_BYTES: one app/event/day group of a GroupTable (group-table.ts: ~20 bytes of columns
 *   for typical data, the index while groups are added, the 4-byte order kept for the checks);
 * - INTERNED_KEY_BYTES (+ 3 per UTF-8 byte): a distinct event key of the raw events
 *   (StringInterner: its bytes, hash slots and decoded string).
 * GROUP_BYTES also stands for an app/event row of the event catalog (a GroupTable group of day 0).
 * The other raw facts, measured on their collectors' values (raw-facts.calibration.test.ts):
 * - DRILL_META_ROW_BYTES: a row of drillMeta's `seen` (app, drill_meta key, segment key?):
 *   its columns while counted, its object at the end;
 * - DRILL_META_DOC_BYTES (+ SEGMENT_PATH_BYTES per segment key): a `countly_drill.drill_meta` document;
 * - RAW_VIEW_ROW_BYTES: a rawViews row (app, view, day) with its index entries;
 * - RAW_SESSION_ROW_BYTES: a rawSessions row (app, day) with its index entries.
 */
export const EVENT_LIST_KEY_BYTES = 54;
export const KEY_REFERENCE_BYTES = 8;
export const GROUP_BYTES = 40;
export const INTERNED_KEY_BYTES = 64;
export const DRILL_META_ROW_BYTES = 160;
export const DRILL_META_DOC_BYTES = 250;
export const SEGMENT_PATH_BYTES = 40;
export const RAW_VIEW_ROW_BYTES = 200;
export const RAW_SESSION_ROW_BYTES = 400;

/** Charges the apps' event lists (`countly.events` `list`, read while opening the source). */
export function chargeEventLists(budget: MemoryBudget, lists: Readonly<Record<string, readonly string[]>>): void {
  const apps = budget.meter("the event lists (countly.events)", "apps", 0);
  const keys = budget.meter("the event lists (countly.events)", "event keys", EVENT_LIST_KEY_BYTES);
  for (const list of Object.values(lists)) {
    let chars = 0;
    for (const k of list) chars += k.length;
    apps.add(1);
    keys.add(list.length);
    if (chars > 0) budget.grow(chars, keys.holder);
  }
}

export class MemoryBudget {
  private used = 0;
  private readonly meters: Meter[] = [];

  constructor(readonly maxBytes: number = DEFAULT_MAX_MEMORY) {}

  get usedBytes(): number {
    return this.used;
  }

  /** A counter of `what` held by `holder` (a fact's name), each costing about `bytesEach`. */
  meter(holder: string, what: Growth, bytesEach: number): Meter {
    const m = new Meter(this, holder, what, bytesEach);
    this.meters.push(m);
    return m;
  }

  /** @internal */
  grow(bytes: number, holder: string): void {
    this.used += bytes;
    if (this.used > this.maxBytes) throw new MemoryBudgetError(this.describe(holder));
  }

  private describe(holder: string): string {
    const grew = this.meters.filter((m) => m.holder === holder && m.count > 0).map((m) => `${m.count.toLocaleString("en-US")} ${m.what}`);
    return (
      `the data needs more memory than the budget of ${formatBytes(this.maxBytes)} (--max-memory): ${holder} grew to ${grew.join(", ")}. ` +
      `Narrow the run with --app <id or name> (fewer apps) or --from YYYY-MM-DD / --to (fewer days), or raise --max-memory (e.g. --max-memory ${formatBytes(this.maxBytes * 2)})`
    );
  }
}

/** "512M", "1.5G", "800000000" (bytes), "2GB" -> bytes; undefined for anything else. */
export function parseBytes(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*$/i.exec(text);
  if (!m) return undefined;
  const unit = { "": 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 }[m[2]!.toLowerCase() as "" | "k" | "m" | "g" | "t"];
  const bytes = Math.round(Number(m[1]) * unit);
  return bytes > 0 && Number.isFinite(bytes) ? bytes : undefined;
}

export function formatBytes(n: number): string {
  if (n >= 1024 ** 3) return `${+(n / 1024 ** 3).toFixed(1)}G`;
  if (n >= 1024 ** 2) return `${+(n / 1024 ** 2).toFixed(1)}M`;
  return `${+(n / 1024).toFixed(1)}K`;
}

/** Counts one kind of growth of one fact against its budget. */
export class Meter {
  count = 0;

  constructor(
    private readonly budget: MemoryBudget,
    readonly holder: string,
    readonly what: Growth,
    private readonly bytesEach: number,
  ) {}

  add(count = 1, bytesEach = this.bytesEach): void {
    this.count += count;
    this.budget.grow(count * bytesEach, this.holder);
  }
}
