// A large, consistent Countly dump for the scan benchmark (bench/run.ts), written as a
// stream: raw `[CLY]_custom` drill events (`countly_drill.drill_events`) plus what a
// healthy 25.x install holds beside them once its aggregator has processed every insert,
// so the whole post-restore scenario passes on it (a bench of a failing run would time
// findings formatting, not what a healthy install costs):
// - `countly.events_data` no-segment month documents (the day totals events-match-raw reads)
//   and `countly.events` `{list}`: the 25.x totals-only build, whose
//   api/aggregator/processing.js (001abe87) registers only processEventTotalsFromStream
//   (api/aggregator/usage.js 63d5a9b9), so no segment documents and no `segments`;
// - `countly.apps` as createApp writes them (fixtures/aggregate/system.ts appDocs);
// - `countly_drill.drill_meta` as the drill-meta consumer of processing.js (001abe87)
//   leaves it (fixtures/drill-meta.ts drillMetaDocs);
// - `countly.plugins` `_changeStreams`: each consumer's resume token at the newest insert
//   it watches (api/parts/data/changeStreamReader.js 04c2a351; fixtures/aggregate/system.ts
//   pluginDocs), naming this dump's drill_events UUID (`metadata.json`, fixtures/dump-writer.ts).
// Not modelled (their checks are not in post-restore): hourly, all-key and all-list
// events_data documents; raw sessions and views (post-restore skips their checks and says so).
// The raw documents are byte-identical to version 1's, so the single-check rows of both
// versions measure the same work.
//
// Raw documents are generated one at a time from a fixed seed and serialized in ~1 MiB
// batches; only the grouped totals (apps × events × days) and per app/event the newest
// value of each segment key are kept in memory.
import { Buffer } from "node:buffer";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import { ObjectId } from "bson";
import { eventsDataId, NO_SEGMENT } from "../countly/ids.ts";
import { COLLECTIONS } from "../countly/layout.ts";
import { dayKeyOfDay, dayOf, monthIdOfDay } from "../countly/time.ts";
import { appDocs, pluginDocs } from "../fixtures/aggregate/system.ts";
import { DB, type Databases, type Dataset, type Doc } from "../fixtures/dataset.ts";
import { drillMetaDocs } from "../fixtures/drill-meta.ts";
import { metadataJson, writeDump } from "../fixtures/dump-writer.ts";
import { Rng } from "../fixtures/prng.ts";
import { byInsertion, type RawRecord } from "../fixtures/records.ts";

/**
 * Bump when the generated data changes. Each version lives in its own directory
 * (`.bench/v<N>/`; version 1 wrote `.bench/drill-*` directly), so a new generator never
 * overwrites or deletes the datasets of another version someone may be measuring on.
 */
export const DATASET_VERSION = 2;
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
  const dir = join(root, `v${DATASET_VERSION}`, shapeName(shape));
  const gzDir = join(root, `v${DATASET_VERSION}`, `${shapeName(shape)}-gz`);
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

/** A raw insert as fixtures/records.ts orders them (byInsertion: `cd`, then `ts`, then `_id`). */
type Insert = Pick<RawRecord, "app" | "kind" | "key" | "cd" | "ts" | "id">;

/** What drill_meta is built from, per app and event key: its first insert and, per segment key, its first and newest insert and the newest value. */
interface KeyMeta {
  first: Insert;
  sg: Map<string, { first: Insert; last: Insert; value: string | number }>;
}

/** An insert as the RawRecord the fixtures' builders read (they read only its app, kind, key, cd, ts, _id and sg here). */
function asRecord(insert: Insert, sg?: Record<string, unknown>): RawRecord {
  return { ...insert, uid: "", did: "", lsid: "", c: 1, s: 0, dur: 0, up: {}, ...(sg ? { sg } : {}) };
}

/** Whether the insert at (`cd`, `ts`, `_id` of `insert()`) comes before `than`; `insert` is called only on a tie of `cd` and `ts`. */
function earlier(cd: number, ts: number, than: Insert, insert: () => Insert): boolean {
  return cd < than.cd || (cd === than.cd && ts <= than.ts && byInsertion(asRecord(insert()), asRecord(than)) < 0);
}

function later(cd: number, ts: number, than: Insert | undefined, insert: () => Insert): boolean {
  return than === undefined || cd > than.cd || (cd === than.cd && ts >= than.ts && byInsertion(asRecord(insert()), asRecord(than)) > 0);
}

function noteSegment(meta: KeyMeta, segKey: string, value: string | number, cd: number, ts: number, insert: () => Insert): void {
  const seen = meta.sg.get(segKey);
  if (!seen) {
    const at = insert();
    meta.sg.set(segKey, { first: at, last: at, value });
    return;
  }
  if (earlier(cd, ts, seen.first, insert)) seen.first = insert();
  if (later(cd, ts, seen.last, insert)) {
    seen.last = insert();
    seen.value = value;
  }
}

