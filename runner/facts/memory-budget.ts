// The memory budget of a run (`--max-memory`): the facts charge what they keep per
// group, key, segment value and day as they grow, and when the data needs more than the
// budget the fact stops with a message naming what grew and how to narrow the run, which
// the run reports as an error per case (exit 3): never an out-of-memory crash. The
// charges are estimates of the bytes held (measured with bench/run.ts on Node 20),
// deterministic so the stop is the same on every run and testable. Estimates can be wrong,
// so the process's real memory is watched too: every few MiB of charges, the growth of its
// resident set (RSS, process.memoryUsage) since the budget began must stay within the
// budget as well, and the stop then says so, naming what grew alike.

import process from "node:process";

/** Default budget: 1 GiB of fact state. */
export const DEFAULT_MAX_MEMORY = 1024 * 1024 * 1024;

/** What a fact holds more of as the data grows. */
export type Growth = "apps" | "event keys" | "segment values" | "days" | "app/event/day groups" | "rows" | "pairs";

export class MemoryBudgetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MemoryBudgetError";
  }
}

/**
 * Per-item estimates of what grows with event names (heapUsed deltas after gc() on Node 20,
 * 2,000 apps x 500 keys): a key string in an app's event list, with its array slot (68 bytes
 * for a 14-character key, so 54 + its length); one app/event row of the event catalog
 * (object and Map entry: 93 bytes); one more reference to a key already held (8 bytes).
 */
export const EVENT_LIST_KEY_BYTES = 54;
export const CATALOG_ROW_BYTES = 96;
export const KEY_REFERENCE_BYTES = 8;

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

/** Charged bytes between two looks at the real memory (cheap, but not per group). */
const RSS_EVERY = 4 * 1024 * 1024;

/** Between check cases, the real memory is looked at once per this many cases. */
export const RSS_CASES_EVERY = 32;

/** The process's resident set size in bytes (0 where the runtime cannot tell). */
export function processRss(): number {
  try {
    return process.memoryUsage.rss();
  } catch {
    return 0;
  }
}

export class MemoryBudget {
  private used = 0;
  private readonly meters: Meter[] = [];
  private readonly baseline: number;
  private nextRssCheck = RSS_EVERY;
  private looksWhile = 0;

  /** `rss`: the process's resident set in bytes (tests pass their own). */
  constructor(
    readonly maxBytes: number = DEFAULT_MAX_MEMORY,
    private readonly rss: () => number = processRss,
  ) {
    this.baseline = rss();
  }

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
    if (this.used >= this.nextRssCheck) {
      this.nextRssCheck = this.used + RSS_EVERY;
      this.checkRss(holder);
    }
  }

  /** Stops (MemoryBudgetError) when the process's real memory grew past the budget since it began; `holder` is the fact growing now. */
  checkRss(holder: string): void {
    const grown = this.rss() - this.baseline;
    if (grown > this.maxBytes) throw new MemoryBudgetError(this.describe(holder, grown));
  }

  /**
   * The same look at the real memory outside the facts (e.g. between two check cases):
   * the stop names `activity` and everything the run's meters counted, since no one fact
   * is growing then. As in the facts, only once the charges reached RSS_EVERY: below that the
   * estimates are trusted, so a small run's verdict never depends on the runtime's own memory.
   * It looks on the first call and then on every RSS_CASES_EVERY-th.
   */
  checkRssWhile(activity: string): void {
    if (this.used < RSS_EVERY) return;
    // a look costs a system call (~0.3 ms on a loaded machine): thousands of cases look every RSS_CASES_EVERY-th time
    if (this.looksWhile++ % RSS_CASES_EVERY !== 0) return;
    const grown = this.rss() - this.baseline;
    if (grown > this.maxBytes) throw new MemoryBudgetError(this.describe(undefined, grown, activity));
  }

  private describe(holder: string | undefined, rssGrowth?: number, activity = "the facts"): string {
    const own = this.meters.filter((m) => m.holder === holder && m.count > 0);
    // a holder that counted nothing itself (or none: a later phase) is reported with what every meter counted
    const counted = own.length > 0 ? own : this.meters.filter((m) => m.count > 0);
    const grew = counted.map((m) => `${m.count.toLocaleString("en-US")} ${m.what}${own.length > 0 ? "" : ` (${m.holder})`}`);
    const who = holder === undefined ? `while ${activity}, the run holds ${grew.join(", ") || "no counted data"}` : `${holder} grew to ${grew.join(", ")}`;
    const what = rssGrowth === undefined ? "" : ` (the process's memory grew by ${formatBytes(rssGrowth)} since the run began)`;
    return (
      `the data needs more memory than the budget of ${formatBytes(this.maxBytes)} (--max-memory)${what}: ${who}. ` +
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
