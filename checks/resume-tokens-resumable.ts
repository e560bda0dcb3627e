// The aggregator's resume tokens can resume on this server. A token's `_data` names the
// watched collection by UUID and the event by cluster time (countly/resume-token.ts);
// after a restore to another server neither exists there, whatever the tokens' `cd` says.
// This is the root cause of Countly issue #6073 seen directly, right after the restore,
// before any new traffic shows it. With `before_restore` it judges a backup the way
// `countly restore` will restore it.
import { DEFAULT_CONSUMERS } from "./aggregation-cursor-fresh.ts";
import { clusterTimeEndMs, compareClusterTimes, formatUuid, type ClusterTime } from "../countly/resume-token.ts";
import type { ChangeStreamToken } from "../runner/facts/types.ts";
import type { CheckDefinition, CheckFinding } from "./types.ts";

export interface ResumeTokensResumableOptions {
  consumers: string[];
  before_restore: boolean;
}

const CITES =
  "MongoDB: the oplog must reach back to the token, else ChangeStreamHistoryLost (286) at once (SERVER-48523); then the server must meet the token's own event: an event of another collection UUID at that point surpasses it (document_source_change_stream_check_resumability.cpp compareAgainstClientResumeToken) and the stream fails with ChangeStreamFatalError 280 \"cannot resume stream; the resume token was not found\" (document_source_change_stream_ensure_resume_token_present.cpp), on a quiet collection only when the first new event arrives";

