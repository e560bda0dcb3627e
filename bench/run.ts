// Dump scanning benchmark: `npm run bench` (tsx bench/run.ts).
//
//   npm run bench [-- --sizes 1000000,5000000] [--rounds 3] [--regenerate] [--no-gzip] [--startup-only]
//
// 1. Generates (once; reused from `.bench/`, which git ignores; about 1.9 GB) consistent
//    Countly dumps of 1M and 5M raw `[CLY]_custom` drill events (~264 bytes each) with their
//    apps, event lists and aggregated `events_data` (bench/drill-dataset.ts, streamed: never
//    all documents in memory), plus a `mongodump --gzip` style copy.
// 2. Measures, each run in a child process of its own (so every peak RSS is separate), best
//    of `--rounds` runs by wall time, the modes taking turns within each round (a burst of
//    load from elsewhere on the machine then hits all of them alike):
//      framing only      read the .bson and walk its length prefixes: the limit;
//      full deserialize  BSON.deserialize of every document + the rawEvents grouping;
//      countly-check     `events-match-raw` through the real path: runScenarios with a
//                        one-check scenario over `new DumpSource(dir)` (.bson and .bson.gz),
//                        which must pass on this consistent data.
// 3. Prints the table with docs/s, MB/s (uncompressed), CPU time, peak RSS and the ratios,
//    and the targets met or missed; writes the same to reports/bench.md.
// Not a test: nothing fails on timings (the exit code is 1 only if the check did not pass).
import { spawn } from "node:child_process";
import { createReadStream } from "node:fs";
import { mkdir, open, writeFile } from "node:fs/promises";
import { cpus, loadavg } from "node:os";
import { dirname, join, resolve } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { createGunzip } from "node:zlib";
import { CHECKS } from "../checks/index.ts";
import { rawEventsFromDump } from "../runner/facts/dump/raw-events.ts";
import type { FactScope } from "../runner/facts/types.ts";
import { runScenarios } from "../runner/run.ts";
import { parseScenario } from "../runner/scenario/load.ts";
import { scanBsonFile } from "../runner/sources/dump/bson-file-scanner.ts";
import { DumpSource } from "../runner/sources/dump/dump-source.ts";
import { datasetPaths, existingDataset, writeDataset, type DatasetInfo } from "./drill-dataset.ts";
import { measureStartup, startupReport } from "./startup.ts";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const BENCH_DIR = join(ROOT, ".bench");
const REPORT = join(ROOT, "reports", "bench.md");

const SCENARIO = `name: bench
description: events-match-raw over the benchmark dump
checks:
  - id: events-match-raw
    check: events-match-raw
`;

type Mode = "frame" | "full" | "project" | "frame-gz" | "project-gz";

interface ChildResult {
  mode: Mode;
  documents: number;
  /** Uncompressed bytes of the drill collection. */
  bytes: number;
  ms: number;
  /** CPU time of the process (all its threads) during the measurement. */
  cpuMs: number;
  maxRssKb: number;
  /** project modes: the outcomes of the check's cases. */
  outcomes?: string[];
}

// ---------------------------------------------------------------------------
// child processes: one measurement each

