// A large, consistent Countly dump for the scan benchmark (bench/run.ts), written as a
// stream: raw `[CLY]_custom` drill events (`countly_drill.drill_events`) plus the
// `countly.apps`, `countly.events` and `countly.events_data` documents Countly's
// aggregator would have written for them, so `events-match-raw` passes on it.
//
// Raw documents are generated one at a time from a fixed seed and serialized in ~1 MiB
// batches; only the grouped totals (apps × events × days) are kept in memory.
import { Buffer } from "node:buffer";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import { BSON, EJSON, ObjectId } from "bson";
import { eventsDataId, NO_SEGMENT } from "../countly/ids.ts";
import { dayKeyOfDay, dayOf, monthIdOfDay } from "../countly/time.ts";
import { Rng } from "../fixtures/prng.ts";

/** Bump when the generated data changes, so old `.bench/` folders are rebuilt. */
export const DATASET_VERSION = 1;
export const SEED = 20261125;

export interface BenchApp {
  id: string;
  name: string;
  timezone: string;
  keys: readonly string[];
}

// Half-hour and 45-minute zones, zones with DST changes inside the period, and UTC.
export const BENCH_APPS: readonly BenchApp[] = [
  { id: "65f0c0ffee00000000000001", name: "Shop (Kolkata)", timezone: "Asia/Kolkata", keys: eventKeys(24) },
  { id: "65f0c0ffee00000000000002", name: "Game (Adelaide)", timezone: "Australia/Adelaide", keys: eventKeys(18) },
  { id: "65f0c0ffee00000000000003", name: "News (St. John's)", timezone: "America/St_Johns", keys: eventKeys(12) },
  { id: "65f0c0ffee00000000000004", name: "Bank (Berlin)", timezone: "Europe/Berlin", keys: eventKeys(30) },
  { id: "65f0c0ffee00000000000005", name: "Radio (Kathmandu)", timezone: "Asia/Kathmandu", keys: eventKeys(8) },
  { id: "65f0c0ffee00000000000006", name: "Docs (UTC)", timezone: "UTC", keys: eventKeys(15) },
];
/** Share of the raw events per app (same order as BENCH_APPS). */
const APP_WEIGHTS = [0.3, 0.25, 0.1, 0.2, 0.05, 0.1];

/**
 * What a dataset looks like: the default is the six BENCH_APPS with their skewed event
 * keys; `apps` and `keysPerApp` give generated apps (zones cycling through those of
 * BENCH_APPS, equal shares) with `keysPerApp` keys each, picked uniformly (every key and
 * day is used, the worst case for the grouped state).
 */
export interface Shape {
  documents: number;
  apps?: number;
  keysPerApp?: number;
}

function shapeName(shape: Shape): string {
  return shape.apps === undefined ? `drill-${shape.documents}` : `drill-${shape.documents}-a${shape.apps}-k${shape.keysPerApp ?? 10}`;
}

function appsOf(shape: Shape): { apps: readonly BenchApp[]; weights: readonly number[]; uniform: boolean } {
  if (shape.apps === undefined) return { apps: BENCH_APPS, weights: APP_WEIGHTS, uniform: false };
  const n = shape.apps;
  const keys = shape.keysPerApp ?? 10;
  const apps: BenchApp[] = [];
  for (let i = 0; i < n; i++) {
    const zone = BENCH_APPS[i % BENCH_APPS.length]!.timezone;
    const id = `65f0c0ffee${i.toString(16).padStart(14, "0")}`;
    // keys are generated lazily (1M distinct names would be 1M strings per app)
    apps.push({ id, name: `App ${i} (${zone})`, timezone: zone, keys: lazyKeys(keys) });
  }
  return { apps, weights: apps.map(() => 1 / n), uniform: true };
}

/** `n` event keys as a read-only array-like without holding them: "Event 0".."Event n-1". */
function lazyKeys(n: number): readonly string[] {
  return new Proxy([] as string[], {
    get: (t, p) => (p === "length" ? n : typeof p === "string" && /^\d+$/.test(p) ? `Event ${p}` : Reflect.get(t, p)),
  });
}

function eventKeys(n: number): string[] {
  const base = [
    "Login", "Purchase", "Add to Cart", "Checkout", "Search", "Share", "Level Complete", "Level Failed", "Signup",
    "Video Play", "Video Pause", "Push Open", "Ad Click", "Rate App", "Tutorial Step", "Subscription Renewed",
    "Item Viewed", "Wishlist Add", "Coupon Applied", "Error Shown", "Settings Changed", "Friend Invited",
    "Achievement", "Chat Message", "Photo Upload", "Map Opened", "Filter Applied", "Payment Failed",
    "Refund Requested", "Onboarding Done",
  ];
  return base.slice(0, n);
}

