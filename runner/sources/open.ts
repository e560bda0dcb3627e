// Picks the source from what the user gave: a MongoDB URI or a dump directory.
import type { Source } from "./source.ts";
import { DumpSource, type DumpSourceOptions } from "./dump/dump-source.ts";
import type { MongoSourceOptions } from "./mongo/connect.ts";

export interface OpenSourceOptions {
  dump?: DumpSourceOptions;
  mongo?: MongoSourceOptions;
}

export function isMongoUri(spec: string): boolean {
  return /^mongodb(\+srv)?:\/\//i.test(spec);
}

export async function sourceFor(spec: string, options: OpenSourceOptions = {}): Promise<Source> {
  if (isMongoUri(spec)) {
    // Loaded on demand: dump runs never load the driver.
    const { MongoSource } = await import("./mongo/mongo-source.ts");
    return new MongoSource(spec, options.mongo);
  }
  return new DumpSource(spec, options.dump);
}