async function child(mode: Mode, documents: number): Promise<void> {
  const p = datasetPaths(BENCH_DIR, documents);
  const cpu0 = process.cpuUsage();
  let result: ChildResult;
  if (mode === "frame") result = await frameOnly(p.drill);
  else if (mode === "frame-gz") result = await frameOnlyGz(p.drillGz);
  else if (mode === "full") result = await fullDeserialize(p.dir, p.drill);
  else result = await projectPath(mode, mode === "project" ? p.dir : p.gzDir, documents);
  const cpu = process.cpuUsage(cpu0);
  result.cpuMs = (cpu.user + cpu.system) / 1000;
  result.maxRssKb = process.resourceUsage().maxRSS;
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/**
 * Reads the file as the scanner does (2 MiB positional reads into two buffers that take
 * turns, the next read overlapping the walk of the current chunk) and steps over every
 * document by its length prefix, decoding nothing.
 */
async function frameOnly(file: string): Promise<ChildResult> {
  const t0 = performance.now();
  const chunk = 2 * 1024 * 1024;
  const fh = await open(file, "r");
  const buffers = [new Uint8Array(chunk), new Uint8Array(chunk)];
  let turn = 0;
  let position = 0;
  const readNext = async (): Promise<Uint8Array> => {
    const into = buffers[turn]!;
    turn ^= 1;
    const { bytesRead } = await fh.read(into, 0, chunk, position);
    position += bytesRead;
    return into.subarray(0, bytesRead);
  };
  async function* chunks(): AsyncGenerator<Uint8Array> {
    let pending = readNext();
    for (;;) {
      const b = await pending;
      if (b.length === 0) return;
      pending = readNext();
      yield b;
    }
  }
  try {
    const { documents, bytes } = await frame(chunks());
    return { mode: "frame", documents, bytes, ms: performance.now() - t0, cpuMs: 0, maxRssKb: 0 };
  } finally {
    await fh.close();
  }
}

/** The .gz limit: gunzip as the scanner does (2 MiB chunks) and step over the documents. */
async function frameOnlyGz(file: string): Promise<ChildResult> {
  const t0 = performance.now();
  const stream = createReadStream(file, { highWaterMark: 2 * 1024 * 1024 }).pipe(createGunzip({ chunkSize: 2 * 1024 * 1024 }));
  const { documents, bytes } = await frame(stream as AsyncIterable<Uint8Array>);
  return { mode: "frame-gz", documents, bytes, ms: performance.now() - t0, cpuMs: 0, maxRssKb: 0 };
}

/** Counts the documents of a stream of chunks by their length prefixes. */
async function frame(chunks: AsyncIterable<Uint8Array>): Promise<{ documents: number; bytes: number }> {
  let documents = 0;
  let bytes = 0;
  const head = new Uint8Array(4);
  let headLen = 0; // bytes of a length prefix cut by a chunk boundary
  let skip = 0; // bytes of the current document still to step over in later chunks
  for await (const b of chunks) {
    const n = b.length;
    bytes += n;
    let p = 0;
    if (headLen > 0) {
      while (headLen < 4 && p < n) head[headLen++] = b[p++]!;
      if (headLen < 4) continue;
      skip = (head[0]! | (head[1]! << 8) | (head[2]! << 16) | (head[3]! << 24)) - 4;
      documents++;
      headLen = 0;
    }
    if (skip > 0) {
      const take = Math.min(skip, n - p);
      p += take;
      skip -= take;
      if (skip > 0) continue;
    }
    while (p + 4 <= n) {
      const size = b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24);
      if (size < 5) throw new Error(`bad document length ${size}`);
      documents++;
      if (size > n - p) {
        skip = size - (n - p);
        p = n;
        break;
      }
      p += size;
    }
    while (p < n) head[headLen++] = b[p++]!;
  }
  if (headLen > 0 || skip > 0) throw new Error("truncated file");
  return { documents, bytes };
}

/** What the project's grouping costs on fully deserialized documents (BSON.deserialize, no field selection). */
async function fullDeserialize(dir: string, file: string): Promise<ChildResult> {
  const t0 = performance.now();
  const basics = await new DumpSource(dir).open();
  const scope: FactScope = { apps: basics.apps, period: {}, layout: basics.layout, databases: basics.databases, params: { tailMinutes: 5 } };
  const visitor = rawEventsFromDump.start(scope, basics.catalog);
  const ref = { db: basics.databases.drill, name: "drill_events" };
  const stats = await scanBsonFile(file, (doc) => visitor.visit(doc, ref));
  const fact = visitor.finish();
  if (fact.rows.length === 0) throw new Error("no groups");
  return { mode: "full", documents: stats.documents, bytes: stats.bytes, ms: performance.now() - t0, cpuMs: 0, maxRssKb: 0 };
}

/** `events-match-raw` as `countly-check run` runs it. */
async function projectPath(mode: Mode, dir: string, documents: number): Promise<ChildResult> {
  const info = (await existingDataset(BENCH_DIR, documents, mode === "project-gz"))!;
  const scenario = parseScenario(SCENARIO, "bench/events-match-raw.yaml", { registry: CHECKS });
  const t0 = performance.now();
  const run = await runScenarios([scenario], new DumpSource(dir), { registry: CHECKS });
  const ms = performance.now() - t0;
  const outcomes = run.suites.flatMap((s) => s.cases.map((c) => (c.outcome === "passed" ? c.outcome : `${c.name}: ${c.outcome} ${c.message ?? ""} ${JSON.stringify(c.findings.slice(0, 2))}`)));
  return { mode, documents: info.documents, bytes: info.drillBytes, ms, cpuMs: 0, maxRssKb: 0, outcomes };
}

function runChild(mode: Mode, documents: number): Promise<ChildResult> {
  return new Promise((resolvePromise, reject) => {
    const p = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), "--child", mode, String(documents)], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let text = "";
    p.stdout.on("data", (d) => (text += d));
    p.on("error", reject);
    p.on("exit", (code) => {
      if (code !== 0) return reject(new Error(`${mode} ${documents}: child exited with ${code}`));
      try {
        resolvePromise(JSON.parse(text.trim().split("\n").pop()!) as ChildResult);
      } catch (e) {
        reject(e);
      }
    });
  });
}

