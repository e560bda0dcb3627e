// The diff engine: compares two sides (backup and restored database) database by
// database and collection by collection (presence, document counts, indexes, and which
// documents are missing or different), plus the aggregated event totals per app, event
// and month. Pure data out (DiffResult); report.ts turns it into the result model.
import { MemoryBudget, MemoryBudgetError } from "../facts/memory-budget.ts";
import { COLLECTIONS, legacyEventsHash, type Layout } from "../../countly/layout.ts";
import { SourceError } from "../sources/source.ts";
import { Canonicalizer } from "./canonical.ts";
import { compareBuckets, differingBuckets, hashCollection, IdList, type BucketTable, type ScanReport } from "./buckets.ts";
import { compareIndexes, type IndexDifference } from "./indexes.ts";
import type { RawVisitor } from "./raw-bson-file.ts";
import { BACKUP_DATABASES, type DiffSide } from "./side.ts";
import { compareTotals, COUNTLY_DB, readCatalog, TotalsTable, type AppTotals, type CountlyCatalog } from "./totals.ts";

export const DEFAULT_MAX_IDS = 20;

/** A side could not be read at all (exit code 3); says which. */
export class DiffSourceError extends SourceError {
  constructor(
    readonly side: "before" | "after",
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "DiffSourceError";
  }
}

export interface DiffOptions {
  /** Databases to compare (default: the four `countly backup` dumps). */
  databases?: readonly string[];
  /** Ids named per collection and kind of difference (default 20); the rest are counted. */
  maxIds?: number;
  /** 2^bits buckets per collection (default 16). */
  bucketBits?: number;
  /** (id, digest) pairs held at once while naming differing documents (default 1,000,000). */
  roundBudget?: number;
  onScan?: (r: ScanReport) => void;
  /** `--max-memory` in bytes for what grows with the data (the event totals per app, event and month). */
  maxMemory?: number;
}

export type Presence = "both" | "before-only" | "after-only";

export interface IdSummary {
  count: number;
  /** Canonical id keys (canonical.ts formatId shows them), at most maxIds. */
  ids: string[];
}

export interface CollectionDiff {
  db: string;
  collection: string;
  presence: Presence;
  documents: { before?: number; after?: number };
  /** undefined when a side does not record indexes (dump without metadata.json) or could not list them. */
  indexes?: IndexDifference[];
  /** Documents only on one side or different (for a one-sided collection: all of its documents). */
  onlyBefore: IdSummary;
  onlyAfter: IdSummary;
  different: IdSummary;
  /** Buckets whose summaries differed, and pass-2 rounds. */
  buckets: number;
  rounds: number;
  /** Pass 1 saw differences that pass 2 could not name (a live side changed during the diff). */
  unstable?: boolean;
  /** Set when a side could not be read: the comparison is incomplete. */
  error?: string;
  durationMs: number;
}

export interface TotalsDiff {
  apps: (AppTotals & { name: string })[];
  /** Legacy `events<H>` collections no `countly.events.list` entry hashes to, per side. */
  unattributed: { side: "before" | "after"; collection: string }[];
  /** Totals could not be computed (a side's apps, event list or event collections unreadable). */
  error?: string;
}

export interface DiffResult {
  /** Descriptions of the sides (no credentials). */
  before: string;
  after: string;
  /** Where the backup is (JUnit `file`). */
  beforeLocation: string;
  startedAt: string;
  durationMs: number;
  maxIds: number;
  databases: { name: string; before: boolean; after: boolean }[];
  layouts: { before?: Layout; after?: Layout };
  collections: CollectionDiff[];
  totals: TotalsDiff;
}

