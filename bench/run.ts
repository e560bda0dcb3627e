// The benchmark: `npm run bench` (tsx bench/run.ts). Not a test: nothing fails on timings.
//
//   npm run bench [-- --sizes 5000000[,20000000]] [--suites core,apps,keys,memory,jobs,startup] [--rounds 1] [--regenerate]
//                    [--baseline DIR] [--prepare]
//
// --prepare: only generate (or find) the datasets that run would measure, and exit.
// --baseline DIR: another checkout of countly-check (e.g. `git archive main | tar -x -C DIR`
// plus a node_modules link) whose runs are measured beside this one's in the same rounds, on
// the same datasets: before/after numbers from one run.
//
// Every measurement runs in a child process of its own (so each peak RSS is separate) and
// the competitors of one comparison take turns within each round (a burst of load from the
// other users of this shared machine then hits all of them alike); the best wall time of
// `--rounds` counts. Results are ratios from one run. Suites:
//   core    at each of --sizes raw events (default 5M; 20M takes minutes here): events-match-raw
//           (.bson, and .bson.gz at the first size only) vs the Python + C-bson baseline (bench/python_baseline.py;
//           both whole processes: `countly-check run` of the built CLI, --jobs 1, so dist/ must be built) and
//           vs the limits (framing only, full BSON.deserialize, gunzip + framing; first size only); the whole
//           post-restore scenario vs events-match-raw alone.
//   apps    1M raw events over 2, 200 and 2,000 apps (10 keys each): time and peak RSS.
//   keys    1M raw events of 1 app with 3, 1,000 and 10,000 event keys: time and peak RSS.
//   jobs    --jobs 1 vs --jobs 2 (worker threads) at the first of --sizes, 6 apps: events-match-raw
//           and the whole post-restore scenario; and .bson.gz (one thread) vs .bson.
//   startup `--version` and a run on a tiny dump vs `node -e 0` (bench/startup.ts; alone: --startup-only;
//           `--startup-baseline DIR`: another checkout, built, in the same rounds).
//   memory  200 apps x 500 keys over 2M raw events (~1.8M app/event/day groups), and 2,000 apps
//           x 500 keys = 1M distinct event names over 1M raw events (default --max-memory).
// Datasets are generated once into `.bench/v<DATASET_VERSION>/` (git-ignored; 5M is ~1.3 GB plus its .gz copy;
// bench/drill-dataset.ts says what they hold: a healthy 25.x install, on which post-restore passes).
// The Python baseline needs python3 with Debian's python3-bson (pymongo's bson with its C
// extension): `apt-get install python3-bson`; without it that row says so.
// reports/bench.md (tracked) keeps the last full run (every suite; the default), with its command,
// date, commit and load (bench/report-file.ts); a run of some suites writes reports/bench-partial.md.
import { spawn, spawnSync } from "node:child_process";
import { createReadStream } from "node:fs";
import { mkdir, mkdtemp, open, readFile, rm, writeFile } from "node:fs/promises";
import { availableParallelism, cpus, loadavg, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { createGunzip } from "node:zlib";
import { pathToFileURL } from "node:url";
import { scanBsonFile } from "../runner/sources/dump/bson-file-scanner.ts";
import { datasetPaths, existingDataset, writeDataset, type DatasetInfo, type Shape } from "./drill-dataset.ts";
import { measureStartup, startupReport } from "./startup.ts";
import { ALL_SUITES, describeCommit, reportFile, runHeader } from "./report-file.ts";
import { mark, TARGETS } from "./targets.ts";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const BENCH_DIR = join(ROOT, ".bench");
const PYTHON_SCRIPT = join(ROOT, "bench", "python_baseline.py");

const SINGLE_CHECK = `name: bench
description: events-match-raw over the benchmark dump
checks:
  - id: events-match-raw
    check: events-match-raw
`;

type Mode = "frame" | "frame-gz" | "full" | "check" | "check-cli" | "check-js" | "check-gz" | "post-restore" | "python" | "check-j2" | "post-restore-j2" | "diff";

interface ChildResult {
  mode: Mode;
  documents: number;
  /** Uncompressed bytes of the drill collection (framing modes). */
  bytes: number;
  ms: number;
  /** CPU time (user + system, all threads) of the process during the same interval as `ms` (whole-process modes: the whole process). */
  cpuMs: number;
  maxRssKb: number;
  /** check modes: outcome counts ("passed 6", "error 1"...), and the first message of a non-passing case. */
  outcomes?: string;
  note?: string;
  /** python: the app/event/day groups it built (the generator's count is dataset.json `groups`). */
  groups?: number;
}

// ---------------------------------------------------------------------------
// child processes: one measurement each

async function child(mode: Mode, shape: Shape, tree: string): Promise<void> {
  const p = datasetPaths(BENCH_DIR, shape);
  let result: ChildResult;
  if (mode === "frame") result = await frameOnly(p.drill);
  else if (mode === "frame-gz") result = await frameOnlyGz(p.drillGz);
  else if (mode === "full") result = await fullDeserialize(p.dir, p.drill);
  else if (mode === "diff") result = await diffRun(p.dir, shape.documents, tree);
  else result = await checkRun(mode, mode === "check-gz" ? p.gzDir : p.dir, shape.documents, tree);
  result.maxRssKb = process.resourceUsage().maxRSS;
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/** Wall and CPU time from now on: `stop()` gives both over the same interval (the modules a mode loads before starting the clock count in neither). */
function clock(): { stop: () => { ms: number; cpuMs: number } } {
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  return {
    stop: () => {
      const cpu = process.cpuUsage(cpu0);
      return { ms: performance.now() - t0, cpuMs: (cpu.user + cpu.system) / 1000 };
    },
  };
}

/**
 * Reads the file as the scanner does (2 MiB positional reads into two buffers that take
 * turns, the next read overlapping the walk of the current chunk) and steps over every
 * document by its length prefix, decoding nothing.
 */
async function frameOnly(file: string): Promise<ChildResult> {
  const t = clock();
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
    return { mode: "frame", documents, bytes, ...t.stop(), maxRssKb: 0 };
  } finally {
    await fh.close();
  }
}

/** The .gz limit: gunzip as the scanner does (2 MiB chunks) and step over the documents. */
async function frameOnlyGz(file: string): Promise<ChildResult> {
  const t = clock();
  const stream = createReadStream(file, { highWaterMark: 2 * 1024 * 1024 }).pipe(createGunzip({ chunkSize: 2 * 1024 * 1024 }));
  const { documents, bytes } = await frame(stream as AsyncIterable<Uint8Array>);
  return { mode: "frame-gz", documents, bytes, ...t.stop(), maxRssKb: 0 };
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

/** What a full BSON.deserialize of every document costs (an object per document, as decoders that build documents do). */
async function fullDeserialize(_dir: string, file: string): Promise<ChildResult> {
  const t = clock();
  let sum = 0;
  const stats = await scanBsonFile(file, (doc) => (sum += typeof doc.c === "number" ? doc.c : 0));
  if (sum === 0) throw new Error("no counts");
  return { mode: "full", documents: stats.documents, bytes: stats.bytes, ...t.stop(), maxRssKb: 0 };
}

/** Imports a module of `tree` (this checkout or --baseline) by its path in the repository. */
const loaderOf =
  (tree: string) =>
  <T>(path: string): Promise<T> =>
    import(pathToFileURL(join(tree, path)).href) as Promise<T>;

/** A scenario run through the real path (runScenarios over a DumpSource), as `countly-check run` does it, with the code of `tree` (this checkout or --baseline). */
async function checkRun(mode: Mode, dir: string, documents: number, tree: string): Promise<ChildResult> {
  const load = loaderOf(tree);
  const { CHECKS } = await load<typeof import("../checks/index.ts")>("checks/index.ts");
  const { runScenarios } = await load<typeof import("../runner/run.ts")>("runner/run.ts");
  const { loadScenarioFile, parseScenario } = await load<typeof import("../runner/scenario/load.ts")>("runner/scenario/load.ts");
  const { DumpSource } = await load<typeof import("../runner/sources/dump/dump-source.ts")>("runner/sources/dump/dump-source.ts");
  const whole = mode === "post-restore" || mode === "post-restore-j2";
  const scenario = whole ? await loadScenarioFile(join(tree, "scenarios", "post-restore.yaml"), { registry: CHECKS }) : parseScenario(SINGLE_CHECK, "bench/events-match-raw.yaml", { registry: CHECKS });
  const t = clock();
  // the single-threaded rows stay single-threaded (--jobs 1); the -j2 modes use two worker threads
  const jobs = mode.endsWith("-j2") ? 2 : 1;
  let report = "";
  const run = await runScenarios([scenario], new DumpSource(dir, { jobs, onParallel: (r) => (report = "why" in r ? `one thread: ${r.why}` : `${r.workers} workers`) }), { registry: CHECKS });
  const { ms, cpuMs } = t.stop();
  const { outcomes, bad } = outcomesOf(run, (o) => o === "error" || (!whole && o !== "passed"));
  const note = [report, bad].filter(Boolean).join("; ");
  return { mode, documents, bytes: 0, ms, cpuMs, maxRssKb: 0, outcomes, note: note || undefined };
}

/** "passed 6, error 1" of a run's cases, and the first case whose outcome `isBad` says is worth a note. */
function outcomesOf(run: { suites: readonly { cases: readonly { name: string; outcome: string; message?: string }[] }[] }, isBad: (outcome: string) => boolean): { outcomes: string; bad?: string } {
  const cases = run.suites.flatMap((s) => s.cases);
  const counts = new Map<string, number>();
  for (const c of cases) counts.set(c.outcome, (counts.get(c.outcome) ?? 0) + 1);
  const bad = cases.find((c) => isBad(c.outcome));
  return { outcomes: [...counts].map(([o, n]) => `${o} ${n}`).join(", "), bad: bad ? `${bad.name}: ${bad.outcome} ${bad.message ?? ""}`.slice(0, 400) : undefined };
}

/**
 * `countly-check diff` of the dump against itself (a backup and its faithful restore), through
 * the command's own path (diffSides over two DumpSides, then the run model), default
 * --max-memory: both sides' event totals per app, event and month are what grows here.
 */
async function diffRun(dir: string, documents: number, tree: string): Promise<ChildResult> {
  const load = loaderOf(tree);
  const { diffSides } = await load<typeof import("../runner/diff/diff.ts")>("runner/diff/diff.ts");
  const { DumpSide } = await load<typeof import("../runner/diff/dump-side.ts")>("runner/diff/dump-side.ts");
  const { diffToRun } = await load<typeof import("../runner/diff/report.ts")>("runner/diff/report.ts");
  const { BACKUP_DATABASES } = await load<typeof import("../runner/diff/side.ts")>("runner/diff/side.ts");
  const t = clock();
  const run = diffToRun(await diffSides(new DumpSide(dir, BACKUP_DATABASES), new DumpSide(dir, BACKUP_DATABASES), { databases: BACKUP_DATABASES }));
  const { ms, cpuMs } = t.stop();
  const { outcomes, bad } = outcomesOf(run, (o) => o !== "passed" && o !== "skipped");
  return { mode: "diff", documents, bytes: 0, ms, cpuMs, maxRssKb: 0, outcomes, note: bad };
}

/** Modes that run countly-check itself (and so are measured for --baseline too). */
const CHECK_MODES: ReadonlySet<Mode> = new Set(["check", "check-cli", "check-gz", "post-restore", "diff"]);

function runChild(mode: Mode, shape: Shape, tree = ROOT): Promise<ChildResult> {
  if (mode === "python") return runPython(shape);
  if (mode === "check-cli") return runCli(shape, tree);
  return new Promise((resolvePromise, reject) => {
    // check-js: the scanner's JavaScript fallback (runner/sources/dump/bson-walk-native.ts), beside the wasm one
    const env = mode === "check-js" ? { ...process.env, COUNTLY_CHECK_SCANNER: "js" } : process.env;
    const p = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), "--child", mode, JSON.stringify(shape), tree], { stdio: ["ignore", "pipe", "inherit"], env });
    let text = "";
    p.stdout.on("data", (d) => (text += d));
    p.on("error", reject);
    p.on("exit", (code) => {
      if (code !== 0) return reject(new Error(`${mode} ${JSON.stringify(shape)}: child exited with ${code}`));
      try {
        resolvePromise(JSON.parse(text.trim().split("\n").pop()!) as ChildResult);
      } catch (e) {
        reject(e);
      }
    });
  });
}

