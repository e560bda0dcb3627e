// Micro-benchmark for the dump reader's decoding paths.
//
//   npx tsx bench/decoder-micro.ts [documents=1000000] [rounds=3]
//
// Generates Countly-like raw drill event documents into a temporary .bson file, then
// reports docs/s and MB/s (best of `rounds`) for framing only, full BSON.deserialize,
// walking without decoding anything, and selective decoding of
// a, e, n, ts, cd, c, s, dur, up.src (with and without the per-field string cache):
//   A. CPU only: the first 4 MiB of documents, cache-resident, decoded repeatedly until
//      `documents` documents have been decoded;
//   B. end to end over the whole file: read stream + framing, and scanBsonFile
//      (page cache warm after generation).
// Not a test: nothing asserts on timings.
import { createReadStream } from "node:fs";
import { mkdtemp, open, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BSON, ObjectId } from "bson";
import { compileSelection, decodeSelected, setStringCaching } from "../runner/sources/dump/selective-decoder.ts";
import type { FieldSelection } from "../runner/sources/dump/selective-decoder.ts";
import { scanBsonFile } from "../runner/sources/dump/bson-file-scanner.ts";

const DOCS = Number(process.argv[2] ?? 1_000_000);
const ROUNDS = Number(process.argv[3] ?? 3);

const SELECTION: FieldSelection = { a: true, e: true, n: true, ts: true, cd: true, c: true, s: true, dur: true, up: ["src"] };

// --- deterministic generator -------------------------------------------------

let rngState = 20261125;
function rnd(): number {
  rngState = (Math.imul(rngState, 1103515245) + 12345) & 0x7fffffff;
  return rngState / 0x80000000;
}
function pick<T>(xs: readonly T[]): T {
  return xs[Math.floor(rnd() * xs.length)]!;
}
function hex(n: number): string {
  let s = "";
  for (let i = 0; i < n; i++) s += "0123456789abcdef"[Math.floor(rnd() * 16)];
  return s;
}
function uuid(): string {
  return `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`;
}

const APPS = Array.from({ length: 5 }, () => hex(24));
const CUSTOM_KEYS = [
  "purchase", "add_to_cart", "checkout_started", "level_completed", "level_failed", "login", "logout", "signup",
  "search", "share", "video_play", "video_pause", "push_open", "ad_click", "rate_app", "tutorial_step",
  "subscription_renewed", "subscription_cancelled", "item_viewed", "wishlist_add", "coupon_applied", "error_shown",
  "settings_changed", "friend_invited", "achievement_unlocked", "chat_message", "photo_uploaded", "map_opened",
  "filter_applied", "notification_toggle", "dark_mode_on", "payment_failed", "refund_requested", "onboarding_done",
  "feedback_sent", "deeplink_opened", "session_resumed", "bookmark_added", "download_started", "download_finished",
];
const SEGMENT_KEYS = ["category", "item_id", "price", "currency", "level", "result", "screen", "method", "source", "value"];
const COUNTRIES = ["DE", "US", "TR", "GB", "FR", "BR", "IN", "JP", "NL", "Unknown"];
const PLATFORMS = ["Android", "iOS", "Web", "macOS"];
const APP_VERSIONS = ["1:0:0", "1:2:3", "2:0:1", "2:1:0", "3:0:0"];
const SOURCES = ["organic", "google-play", "app-store", "facebook_ads", "referral", "email"];
const DEVICES = ["Pixel 7", "iPhone14,2", "SM-G991B", "iPad13,1", "Desktop"];
const LANGS = ["en", "de", "tr", "fr", "pt", "ja"];

function makeEvent(i: number): Record<string, unknown> {
  const ts = 1_700_000_000_000 + i * 37;
  const uid = (100000 + Math.floor(rnd() * 500000)).toString(36);
  const r = rnd();
  const e = r < 0.7 ? "[CLY]_custom" : r < 0.85 ? "[CLY]_session" : r < 0.95 ? "[CLY]_view" : "[CLY]_crash";
  const n = e === "[CLY]_custom" ? pick(CUSTOM_KEYS) : e === "[CLY]_view" ? `/screen/${pick(["home", "cart", "settings", "profile"])}` : e;
  const sg: Record<string, unknown> = {};
  const nsg = 3 + Math.floor(rnd() * 4);
  for (let k = 0; k < nsg; k++) {
    const key = SEGMENT_KEYS[(k * 3 + i) % SEGMENT_KEYS.length]!;
    sg[key] = k % 3 === 0 ? Math.floor(rnd() * 1000) : k % 3 === 1 ? pick(["gold", "silver", "ok", "fail", "EUR", "🎁 gift"]) : rnd() * 100;
  }
  return {
    _id: `${hex(40)}_${ts}`,
    a: pick(APPS),
    e,
    n,
    ts,
    cd: new Date(ts + 1500),
    uid,
    did: uuid(),
    c: 1 + Math.floor(rnd() * 3),
    s: Math.round(rnd() * 10000) / 100,
    dur: Math.floor(rnd() * 300),
    sg,
    up: {
      cc: pick(COUNTRIES),
      cty: pick(["Berlin", "Istanbul", "New York", "Unknown", "São Paulo"]),
      p: pick(PLATFORMS),
      pv: pick(["a13", "a14", "i17:1", "w"]),
      av: pick(APP_VERSIONS),
      src: pick(SOURCES),
      d: pick(DEVICES),
      r: pick(["1080x2400", "1170x2532", "1920x1080"]),
      la: pick(LANGS),
      fs: ts - 86_400_000 * Math.floor(rnd() * 300),
      ls: ts - 1000,
      sc: 1 + Math.floor(rnd() * 500),
    },
    lsid: `${hex(24)}`,
    custom: { tier: pick(["free", "pro", "team"]), cohort: pick(["A", "B"]), score: Math.floor(rnd() * 100) },
    lu: new Date(ts),
    hour: new Date(ts).getUTCHours(),
    peid: new ObjectId(),
  };
}

