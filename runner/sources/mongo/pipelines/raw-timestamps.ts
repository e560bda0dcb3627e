// Raw documents whose `ts` is no time (NaN, ±Infinity, beyond the Date range): on a dump
// the reader stops at such a document and the raw facts become errors naming its `_id`
// and offset (numbers.ts rawTimestamp). The live pipelines' `ts` window would leave it out
// without a word, so before the raw facts are computed one indexed `find` per raw
// collection looks for such a document in the run's scope, and the raw facts become the
// same error naming the collection and the `_id` (issue 13).
import type { Document } from "mongodb";
import { MAX_DATE_MS } from "../../../facts/numbers.ts";
import type { FactName, FactScope } from "../../../facts/types.ts";
import type { Catalog } from "../../../facts/collector.ts";
import { distinctRefs, drillTargets } from "./drill.ts";
import type { LiveDb } from "./types.ts";

/** The facts that read raw `ts` (the dump's drillReader and rawEvents). */
export const RAW_TS_FACTS: ReadonlySet<FactName> = new Set(["rawEvents", "rawSessions", "rawViews", "rawTail"]);

/** Numbers rawTimestamp rejects: beyond the Date range as ms, or as seconds (below 1e11, times 1000), and NaN. */
const NOT_A_TIME: Document[] = [{ ts: { $gt: MAX_DATE_MS } }, { ts: { $lt: -MAX_DATE_MS / 1000 } }, { ts: Number.NaN }];

function describeId(id: unknown): string {
  const hex = (id as { toHexString?: () => string })?.toHexString?.();
  if (hex) return `ObjectId("${hex}")`;
  return typeof id === "string" ? JSON.stringify(id) : String(id);
}

/** The first raw document of the run's scope whose `ts` is no time, as the message the raw facts then carry; undefined when there is none. */
export async function rawTimestampProblem(db: LiveDb, scope: FactScope, catalog: Catalog): Promise<string | undefined> {
  const targets = drillTargets(scope, catalog, () => true);
  for (const ref of distinctRefs(targets)) {
    const owned = targets.some((t) => t.ref.name === ref.name && t.owner);
    const filter: Document = owned ? { $or: NOT_A_TIME } : { $or: NOT_A_TIME.map((c) => ({ a: { $in: scope.apps.map((a) => a.id) }, e: { $type: "string" }, ...c })) };
    for await (const doc of db.find(ref, filter, { projection: { _id: 1, ts: 1 }, limit: 1 })) {
      return `${ref.db}.${ref.name} document ${describeId(doc._id)}: raw event ts ${String(doc.ts)} is not a time (ms since 1970, or seconds); fix or remove this document`;
    }
  }
  return undefined;
}
