// Start-up benchmark (issue 12 "instant start"), part of `npm run bench` (`--startup-only` runs
// just this): whole-process wall time of the installed-style CLI (bin/countly-check.mjs → dist/)
// for `--version` and for a `run` of the built-in scenarios and of scenarios/post-restore.yaml
// alone on a tiny generated dump (wall and, with GNU time, CPU time), against
// `node -e 0` in the same rounds (the commands take turns, so load from elsewhere hits all alike),
// and the TypeScript sources through tsx as they ran before dist/ existed. With a baseline (another
// checkout with its own dist/ built, `--startup-baseline DIR`), its `--version` and `run` take
// turns too: before/after ratios from one run. The tiny dump and reports go to a temporary folder
// of this benchmark's own (never to .bench, which is shared and read-only).
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";

interface Command {
  label: string;
  args: string[];
}

export interface StartupResult {
  label: string;
  /** Wall times in ms, one per round. */
  ms: number[];
  /** CPU time (user + system) in ms, one per round, when GNU time is installed. */
  cpuMs?: number[];
}

/** GNU time (Debian's `time` package): the CPU time of each child, which the load of this shared machine inflates far less than wall time. */
const GNU_TIME = existsSync("/usr/bin/time") ? "/usr/bin/time" : undefined;
const CPU_LINE = /^cc-cpu ([\d.]+) ([\d.]+)$/m;

async function wallTime(args: readonly string[], cwd: string): Promise<number> {
  return (await timed(args, cwd)).ms;
}

function timed(args: readonly string[], cwd: string): Promise<{ ms: number; cpuMs?: number }> {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    const [cmd, argv] = GNU_TIME ? [GNU_TIME, ["-f", "cc-cpu %U %S", process.execPath, ...args]] : [process.execPath, [...args]];
    const p = spawn(cmd, argv, { cwd, stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, NO_COLOR: "1" } });
    let stderr = "";
    p.stderr!.setEncoding("utf8").on("data", (s: string) => void (stderr += s));
    p.on("error", reject);
    p.on("close", (code) => {
      const ms = performance.now() - t;
      if (code !== 0) return reject(new Error(`node ${args.join(" ")} exited ${code}: ${stderr}`));
      const cpu = CPU_LINE.exec(stderr);
      resolve({ ms, cpuMs: cpu ? (Number(cpu[1]) + Number(cpu[2])) * 1000 : undefined });
    });
  });
}