/** First raw event: 2026-08-01T00:00:00Z; the events span 92 days (DST changes in Adelaide, Berlin and St. John's). */
const START_MS = Date.UTC(2026, 7, 1);
const SPAN_MS = 92 * 86_400_000;

const COUNTRIES = ["DE", "US", "TR", "GB", "IN", "BR", "JP", "NP", "AU", "CA", "Unknown"];
const PLATFORMS = ["Android", "iOS", "Web"];
const VERSIONS = ["3:1:4", "3:2:0", "4:0:0", "4:0:1"];
const SOURCES = ["Google Play", "App Store", "organic", "facebook", "mail"];
const SEGMENTS: readonly (readonly [string, readonly (string | number)[]])[] = [
  ["method", ["card", "paypal", "cash", "voucher"]],
  ["level", [1, 2, 3, 5, 8, 13, 21]],
  ["tier", ["free", "pro", "team"]],
  ["screen", ["home", "cart", "settings"]],
];

export interface DatasetInfo {
  version: number;
  seed: number;
  documents: number;
  /** Bytes of countly_drill/drill_events.bson. */
  drillBytes: number;
  /** Bytes of the gzip-compressed copy (0 when not written). */
  gzBytes: number;
  customEvents: number;
  groups: number;
}

/** Paths of a benchmark dataset of `documents` raw events under `root`. */
export function datasetPaths(root: string, shape: Shape): { dir: string; gzDir: string; info: string; drill: string; drillGz: string } {
  const dir = join(root, shapeName(shape));
  const gzDir = join(root, `${shapeName(shape)}-gz`);
  return {
    dir,
    gzDir,
    info: join(dir, "dataset.json"),
    drill: join(dir, "dump", "countly_drill", "drill_events.bson"),
    drillGz: join(gzDir, "dump", "countly_drill", "drill_events.bson.gz"),
  };
}

/** The dataset's description if it exists, is complete and was written by this generator version. */
export async function existingDataset(root: string, shape: Shape, wantGz: boolean): Promise<DatasetInfo | undefined> {
  const p = datasetPaths(root, shape);
  try {
    const info = JSON.parse(await readFile(p.info, "utf8")) as DatasetInfo;
    if (info.version !== DATASET_VERSION || info.seed !== SEED || info.documents !== shape.documents) return undefined;
    if ((await stat(p.drill)).size !== info.drillBytes) return undefined;
    if (wantGz && (info.gzBytes === 0 || (await stat(p.drillGz)).size !== info.gzBytes)) return undefined;
    return info;
  } catch {
    return undefined;
  }
}

interface Totals {
  c: number;
  s: number;
  dur: number;
}

/** Index into a list with a Zipf-like skew: a few events are most of the traffic, like in real apps. */
function skewed(rng: Rng, n: number): number {
  const r = rng.next();
  return Math.min(n - 1, Math.floor(n * r * r * r));
}

/**
 * Writes `<dir>/dump/...` with `documents` raw events (and, when `gzip`, a copy of the
 * same dump with `drill_events.bson.gz` in `<gzDir>`). Returns the dataset description,
 * which is also written last as `dataset.json` (its presence marks a complete dataset).
 */
