/**
 * In-memory, read-only data: databases -> collections -> normalised documents, plus index specs.
 * Only test code (setCollection / the initial options) changes it; no command writes to it.
 */
import { Decimal128 } from "bson";
import type { Document } from "bson";
import { bsonSize, normalizeDocument, toPlainNumbers } from "./values.ts";

export type DatabasesSpec = Record<string, Record<string, Record<string, unknown>[]>>;

export const ID_INDEX: Readonly<Document> = Object.freeze({ v: 2, key: { _id: 1 }, name: "_id_" });

/** The typed value a stored (plain-number) value stands for, at the same path of the original document. */
function restore(plain: unknown, original: unknown): unknown {
  if (original instanceof Decimal128) {
    const n = Number(original.toString());
    return typeof plain === "number" && (plain === n || (Number.isNaN(plain) && Number.isNaN(n))) ? original : plain;
  }
  if (Array.isArray(plain) && Array.isArray(original)) return plain.map((v, i) => restore(v, original[i]));
  if (plain && original && typeof plain === "object" && typeof original === "object" && Object.getPrototypeOf(plain) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(plain)) out[k] = restore(v, (original as Record<string, unknown>)[k]);
    return out;
  }
  return plain;
}

function hasDecimal(v: unknown): boolean {
  if (v instanceof Decimal128) return true;
  if (Array.isArray(v)) return v.some(hasDecimal);
  if (v && typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype) return Object.values(v).some(hasDecimal);
  return false;
}

export class DataStore {
  readonly #dbs = new Map<string, Map<string, Document[]>>();
  /** Documents holding Decimal128 values, as given, by `_id` text: mingo computes on numbers, replies carry the stored type. */
  readonly #typed = new Map<string, Map<string, Document>>();
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
    const normalized = docs.map(normalizeDocument);
    this.#collMap(this.#dbs, db).set(coll, normalized);
    const typed = new Map<string, Document>();
    docs.forEach((d, i) => {
      if (hasDecimal(d)) typed.set(String(normalized[i]!._id), d);
    });
    if (typed.size) this.#typed.set(`${db}.${coll}`, typed);
    else this.#typed.delete(`${db}.${coll}`);
  }

  /** A result document with the Decimal128 values its stored original had at the same paths (matched by `_id`). */
  withStoredTypes(db: string, coll: string, result: Document): Document {
    const original = this.#typed.get(`${db}.${coll}`)?.get(String(result._id));
    return original ? (restore(result, original) as Document) : result;
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