/**
 * One record per app and event key for fixtures/drill-meta.ts drillMetaDocs, in the order
 * of their first inserts, whose `sg` holds each segment key's newest value (the drill-meta
 * consumer re-sets `sg.<key>.type` on nearly every insert, so the newest value's type wins)
 * in the order the keys first arrived (each `$set` of a new path appends it).
 */
function metaRecords(apps: readonly BenchApp[], metas: readonly Map<string, KeyMeta>[]): RawRecord[] {
  const records: RawRecord[] = [];
  apps.forEach((app, i) => {
    for (const [key, meta] of metas[i]!) {
      const sg = [...meta.sg].sort(([, a], [, b]) => byInsertion(asRecord(a.first), asRecord(b.first)));
      records.push(asRecord(meta.first, sg.length ? Object.fromEntries(sg.map(([k, v]) => [k, v.value])) : undefined));
    }
  });
  return records.sort(byInsertion);
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
  // app -> key -> its first insert and each segment key's first and newest insert (drill_meta)
  const metas = appList.map(() => new Map<string, KeyMeta>());
  let newest: Insert | undefined;
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
      const idAt = w.hex("_id", rng, 2);
      /** This insert, in byInsertion's terms (its `_id` decoded only when kept). */
      const insert = (): Insert => ({ app: app.id, kind: "custom", key, cd, ts, id: w.textAt(idAt) });
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
      const byKey = metas[appIndex]!;
      let meta = byKey.get(key);
      if (!meta) byKey.set(key, (meta = { first: insert(), sg: new Map() }));
      else if (earlier(cd, ts, meta.first, insert)) meta.first = insert();
      if (later(cd, ts, newest, insert)) newest = insert();
      if (rng.chance(0.5)) {
        const [k1, v1] = SEGMENTS[rng.int(0, SEGMENTS.length - 1)]!;
        const first = rng.pick(v1);
        let second: [string, string | number] | undefined;
        if (rng.chance(0.3)) {
          const [k2, v2] = SEGMENTS[rng.int(0, SEGMENTS.length - 1)]!;
          second = [k2, rng.pick(v2)];
        }
        const sg = w.beginEmbedded("sg");
        if (second === undefined || second[0] !== k1) {
          w.value(k1, first);
          noteSegment(meta, k1, first, cd, ts, insert);
        }
        if (second !== undefined) {
          w.value(second[0], second[1]);
          noteSegment(meta, second[0], second[1], cd, ts, insert);
        }
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
      const byTotalsKey = totals[appIndex]!;
      let byDay = byTotalsKey.get(key);
      if (!byDay) byTotalsKey.set(key, (byDay = new Map()));
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
  await writeFile(join(drillDir, "drill_events.metadata.json"), metadataJson(DB.drill, COLLECTIONS.drillEvents));

  // countly.events (the totals-only build: `list` only) and countly.events_data (no-segment month documents)
  const events = appList.map((a, i) => ({ _id: new ObjectId(a.id), list: [...totals[i]!.keys()].sort() }));
  const eventsData: Doc[] = [];
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
  const databases: Databases = {
    [DB.countly]: {
      apps: appDocs(appList.map((a) => ({ id: a.id, name: a.name, key: `key-${a.id.slice(-4)}`, timezone: a.timezone }))),
      events,
      events_data: eventsData,
      plugins: pluginDocs(newest ? [asRecord(newest)] : [], "current"),
    },
    [DB.drill]: { [COLLECTIONS.drillMeta]: drillMetaDocs(metaRecords(appList, metas)) },
  };
  // the small collections and their metadata as mongodump writes them (drill_events is already written)
  await writeDump({ seed: SEED, layout: "current", apps: [], databases, corruptions: [] } satisfies Dataset, p.dir);

  let gzBytes = 0;
  if (gzip) {
    // the same dump as `mongodump --gzip` writes it: every .bson and .metadata.json gzip-compressed
    for (const db of [DB.drill, DB.countly]) {
      await mkdir(join(p.gzDir, "dump", db), { recursive: true });
      for (const file of await readdir(join(p.dir, "dump", db))) {
        await pipeline(createReadStream(join(p.dir, "dump", db, file)), createGzip(), createWriteStream(join(p.gzDir, "dump", db, `${file}.gz`)));
      }
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

  /** A string of `words` × 8 random hex digits; returns the offset of its value for textAt(). */
  hex(key: string, rng: Rng, words: number): number {
    this.head(2, key);
    const valueAt = this.length;
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
    return valueAt;
  }

  /** The ASCII string value written at `valueAt` (an offset hex() or string() returned) since the last take(). */
  textAt(valueAt: number): string {
    const n = this.buf.readInt32LE(valueAt) - 1;
    return this.buf.toString("latin1", valueAt + 4, valueAt + 4 + n);
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