export const resumeTokensResumable: CheckDefinition<ResumeTokensResumableOptions> = {
  meta: {
    kind: "resume-tokens-resumable",
    summary: "Every aggregator resume token in countly.plugins _changeStreams can resume here: it names this server's drill_events (collection UUID) and the oplog still reaches back to it.",
    proves:
      "Countly 25.x's change-stream reader (api/parts/data/changeStreamReader.js at 04c2a351) reopens each consumer's stream with `startAfter: <stored token>`. A resume token's `_data` is a KeyString holding the event's cluster time and, for an event of a collection change stream such as Countly's on `countly_drill.drill_events`, that collection's UUID (decoded by countly/resume-token.ts; MongoDB src/mongo/db/pipeline/resume_token.cpp). For every consumer listed in `consumers` whose entry has a token: (1) the token's collection UUID equals the UUID drill_events has on this source (live: listCollections `info.uuid`; dump: `uuid` in `drill_events.metadata.json`, which mongodump writes as 32 hex digits: mongo-tools common/db/db.go GetUUID at 712f5657); (2) live only: its cluster time is not older than the oldest entry of `local.oplog.rs` (read with one find, sorted by `$natural`; when this user may not read `local` or there is no oplog, the case is skipped with that reason once (1) passed). High-water-mark tokens (a postBatchResumeToken: a point in time, no UUID) are judged by (2) only. What MongoDB does with a token that fails either: " +
      CITES +
      ". What Countly does then (changeStreamReader.js 04c2a351): on codes 286/280 it marks the token failed, reopens the stream at \"now - 60 s\" (startAtOperationTime), waits for the next raw insert and re-reads drill_events by `cd` from the entry's `cd` up to it (processBadRange); an entry without `cd` (the session-ingestion and session-updates consumers of api/aggregator/processing.js 001abe87 store none) gives that recovery no start, so nothing is re-read. With `before_restore: true` the source is a backup about to be restored with `countly restore` to another server (or into a database without this drill_events), where no token of it can resume: `countly restore` is `mongorestore --db countly <dir>/dump/countly` and `--db countly_drill <dir>/dump/countly_drill`, with neither `--drop` nor `--preserveUUID` (bin/commands/countly.sh at 02b99906), so the restored drill_events gets the target's UUID; even with `--drop --preserveUUID` the target's oplog does not hold the backup's events. Entries with `cd` are recovered from their `cd`; the check then fails for each entry without `cd` whose token is behind raw data of its kinds in the backup (that raw data would never be aggregated on the new server), with what to do before starting Countly there. A consistent backup passes (its tokens are as new as its raw data). Whole database, not per app; skipped in the legacy layout (no change-stream aggregator) and without a `_changeStreams` document (aggregation-cursor-fresh reports that).",
    perApp: false,
    options: {
      type: "object",
      properties: {
        consumers: {
          type: "array",
          items: { type: "string" },
          default: Object.keys(DEFAULT_CONSUMERS),
          description: "Consumers whose tokens are judged: they watch `countly_drill.drill_events` (Countly's reader's default collection). Other entries of `_changeStreams` are not judged.",
        },
        before_restore: {
          type: "boolean",
          default: false,
          description:
            "The source is a backup (a dump) that is about to be restored with `countly restore` to another server, where none of its tokens can resume: fail for each entry without `cd` (session-ingestion, session-updates) whose token is behind raw data it watches in the backup, which the new server would then never aggregate, saying what to do before starting Countly there. On a live source the case is skipped (judge a live server as it is, without this option).",
        },
      },
    },
    likelyCause:
      "`countly backup` + `countly restore` to another server (or after dropping the databases): `countly.plugins` `_changeStreams` came from the backup, so its tokens name the old server's drill_events and oplog, while the restored drill_events has a new UUID (mongorestore without `--preserveUUID`). A token older than the oplog: the aggregator was stopped for longer than the oplog window, or the oplog is small.",
    remediation:
      "No mongorestore option makes a token usable on another server: a token names an event in the oplog of the replica set that wrote it. `mongorestore --drop --preserveUUID` (needs `--drop`; drops the target's collections first) keeps drill_events' UUID, which matters only when restoring into the same replica set whose oplog still holds the tokens. So, for a restore to a new server: stop Countly before restoring (`countly stop`: `countly restore` restores while Countly runs and restarts it only at the end, so a running aggregator sees the restored raw data as new inserts); restore; make sure the aggregates came from the same backup as the raw data (events-match-raw, sessions-match-raw). Keep the entries that have a `cd`: when their token fails, Countly's reader re-reads drill_events from that `cd` once a new raw document arrives. For entries without `cd` (session-ingestion, session-updates), set `cd` to the token's cluster time before starting Countly, e.g. `db.plugins.updateOne({_id: \"_changeStreams\"}, {$set: {\"session-ingestion.cd\": ISODate(\"<cluster time from the finding>\")}})` in the countly database, so the same recovery re-reads from there; otherwise the raw data after the token is never aggregated. Do not delete entries: a consumer without an entry starts from \"now\". Then start Countly, let one raw document of each kind arrive and run aggregation-cursor-fresh.",
    exampleFinding:
      "_changeStreams.session-ingestion.token.uuid: expected drill_events 3f1c2b9a-…, actual a5093abb-… — consumer session-ingestion's resume token was written for another drill_events (collection UUID a5093abb-…; this server's is 3f1c2b9a-…, per listCollections on countly_drill): the collection was created anew since (a restore to another server), so MongoDB can never resume this token and this server's aggregator will not process the raw data behind it through it …",
  },
  needs: (o) => (o.before_restore ? [{ fact: "changeStreams" }, { fact: "rawInserts" }] : [{ fact: "changeStreams" }]),
  evaluate(ctx) {
    const o = ctx.options;
    const streams = ctx.facts.get("changeStreams");
    if (streams.drillLayout === "legacy" && !streams.present) return { skipped: "legacy layout (drill_events<hash>) without a _changeStreams document: no change-stream aggregator" };
    if (!streams.present) return { skipped: "no _changeStreams document in countly.plugins: no tokens to judge (aggregation-cursor-fresh reports whether one is missing)" };
    const live = streams.oplog !== undefined;
    if (o.before_restore && live) return { skipped: "before_restore judges a backup (a dump) before it is restored; this source is a live server: judge it without before_restore" };
    const judged = streams.tokens.filter((t) => o.consumers.includes(t.consumer) && t.hasToken);
    const decoded = judged.filter((t) => t.resume);
    const notRead = judged.filter((t) => !t.resume && t.undecodable).map((t) => `${t.consumer}: ${t.undecodable}`);
    if (decoded.length === 0) {
      return { skipped: judged.length === 0 ? `no consumer of ${o.consumers.join(", ")} has a resume token` : `no resume token could be read${notRead.length ? ` (${notRead.join("; ")})` : " (the polling fallback's \"timed\" entries have no stream position)"}` };
    }
    const drill = streams.drillEvents && "uuid" in streams.drillEvents ? streams.drillEvents : undefined;
    const oldest = streams.oplog && "oldest" in streams.oplog ? streams.oplog.oldest : undefined;
    const rows = o.before_restore ? ctx.facts.get("rawInserts").rows : [];
    let findings = 0;
    const report = (f: CheckFinding) => {
      findings++;
      ctx.report(f);
    };
    for (const t of decoded) {
      const resume = t.resume!;
      const time = iso(resume.clusterTime);
      if (drill && resume.uuid && resume.uuid !== drill.uuid) {
        report({
          field: `_changeStreams.${t.consumer}.token.uuid`,
          expected: `drill_events ${formatUuid(drill.uuid)}`,
          actual: formatUuid(resume.uuid),
          message: `consumer ${t.consumer}'s resume token was written for another drill_events (collection UUID ${formatUuid(resume.uuid)}; this server's is ${formatUuid(drill.uuid)}, per ${drill.from}): the collection was created anew since it was written (a restore to another server: \`countly restore\` runs mongorestore without --preserveUUID), so MongoDB can never resume this token (ChangeStreamFatalError 280 at the first new raw insert) and this server's aggregator will not process the raw data behind it through it. ${afterFailure(t, time)}`,
        });
        continue;
      }
      if (oldest && compareClusterTimes(resume.clusterTime, oldest) < 0) {
        report({
          field: `_changeStreams.${t.consumer}.token.clusterTime`,
          expected: `>= ${iso(oldest)} (oldest entry of local.oplog.rs)`,
          actual: time,
          message: `consumer ${t.consumer}'s resume token (cluster time ${time}) is older than the oldest entry of local.oplog.rs (${iso(oldest)}): MongoDB answers ChangeStreamHistoryLost (286) at once, the raw data since is not in the oplog any more (tokens from another server after a restore, or the aggregator stopped for longer than the oplog window). ${afterFailure(t, time)}`,
        });
        continue;
      }
      if (o.before_restore && t.cd === undefined) {
        // After a restore to another server every token fails; an entry with cd is recovered from it, one without loses what came after it.
        const kinds = DEFAULT_CONSUMERS[t.consumer] ?? ["*"];
        const progress = clusterTimeEndMs(resume.clusterTime);
        const newest = Math.max(...rows.filter((r) => kinds.includes("*") || kinds.includes(r.e)).map((r) => r.maxCd ?? -Infinity));
        if (!(newest > progress)) continue;
        report({
          field: `_changeStreams.${t.consumer}.token`,
          expected: `>= ${new Date(newest).toISOString()} (the newest ${kinds.includes("*") ? "raw" : kinds.join("/")} insert in this backup)`,
          actual: time,
          message: `after \`countly restore\` of this backup to another server, consumer ${t.consumer}'s token cannot resume (${resume.uuid ? "mongorestore without --preserveUUID gives the restored drill_events a new UUID, and even with --drop --preserveUUID the other server's oplog does not hold this event" : "a high-water mark resumes only where the oplog reaches back to it"}), and this backup holds raw data it watches inserted after it (newest ${new Date(newest).toISOString()}). ${afterFailure(t, time)}`,
        });
      }
    }
    if (findings > 0) return;
    const unchecked: string[] = [];
    if (!drill && decoded.some((t) => t.resume!.uuid)) unchecked.push(`the tokens' collection UUID was not compared: ${streams.drillEvents && "unknown" in streams.drillEvents ? streams.drillEvents.unknown : "drill_events is missing"}`);
    if (streams.oplog && "unreadable" in streams.oplog) unchecked.push(`whether the oplog still reaches back to the tokens was not checked: ${streams.oplog.unreadable}`);
    if (unchecked.length > 0) return { skipped: `${unchecked.join("; ")}${notRead.length ? `; tokens not read: ${notRead.join("; ")}` : ""}` };
  },
};

/** What Countly's reader does once the token fails, and what to do, for this entry. */
function afterFailure(t: ChangeStreamToken, tokenTime: string): string {
  if (t.cd !== undefined) {
    return `Countly's reader then restarts at "now - 60 s" and re-reads drill_events from the entry's cd (${new Date(t.cd).toISOString()}) once a new raw document arrives (processBadRange): keep the entry, make sure the aggregates come from the same backup as the raw data, and run aggregation-cursor-fresh after the first new raw insert.`;
  }
  return `The entry has no cd, so Countly's recovery (restart at "now - 60 s", re-read drill_events from the entry's cd) re-reads nothing: the raw data ${t.consumer} watches inserted after ${tokenTime} and before the restart is never aggregated. Before starting Countly's aggregator, set the entry's cd to the token's cluster time (db.plugins.updateOne({_id: "_changeStreams"}, {$set: {"${t.consumer}.cd": ISODate("${tokenTime}")}}) in the countly database) so the recovery re-reads from there.`;
}

function iso(ct: ClusterTime): string {
  return new Date(clusterTimeEndMs(ct) - 999).toISOString();
}
