// A dumped collection's UUID: mongodump 100.x writes `<coll>.metadata.json` (gzipped as
// `.metadata.json.gz` with --gzip) as canonical Extended JSON with `"uuid"`: the
// collection's listCollections `info.uuid` as 32 lower-case hex digits (mongo-tools
// common/db/db.go CollectionInfo.GetUUID at 712f5657, hex.EncodeToString of the subtype 4
// bytes; mongodump/metadata_dump.go at 0807c36c). Older servers' collections have none.
import { readFile, stat } from "node:fs/promises";
import { gunzipSync } from "node:zlib";
import type { CollectionUuid } from "../../facts/types.ts";

const MAX_BYTES = 16 * 1024 * 1024;

/** The UUID in `path` (or `path.gz`), or why there is none; never throws. */
export async function readMetadataUuid(path: string): Promise<CollectionUuid> {
  let text: string | undefined;
  let file = path;
  for (const candidate of [path, `${path}.gz`]) {
    const info = await stat(candidate).catch(() => undefined);
    if (!info) continue;
    // A FIFO or device would block the run; metadata is a few KB.
    if (!info.isFile()) return { unknown: `${candidate} is not a regular file` };
    if (info.size > MAX_BYTES) return { unknown: `${candidate} is ${info.size} bytes, not collection metadata` };
    const bytes = await readFile(candidate).catch(() => undefined);
    if (!bytes) return { unknown: `${candidate} cannot be read` };
    file = candidate;
    try {
      text = (candidate.endsWith(".gz") ? gunzipSync(bytes) : bytes).toString("utf8");
    } catch (e) {
      return { unknown: `${candidate} cannot be decompressed (${(e as Error).message})` };
    }
    break;
  }
  if (text === undefined) return { unknown: `${path} is missing (mongodump writes it next to the .bson file)` };
  let meta: unknown;
  try {
    meta = JSON.parse(text);
  } catch (e) {
    return { unknown: `${file} is not JSON (${(e as Error).message})` };
  }
  const uuid = (meta as { uuid?: unknown } | null)?.uuid;
  if (uuid === undefined) return { unknown: `${file} has no "uuid" (dumped from a server whose collections have no UUID, before MongoDB 3.6)` };
  if (typeof uuid !== "string" || !/^[0-9a-fA-F]{32}$/.test(uuid)) return { unknown: `${file}: "uuid" is ${JSON.stringify(uuid)}, not 32 hex digits` };
  return { uuid: uuid.toLowerCase(), from: file };
}
