// The memory budget of a run (`--max-memory`): the facts charge what they keep per
// group, key, segment value and day as they grow, and when the data needs more than the
// budget the fact stops with a message naming what grew and how to narrow the run, which
// the run reports as an error per case (exit 3): never an out-of-memory crash. The
// charges are estimates of the bytes held (measured with bench/run.ts on Node 20),
// deterministic so the stop is the same on every run and testable.

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
