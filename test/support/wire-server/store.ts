/**
 * In-memory, read-only data: databases -> collections -> normalised documents, plus index specs.
 * Only test code (setCollection / the initial options) changes it; no command writes to it.
 */
import type { Document } from "bson";
import { bsonSize, normalizeDocument, toPlainNumbers } from "./values.ts";

export type DatabasesSpec = Record<string, Record<string, Record<string, unknown>[]>>;

export const ID_INDEX: Readonly<Document> = Object.freeze({ v: 2, key: { _id: 1 }, name: "_id_" });

export class DataStore {
  readonly #dbs = new Map<string, Map<string, Document[]>>();
  readonly #indexes = new Map<string, Map<string, Document[]>>();

  constructor(databases: DatabasesSpec = {}, indexes: DatabasesSpec = {}) {
    for (const [db, colls] of Object.entries(databases)) {
      for (const [coll, docs] of Object.entries(colls)) this.setCollection(db, coll, docs);
    }
    for (const [db, colls] of Object.entries(indexes)) {
      for (const [coll, specs] of Object.entries(colls)) {
        // An index implies its collection exists.
        if (!this.hasCollection(db, coll)) this.setCollection(db, coll, []);
        const list = specs
          .map((s) => toPlainNumbers(s) as Document)
          .filter((s) => s.name !== "_id_");
        this.#collMap(this.#indexes, db).set(coll, list);
      }
    }
  }

  #collMap(root: Map<string, Map<string, Document[]>>, db: string): Map<string, Document[]> {
    let m = root.get(db);
    if (!m) {
      m = new Map();
      root.set(db, m);
    }
    return m;
  }

  setCollection(db: string, coll: string, docs: Record<string, unknown>[]): void {
    validateNamespace(db, coll);
    this.#collMap(this.#dbs, db).set(coll, docs.map(normalizeDocument));
  }

  hasCollection(db: string, coll: string): boolean {
    return this.#dbs.get(db)?.has(coll) ?? false;
  }

  /** The stored documents (do not mutate). Empty for a missing collection. */
  documents(db: string, coll: string): Document[] {
    return this.#dbs.get(db)?.get(coll) ?? [];
  }

  databaseNames(): string[] {
    return [...this.#dbs.entries()].filter(([, colls]) => colls.size > 0).map(([name]) => name);
  }

  collectionNames(db: string): string[] {
    return [...(this.#dbs.get(db)?.keys() ?? [])];
  }

  /** Index specs for an existing collection (`_id_` first), or undefined when it does not exist. */
  indexes(db: string, coll: string): Document[] | undefined {
    if (!this.hasCollection(db, coll)) return undefined;
    return [{ ...ID_INDEX, key: { _id: 1 } }, ...(this.#indexes.get(db)?.get(coll) ?? []).map((s) => ({ ...s }))];
  }

  sizeOnDisk(db: string): number {
    let total = 0;
    for (const docs of this.#dbs.get(db)?.values() ?? []) for (const d of docs) total += bsonSize(d);
    return total;
  }

  isEmpty(db: string): boolean {
    for (const docs of this.#dbs.get(db)?.values() ?? []) if (docs.length > 0) return false;
    return true;
  }
}

function validateNamespace(db: string, coll: string): void {
  if (!db || /[/\\. "$\0]/.test(db)) throw new Error(`invalid database name: ${JSON.stringify(db)}`);
  if (!coll || coll.includes("\0") || coll.startsWith("$")) {
    throw new Error(`invalid collection name: ${JSON.stringify(coll)}`);
  }
}
