// Memory and time of `countly-check diff` on two large dumps.
//
//   npx tsx bench/diff-memory.ts [documents=5000000] [--all-different] [--keep]
//
// Writes two mongodump folders with one `countly_drill.drill_events` collection of
// `documents` Countly-like raw events each (streamed to disk, never held in memory):
// the after side has 3 documents dropped, 2 changed, 1 added, and every 1000th
// document's fields in another order (not a difference). Then runs the diff in a child
// process and reports its peak RSS (`process.resourceUsage().maxRSS`) and time, and
// checks that exactly those differences were found. Target: peak RSS < 300 MB.
// --all-different changes every document of the after side instead (the worst case for
// naming differences: every bucket differs, so pass 2 works in rounds of at most
// 1,000,000 held (id, digest) pairs).
import { spawn } from "node:child_process";
import { createWriteStream } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { fileURLToPath } from "node:url";
import { Buffer } from "node:buffer";
import { BSON, EJSON } from "bson";
import { diffSides } from "../runner/diff/diff.ts";
import { DumpSide } from "../runner/diff/dump-side.ts";

const DROPPED = new Set([17, 2_000_003, 4_999_998]);
const CHANGED = new Set([42, 3_333_333]);

function idOf(i: number): string {
  // request hash, uid, ms, index: like drill_events ids
  const h = (Math.imul(i + 1, 2654435761) >>> 0).toString(16).padStart(8, "0");
  return `${h}${h}${h}${h}${h}_${i % 5000}_${1717000000000 + i * 37}_0`;
}

function docOf(i: number, changed: boolean): Record<string, unknown> {
  const ts = 1717000000000 + i * 37;
  return {
    _id: idOf(i),
    a: i % 3 === 0 ? "65f0c0ffee0000000000000a" : "65f0c0ffee0000000000000b",
    e: "[CLY]_custom",
    n: ["Login", "Purchase", "Share", "Level Complete"][i % 4],
    ts,
    cd: new Date(ts + 1500),
    uid: String(i % 5000),
    did: `device-${i % 5000}`,
    c: changed ? 2 : 1,
    s: (i % 100) / 4,
    dur: i % 60,
    sg: { method: ["card", "paypal", "cash"][i % 3], item: `sku-${i % 97}`, level: i % 30 },
    up: { cc: ["DE", "US", "IN", "BR"][i % 4], p: i % 2 ? "Android" : "iOS", src: "Google Play", av: "3.1.4" },
    lsid: `s${Math.floor(i / 7)}`,
  };
}

function reorder(doc: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(doc).reverse().map(([k, v]) => [k, v && typeof v === "object" && !(v instanceof Date) ? Object.fromEntries(Object.entries(v).reverse()) : v]));
}

function* chunks(n: number, after: boolean, allDifferent: boolean): Generator<Buffer> {
  let parts: Uint8Array[] = [];
  let size = 0;
  const flush = () => {
    const b = Buffer.concat(parts, size);
    parts = [];
    size = 0;
    return b;
  };
  for (let i = 0; i < n; i++) {
    if (after && DROPPED.has(i)) continue;
    let doc = docOf(i, after && (allDifferent || CHANGED.has(i)));
    if (after && i % 1000 === 0) doc = reorder(doc);
    const bytes = BSON.serialize(doc);
    parts.push(bytes);
    size += bytes.length;
    if (size >= 1 << 20) yield flush();
  }
  if (after) {
    const bytes = BSON.serialize({ ...docOf(n + 1, false), _id: "added-after-restore" });
    parts.push(bytes);
    size += bytes.length;
  }
  if (parts.length) yield flush();
}

