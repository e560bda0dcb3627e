// Fact changeStreams from a live database: the `_changeStreams` document streamed through
// the dump collector's visitor (runner/facts/dump/change-streams.ts), plus what only a
// server can tell: the UUID drill_events has now (listCollections `info.uuid`) and the
// oldest entry of the oplog (`local.oplog.rs`, read with a find sorted by `$natural`,
// limit 1), the oldest point a change stream can resume from.
import type { Document } from "mongodb";
import { COLLECTIONS } from "../../../../countly/layout.ts";
import type { ClusterTime } from "../../../../countly/resume-token.ts";
import type { CollectionRef } from "../../../facts/collector.ts";
import type { ChangeStreamsFact, CollectionUuid } from "../../../facts/types.ts";
import { streamed } from "./aggregates.ts";
import type { LiveCollector, LiveDb } from "./types.ts";

export const OPLOG: CollectionRef = { db: "local", name: "oplog.rs" };

const fromDocuments = streamed("changeStreams");

export const changeStreamsLive: LiveCollector<"changeStreams"> = {
  fact: "changeStreams",
  async compute(db, scope, catalog) {
    const fact: ChangeStreamsFact = await fromDocuments.compute(db, scope, catalog);
    if (fact.drillEvents) fact.drillEvents = await liveUuid(db, { db: scope.databases.drill, name: COLLECTIONS.drillEvents });
    // --explain reads no document, so `present` is unknown: the oplog read is explained anyway.
    if (fact.present || db.planOnly) fact.oplog = await oldestOplogEntry(db);
    return fact;
  },
};

async function liveUuid(db: LiveDb, ref: CollectionRef): Promise<CollectionUuid> {
  let info: Document | undefined;
  try {
    info = await db.collectionInfo(ref);
  } catch (e) {
    return { unknown: (e as Error).message };
  }
  const uuid = info?.info?.uuid as { sub_type?: number; buffer?: Uint8Array; toString?: (enc: string) => string } | undefined;
  if (!info) return { unknown: `${ref.db}.${ref.name} is not listed by listCollections` };
  if (!uuid || uuid.sub_type !== 4 || !uuid.buffer || uuid.buffer.length !== 16) return { unknown: `listCollections gives ${ref.db}.${ref.name} no UUID (info.uuid)` };
  return { uuid: [...uuid.buffer].map((b) => b.toString(16).padStart(2, "0")).join(""), from: `listCollections on ${ref.db}` };
}

async function oldestOplogEntry(db: LiveDb): Promise<ChangeStreamsFact["oplog"]> {
  try {
    for await (const entry of db.find(OPLOG, {}, { sort: { $natural: 1 }, limit: 1, projection: { ts: 1 } })) {
      const ts = entry.ts as { high?: number; low?: number; t?: number; i?: number } | undefined;
      const oldest = timestampOf(ts);
      if (!oldest) return { unreadable: `the oldest entry of ${OPLOG.db}.${OPLOG.name} has no Timestamp ts` };
      return { oldest };
    }
    return { unreadable: `${OPLOG.db}.${OPLOG.name} is empty or missing: not a replica set member (a standalone server has no change streams; Countly's reader then polls drill_events by cd)` };
  } catch (e) {
    return { unreadable: (e as Error).message };
  }
}

/** A bson Timestamp (js-bson 6: `t`/`i` getters over `high`/`low`). */
function timestampOf(ts: { high?: number; low?: number; t?: number; i?: number } | undefined): ClusterTime | undefined {
  if (!ts || typeof ts !== "object") return undefined;
  const t = ts.t ?? ts.high;
  const i = ts.i ?? ts.low;
  return typeof t === "number" && typeof i === "number" ? { t: t >>> 0, i: i >>> 0 } : undefined;
}