// ---------------------------------------------------------------------------
// parent: data, measurements, table

interface Row {
  documents: number;
  label: string;
  mode: Mode;
  docsPerSec: number;
  mbPerSec: number;
  ms: number;
  cpuMs: number;
  maxRssMb: number;
  outcomes?: string[];
}

const LABELS: Record<Mode, string> = {
  frame: "framing only (the limit)",
  full: "full BSON.deserialize + grouping",
  project: "countly-check events-match-raw, .bson",
  "frame-gz": "gunzip + framing only (the .gz limit)",
  "project-gz": "countly-check events-match-raw, .bson.gz",
};

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

const fmt = (n: number, digits = 0) => n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
const millions = (n: number) => `${fmt(n / 1e6, 2)} M`;

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === "--child") return child(args[1] as Mode, Number(args[2]));
  if (args.includes("--startup-only")) {
    process.stdout.write(`\n${startupReport(await measureStartup(ROOT, BENCH_DIR, 10, (t) => process.stdout.write(t))).join("\n")}`);
    return;
  }
  const sizes = (option(args, "--sizes") ?? "1000000,5000000").split(",").map((s) => Number(s.replace(/_/g, "")));
  const rounds = Math.max(1, Number(option(args, "--rounds") ?? 3));
  const gzip = !args.includes("--no-gzip");
  const regenerate = args.includes("--regenerate");
  const say = (text: string) => process.stdout.write(text);
  const started = performance.now();
  const load = loadavg();

  const infos = new Map<number, DatasetInfo>();
  for (const n of sizes) {
    let info = regenerate ? undefined : await existingDataset(BENCH_DIR, n, gzip);
    if (info) {
      say(`dataset ${fmt(n)} raw events: reusing ${datasetPaths(BENCH_DIR, n).dir}\n`);
    } else {
      const t = performance.now();
      say(`dataset ${fmt(n)} raw events: generating into ${datasetPaths(BENCH_DIR, n).dir} …\n`);
      info = await writeDataset(BENCH_DIR, n, gzip, (line) => say(`${line}\n`));
      say(`  written in ${fmt((performance.now() - t) / 1000, 1)} s\n`);
    }
    infos.set(n, info);
  }

  const rows: Row[] = [];
  let failed = false;
  const modes: Mode[] = gzip ? ["frame", "full", "project", "frame-gz", "project-gz"] : ["frame", "full", "project"];
  for (const n of sizes) {
    const info = infos.get(n)!;
    // rounds interleave the modes, so a burst of load from elsewhere hits all of them alike
    const best = new Map<Mode, ChildResult>();
    const peak = new Map<Mode, number>();
    for (let r = 0; r < rounds; r++) {
      const line: string[] = [];
      for (const mode of modes) {
        const res = await runChild(mode, n);
        if (res.documents !== n) throw new Error(`${mode}: read ${res.documents} documents, expected ${n}`);
        peak.set(mode, Math.max(peak.get(mode) ?? 0, res.maxRssKb));
        const prev = best.get(mode);
        if (!prev || res.ms < prev.ms) best.set(mode, res);
        line.push(`${mode} ${millions((n / res.ms) * 1000)}/s`);
      }
      say(`  ${fmt(n)} raw events, round ${r + 1}/${rounds}: ${line.join(", ")}\n`);
    }
    for (const mode of modes) {
      const b = best.get(mode)!;
      const row: Row = {
        documents: n,
        label: LABELS[mode],
        mode,
        ms: b.ms,
        cpuMs: b.cpuMs,
        docsPerSec: (n / b.ms) * 1000,
        mbPerSec: (info.drillBytes / 1e6 / b.ms) * 1000,
        maxRssMb: peak.get(mode)! / 1024,
        outcomes: b.outcomes,
      };
      rows.push(row);
      const bad = row.outcomes?.filter((o) => o !== "passed") ?? [];
      if (bad.length) {
        failed = true;
        say(`  ! ${row.label}: the check did not pass:\n    ${bad.join("\n    ")}\n`);
      }
    }
  }

  const startup = startupReport(await measureStartup(ROOT, BENCH_DIR, 10, say));
  const md = [report(rows, infos, rounds, load, loadavg(), (performance.now() - started) / 1000), ...startup].join("\n");
  say(`\n${md}`);
  await mkdir(dirname(REPORT), { recursive: true });
  await writeFile(REPORT, md);
  say(`\nwritten to ${REPORT}\n`);
  if (failed) process.exitCode = 1;
}

