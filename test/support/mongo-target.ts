/**
 * A MongoDB to test against: the wire double by default, or a real server when
 * MONGODB_URI is set (then the data goes into uniquely named databases that close() drops).
 */
import { randomBytes } from "node:crypto";
import process from "node:process";
import { MongoClient } from "mongodb";
import type { IndexDescription } from "mongodb";
import { startWireServer } from "./wire-server/index.ts";
import type { WireServer, WireServerOptions } from "./wire-server/index.ts";

export interface MongoTarget {
  uri: string;
  /** Prefix of every physical database name: "" with the double, "cc_test_<random>_" on a real server. */
  dbPrefix: string;
  /** The wire double, when that is what is serving (undefined on a real server). */
  double?: WireServer;
  close(): Promise<void>;
}

type Databases = Record<string, Record<string, Record<string, unknown>[]>>;

/** Serves `databases` (keys are logical database names such as "countly", "countly_drill") either through the wire double, or, when process.env.MONGODB_URI is set, by inserting them into that real server under unique database names `${dbPrefix}${name}` (dbPrefix like "cc_test_<random>_"; with the double dbPrefix is ""), dropping those databases on close(). */
export async function startMongoTarget(
  databases: Databases,
  options: Omit<WireServerOptions, "databases"> = {},
): Promise<MongoTarget> {
  const realUri = process.env.MONGODB_URI;
  if (!realUri) {
    const double = await startWireServer({ ...options, databases });
    return { uri: double.uri, dbPrefix: "", double, close: () => double.stop() };
  }

  if (options.failCommands || options.rejectAuth || options.stall || options.unauthorizedDatabases) {
    throw new Error(
      "startMongoTarget: failCommands/rejectAuth/stall/unauthorizedDatabases only work with the wire double; skip this test when MONGODB_URI is set",
    );
  }
  const dbPrefix = `cc_test_${randomBytes(4).toString("hex")}_`;
  const client = new MongoClient(realUri);
  await client.connect();
  const created = new Set<string>();
  const close = async (): Promise<void> => {
    try {
      for (const name of created) await client.db(name).dropDatabase();
    } finally {
      await client.close();
    }
  };
  try {
    const names = new Set([...Object.keys(databases), ...Object.keys(options.indexes ?? {})]);
    for (const logical of names) {
      const db = client.db(`${dbPrefix}${logical}`);
      created.add(db.databaseName);
      for (const [coll, docs] of Object.entries(databases[logical] ?? {})) {
        // Copies: insertMany adds _id to the documents it is given.
        if (docs.length > 0) await db.collection(coll).insertMany(docs.map((d) => ({ ...d })));
        else await db.createCollection(coll);
      }
      for (const [coll, specs] of Object.entries(options.indexes?.[logical] ?? {})) {
        const wanted: IndexDescription[] = specs
          .filter((s) => s.name !== "_id_")
          .map((s) => {
            const { v: _v, ns: _ns, key, ...rest } = s;
            return { ...rest, key: key as IndexDescription["key"] } as IndexDescription;
          });
        if (wanted.length > 0) await db.collection(coll).createIndexes(wanted);
        else if (!(databases[logical]?.[coll])) await db.createCollection(coll);
      }
    }
  } catch (e) {
    await close();
    throw e;
  }
  return { uri: realUri, dbPrefix, close };
}
