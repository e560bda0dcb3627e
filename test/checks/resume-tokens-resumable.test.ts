import { describe, expect, it } from "vitest";
import { resumeTokensResumable } from "../../checks/resume-tokens-resumable.ts";
import type { ChangeStreamToken, ChangeStreamsFact } from "../../runner/facts/types.ts";
import { evaluateWhole } from "../support/whole-database-harness.ts";

const HERE = "3f1c2b9a0d4e4f5a8b6c7d8e9fa0b1c2";
const OLD = "a5093abb38fe4b9ea67f01bb1a96d812";
const T = 1_731_153_600; // 2024-11-09T12:00:00Z
const tokenOf = (consumer: string, uuid: string | undefined, t = T, cd?: number): ChangeStreamToken => ({
  consumer,
  hasToken: true,
  ...(cd === undefined ? {} : { cd }),
  resume: { clusterTime: { t, i: 4 }, version: 2, tokenType: uuid ? 128 : 0, txnOpIndex: 0, fromInvalidate: false, ...(uuid ? { uuid } : {}) },
});
// Countly 25.x entries: event-aggregator with cd, session-ingestion without (api/aggregator/processing.js 001abe87).
const healthy = (uuid = HERE): ChangeStreamToken[] => [tokenOf("event-aggregator", uuid, T, T * 1000), tokenOf("session-ingestion", uuid)];
const dump = (tokens: ChangeStreamToken[], drill = HERE): ChangeStreamsFact => ({ drillLayout: "current", present: true, tokens, drillEvents: { uuid: drill, from: "dump/countly_drill/drill_events.metadata.json" } });
const live = (tokens: ChangeStreamToken[], oplog: ChangeStreamsFact["oplog"], drill = HERE): ChangeStreamsFact => ({ ...dump(tokens, drill), drillEvents: { uuid: drill, from: "listCollections on countly_drill" }, oplog });
const run = (fact: ChangeStreamsFact, options: Record<string, unknown> = {}) => evaluateWhole(resumeTokensResumable, options, { changeStreams: fact });