function report(rows: Row[], infos: Map<number, DatasetInfo>, rounds: number, load: number[], loadAfter: number[], seconds: number): string {
  const find = (n: number, mode: Mode) => rows.find((r) => r.documents === n && r.mode === mode);
  const lines: string[] = [];
  lines.push("# Dump scan benchmark");
  lines.push("");
  lines.push(
    `Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model.trim() ?? "CPU"}, load average ${load.map((l) => l.toFixed(2)).join(" ")} at the start, ` +
      `${loadAfter.map((l) => l.toFixed(2)).join(" ")} at the end. Best of ${rounds} run${rounds === 1 ? "" : "s"} by wall time, the modes taking turns, ` +
      `each run in its own process (peak RSS: the largest of the runs; CPU: user + system time of the best run, all threads, so reads and gunzip count). ` +
      `MB/s are uncompressed drill bytes. The countly-check rows are end to end: open the dump, read apps, events, events_data and drill_events, evaluate.`,
  );
  lines.push("");
  lines.push("| raw events | .bson size | path | docs/s | MB/s | CPU | peak RSS | vs full deserialize | vs framing |");
  lines.push("|---:|---:|---|---:|---:|---:|---:|---:|---:|");
  for (const r of rows) {
    const info = infos.get(r.documents)!;
    const full = find(r.documents, "full");
    const frame = find(r.documents, "frame");
    const size = `${fmt(info.drillBytes / 1e6)} MB (${fmt(info.drillBytes / info.documents)} B/doc)${r.mode.endsWith("-gz") ? `, .gz ${fmt(info.gzBytes / 1e6)} MB` : ""}`;
    lines.push(
      `| ${fmt(r.documents)} | ${size} | ${r.label} | ${millions(r.docsPerSec)} | ${fmt(r.mbPerSec)} | ${fmt(r.cpuMs / 1000, 2)} s | ${fmt(r.maxRssMb)} MB | ` +
        `${full ? `${fmt(r.docsPerSec / full.docsPerSec, 2)}×` : ""} | ${frame ? `1/${fmt(frame.docsPerSec / r.docsPerSec, 1)}` : ""} |`,
    );
  }
  lines.push("");
  lines.push("Targets:");
  lines.push("");
  const mark = (ok: boolean) => (ok ? "met" : "**missed**");
  for (const n of infos.keys()) {
    const p = find(n, "project");
    const full = find(n, "full");
    const frame = find(n, "frame");
    const gz = find(n, "project-gz");
    if (!p || !full || !frame) continue;
    lines.push(`- ${fmt(n)} raw events:`);
    lines.push(`  - ≥ 3 M raw events/s over .bson: ${millions(p.docsPerSec)}/s, ${mark(p.docsPerSec >= 3e6)}`);
    lines.push(`  - ≥ 4× full deserialization: ${fmt(p.docsPerSec / full.docsPerSec, 2)}×, ${mark(p.docsPerSec >= 4 * full.docsPerSec)}`);
    lines.push(`  - within 5× of framing only: framing is ${fmt(frame.docsPerSec / p.docsPerSec, 2)}× faster, ${mark(frame.docsPerSec <= 5 * p.docsPerSec)}`);
    lines.push(`  - peak RSS < 250 MB: ${fmt(p.maxRssMb)} MB (.bson)${gz ? `, ${fmt(gz.maxRssMb)} MB (.bson.gz)` : ""}, ${mark(p.maxRssMb < 250 && (!gz || gz.maxRssMb < 250))}`);
    const gzLimit = find(n, "frame-gz");
    if (gz) {
      lines.push(
        `  - .bson.gz ≥ 75 % of .bson: ${fmt((gz.docsPerSec / p.docsPerSec) * 100)} %, ${mark(gz.docsPerSec >= 0.75 * p.docsPerSec)}` +
          (gzLimit ? ` (gunzip + framing alone: ${millions(gzLimit.docsPerSec)}/s, ${fmt((gzLimit.docsPerSec / p.docsPerSec) * 100)} % of the .bson path; the .gz path is at ${fmt((gz.docsPerSec / gzLimit.docsPerSec) * 100)} % of that limit)` : ""),
      );
    }
  }
  const sizes = [...infos.keys()].sort((a, b) => a - b);
  if (sizes.length > 1) {
    const small = find(sizes[0]!, "project");
    const large = find(sizes[sizes.length - 1]!, "project");
    if (small && large) {
      lines.push(
        `- memory flat in the number of raw events: ${fmt(small.maxRssMb)} MB for ${fmt(sizes[0]!)}, ${fmt(large.maxRssMb)} MB for ${fmt(sizes[sizes.length - 1]!)} ` +
          `(grouped state: ${sizes.map((n) => `${fmt(infos.get(n)!.groups)} app/event/day groups`).join(" vs ")})`,
      );
    }
  }
  lines.push("");
  lines.push(`Total benchmark time ${fmt(seconds)} s.`);
  lines.push("");
  return lines.join("\n");
}

await main();
