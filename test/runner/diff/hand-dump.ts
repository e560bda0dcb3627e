// Small hand-made mongodump folders for the diff tests: `<dir>/dump/<db>/<coll>.bson`
// (documents serialised with BSON.serialize, in the order given) and
// `<coll>.metadata.json` in canonical Extended JSON, as mongodump 100.x writes them.
import { Buffer } from "node:buffer";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { BSON, EJSON } from "bson";

export type Docs = Record<string, unknown>[];
export type HandDatabases = Record<string, Record<string, Docs>>;
export type HandIndexes = Record<string, Record<string, Record<string, unknown>[]>>;

export interface HandDumpOptions {
  /** Secondary indexes per db and collection (`_id_` is always written). */
  indexes?: HandIndexes;
  gzip?: boolean;
  /** Leave out every metadata.json. */
  noMetadata?: boolean;
}

export async function writeHandDump(dir: string, databases: HandDatabases, options: HandDumpOptions = {}): Promise<string> {
  for (const [db, colls] of Object.entries(databases)) {
    const folder = join(dir, "dump", db);
    await mkdir(folder, { recursive: true });
    for (const [coll, docs] of Object.entries(colls)) {
      const bson = Buffer.concat(docs.map((d) => BSON.serialize(d)));
      await writeFile(join(folder, `${coll}.bson${options.gzip ? ".gz" : ""}`), options.gzip ? gzipSync(bson) : bson);
      if (options.noMetadata) continue;
      const indexes = [{ v: 2, key: { _id: 1 }, name: "_id_" }, ...(options.indexes?.[db]?.[coll] ?? []).map((i) => ({ v: 2, ...i }))];
      const meta = Buffer.from(EJSON.stringify({ indexes, uuid: "0123456789abcdef0123456789abcdef", collectionName: coll, type: "collection" }, { relaxed: false }));
      await writeFile(join(folder, `${coll}.metadata.json${options.gzip ? ".gz" : ""}`), options.gzip ? gzipSync(meta) : meta);
    }
  }
  return dir;
}