/** Builds dist/ (so the numbers are for the current sources), writes the tiny dump, then measures. */
export async function measureStartup(root: string, rounds: number, say: (line: string) => void, baseline?: string): Promise<StartupResult[]> {
  const work = await mkdtemp(join(tmpdir(), "countly-check-startup-"));
  try {
    return await measureIn(root, work, rounds, say, baseline);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function measureIn(root: string, work: string, rounds: number, say: (line: string) => void, baseline: string | undefined): Promise<StartupResult[]> {
  say("start-up: npm run build …\n");
  // What `npm run build` does: the precompiled scenario validators, then the bundle (scripts/bundle.ts).
  await wallTime(["--import", "tsx", join(root, "scripts", "compile-validators.ts")], root);
  await wallTime(["--import", "tsx", join(root, "scripts", "bundle.ts")], root);
  const dump = join(work, "startup-dump");
  const junit = join(work, "startup-junit.xml");
  const bin = join(root, "bin", "countly-check.mjs");
  await wallTime([bin, "fixture", "--out", dump, "--seed", "1"], root);
  const commands: Command[] = [
    { label: "`node -e 0`", args: ["-e", "0"] },
    { label: "`countly-check --version`", args: [bin, "--version"] },
    { label: "`countly-check run` (built-in scenarios, tiny dump)", args: [bin, "run", "--source", dump, "--junit", junit] },
    { label: "`countly-check run scenarios/post-restore.yaml` (tiny dump)", args: [bin, "run", join(root, "scenarios", "post-restore.yaml"), "--source", dump, "--junit", junit] },
  ];
  if (baseline) {
    const before = join(baseline, "bin", "countly-check.mjs");
    commands.push({ label: `baseline \`--version\` (${baseline})`, args: [before, "--version"] });
    commands.push({ label: "baseline `run` (built-in scenarios, tiny dump)", args: [before, "run", "--source", dump, "--junit", join(work, "baseline-junit.xml")] });
    commands.push({ label: "baseline `run scenarios/post-restore.yaml` (tiny dump)", args: [before, "run", join(baseline, "scenarios", "post-restore.yaml"), "--source", dump, "--junit", join(work, "baseline-junit.xml")] });
  }
  if (existsSync(join(root, "node_modules", "tsx"))) {
    commands.push({ label: "`--version` from the .ts sources through tsx (before dist/)", args: ["--import", "tsx", join(root, "runner", "main.ts"), "--version"] });
  }
  const results = commands.map((c) => ({ label: c.label, ms: [] as number[], cpuMs: [] as number[] }));
  for (let r = 0; r < rounds; r++) {
    for (const [i, c] of commands.entries()) {
      const t = await timed(c.args, root);
      results[i]!.ms.push(t.ms);
      if (t.cpuMs !== undefined) results[i]!.cpuMs.push(t.cpuMs);
    }
  }
  say(`start-up: ${results.map((r) => `${r.label} ${Math.round(median(r.ms))} ms`).join(", ")}\n`);
  return results;
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * The markdown section: medians and minima (wall, and CPU when measured), each as a ratio of
 * `node -e 0`, and the targets. Like the rest of the benchmark, a target is judged on the best
 * round (the one least disturbed by other people's work); the median is shown beside it.
 */
export function startupReport(results: readonly StartupResult[]): string[] {
  const [base, version, run, postRestore] = results;
  if (!base || !version || !run) return [];
  const ms = (n: number) => `${Math.round(n)} ms`;
  const cpu = (r: StartupResult) => (r.cpuMs?.length ? `${ms(median(r.cpuMs))} / ${ms(Math.min(...r.cpuMs))}` : "");
  const lines = [
    "## Start-up",
    "",
    `Whole process, ${base.ms.length} rounds, the commands taking turns; ratios are to \`node -e 0\` in the same run. CPU is user + system (GNU time).`,
    "",
    "| command | median | min | CPU median / min | median vs `node -e 0` | min vs `node -e 0` |",
    "|---|---:|---:|---:|---:|---:|",
  ];
  for (const r of results) lines.push(`| ${r.label} | ${ms(median(r.ms))} | ${ms(Math.min(...r.ms))} | ${cpu(r)} | ${(median(r.ms) / median(base.ms)).toFixed(1)}× | ${(Math.min(...r.ms) / Math.min(...base.ms)).toFixed(1)}× |`);
  const mark = (ok: boolean) => (ok ? "met" : "**missed**");
  const best = (r: StartupResult) => Math.min(...r.ms);
  const versionRatio = best(version) / best(base);
  lines.push("", "Targets (best round; median in brackets):", "");
  lines.push(`- \`--version\` ≤ 5× \`node -e 0\`: ${versionRatio.toFixed(1)}× (${(median(version.ms) / median(base.ms)).toFixed(1)}×), ${mark(versionRatio <= 5)}`);
  for (const r of [postRestore, run]) {
    if (r) lines.push(`- a run on a tiny dump ≤ 0.4 s, ${r.label}: ${ms(best(r))} (${ms(median(r.ms))}), ${mark(best(r) <= 400)}`);
  }
  const before = results.filter((r) => r.label.startsWith("baseline "));
  if (before.length >= 2) {
    const ratio = (now: StartupResult, then: StartupResult) => `${(median(now.ms) / median(then.ms)).toFixed(2)}× (best ${(best(now) / best(then)).toFixed(2)}×${now.cpuMs?.length && then.cpuMs?.length ? `, CPU ${(median(now.cpuMs) / median(then.cpuMs)).toFixed(2)}×` : ""})`;
    const parts = [`\`--version\` ${ratio(version, before[0]!)}`, `\`run\` ${ratio(run, before[1]!)}`];
    if (postRestore && before[2]) parts.push(`\`run scenarios/post-restore.yaml\` ${ratio(postRestore, before[2])}`);
    lines.push(`- vs the baseline, same rounds: ${parts.join(", ")} its wall time`);
  }
  lines.push("");
  return lines;
}
