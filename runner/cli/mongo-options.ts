// The live-MongoDB flags shared by `run` and `diff`, validated as usage errors.
import { READ_CONCERNS, READ_PREFERENCES, type MongoSourceOptions } from "../sources/mongo/connect.ts";
import { intOption } from "./args.ts";
import { UsageError } from "./io.ts";

export function mongoOptions(values: { "read-preference"?: string; "read-concern"?: string; "max-time-ms"?: string; "connect-timeout-ms"?: string; "scan-warning-docs"?: string }): MongoSourceOptions {
  const pick = <T extends string>(flag: string, value: string | undefined, allowed: readonly T[]): T | undefined => {
    if (value === undefined) return undefined;
    if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`--${flag} ${value}: expected one of ${allowed.join(", ")}`);
    return value as T;
  };
  return {
    readPreference: pick("read-preference", values["read-preference"], READ_PREFERENCES),
    readConcern: pick("read-concern", values["read-concern"], READ_CONCERNS),
    maxTimeMS: intOption("max-time-ms", values["max-time-ms"], 1),
    connectTimeoutMS: intOption("connect-timeout-ms", values["connect-timeout-ms"], 1),
    scanWarningDocs: intOption("scan-warning-docs", values["scan-warning-docs"], 0),
  };
}