export async function writeDataset(root: string, shape: Shape, gzip: boolean, log: (text: string) => void): Promise<DatasetInfo> {
  const documents = shape.documents;
  const { apps: appList, weights, uniform } = appsOf(shape);
  const p = datasetPaths(root, shape);
  await rm(p.dir, { recursive: true, force: true });
  await rm(p.gzDir, { recursive: true, force: true });
  const drillDir = join(p.dir, "dump", "countly_drill");
  const countlyDir = join(p.dir, "dump", "countly");
  await mkdir(drillDir, { recursive: true });
  await mkdir(countlyDir, { recursive: true });

  const rng = new Rng(SEED);
  // app -> key -> day -> totals, summed in file order (the order the scan adds them).
  const totals = appList.map(() => new Map<string, Map<string, Totals>>());
  const cumulative: number[] = [];
  let acc = 0;
  for (const w of weights) cumulative.push((acc += w));
  let customEvents = 0;
  let bytes = 0;

  function* batches(): Generator<Buffer> {
    const w = new BsonWriter(1 << 20);
    for (let i = 0; i < documents; i++) {
      const r = rng.next();
      let appIndex = 0;
      if (uniform) appIndex = Math.min(appList.length - 1, Math.floor(r * appList.length));
      else while (appIndex < cumulative.length - 1 && r >= cumulative[appIndex]!) appIndex++;
      const app = appList[appIndex]!;
      const key = app.keys[uniform ? rng.int(0, app.keys.length - 1) : skewed(rng, app.keys.length)]!;
      // events arrive roughly in time order; SDKs send some late (offline devices)
      const ts = START_MS + Math.floor((i / documents) * SPAN_MS) + rng.int(-60_000, 0);
      const lateness = rng.chance(0.97) ? rng.int(200, 30_000) : rng.chance(0.8) ? rng.int(60_000, 6 * 3_600_000) : rng.int(6 * 3_600_000, 3 * 86_400_000);
      const cd = ts + lateness;
      const c = rng.chance(0.9) ? 1 : rng.int(2, 5);
      const s = rng.chance(0.3) ? Math.round(rng.next() * 10_000) / 100 : undefined;
      const dur = rng.chance(0.2) ? rng.int(1, 600) : undefined;
      const uid = rng.int(1, 250_000).toString(36);

      // the document as Countly's drill plugin inserts it, in its field order
      const start = w.begin();
      w.hex("_id", rng, 2);
      w.string("a", app.id);
      w.string("e", "[CLY]_custom");
      w.string("n", key);
      w.number("ts", ts);
      w.date("cd", cd);
      w.string("uid", uid);
      w.hex("did", rng, 1);
      w.number("c", c);
      if (s !== undefined) w.number("s", s);
      if (dur !== undefined) w.number("dur", dur);
      if (rng.chance(0.5)) {
        const [k1, v1] = SEGMENTS[rng.int(0, SEGMENTS.length - 1)]!;
        const first = rng.pick(v1);
        let second: [string, string | number] | undefined;
        if (rng.chance(0.3)) {
          const [k2, v2] = SEGMENTS[rng.int(0, SEGMENTS.length - 1)]!;
          second = [k2, rng.pick(v2)];
        }
        const sg = w.beginEmbedded("sg");
        if (second === undefined || second[0] !== k1) w.value(k1, first);
        if (second !== undefined) w.value(second[0], second[1]);
        w.end(sg);
      }
      const up = w.beginEmbedded("up");
      w.string("cc", rng.pick(COUNTRIES));
      w.string("p", rng.pick(PLATFORMS));
      w.string("av", rng.pick(VERSIONS));
      w.string("src", rng.pick(SOURCES));
      w.end(up);
      w.hex("lsid", rng, 1);
      bytes += w.end(start);
      customEvents++;

      const day = dayOf(app.timezone, ts);
      const byKey = totals[appIndex]!;
      let byDay = byKey.get(key);
      if (!byDay) byKey.set(key, (byDay = new Map()));
      let t = byDay.get(day);
      if (!t) byDay.set(day, (t = { c: 0, s: 0, dur: 0 }));
      t.c += c;
      t.s += s ?? 0;
      t.dur += dur ?? 0;

      if (w.length >= 1 << 20) yield w.take();
      if ((i + 1) % 1_000_000 === 0) log(`  … ${(i + 1).toLocaleString("en-US")} raw events`);
    }
    if (w.length > 0) yield w.take();
  }

  await pipeline(Readable.from(batches()), createWriteStream(p.drill));
  await writeMetadata(drillDir, "drill_events", [
    { key: { a: 1, e: 1, ts: 1 }, name: "a_1_e_1_ts_1" },
    { key: { cd: 1 }, name: "cd_1" },
  ]);

  // countly.apps, countly.events and countly.events_data (no-segment month documents)
  const apps = appList.map((a) => ({ _id: new ObjectId(a.id), name: a.name, key: `key-${a.id.slice(-4)}`, timezone: a.timezone, type: "mobile" }));
  const events = appList.map((a, i) => ({
    _id: new ObjectId(a.id),
    list: [...totals[i]!.keys()].sort(),
    segments: Object.fromEntries([...totals[i]!.keys()].sort().map((k) => [k, SEGMENTS.map(([s]) => s)])),
  }));
  const eventsData: Record<string, unknown>[] = [];
  let groups = 0;
  appList.forEach((app, i) => {
    for (const [key, byDay] of totals[i]!) {
      const months = new Map<string, Record<string, Record<string, number>>>();
      for (const [day, t] of byDay) {
        groups++;
        const month = monthIdOfDay(day);
        let d = months.get(month);
        if (!d) months.set(month, (d = {}));
        const entry: Record<string, number> = { c: t.c };
        if (t.s !== 0) entry.s = t.s;
        if (t.dur !== 0) entry.dur = t.dur;
        d[dayKeyOfDay(day)] = entry;
      }
      for (const [month, d] of months) {
        eventsData.push({ _id: eventsDataId.noSegmentMonth(app.id, key, month), a: app.id, e: key, m: month, s: NO_SEGMENT, d });
      }
    }
  });
  await writeCollection(countlyDir, "apps", apps);
  await writeCollection(countlyDir, "events", events);
  await writeCollection(countlyDir, "events_data", eventsData);

  let gzBytes = 0;
  if (gzip) {
    // the same dump as `mongodump --gzip` writes it: every .bson gzip-compressed
    await mkdir(join(p.gzDir, "dump", "countly_drill"), { recursive: true });
    await mkdir(join(p.gzDir, "dump", "countly"), { recursive: true });
    for (const [db, coll] of [["countly_drill", "drill_events"], ["countly", "apps"], ["countly", "events"], ["countly", "events_data"]] as const) {
      const from = join(p.dir, "dump", db, `${coll}.bson`);
      await pipeline(createReadStream(from), createGzip(), createWriteStream(join(p.gzDir, "dump", db, `${coll}.bson.gz`)));
    }
    gzBytes = (await stat(p.drillGz)).size;
  }

  const info: DatasetInfo = { version: DATASET_VERSION, seed: SEED, documents, drillBytes: bytes, gzBytes, customEvents, groups };
  await writeFile(p.info, `${JSON.stringify(info, null, 2)}\n`);
  return info;
}

