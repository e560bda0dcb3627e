// How countly-check talks to a live MongoDB: driver options from the user's URI and
// flags, and what of the URI may be shown (hosts only: no user, password or query).
import type { MongoClientOptions, ReadConcernLevel, ReadPreferenceMode } from "mongodb";
import type { DatabaseNames } from "../../../countly/layout.ts";
import { uriHosts } from "../../redact.ts";

export const READ_PREFERENCES = ["primary", "primaryPreferred", "secondary", "secondaryPreferred", "nearest"] as const satisfies readonly ReadPreferenceMode[];
export const READ_CONCERNS = ["local", "available", "majority", "linearizable", "snapshot"] as const satisfies readonly ReadConcernLevel[];

/** Reads go to a secondary when there is one, so checks do not load the primary. */
export const DEFAULT_READ_PREFERENCE: ReadPreferenceMode = "secondaryPreferred";
/** Time limit of one server command (an aggregation over raw drill data can take minutes). */
export const DEFAULT_MAX_TIME_MS = 15 * 60_000;
/** Collections above this many documents (estimated) get a warning before a query no index serves scans them. */
export const DEFAULT_SCAN_WARNING_DOCS = 1_000_000;
/** How long to look for a usable server before giving up (the driver's default is 30 s). */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

/**
 * The client-side deadline of one reply: the server's own limit (`maxTimeMS`, sent with
 * every command) plus a margin for the network and a full 16 MB batch. `maxTimeMS` alone
 * does not help when the server stops answering (issue 13: a stalled server hung the run);
 * the socket timeout makes the driver give up on a silent connection. The driver's CSOT
 * option `timeoutMS` cannot be used: mongodb 7.x marks it "deprecated, has no effect"
 * (node_modules/mongodb/src/mongo_client.ts, MongoClientOptions.timeoutMS).
 */
export function replyDeadlineMs(maxTimeMS: number): number {
  return maxTimeMS + Math.max(2_000, Math.ceil(maxTimeMS / 10));
}

export interface MongoSourceOptions {
  /** Database names (default `countly`, `countly_drill`); tests use prefixed names. */
  databases?: DatabaseNames;
  /** Default: the URI's `readPreference`, else secondaryPreferred. */
  readPreference?: ReadPreferenceMode;
  /** Default: the URI's `readConcernLevel`, else the server's default. */
  readConcern?: ReadConcernLevel;
  /** `maxTimeMS` of every command (default 15 minutes). */
  maxTimeMS?: number;
  /** Server selection and connect timeout (default: the URI's, else 10 s). */
  connectTimeoutMS?: number;
  /** `--scan-warning-docs`: a query whose filter no index serves, on a collection with more documents than this (estimated), is warned about before it is sent (default 1,000,000; 0: never). */
  scanWarningDocs?: number;
  /** Called with each such warning as it is found, before the scan starts (the CLI prints it to stderr). */
  onWarning?: (message: string) => void;
  /** `--explain`: every find, aggregate and count is explained (verbosity queryPlanner: plans only, nothing executed) instead of run; `plans()` has the results. */
  explain?: boolean;
}

/** Query option names present in the URI, lower-cased. */
function uriOptionNames(uri: string): Set<string> {
  const q = uri.indexOf("?");
  if (q < 0) return new Set();
  const names = new Set<string>();
  for (const pair of uri.slice(q + 1).split("&")) {
    const name = pair.split("=")[0];
    if (name) names.add(decodeURIComponentSafe(name).toLowerCase());
  }
  return names;
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/**
 * Driver options: an explicit flag wins over the URI, the URI wins over our defaults
 * (the driver itself lets options given in code override the URI, so defaults are
 * only passed when the URI does not name the option).
 */
export function clientOptions(uri: string, o: MongoSourceOptions): MongoClientOptions {
  const inUri = uriOptionNames(uri);
  const options: MongoClientOptions = { appName: "countly-check" };
  if (!inUri.has("sockettimeoutms")) options.socketTimeoutMS = replyDeadlineMs(o.maxTimeMS ?? DEFAULT_MAX_TIME_MS);
  if (o.readPreference) options.readPreference = o.readPreference;
  else if (!inUri.has("readpreference")) options.readPreference = DEFAULT_READ_PREFERENCE;
  // `readConcernLevel` is the URI's key, so the flag overrides the URI's value.
  if (o.readConcern) options.readConcernLevel = o.readConcern;
  if (o.connectTimeoutMS !== undefined) {
    options.serverSelectionTimeoutMS = o.connectTimeoutMS;
    options.connectTimeoutMS = o.connectTimeoutMS;
  } else {
    if (!inUri.has("serverselectiontimeoutms")) options.serverSelectionTimeoutMS = DEFAULT_CONNECT_TIMEOUT_MS;
    if (!inUri.has("connecttimeoutms")) options.connectTimeoutMS = DEFAULT_CONNECT_TIMEOUT_MS;
  }
  return options;
}

/** The effective server selection timeout, for messages. */
export function selectionTimeoutOf(options: MongoClientOptions, uri: string): number | undefined {
  if (options.serverSelectionTimeoutMS !== undefined) return options.serverSelectionTimeoutMS;
  const m = /[?&]serverSelectionTimeoutMS=(\d+)/i.exec(uri);
  return m ? Number(m[1]) : undefined;
}

/**
 * `mongodb://user:pw@h1:27017,h2/db?x=y` -> `h1:27017,h2` (for `+srv`, the SRV name), read by
 * the one redaction rule (runner/redact.ts): `***` where the URI cannot be read without risk.
 */
export function hostsOf(uri: string): string {
  return uriHosts(uri).hosts || "localhost";
}

/** What the report shows as the source: scheme and hosts, no credentials and no query (it can hold secrets such as tlsCertificateKeyFilePassword). */
export function describeUri(uri: string): string {
  const srv = /^mongodb\+srv:/i.test(uri);
  return `${srv ? "mongodb+srv" : "mongodb"}://${hostsOf(uri)}`;
}