// --- helpers ------------------------------------------------------------------

function fmt(n: number, digits = 0): string {
  return n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

function report(label: string, ms: number, docs: number, bytes: number, base?: number): void {
  const dps = (docs / ms) * 1000;
  const mbs = (bytes / ms) * 1000 / 1e6;
  const rel = base !== undefined ? `  (${(dps / base).toFixed(2)}x full)` : "";
  console.log(`${label.padEnd(46)} ${fmt(dps).padStart(12)} docs/s ${fmt(mbs, 1).padStart(9)} MB/s  ${fmt(ms, 0).padStart(6)} ms${rel}`);
}

function best(fn: () => void): number {
  let min = Infinity;
  for (let r = 0; r < ROUNDS; r++) {
    const t = performance.now();
    fn();
    min = Math.min(min, performance.now() - t);
  }
  return min;
}

async function bestAsync(fn: () => Promise<void>): Promise<number> {
  let min = Infinity;
  for (let r = 0; r < ROUNDS; r++) {
    const t = performance.now();
    await fn();
    min = Math.min(min, performance.now() - t);
  }
  return min;
}

// --- main -----------------------------------------------------------------------

const dir = await mkdtemp(join(tmpdir(), "countly-check-decoder-micro-"));
const file = join(dir, "drill_events.bson");
try {
  const t0 = performance.now();
  const fh = await open(file, "w");
  const batch: Uint8Array[] = [];
  let batchBytes = 0;
  for (let i = 0; i < DOCS; i++) {
    const b = BSON.serialize(makeEvent(i));
    batch.push(b);
    batchBytes += b.length;
    if (batchBytes > 8 << 20 || i === DOCS - 1) {
      const out = new Uint8Array(batchBytes);
      let o = 0;
      for (const x of batch) {
        out.set(x, o);
        o += x.length;
      }
      await fh.write(out);
      batch.length = 0;
      batchBytes = 0;
    }
  }
  await fh.close();
  // Keep only the first WINDOW(+1 document) bytes in memory: holding the whole file would
  // put V8 under external-memory GC pressure and distort every number.
  const WINDOW = 4 << 20;
  const fileSize = (await stat(file)).size;
  const data = new Uint8Array(Math.min(fileSize, WINDOW + (17 << 20)));
  {
    const rh = await open(file, "r");
    await rh.read(data, 0, data.length, 0);
    await rh.close();
  }
  console.log(
    `generated ${fmt(DOCS)} documents, ${fmt(fileSize / 1e6, 1)} MB (avg ${fmt(fileSize / DOCS)} bytes/doc) in ${fmt(performance.now() - t0)} ms; node ${process.version}; best of ${ROUNDS}\n`,
  );

  // sanity: selective == projection of full for the first documents
  const sel = compileSelection(SELECTION);
  {
    let p = 0;
    for (let i = 0; i < 1000; i++) {
      const size = data[p]! | (data[p + 1]! << 8) | (data[p + 2]! << 16) | (data[p + 3]! << 24);
      const full = BSON.deserialize(data.subarray(p, p + size));
      const part = decodeSelected(data, p, p + size, sel);
      const up = full["up"] as Record<string, unknown>;
      const expected = { a: full["a"], e: full["e"], n: full["n"], ts: full["ts"], cd: full["cd"], c: full["c"], s: full["s"], dur: full["dur"], up: { src: up["src"] } };
      if (JSON.stringify(part) !== JSON.stringify(expected)) throw new Error(`mismatch at document ${i}`);
      p += size;
    }
  }

  let sink = 0;

  // A: CPU only. The first WINDOW bytes of documents stay cache-resident and are decoded
  // over and over (DOCS documents in total), so memory bandwidth does not dominate.
  let windowDocs = 0;
  let windowBytes = 0;
  while (windowBytes < data.length && windowBytes < WINDOW) {
    windowBytes += data[windowBytes]! | (data[windowBytes + 1]! << 8) | (data[windowBytes + 2]! << 16) | (data[windowBytes + 3]! << 24);
    windowDocs++;
  }
  const passes = Math.max(1, Math.round(DOCS / windowDocs));
  const cpuDocs = passes * windowDocs;
  const cpuBytes = passes * windowBytes;
  const win = data.subarray(0, windowBytes);
  const overWindow = (visit: (p: number, size: number) => void): void => {
    for (let pass = 0; pass < passes; pass++) {
      let p = 0;
      while (p < windowBytes) {
        const size = win[p]! | (win[p + 1]! << 8) | (win[p + 2]! << 16) | (win[p + 3]! << 24);
        visit(p, size);
        p += size;
      }
    }
  };

  console.log(`CPU only (${fmt(windowDocs)} documents / ${fmt(windowBytes / 1e6, 1)} MB decoded ${passes} times over):`);
  const tFrame = best(() => {
    let n = 0;
    for (let pass = 0; pass < passes; pass++) {
      let p = 0;
      while (p < windowBytes) {
        const size = win[p]! | (win[p + 1]! << 8) | (win[p + 2]! << 16) | (win[p + 3]! << 24);
        if (win[p + size - 1] !== 0) throw new Error("bad");
        p += size;
        n++;
      }
    }
    sink += n;
  });
  report("  framing only", tFrame, cpuDocs, cpuBytes);
  const tWalk = best(() => {
    const none = compileSelection({});
    overWindow((p, size) => (sink += Object.keys(decodeSelected(win, p, p + size, none)).length));
  });

  const tSel = best(() => {
    const s = compileSelection(SELECTION);
    overWindow((p, size) => (sink += decodeSelected(win, p, p + size, s)["c"] as number));
  });

  setStringCaching(false);
  const tSelNc = best(() => {
    const s = compileSelection(SELECTION);
    overWindow((p, size) => (sink += decodeSelected(win, p, p + size, s)["c"] as number));
  });
  setStringCaching(true);
  // full deserialize last: its allocation churn would otherwise tax the runs after it
  const tFull = best(() => overWindow((p, size) => (sink += Object.keys(BSON.deserialize(win.subarray(p, p + size))).length)));
  const fullRate = (cpuDocs / tFull) * 1000;
  report("  full BSON.deserialize", tFull, cpuDocs, cpuBytes);
  report("  selective, nothing selected (walk only)", tWalk, cpuDocs, cpuBytes, fullRate);
  report("  selective a,e,n,ts,cd,c,s,dur,up.src", tSel, cpuDocs, cpuBytes, fullRate);
  report("  selective, string cache off", tSelNc, cpuDocs, cpuBytes, fullRate);


  // B: end to end over the whole file (read stream, page cache warm).
  console.log(`\nend to end over the ${fmt(fileSize / 1e6, 1)} MB file (2 MiB read chunks, page cache warm):`);
  const tStreamFrame = await bestAsync(async () => {
    let n = 0;
    let carry = 0; // bytes of the current document still to skip in the next chunk(s)
    let head: number[] = [];
    for await (const chunk of createReadStream(file, { highWaterMark: 2 << 20 })) {
      const b = chunk as Uint8Array;
      let p = Math.min(carry, b.length);
      carry -= p;
      if (carry > 0) continue;
      if (head.length > 0) {
        while (head.length < 4) head.push(b[p++]!);
        const size = head[0]! | (head[1]! << 8) | (head[2]! << 16) | (head[3]! << 24);
        head = [];
        n++;
        const rest = size - 4;
        const take = Math.min(rest, b.length - p);
        p += take;
        carry = rest - take;
        if (carry > 0) continue;
      }
      while (p + 4 <= b.length) {
        const size = b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24);
        n++;
        if (size > b.length - p) {
          carry = size - (b.length - p);
          p = b.length;
          break;
        }
        p += size;
      }
      while (p < b.length) head.push(b[p++]!);
    }
    if (n !== DOCS) throw new Error(`framed ${n} documents, expected ${DOCS}`);
    sink += n;
  });
  report("  read stream + framing only", tStreamFrame, DOCS, fileSize);
  const tScanWalk = await bestAsync(async () => {
    await scanBsonFile(file, () => (sink += 1), { fields: {} });
  });

  const tScanSel = await bestAsync(async () => {
    await scanBsonFile(file, (d) => (sink += d["c"] as number), { fields: SELECTION });
  });


  const tScanFull = await bestAsync(async () => {
    await scanBsonFile(file, (d) => (sink += d["c"] as number));
  });
  report("  scanBsonFile, full BSON.deserialize", tScanFull, DOCS, fileSize);
  const scanFullRate = (DOCS / tScanFull) * 1000;
  report("  scanBsonFile, nothing selected", tScanWalk, DOCS, fileSize, scanFullRate);
  report("  scanBsonFile, a,e,n,ts,cd,c,s,dur,up.src", tScanSel, DOCS, fileSize, scanFullRate);

  if (sink === 42) console.log("");
} finally {
  await rm(dir, { recursive: true, force: true });
}
