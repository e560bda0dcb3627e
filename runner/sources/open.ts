// Picks the source from what the user gave: a MongoDB URI or a dump directory.
import type { Source } from "./source.ts";
import { DumpSource, type DumpSourceOptions } from "./dump/dump-source.ts";

export interface OpenSourceOptions {
  dump?: DumpSourceOptions;
}

export function isMongoUri(spec: string): boolean {
  return /^mongodb(\+srv)?:\/\//i.test(spec);
}

export async function sourceFor(spec: string, options: OpenSourceOptions = {}): Promise<Source> {
  if (isMongoUri(spec)) {
    throw new Error("live MongoDB sources are not supported in this build");
  }
  return new DumpSource(spec, options.dump);
}