/** A python3 that imports pymongo's bson with its C extension, or undefined. */
function findPython(): string | undefined {
  for (const py of ["python3", "/usr/bin/python3"]) {
    const r = spawnSync(py, ["-c", "import bson, sys; sys.exit(0 if bson.has_c() else 1)"], { stdio: "ignore" });
    if (r.status === 0) return py;
  }
  return undefined;
}

const PYTHON = findPython();

/** --baseline DIR, resolved; undefined without it. */
const BASELINE = ((): string | undefined => {
  const i = process.argv.indexOf("--baseline");
  return i >= 0 && process.argv[i + 1] ? resolve(process.argv[i + 1]!) : undefined;
})();

const HAS_GNU_TIME = spawnSync("/usr/bin/time", ["-f", "%M", "true"], { stdio: "ignore" }).status === 0;

/** A whole process timed from outside: wall time, and CPU (user + system) and peak RSS by GNU time when present. */
function timeProcess(argv: readonly string[]): Promise<{ code: number | null; out: string; err: string; ms: number; cpuMs: number; maxRssKb: number }> {
  return new Promise((resolvePromise, reject) => {
    const t0 = performance.now();
    const p = HAS_GNU_TIME ? spawn("/usr/bin/time", ["-f", "maxrss %M cpu %U %S", ...argv], { stdio: ["ignore", "pipe", "pipe"] }) : spawn(argv[0]!, argv.slice(1), { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    p.stdout.on("data", (d) => (out += d));
    p.stderr.on("data", (d) => (err += d));
    p.on("error", reject);
    p.on("exit", (code) => {
      const ms = performance.now() - t0;
      const usage = /maxrss (\d+) cpu ([\d.]+) ([\d.]+)\s*$/.exec(err);
      resolvePromise({ code, out, err, ms, cpuMs: usage ? (Number(usage[2]) + Number(usage[3])) * 1000 : 0, maxRssKb: usage ? Number(usage[1]) : 0 });
    });
  });
}

/** The Python baseline, its whole process (interpreter start, imports, reading, grouping). */
async function runPython(shape: Shape): Promise<ChildResult> {
  const dir = join(datasetPaths(BENCH_DIR, shape).dir, "dump");
  const r = await timeProcess([PYTHON!, PYTHON_SCRIPT, dir]);
  if (r.code !== 0) throw new Error(`python baseline exited with ${r.code}: ${r.err}`);
  const out = JSON.parse(r.out.trim().split("\n").pop()!) as { documents: number; groups: number };
  return { mode: "python", documents: out.documents, bytes: 0, ms: r.ms, cpuMs: r.cpuMs, maxRssKb: r.maxRssKb, note: `${out.groups} groups`, groups: out.groups };
}

/**
 * `countly-check run` of the single check as a user runs it, its whole process like the
 * Python row's (node start, loading the built CLI, the run, the reports), --jobs 1: the
 * competitor of the Python baseline. Needs the tree's dist/ (`npm run build`).
 */
async function runCli(shape: Shape, tree: string): Promise<ChildResult> {
  const dir = join(datasetPaths(BENCH_DIR, shape).dir, "dump");
  const out = await mkdtemp(join(tmpdir(), "countly-check-bench-"));
  try {
    await writeFile(join(out, "bench.yaml"), SINGLE_CHECK);
    const json = join(out, "report.json");
    const r = await timeProcess([process.execPath, join(tree, "bin", "countly-check.mjs"), "run", join(out, "bench.yaml"), "--source", dir, "--jobs", "1", "--quiet", "--junit", join(out, "junit.xml"), "--json", json]);
    if (r.code !== 0 && r.code !== 1) throw new Error(`countly-check run (${tree}) exited with ${r.code}: ${r.err.slice(0, 2000)}`);
    const report = JSON.parse(await readFile(json, "utf8")) as Parameters<typeof outcomesOf>[0];
    const { outcomes, bad } = outcomesOf(report, (o) => o !== "passed");
    return { mode: "check-cli", documents: shape.documents, bytes: 0, ms: r.ms, cpuMs: r.cpuMs, maxRssKb: r.maxRssKb, outcomes, note: bad };
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------
// parent: data, measurements, report

const fmt = (n: number, digits = 0) => n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
const millions = (n: number) => `${fmt(n / 1e6, 2)} M`;
const say = (text: string) => process.stdout.write(text);

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

interface Measured {
  shape: Shape;
  mode: Mode;
  /** Measured with the --baseline checkout's code. */
  baseline: boolean;
  best: ChildResult;
  peakRssMb: number;
  /** Wall time of every round, ms. */
  allMs: number[];
}

async function dataset(shape: Shape, gzip: boolean, regenerate: boolean): Promise<DatasetInfo> {
  const existing = regenerate ? undefined : await existingDataset(BENCH_DIR, shape, gzip);
  if (existing) return existing;
  const t = performance.now();
  say(`dataset ${JSON.stringify(shape)}: generating into ${datasetPaths(BENCH_DIR, shape).dir} …\n`);
  const info = await writeDataset(BENCH_DIR, shape, gzip, (line) => say(`${line}\n`));
  say(`  written in ${fmt((performance.now() - t) / 1000, 1)} s\n`);
  return info;
}

/** Worst/best wall time of every row measured over more than one round (the run's noise). */
const SPREADS: { ratio: number; row: string }[] = [];

/** Runs the modes over the shapes, taking turns (with --baseline, its runs beside each check run), `rounds` times; the best wall time of each counts. */
async function measure(shapes: readonly Shape[], modes: readonly Mode[], rounds: number): Promise<Measured[]> {
  const out = new Map<string, Measured>();
  for (let r = 0; r < rounds; r++) {
    const line: string[] = [];
    for (const shape of shapes) {
      for (const mode of modes) {
        if (mode === "python" && !PYTHON) continue;
        for (const baseline of BASELINE && CHECK_MODES.has(mode) ? [false, true] : [false]) {
          const res = await runChild(mode, shape, baseline ? BASELINE : ROOT);
          const id = `${JSON.stringify(shape)} ${mode} ${baseline}`;
          const prev = out.get(id);
          const peak = Math.max(prev?.peakRssMb ?? 0, res.maxRssKb / 1024);
          const allMs = [...(prev?.allMs ?? []), res.ms];
          if (!prev || res.ms < prev.best.ms) out.set(id, { shape, mode, baseline, best: res, peakRssMb: peak, allMs });
          else Object.assign(prev, { peakRssMb: peak, allMs });
          line.push(`${mode}${baseline ? " (baseline)" : ""} ${fmt(res.ms / 1000, 2)} s`);
        }
      }
    }
    say(`  round ${r + 1}/${rounds}: ${line.join(", ")}\n`);
  }
  for (const m of out.values()) if (m.allMs.length > 1) SPREADS.push({ ratio: Math.max(...m.allMs) / Math.min(...m.allMs), row: `${describe(m.shape)}, ${LABELS[m.mode]}${m.baseline ? " (baseline)" : ""}` });
  return [...out.values()];
}

const LABELS: Record<Mode, string> = {
  frame: "framing only (the limit)",
  "frame-gz": "gunzip + framing only (the .gz limit)",
  full: "full BSON.deserialize (an object per document)",
  check: "countly-check events-match-raw, .bson",
  "check-cli": "`countly-check run` of events-match-raw, .bson, --jobs 1, its whole process (as the Python row)",
  "check-js": "countly-check events-match-raw, .bson, JavaScript scanner (COUNTLY_CHECK_SCANNER=js)",
  "check-gz": "countly-check events-match-raw, .bson.gz",
  "post-restore": "countly-check, the whole post-restore scenario, .bson",
  python: "Python 3 + pymongo C bson, the same group-by (bench/python_baseline.py)",
  "check-j2": "countly-check events-match-raw, .bson, --jobs 2",
  "post-restore-j2": "countly-check, the whole post-restore scenario, .bson, --jobs 2",
  diff: "countly-check diff, the dump against itself",
};

function table(rows: readonly Measured[], infos: Map<string, DatasetInfo>): string[] {
  const lines = ["| dataset | path | wall | docs/s | CPU | peak RSS | outcome |", "|---|---|---:|---:|---:|---:|---|"];
  for (const r of rows) {
    const info = infos.get(JSON.stringify(r.shape))!;
    lines.push(
      `| ${describe(r.shape)} (${fmt(info.groups)} groups) | ${LABELS[r.mode]}${r.baseline ? " — **baseline** (--baseline)" : ""} | ${fmt(r.best.ms / 1000, 2)} s | ${millions((r.shape.documents / r.best.ms) * 1000)}/s | ${r.best.cpuMs ? `${fmt(r.best.cpuMs / 1000, 2)} s` : ""} | ${r.peakRssMb ? `${fmt(r.peakRssMb)} MB` : ""} | ${r.best.outcomes ?? r.best.note ?? ""}${r.best.outcomes && r.best.note ? ` (${r.best.note.replace(/\|/g, "/")})` : ""} |`,
    );
  }
  return lines;
}

const APPS_SHAPES: readonly Shape[] = [2, 200, 2000].map((apps) => ({ documents: 1_000_000, apps, keysPerApp: 10 }));
const KEYS_SHAPES: readonly Shape[] = [3, 1000, 10000].map((keysPerApp) => ({ documents: 1_000_000, apps: 1, keysPerApp }));
/** 200 apps × 500 keys over 2M raw events; 2,000 apps × 500 keys (1M distinct names) over 1M. */
const MEMORY_SHAPES: readonly [Shape, Shape] = [
  { documents: 2_000_000, apps: 200, keysPerApp: 500 },
  { documents: 1_000_000, apps: 2000, keysPerApp: 500 },
];

/** Every dataset the suites need at these sizes, and whether with its .bson.gz copy (core and jobs: the first size). */
function datasetsFor(sizes: readonly number[], suites: ReadonlySet<string>): { shape: Shape; gzip: boolean }[] {
  const out: { shape: Shape; gzip: boolean }[] = [];
  if (suites.has("core") || suites.has("jobs")) out.push({ shape: { documents: sizes[0]! }, gzip: true });
  if (suites.has("core")) for (const documents of sizes.slice(1)) out.push({ shape: { documents }, gzip: false });
  if (suites.has("apps")) for (const shape of APPS_SHAPES) out.push({ shape, gzip: false });
  if (suites.has("keys")) for (const shape of KEYS_SHAPES) out.push({ shape, gzip: false });
  if (suites.has("memory")) for (const shape of MEMORY_SHAPES) out.push({ shape, gzip: false });
  return out;
}

function describe(shape: Shape): string {
  return `${fmt(shape.documents)} raw events${shape.apps === undefined ? ", 6 apps" : `, ${fmt(shape.apps)} apps × ${fmt(shape.keysPerApp ?? 10)} keys`}`;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === "--child") return child(args[1] as Mode, JSON.parse(args[2]!) as Shape, args[3] ?? ROOT);
  if (args.includes("--startup-only")) {
    process.stdout.write(`\n${startupReport(await measureStartup(ROOT, 10, (t) => process.stdout.write(t), option(args, "--startup-baseline"))).join("\n")}`);
    return;
  }
  const sizes = (option(args, "--sizes") ?? "5000000").split(",").map((s) => Number(s.replace(/_/g, "")));
  const suites = new Set((option(args, "--suites") ?? ALL_SUITES.join(",")).split(","));
  const unknown = [...suites].filter((s) => !(ALL_SUITES as readonly string[]).includes(s));
  if (unknown.length) throw new Error(`--suites: unknown suite ${unknown.join(", ")} (suites: ${ALL_SUITES.join(", ")})`);
  const rounds = Math.max(1, Number(option(args, "--rounds") ?? 1));
  const regenerate = args.includes("--regenerate");
  if (args.includes("--prepare")) {
    // the datasets of this run, generated (or found) now, so the measured run later does not wait for them
    for (const { shape, gzip } of datasetsFor(sizes, suites)) {
      const info = await dataset(shape, gzip, regenerate);
      say(`${datasetPaths(BENCH_DIR, shape).dir}${gzip ? " (and -gz)" : ""}: ${fmt(info.documents)} raw events, ${fmt(info.groups)} groups\n`);
    }
    return;
  }
  const started = performance.now();
  const date = new Date();
  const load = loadavg();
  const suiteLoads: { suite: string; load: number }[] = [];
  /** Notes the load as a suite starts. */
  const suiteStart = (suite: string) => suiteLoads.push({ suite, load: loadavg()[0]! });

  const infos = new Map<string, DatasetInfo>();
  const md: string[] = [];
  const targets: string[] = [];
  const find = (rows: Measured[], shape: Shape, mode: Mode, baseline = false) => rows.find((r) => JSON.stringify(r.shape) === JSON.stringify(shape) && r.mode === mode && r.baseline === baseline);
  /** A measure of this checkout, then " (baseline: …)" the same of the --baseline checkout's runs. */
  const both = (text: (baseline: boolean) => string): string => `${text(false)}${BASELINE ? ` (baseline: ${text(true)})` : ""}`;
  const rate = (m: Measured | undefined) => (m ? (m.shape.documents / m.best.ms) * 1000 : NaN);
  if (!PYTHON) say("python3 with pymongo's C bson not found: the Python baseline is skipped (install it with `apt-get install python3-bson`)\n");

  if (suites.has("core")) {
    suiteStart("core");
    const checks: Measured[] = [];
    for (const documents of sizes) {
      const shape: Shape = { documents };
      // the limits and the .bson.gz vs .bson rows only at the first size: a larger size (20M is
      // 5.3 GB; a full deserialize of it takes minutes) is the check vs the baseline, and needs no .gz copy
      const withGz = documents === sizes[0];
      infos.set(JSON.stringify(shape), await dataset(shape, withGz, regenerate));
      say(`core, ${fmt(documents)} raw events:\n`);
      const rows = await measure([shape], withGz ? ["frame", "full", "check", "check-cli", "check-js", "post-restore", "python", "frame-gz", "check-gz"] : ["check", "check-cli", "post-restore", "python"], rounds);
      md.push(`## ${fmt(documents)} raw events: events-match-raw, the baseline${withGz ? " and the limits" : ""}`, "", ...table(rows, infos), "");
      const check = (b: boolean) => find(rows, shape, "check", b)!;
      const cli = (b: boolean) => find(rows, shape, "check-cli", b)!;
      const py = find(rows, shape, "python");
      const generated = infos.get(JSON.stringify(shape))!.groups;
      const whole = (b: boolean) => find(rows, shape, "post-restore", b)!;
      const gz = (b: boolean) => find(rows, shape, "check-gz", b)!;
      const frame = find(rows, shape, "frame")!;
      const full = find(rows, shape, "full")!;
      checks.push(check(false));
      targets.push(`- ${fmt(documents)} raw events:`);
      targets.push(
        py
          ? `  - events-match-raw vs Python + C bson, both whole processes (\`countly-check run\`, --jobs 1): ${both((b) => `${fmt(py.best.ms / cli(b).best.ms, 1)}× faster by wall time${py.best.cpuMs && cli(b).best.cpuMs ? `, ${fmt(py.best.cpuMs / cli(b).best.cpuMs, 1)}× by CPU time` : ""}`)}; target ≥ 12×: ${mark(TARGETS.python(py.best.ms, cli(false).best.ms))}` +
              (py.best.groups === generated ? "" : `; **the baseline built ${fmt(py.best.groups ?? 0)} groups, the generator ${fmt(generated)}: not the same group-by**`)
          : "  - Python baseline not run (python3-bson missing)",
      );
      const cpuRate = (m: Measured) => (documents / m.best.cpuMs) * 1000;
      targets.push(`  - single-threaded rate (--jobs 1, in-process: open, read apps/events/events_data/drill_events, evaluate): ${both((b) => `${millions(cpuRate(check(b)))}/s of CPU time (${millions(rate(check(b)))}/s by wall time)`)}; target ≥ 3.5 M/s of CPU time: ${mark(TARGETS.rate(documents, check(false).best.cpuMs))}`);
      targets.push(`  - whole post-restore scenario vs events-match-raw alone: ${both((b) => `${fmt(whole(b).best.ms / check(b).best.ms, 2)}× by wall time, ${fmt(whole(b).best.cpuMs / check(b).best.cpuMs, 2)}× by CPU time`)}; target ≤ 1.3×: ${mark(TARGETS.postRestore(whole(false).best.ms, check(false).best.ms))}`);
      if (withGz) targets.push(`  - .bson.gz vs .bson: ${both((b) => `${fmt(gz(b).best.ms / check(b).best.ms, 2)}× the time`)} (gunzip + framing alone: ${millions(rate(find(rows, shape, "frame-gz")))}/s)`);
      const js = find(rows, shape, "check-js");
      if (js) targets.push(`  - wasm scanner vs JS fallback (COUNTLY_CHECK_SCANNER=js), events-match-raw: ${fmt(js.best.ms / check(false).best.ms, 2)}× faster by wall time, ${fmt(js.best.cpuMs / check(false).best.cpuMs, 2)}× by CPU time (the wasm one runs only when native/bson-walk.wasm is built: \`npm run build\` with clang-14 and lld-14)`);
      if (withGz) targets.push(`  - limits: framing only ${millions(rate(frame))}/s (${fmt(check(false).best.ms / frame.best.ms, 1)}× faster than the check), full BSON.deserialize ${millions(rate(full))}/s (the check is ${fmt(full.best.ms / check(false).best.ms, 1)}× faster)`);
    }
    if (checks.length > 1) {
      // flat: the groups are the same (6 apps, 92 days), only the raw events grow
      const [first, last] = [checks[0]!, checks[checks.length - 1]!];
      targets.push(`- memory flat in the number of raw events: events-match-raw peak RSS ${fmt(first.peakRssMb)} MB at ${fmt(first.shape.documents)}, ${fmt(last.peakRssMb)} MB at ${fmt(last.shape.documents)} raw events (${fmt(last.peakRssMb / first.peakRssMb, 2)}×); target ≤ 1.2×: ${mark(TARGETS.flat(first.peakRssMb, last.peakRssMb))}`);
    }
  }
  if (suites.has("apps")) {
    suiteStart("apps");
    const shapes = APPS_SHAPES;
    for (const s of shapes) infos.set(JSON.stringify(s), await dataset(s, false, regenerate));
    say("apps: 2 vs 200 vs 2,000 apps, 1M raw events:\n");
    const rows = await measure(shapes, ["check"], rounds);
    md.push("## Linear in apps: 1M raw events over 2, 200 and 2,000 apps", "", ...table(rows, infos), "");
    const at = (i: number, b: boolean) => find(rows, shapes[i]!, "check", b)!;
    targets.push(`- 2,000 apps vs 2 apps, same 1M raw events: ${both((b) => `${fmt(at(2, b).best.ms / at(0, b).best.ms, 2)}× the time (200 apps: ${fmt(at(1, b).best.ms / at(0, b).best.ms, 2)}×)`)}; target ≤ 1.5×: ${mark(TARGETS.apps(at(2, false).best.ms, at(0, false).best.ms))}`);
  }
  if (suites.has("keys")) {
    suiteStart("keys");
    const shapes = KEYS_SHAPES;
    for (const s of shapes) infos.set(JSON.stringify(s), await dataset(s, false, regenerate));
    say("keys: 3 vs 1k vs 10k event keys, 1M raw events:\n");
    const rows = await measure(shapes, ["check"], rounds);
    md.push("## Event keys: 1M raw events of one app with 3, 1,000 and 10,000 keys", "", ...table(rows, infos), "");
    const at = (i: number, b: boolean) => find(rows, shapes[i]!, "check", b)!;
    targets.push(`- 10k vs 3 event keys: ${both((b) => `${fmt(at(2, b).best.ms / at(0, b).best.ms, 2)}× the time, peak RSS ${fmt(at(0, b).peakRssMb)} → ${fmt(at(2, b).peakRssMb)} MB`)}`);
  }
  if (suites.has("memory")) {
    suiteStart("memory");
    const [big, names] = MEMORY_SHAPES;
    for (const s of [big, names]) infos.set(JSON.stringify(s), await dataset(s, false, regenerate));
    say("memory: 200 apps × 500 keys over 2M raw events; 1M distinct event names (run, and diff of the dump against itself):\n");
    const rows = [...(await measure([big, names], ["check"], rounds)), ...(await measure([names], ["diff"], rounds))];
    md.push("## Memory: many groups, many distinct event names (default --max-memory)", "", ...table(rows, infos), "");
    const b = (x: boolean) => find(rows, big, "check", x)!;
    const n = (x: boolean) => find(rows, names, "check", x)!;
    targets.push(`- 200 apps × 500 keys, 2M raw events (${fmt(infos.get(JSON.stringify(big))!.groups)} app/event/day groups): ${both((x) => `peak RSS ${fmt(b(x).peakRssMb)} MB, ${fmt(b(x).best.ms / 1000, 1)} s`)}; target < 400 MB: ${mark(TARGETS.memory(b(false).peakRssMb))}`);
    targets.push(`- 2,000 apps × 500 keys (1M possible event names, ${fmt(infos.get(JSON.stringify(names))!.groups)} groups): ${both((x) => `peak RSS ${fmt(n(x).peakRssMb)} MB, ${n(x).best.outcomes}`)}; target < 400 MB or the budget's clear stop: ${mark(TARGETS.memoryOrStop(n(false).peakRssMb, n(false).best.outcomes, n(false).best.note))}`);
    const d = (x: boolean) => find(rows, names, "diff", x)!;
    targets.push(`- \`diff\` of that dump against itself: ${both((x) => `peak RSS ${fmt(d(x).peakRssMb)} MB, ${fmt(d(x).best.ms / 1000, 1)} s, ${d(x).best.outcomes}`)}; target < 400 MB or the budget's clear stop: ${mark(TARGETS.memoryOrStop(d(false).peakRssMb, d(false).best.outcomes, d(false).best.note))}`);
  }
  if (suites.has("jobs")) {
    suiteStart("jobs");
    const shape: Shape = { documents: sizes[0]! };
    infos.set(JSON.stringify(shape), await dataset(shape, true, regenerate));
    say(`jobs, ${fmt(shape.documents)} raw events: --jobs 1 vs --jobs 2, .bson.gz vs .bson:\n`);
    const load0 = loadavg()[0]!;
    const rows = await measure([shape], ["check", "check-j2", "post-restore", "post-restore-j2", "check-gz"], rounds);
    const busy = `load average ${load0.toFixed(2)} → ${loadavg()[0]!.toFixed(2)} on ${availableParallelism()} cores: this machine's second core is often busy with other people's work, so a second worker thread may get little of it`;
    md.push(`## Worker threads: --jobs 1 vs --jobs 2, ${fmt(shape.documents)} raw events (${busy})`, "", ...table(rows, infos), "");
    const j1 = find(rows, shape, "check")!;
    const j2 = find(rows, shape, "check-j2")!;
    const w1 = find(rows, shape, "post-restore")!;
    const w2 = find(rows, shape, "post-restore-j2")!;
    const gz = find(rows, shape, "check-gz")!;
    targets.push(`- --jobs 2 vs --jobs 1 (${busy}):`);
    targets.push(`  - events-match-raw: ${fmt(j1.best.ms / j2.best.ms, 2)}× faster by wall time (CPU time ${fmt(j2.best.cpuMs / j1.best.cpuMs, 2)}× one thread's, all threads)`);
    targets.push(`  - whole post-restore scenario: ${fmt(w1.best.ms / w2.best.ms, 2)}× faster by wall time (CPU ${fmt(w2.best.cpuMs / w1.best.cpuMs, 2)}×)`);
    targets.push(`  - .bson.gz (one thread: gunzip is the limit) vs .bson --jobs 1: ${fmt(gz.best.ms / j1.best.ms, 2)}× the time; vs .bson --jobs 2: ${fmt(gz.best.ms / j2.best.ms, 2)}×`);
  }
  if (suites.has("startup")) suiteStart("startup");
  if (suites.has("startup")) md.push(...startupReport(await measureStartup(ROOT, 10, say, option(args, "--startup-baseline"))), "");

  const out = reportFile(ROOT, suites);
  const widestSpread = SPREADS.reduce<{ ratio: number; row: string } | undefined>((w, x) => (!w || x.ratio > w.ratio ? x : w), undefined);
  const head = [
    "# Benchmark (`npm run bench`)",
    "",
    ...runHeader({ args, date, commit: describeCommit(ROOT), node: process.version, cpu: cpus()[0]?.model.trim() ?? "CPU", cores: cpus().length, loadStart: load, loadEnd: loadavg(), suiteLoads, rounds, widestSpread, full: out.full }),
    "",
    `Each run is its own process; CPU is user + system of the best run. ` +
      (BASELINE ? `Rows marked baseline ran the code of ${BASELINE} (--baseline) on the same datasets in the same rounds. ` : "") +
      `countly-check rows are end to end in-process (open the dump, read apps, events, events_data and drill_events, evaluate; CPU over the same interval), except the \`countly-check run\` row, which is its whole process like the Python row: the Python ratio compares those two.`,
    "",
    "Targets (issue 12):",
    "",
    ...targets,
    "",
  ];
  const text = [...head, ...md, `Total benchmark time ${fmt((performance.now() - started) / 1000)} s.`, ""].join("\n");
  say(`\n${text}`);
  await mkdir(dirname(out.path), { recursive: true });
  await writeFile(out.path, text);
  say(`\nwritten to ${out.path}${out.full ? "" : " (a partial run; reports/bench.md keeps the last full run)"}\n`);
}

await main();
