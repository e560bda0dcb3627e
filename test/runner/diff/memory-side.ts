// A DiffSide over in-memory documents (serialised once), for engine tests without files.
import { BSON } from "bson";
import type { RawVisitor } from "../../../runner/diff/raw-bson-file.ts";
import type { DiffSide, IndexSpec } from "../../../runner/diff/side.ts";

export class MemorySide implements DiffSide {
  readonly description: string;
  readonly location: string;
  /** scans made: "db.coll" per call */
  readonly scans: string[] = [];
  private readonly bytes: Record<string, Record<string, Uint8Array[]>>;

  constructor(
    name: string,
    databases: Record<string, Record<string, Record<string, unknown>[]>>,
    private readonly indexSpecs: Record<string, Record<string, IndexSpec[]>> = {},
  ) {
    this.description = `memory ${name}`;
    this.location = name;
    this.bytes = Object.fromEntries(Object.entries(databases).map(([db, colls]) => [db, Object.fromEntries(Object.entries(colls).map(([c, docs]) => [c, docs.map((d) => BSON.serialize(d))]))]));
  }

  async open(): Promise<void> {}
  async collections(db: string): Promise<string[] | undefined> {
    const colls = this.bytes[db];
    return colls ? Object.keys(colls).sort() : undefined;
  }
  async indexes(db: string, coll: string): Promise<IndexSpec[] | undefined> {
    return this.indexSpecs[db]?.[coll] ?? [{ v: 2, key: { _id: 1 }, name: "_id_" }];
  }
  async scan(db: string, coll: string, visit: RawVisitor): Promise<number> {
    this.scans.push(`${db}.${coll}`);
    const docs = this.bytes[db]?.[coll] ?? [];
    for (const d of docs) visit(d, 0, d.length);
    return docs.length;
  }
  async close(): Promise<void> {}
}
