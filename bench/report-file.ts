// Where `npm run bench` writes its markdown and what the file says about the run itself.
// reports/bench.md is tracked in git: it holds the last FULL run (every suite), with the
// command, date, commit and machine load, so a reader can tell what was measured on which
// code and how noisy the machine was. A partial run (--suites a subset, --startup-only) must
// not replace it with a fragment: it goes to reports/bench-partial.md (git-ignored).
import { spawnSync } from "node:child_process";
import { join } from "node:path";

/** Every suite of bench/run.ts, in the order they run; a run of all of them is a full run. */
export const ALL_SUITES = ["core", "apps", "keys", "memory", "jobs", "startup"] as const;

/** The tracked file of the last full run, or the ignored one of a partial run, under `root`. */
export function reportFile(root: string, suites: ReadonlySet<string>): { path: string; full: boolean } {
  const full = ALL_SUITES.every((s) => suites.has(s));
  return { path: join(root, "reports", full ? "bench.md" : "bench-partial.md"), full };
}

/** The commit measured: `abc1234 (branch)`, plus a note when the work tree has uncommitted changes. */
export function describeCommit(root: string): string {
  const git = (...args: string[]) => {
    const r = spawnSync("git", args, { cwd: root, encoding: "utf8" });
    return r.status === 0 ? r.stdout.trim() : undefined;
  };
  const head = git("rev-parse", "--short=10", "HEAD");
  if (!head) return "unknown (not a git checkout)";
  const branch = git("rev-parse", "--abbrev-ref", "HEAD");
  // the report files themselves do not make the measured code dirty
  const dirty = (git("status", "--porcelain", "--untracked-files=no") ?? "")
    .split("\n")
    .filter((l) => l && !/ reports\/bench(-partial)?\.md$/.test(l));
  return `${head}${branch && branch !== "HEAD" ? ` (${branch})` : ""}${dirty.length ? ` + uncommitted changes in ${dirty.length} file${dirty.length === 1 ? "" : "s"}` : ""}`;
}

export interface RunFacts {
  /** The arguments after `npm run bench --`. */
  args: readonly string[];
  date: Date;
  commit: string;
  node: string;
  cpu: string;
  cores: number;
  /** 1, 5 and 15 minute load averages at the start and at the end of the run. */
  loadStart: readonly number[];
  loadEnd: readonly number[];
  /** The 1-minute load average when each suite started. */
  suiteLoads: readonly { suite: string; load: number }[];
  rounds: number;
  /** The largest worst/best wall time ratio of one row over its rounds (rounds > 1), and that row. */
  widestSpread?: { ratio: number; row: string };
  full: boolean;
}

/** The lines under the title: what ran, where, on which code, and how to read its noise. */
export function runHeader(f: RunFacts): string[] {
  const loads = (l: readonly number[]) => l.map((x) => x.toFixed(2)).join(" / ");
  const lines = [
    `- command: \`npm run bench${f.args.length ? ` -- ${f.args.join(" ")}` : ""}\`${f.full ? "" : " (a partial run: reports/bench.md keeps the last full one)"}`,
    `- date: ${f.date.toISOString().replace(/\.\d+Z$/, "Z")}`,
    `- commit: ${f.commit}`,
    `- machine: Node ${f.node}, ${f.cores} × ${f.cpu}`,
    `- load average (1 / 5 / 15 min): ${loads(f.loadStart)} at the start, ${loads(f.loadEnd)} at the end; at the start of each suite: ${f.suiteLoads.map((s) => `${s.suite} ${s.load.toFixed(2)}`).join(", ") || "none"}`,
    "",
    "Notes on noise: this machine is shared (other people's builds and tests run beside these",
    `measurements on ${f.cores} core${f.cores === 1 ? "" : "s"}), so absolute times vary from run to run by up to 2× with the load;`,
    "compare the ratios inside one run (competitors take turns within each round, so a burst of",
    "load hits them alike), and CPU time (user + system) rather than wall time where a row gives it.",
    `Best of ${f.rounds} round${f.rounds === 1 ? "" : "s"} by wall time; peak RSS is the largest of the rounds.` +
      (f.widestSpread ? ` Widest spread between rounds of one row: ${f.widestSpread.ratio.toFixed(2)}× (${f.widestSpread.row}).` : f.rounds === 1 ? " One round: no spread measured (`--rounds 3` to see it)." : ""),
  ];
  return lines;
}