/**
 * Appends BSON documents to a buffer, encoding numbers as BSON.serialize does (int32 when
 * the value is an integer in int32 range, else double). ASCII keys and strings only;
 * several times faster than BSON.serialize per document, which matters for 5M documents.
 */
const HEX_DIGITS = new TextEncoder().encode("0123456789abcdef");

export class BsonWriter {
  private buf: Buffer;
  length = 0;

  constructor(capacity: number) {
    this.buf = Buffer.allocUnsafe(capacity + 64 * 1024);
  }

  /** Starts a document; returns its offset for end(). */
  begin(): number {
    const at = this.length;
    this.length += 4;
    return at;
  }

  beginEmbedded(key: string): number {
    this.head(3, key);
    return this.begin();
  }

  /** Ends the document started at `at`; returns its size. */
  end(at: number): number {
    this.buf[this.length++] = 0;
    const size = this.length - at;
    this.buf.writeInt32LE(size, at);
    return size;
  }

  string(key: string, value: string): void {
    this.head(2, key);
    const n = value.length;
    this.buf.writeInt32LE(n + 1, this.length);
    this.length = this.ascii(value, this.length + 4);
    this.buf[this.length++] = 0;
  }

  /** A string of `words` × 8 random hex digits. */
  hex(key: string, rng: Rng, words: number): void {
    this.head(2, key);
    this.buf.writeInt32LE(words * 8 + 1, this.length);
    let at = this.length + 4;
    for (let i = 0; i < words; i++) {
      let x = Math.floor(rng.next() * 4294967296);
      for (let j = 7; j >= 0; j--) {
        this.buf[at + j] = HEX_DIGITS[x & 15]!;
        x >>>= 4;
      }
      at += 8;
    }
    this.buf[at++] = 0;
    this.length = at;
  }

  number(key: string, value: number): void {
    if (Number.isInteger(value) && value >= -0x80000000 && value <= 0x7fffffff) {
      this.head(16, key);
      this.length = this.buf.writeInt32LE(value, this.length);
    } else {
      this.head(1, key);
      this.length = this.buf.writeDoubleLE(value, this.length);
    }
  }

  value(key: string, value: string | number): void {
    if (typeof value === "string") this.string(key, value);
    else this.number(key, value);
  }

  date(key: string, ms: number): void {
    this.head(9, key);
    this.length = this.buf.writeUInt32LE(ms % 4294967296, this.length);
    this.length = this.buf.writeInt32LE(Math.floor(ms / 4294967296), this.length);
  }

  /** The documents written so far (a copy), and start over. */
  take(): Buffer {
    const out = Buffer.from(this.buf.subarray(0, this.length));
    this.length = 0;
    return out;
  }

  private head(type: number, key: string): void {
    this.buf[this.length++] = type;
    this.length = this.ascii(key, this.length);
    this.buf[this.length++] = 0;
  }

  private ascii(text: string, at: number): number {
    const buf = this.buf;
    for (let i = 0; i < text.length; i++) buf[at++] = text.charCodeAt(i);
    return at;
  }
}

async function writeCollection(dir: string, name: string, docs: readonly Record<string, unknown>[]): Promise<void> {
  await writeFile(join(dir, `${name}.bson`), Buffer.concat(docs.map((d) => BSON.serialize(d))));
  await writeMetadata(dir, name, []);
}

async function writeMetadata(dir: string, name: string, indexes: { key: Record<string, number>; name: string }[]): Promise<void> {
  const all = [{ key: { _id: 1 }, name: "_id_" }, ...indexes].map((ix) => ({ v: 2, ...ix }));
  await writeFile(join(dir, `${name}.metadata.json`), EJSON.stringify({ indexes: all, collectionName: name, type: "collection" }, { relaxed: false }));
}