describe("resume-tokens-resumable", () => {
  it("passes when every token names this drill_events and the oplog reaches back to it", () => {
    expect(run(dump(healthy()))).toEqual({ findings: [], skipped: undefined });
    expect(run(live(healthy(), { oldest: { t: T - 3600, i: 1 } }))).toEqual({ findings: [], skipped: undefined });
    // A token at the oldest oplog entry itself can still resume.
    expect(run(live(healthy(), { oldest: { t: T, i: 4 } })).findings).toEqual([]);
    // Other consumers (not watching drill_events by default) are not judged.
    expect(run(dump([...healthy(), tokenOf("crashes", OLD)])).findings).toEqual([]);
  });

  it("fails tokens of another drill_events, naming both UUIDs, what it means and what to do (per entry: with or without cd)", () => {
    const out = run(live(healthy(OLD), { oldest: { t: T - 60, i: 1 } }));
    expect(out.findings).toEqual([
      {
        field: "_changeStreams.event-aggregator.token.uuid",
        expected: "drill_events 3f1c2b9a-0d4e-4f5a-8b6c-7d8e9fa0b1c2",
        actual: "a5093abb-38fe-4b9e-a67f-01bb1a96d812",
        message:
          "consumer event-aggregator's resume token was written for another drill_events (collection UUID a5093abb-38fe-4b9e-a67f-01bb1a96d812; this server's is 3f1c2b9a-0d4e-4f5a-8b6c-7d8e9fa0b1c2, per listCollections on countly_drill): the collection was created anew since it was written (a restore to another server: `countly restore` runs mongorestore without --preserveUUID), so MongoDB can never resume this token (ChangeStreamFatalError 280 at the first new raw insert) and this server's aggregator will not process the raw data behind it through it. Countly's reader then restarts at \"now - 60 s\" and re-reads drill_events from the entry's cd (2024-11-09T12:00:00.000Z) once a new raw document arrives (processBadRange): keep the entry, make sure the aggregates come from the same backup as the raw data, and run aggregation-cursor-fresh after the first new raw insert.",
      },
      expect.objectContaining({
        field: "_changeStreams.session-ingestion.token.uuid",
        message: expect.stringContaining(
          'The entry has no cd, so Countly\'s recovery (restart at "now - 60 s", re-read drill_events from the entry\'s cd) re-reads nothing: the raw data session-ingestion watches inserted after 2024-11-09T12:00:00.000Z and before the restart is never aggregated. Before starting Countly\'s aggregator, set the entry\'s cd to the token\'s cluster time (db.plugins.updateOne({_id: "_changeStreams"}, {$set: {"session-ingestion.cd": ISODate("2024-11-09T12:00:00.000Z")}}) in the countly database)',
        ),
      }),
    ]);
    // The same in a dump (a backup taken after such a restore), where the UUID comes from metadata.json.
    expect(run(dump(healthy(OLD))).findings.map((f) => f.field)).toEqual(["_changeStreams.event-aggregator.token.uuid", "_changeStreams.session-ingestion.token.uuid"]);
    expect(run(dump(healthy(OLD))).findings[0]!.message).toContain("per dump/countly_drill/drill_events.metadata.json");
  });

  it("live: fails tokens older than the oldest oplog entry (ChangeStreamHistoryLost), high-water marks included", () => {
    const tokens = [tokenOf("event-aggregator", HERE, T - 7200, (T - 7200) * 1000), tokenOf("drill-meta", undefined, T - 7200)];
    const out = run(live(tokens, { oldest: { t: T - 3600, i: 1 } }));
    expect(out.findings).toEqual([
      expect.objectContaining({
        field: "_changeStreams.event-aggregator.token.clusterTime",
        expected: ">= 2024-11-09T11:00:00.000Z (oldest entry of local.oplog.rs)",
        actual: "2024-11-09T10:00:00.000Z",
        message: expect.stringMatching(/^consumer event-aggregator's resume token \(cluster time 2024-11-09T10:00:00\.000Z\) is older than the oldest entry of local\.oplog\.rs \(2024-11-09T11:00:00\.000Z\): MongoDB answers ChangeStreamHistoryLost \(286\) at once/),
      }),
      expect.objectContaining({ field: "_changeStreams.drill-meta.token.clusterTime" }),
    ]);
  });

  it("skips what it could not judge, saying why", () => {
    expect(run(live(healthy(), { unreadable: "not authorized on local to execute command { find: ... }" })).skipped).toBe(
      "whether the oplog still reaches back to the tokens was not checked: not authorized on local to execute command { find: ... }",
    );
    expect(run({ ...dump(healthy()), drillEvents: { unknown: "dump/countly_drill/drill_events.metadata.json is missing" } }).skipped).toMatch(/^the tokens' collection UUID was not compared: .*metadata\.json is missing/);
    // A mismatch is a failure even when the oplog cannot be read.
    expect(run(live(healthy(OLD), { unreadable: "no" })).findings).toHaveLength(2);
    expect(run({ drillLayout: "legacy", present: false, tokens: [] }).skipped).toMatch(/^legacy layout/);
    expect(run({ drillLayout: "current", present: false, tokens: [] }).skipped).toMatch(/^no _changeStreams document/);
    expect(run(dump([{ consumer: "views-insert", hasToken: true, cd: 5 }])).skipped).toMatch(/polling fallback's "timed"/);
    expect(run(dump([{ consumer: "views-insert", hasToken: true, undecodable: "_data is not a hex string" }])).skipped).toBe("no resume token could be read (views-insert: _data is not a hex string)");
  });

  it("before_restore: fails where a `countly restore` to another server leaves raw data of the backup unaggregated (entries without cd behind their raw data), says what to do; refuses a live source", () => {
    const raw = (e: string, maxCd: number) => ({ app: "a1", e, docs: 3, withSource: 0, maxCd, settledMaxCd: maxCd, tail: [] });
    const inserts = (sessionsUntil: number) => ({ rows: [raw("[CLY]_custom", (T + 30) * 1000), raw("[CLY]_session", sessionsUntil)], maxCdMinute: Math.floor(((T + 30) * 1000) / 60_000) });
    const backup = dump([tokenOf("event-aggregator", HERE, T, T * 1000), tokenOf("session-ingestion", HERE), tokenOf("drill-meta", undefined, T + 30)]);
    const before = (sessionsUntil: number) => evaluateWhole(resumeTokensResumable, { before_restore: true }, { changeStreams: backup, rawInserts: inserts(sessionsUntil) });
    // A consistent backup: session-ingestion's token is as new as the raw sessions (its second), event-aggregator is behind but recovered from its cd.
    expect(before(T * 1000 + 999).findings).toEqual([]);
    // Raw sessions inserted after session-ingestion's token are in the backup: lost after the restore unless its cd is set first.
    const out = before((T + 40) * 1000);
    expect(out.findings).toEqual([
      {
        field: "_changeStreams.session-ingestion.token",
        expected: ">= 2024-11-09T12:00:40.000Z (the newest [CLY]_session/[CLY]_session_begin insert in this backup)",
        actual: "2024-11-09T12:00:00.000Z",
        message:
          "after `countly restore` of this backup to another server, consumer session-ingestion's token cannot resume (mongorestore without --preserveUUID gives the restored drill_events a new UUID, and even with --drop --preserveUUID the other server's oplog does not hold this event), and this backup holds raw data it watches inserted after it (newest 2024-11-09T12:00:40.000Z). The entry has no cd, so Countly's recovery (restart at \"now - 60 s\", re-read drill_events from the entry's cd) re-reads nothing: the raw data session-ingestion watches inserted after 2024-11-09T12:00:00.000Z and before the restart is never aggregated. Before starting Countly's aggregator, set the entry's cd to the token's cluster time (db.plugins.updateOne({_id: \"_changeStreams\"}, {$set: {\"session-ingestion.cd\": ISODate(\"2024-11-09T12:00:00.000Z\")}}) in the countly database) so the recovery re-reads from there.",
      },
      // drill-meta here is a high-water mark without cd, behind those sessions too (it watches every insert).
      expect.objectContaining({ field: "_changeStreams.drill-meta.token", actual: "2024-11-09T12:00:30.000Z", message: expect.stringContaining("a high-water mark resumes only where the oplog reaches back to it") }),
    ]);
    expect(evaluateWhole(resumeTokensResumable, { before_restore: true }, { changeStreams: live(healthy(), { oldest: { t: 1, i: 1 } }), rawInserts: inserts(0) }).skipped).toMatch(/^before_restore judges a backup \(a dump\)/);
  });

  it("skips with the exact reason when no judged consumer has a token, or none can be read", () => {
    expect(run(dump([tokenOf("crashes", HERE)])).skipped).toBe("no consumer of event-aggregator, session-ingestion, session-updates, drill-meta, views-insert, views-update has a resume token");
    expect(run(dump([tokenOf("crashes", HERE)]), { consumers: ["crashes"] }).findings).toEqual([]);
    expect(run(dump([{ ...tokenOf("event-aggregator", HERE), hasToken: false }]), { consumers: ["event-aggregator"] }).skipped).toBe("no consumer of event-aggregator has a resume token");
    expect(run(dump([{ consumer: "views-insert", hasToken: true, cd: 5 }])).skipped).toBe('no resume token could be read (the polling fallback\'s "timed" entries have no stream position)');
    expect(run(dump([{ consumer: "views-insert", hasToken: true, undecodable: "A" }, { consumer: "drill-meta", hasToken: true, undecodable: "B" }])).skipped).toBe("no resume token could be read (views-insert: A; drill-meta: B)");
  });

  it("says what was not checked, and which tokens were not read, when nothing failed", () => {
    const unreadable = { consumer: "views-insert", hasToken: true, undecodable: "_data is not a hex string" };
    // A high-water mark (no UUID) next to a token with one: the UUID check was still due.
    const mixed = [tokenOf("drill-meta", undefined), tokenOf("session-ingestion", HERE), unreadable];
    expect(run({ ...dump(mixed), drillEvents: { unknown: "no metadata" } }).skipped).toBe("the tokens' collection UUID was not compared: no metadata; tokens not read: views-insert: _data is not a hex string");
    expect(run({ drillLayout: "current", present: true, tokens: mixed }).skipped).toBe("the tokens' collection UUID was not compared: drill_events is missing; tokens not read: views-insert: _data is not a hex string");
    // Only high-water marks: there is no UUID to compare.
    expect(run({ drillLayout: "current", present: true, tokens: [tokenOf("drill-meta", undefined)] })).toEqual({ findings: [], skipped: undefined });
    // Failures are reported as failures, not skipped, whatever else could not be checked.
    const failing = run({ ...live(healthy(OLD), { unreadable: "no" }), tokens: [...healthy(OLD), unreadable] });
    expect(failing.skipped).toBeUndefined();
    expect(failing.findings.map((f) => f.field)).toEqual(["_changeStreams.event-aggregator.token.uuid", "_changeStreams.session-ingestion.token.uuid"]);
    const two = [{ consumer: "views-insert", hasToken: true, undecodable: "A" }, { consumer: "views-update", hasToken: true, undecodable: "B" }];
    expect(run({ ...live([tokenOf("session-ingestion", HERE), ...two], { unreadable: "no oplog" }), drillEvents: { unknown: "no uuid" } }).skipped).toBe(
      "the tokens' collection UUID was not compared: no uuid; whether the oplog still reaches back to the tokens was not checked: no oplog; tokens not read: views-insert: A; views-update: B",
    );
    const one = run({ ...dump([tokenOf("event-aggregator", OLD), tokenOf("drill-meta", undefined)]), drillEvents: { unknown: "x" } });
    expect(one.skipped).toBe("the tokens' collection UUID was not compared: x");
  });

  it("before_restore: a consumer outside Countly's list watches every insert; raw data without insert times is never behind", () => {
    const raw = (e: string, maxCd?: number) => ({ app: "a1", e, docs: 3, withSource: 0, ...(maxCd === undefined ? {} : { maxCd }), tail: [] });
    const backup = dump([tokenOf("my-consumer", HERE)]);
    const judge = (rows: ReturnType<typeof raw>[]) => evaluateWhole(resumeTokensResumable, { before_restore: true, consumers: ["my-consumer"] }, { changeStreams: backup, rawInserts: { rows } });
    expect(judge([raw("[CLY]_crash", (T + 60) * 1000)]).findings).toEqual([
      expect.objectContaining({ field: "_changeStreams.my-consumer.token", expected: ">= 2024-11-09T12:01:00.000Z (the newest raw insert in this backup)", actual: "2024-11-09T12:00:00.000Z" }),
    ]);
    expect(judge([raw("[CLY]_crash")]).findings).toEqual([]);
    expect(resumeTokensResumable.needs({ consumers: [], before_restore: true })).toEqual([{ fact: "changeStreams" }, { fact: "rawInserts" }]);
    expect(resumeTokensResumable.needs({ consumers: [], before_restore: false })).toEqual([{ fact: "changeStreams" }]);
  });
});