async function writeSide(dir: string, n: number, after: boolean, allDifferent = false): Promise<void> {
  const folder = join(dir, "dump", "countly_drill");
  await mkdir(folder, { recursive: true });
  await pipeline(Readable.from(chunks(n, after, allDifferent)), createWriteStream(join(folder, "drill_events.bson")));
  const indexes = [
    { v: 2, key: { _id: 1 }, name: "_id_" },
    { v: 2, key: { a: 1, e: 1, ts: 1 }, name: "a_1_e_1_ts_1" },
    { v: 2, key: { cd: 1 }, name: "cd_1" },
  ];
  await writeFile(join(folder, "drill_events.metadata.json"), EJSON.stringify({ indexes, collectionName: "drill_events", type: "collection" }, { relaxed: false }));
}

async function child(before: string, after: string): Promise<void> {
  const t0 = performance.now();
  const result = await diffSides(new DumpSide(before), new DumpSide(after), { databases: ["countly_drill"], maxIds: 20 });
  const ms = performance.now() - t0;
  const c = result.collections[0]!;
  process.stdout.write(
    `${JSON.stringify({
      ms,
      maxRssKb: process.resourceUsage().maxRSS,
      documents: c.documents,
      onlyBefore: c.onlyBefore.count,
      onlyAfter: c.onlyAfter.count,
      different: c.different.count,
      buckets: c.buckets,
      rounds: c.rounds,
      indexes: c.indexes?.length,
    })}\n`,
  );
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === "--child") return child(args[1]!, args[2]!);
  const n = Number(args.find((a) => /^\d+$/.test(a)) ?? 5_000_000);
  const keep = args.includes("--keep");
  const allDifferent = args.includes("--all-different");
  const dir = await mkdtemp(join(tmpdir(), "cc-diff-bench-"));
  const before = join(dir, "before");
  const after = join(dir, "after");
  try {
    let t = performance.now();
    await writeSide(before, n, false);
    await writeSide(after, n, true, allDifferent);
    process.stdout.write(`wrote 2 × ${n.toLocaleString("en-US")} documents in ${((performance.now() - t) / 1000).toFixed(1)} s (${dir})\n`);

    t = performance.now();
    const out = await new Promise<string>((resolve, reject) => {
      const p = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), "--child", before, after], { stdio: ["ignore", "pipe", "inherit"] });
      let text = "";
      p.stdout.on("data", (d) => (text += d));
      p.on("error", reject);
      p.on("exit", (code) => (code === 0 ? resolve(text) : reject(new Error(`diff child exited ${code}`))));
    });
    const r = JSON.parse(out.trim().split("\n").pop()!);
    const wall = (performance.now() - t) / 1000;
    const expected = { onlyBefore: [...DROPPED].filter((i) => i < n).length, onlyAfter: 1, different: allDifferent ? n - [...DROPPED].filter((i) => i < n).length : [...CHANGED].filter((i) => i < n).length };
    const ok = r.onlyBefore === expected.onlyBefore && r.onlyAfter === expected.onlyAfter && r.different === expected.different;
    process.stdout.write(
      [
        `diff of 2 × ${n.toLocaleString("en-US")} documents (drill_events, ~${Math.round(BSON.serialize(docOf(1, false)).length)} bytes each):`,
        `  time       ${(r.ms / 1000).toFixed(1)} s in the diff (${wall.toFixed(1)} s with process start)`,
        `  peak RSS   ${(r.maxRssKb / 1024).toFixed(0)} MB (process.resourceUsage().maxRSS of the diff process)`,
        `  found      ${r.onlyBefore} only before, ${r.onlyAfter} only after, ${r.different} different (${r.buckets} differing buckets, ${r.rounds} naming round${r.rounds === 1 ? "" : "s"}); documents ${r.documents.before} / ${r.documents.after}`,
        `  expected   ${expected.onlyBefore} only before, ${expected.onlyAfter} only after, ${expected.different} different: ${ok ? "ok" : "MISMATCH"}`,
        "",
      ].join("\n"),
    );
    if (!ok) process.exitCode = 1;
  } finally {
    if (!keep) await rm(dir, { recursive: true, force: true });
  }
}

await main();
