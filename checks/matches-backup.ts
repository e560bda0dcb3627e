// The database still matches the backup it was restored from: the `countly-check diff`
// comparison as a check of a scenario (one case for the whole database).
import { BACKUP_DATABASES } from "../runner/diff/side.ts";
import { DEFAULT_MAX_IDS, diffSides, type DiffResult } from "../runner/diff/diff.ts";
import { DumpSide } from "../runner/diff/dump-side.ts";
import { diffToRun } from "../runner/diff/report.ts";
import type { CheckDefinition } from "./types.ts";
import { CheckDataError } from "./types.ts";

export interface MatchesBackupOptions {
  backup: string;
  databases: string[];
  max_ids: number;
  totals: boolean;
}

export const matchesBackup: CheckDefinition<MatchesBackupOptions> = {
  meta: {
    kind: "matches-backup",
    summary: "The database matches the backup it was restored from: collections, counts, indexes, documents by _id and event totals.",
    proves:
      "Per database (`countly`, `countly_drill`, `countly_fs`, `countly_out` by default) and collection, both sides have it, with the same document count and indexes, and the same documents by `_id` (field order and int/double do not count); and the event totals per app, event and month are the same, so documents merged into existing ones (a restore without `--drop`) show too. The same comparison as `countly-check diff --before <backup> --after <source>`, with the scenario's source as the restored side; memory stays bounded (documents are hashed in `_id` buckets).",
    perApp: false,
    options: {
      type: "object",
      required: ["backup"],
      properties: {
        backup: { type: "string", minLength: 1, description: "The backup folder (`countly backup` output or a mongodump folder; `${VAR}` works) that the source was restored from." },
        databases: { type: "array", items: { type: "string" }, minItems: 1, default: [...BACKUP_DATABASES], description: "Databases to compare." },
        max_ids: { type: "integer", minimum: 0, default: DEFAULT_MAX_IDS, description: "Differing `_id`s named per collection and kind of difference; the rest are counted." },
        totals: { type: "boolean", default: true, description: "Also compare event totals per app, event and month." },
      },
    },
    likelyCause:
      "The restore did not complete (a database or collection missing, fewer documents), it merged into a database that already had data (`countly restore` runs mongorestore without `--drop`: extra or different documents, doubled event totals), or indexes were not restored.",
    remediation:
      "Re-run the restore of the database named in the finding and read its log; restore into an empty database (`mongorestore --drop`) when the backup is meant to be the whole truth; recreate missing indexes from the backup's `<coll>.metadata.json`. `countly-check diff` prints the same comparison with one test case per collection.",
    exampleFinding: "countly.events_data: 1,204 documents before, 1,180 after; 24 documents only before, 0 only after, 0 different — _id 65f0…_no-segment_2024:10: only before (missing after)",
  },
  needs: () => [],
  async external(o, source) {
    if (!source.diffSide) throw new Error(`matches-backup needs a dump folder or a MongoDB source to compare with ${o.backup}; ${source.description} cannot be compared`);
    return diffSides(new DumpSide(o.backup, o.databases), await source.diffSide(o.databases), { databases: o.databases, maxIds: o.max_ids });
  },
  evaluate(ctx) {
    const result = ctx.external as DiffResult;
    const cases = diffToRun(result).suites.flatMap((s) => s.cases).filter((c) => ctx.options.totals || c.checkId !== "event-totals");
    const errors = cases.filter((c) => c.outcome === "error");
    if (errors.length) throw new CheckDataError(errors.map((c) => c.message).join("; "));
    for (const c of cases) {
      if (c.outcome !== "failed") continue;
      const where = c.app ? `event totals of ${c.app.name} (${c.app.id})` : c.name;
      if (c.message) ctx.report({ message: `${where}: ${c.message}` });
      for (const f of c.findings) {
        const { app: _app, ...rest } = f;
        ctx.report({ ...rest, message: `${where}: ${f.message}` });
      }
      const unnamed = c.findingsTotal - c.findings.length;
      if (unnamed > 0) ctx.reportMore?.(unnamed);
    }
  },
};