interface SideState {
  side: DiffSide;
  label: "before" | "after";
  collections: Map<string, string[] | undefined>;
  catalog?: CountlyCatalog;
  catalogError?: string;
  totals: TotalsTable;
  totalsError?: string;
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function eventsLayout(collections: readonly string[] | undefined): Layout | undefined {
  if (!collections) return undefined;
  if (collections.includes(COLLECTIONS.eventsData)) return "current";
  return collections.some((c) => legacyEventsHash(c) !== undefined) ? "legacy" : undefined;
}

/** Opens both sides, compares them, and closes them. SourceError when a side cannot be read at all. */
export async function diffSides(before: DiffSide, after: DiffSide, options: DiffOptions = {}): Promise<DiffResult> {
  const started = Date.now();
  const startedAt = new Date(started).toISOString();
  const maxIds = options.maxIds ?? DEFAULT_MAX_IDS;
  const databases = options.databases ?? BACKUP_DATABASES;
  const budget = new MemoryBudget(options.maxMemory);
  try {
    const sides: SideState[] = [];
    for (const [side, label] of [
      [before, "before"],
      [after, "after"],
    ] as const) {
      const collections = new Map<string, string[] | undefined>();
      try {
        await side.open();
        for (const db of databases) collections.set(db, await side.collections(db));
      } catch (e) {
        if (e instanceof SourceError) throw new DiffSourceError(label, e.message, { cause: e });
        throw e;
      }
      const state: SideState = { side, label, collections, totals: new TotalsTable(budget) };
      try {
        state.catalog = await readCatalog(side, collections.get(COUNTLY_DB) ?? [], budget);
      } catch (e) {
        state.catalogError = `${label}: ${errorMessage(e)}`;
      }
      sides.push(state);
    }
    const [b, a] = sides as [SideState, SideState];

    const result: DiffResult = {
      before: before.description,
      after: after.description,
      beforeLocation: before.location,
      startedAt,
      durationMs: 0,
      maxIds,
      databases: databases.map((name) => ({ name, before: b.collections.get(name) !== undefined, after: a.collections.get(name) !== undefined })),
      layouts: { before: eventsLayout(b.collections.get(COUNTLY_DB)), after: eventsLayout(a.collections.get(COUNTLY_DB)) },
      collections: [],
      totals: { apps: [], unattributed: [] },
    };

    for (const db of databases) {
      const names = [...new Set([...(b.collections.get(db) ?? []), ...(a.collections.get(db) ?? [])])].sort();
      for (const name of names) result.collections.push(await diffCollection(b, a, db, name, maxIds, options));
    }

    const totalsErrors = [b.catalogError, a.catalogError, b.totalsError, a.totalsError].filter((e): e is string => !!e);
    const names = new Map<string, string>([...(a.catalog?.apps ?? []), ...(b.catalog?.apps ?? [])]);
    result.totals = {
      apps: compareTotals(b.totals, a.totals, names.keys()).map((t) => ({ ...t, name: names.get(t.app) ?? t.app })),
      unattributed: [...b.totals.unattributed.map((c) => ({ side: "before" as const, collection: c })), ...a.totals.unattributed.map((c) => ({ side: "after" as const, collection: c }))],
      ...(totalsErrors.length ? { error: totalsErrors.join("; ") } : {}),
    };
    result.durationMs = Date.now() - started;
    return result;
  } finally {
    await Promise.allSettled([before.close(), after.close()]);
  }
}

async function diffCollection(b: SideState, a: SideState, db: string, name: string, maxIds: number, options: DiffOptions): Promise<CollectionDiff> {
  const t0 = Date.now();
  const inBefore = b.collections.get(db)?.includes(name) ?? false;
  const inAfter = a.collections.get(db)?.includes(name) ?? false;
  const out: CollectionDiff = {
    db,
    collection: name,
    presence: inBefore && inAfter ? "both" : inBefore ? "before-only" : "after-only",
    documents: {},
    onlyBefore: { count: 0, ids: [] },
    onlyAfter: { count: 0, ids: [] },
    different: { count: 0, ids: [] },
    buckets: 0,
    rounds: 0,
    durationMs: 0,
  };
  const errors: string[] = [];

  if (out.presence === "both") {
    try {
      out.indexes = compareIndexes(await b.side.indexes(db, name), await a.side.indexes(db, name));
    } catch (e) {
      errors.push(`indexes: ${errorMessage(e)}`);
    }
  }

  // pass 1 on each side that has the collection (also folding event totals, and naming
  // the first documents of a collection the other side lacks)
  const tables: Partial<Record<"before" | "after", BucketTable>> = {};
  for (const s of [b, a]) {
    const present = s === b ? inBefore : inAfter;
    if (!present) continue;
    const totals = s.catalog ? s.totals.visitor(db, name, s.catalog) : undefined;
    const sample = out.presence === "both" ? undefined : new IdList(maxIds);
    const ids = sample ? new Canonicalizer() : undefined;
    const also: RawVisitor | undefined =
      totals || sample
        ? (bytes, start, end) => {
            if (sample) sample.add(ids!.idOf(bytes, start, end));
            if (totals) totals(bytes, start, end);
          }
        : undefined;
    try {
      const table = await hashCollection(s.side, s.label, db, name, { bits: options.bucketBits, also, onScan: options.onScan });
      tables[s.label] = table;
      out.documents[s.label] = table.documents;
      if (sample) out[s === b ? "onlyBefore" : "onlyAfter"] = { count: sample.count, ids: sample.ids };
    } catch (e) {
      errors.push(`${s.label}: ${errorMessage(e)}`);
      if (totals) s.totalsError = e instanceof MemoryBudgetError ? `${s.label}: ${db}.${name}: ${e.message}` : `${s.label}: ${db}.${name} could not be read`;
    }
  }

  // pass 2 over the buckets that differ
  if (tables.before && tables.after) {
    const buckets = differingBuckets(tables.before, tables.after);
    if (buckets.length > 0) {
      try {
        const d = await compareBuckets(b.side, a.side, db, name, { before: tables.before, after: tables.after }, buckets, {
          maxIds,
          roundBudget: options.roundBudget,
          onScan: options.onScan,
        });
        out.onlyBefore = { count: d.onlyBefore.count, ids: d.onlyBefore.ids };
        out.onlyAfter = { count: d.onlyAfter.count, ids: d.onlyAfter.ids };
        out.different = { count: d.different.count, ids: d.different.ids };
        out.buckets = d.buckets;
        out.rounds = d.rounds;
        if (d.onlyBefore.count + d.onlyAfter.count + d.different.count === 0) out.unstable = true;
      } catch (e) {
        errors.push(`naming the differing documents: ${errorMessage(e)}`);
      }
    }
  }
  if (errors.length) out.error = errors.join("; ");
  out.durationMs = Date.now() - t0;
  return out;
}
