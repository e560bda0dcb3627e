// Issue 12's targets as `npm run bench` judges them (bench/run.ts writes "met" or
// "**missed**" after each measured line of reports/bench.md). Times are the best round's.

export const TARGETS = {
  /** events-match-raw ≥ 12× the Python baseline, both whole processes, by wall time. */
  python: (pythonMs: number, checkMs: number) => pythonMs >= 12 * checkMs,
  /** ≥ 3.5M raw documents per second of CPU time, single-threaded (--jobs 1). */
  rate: (documents: number, cpuMs: number) => cpuMs > 0 && (documents / cpuMs) * 1000 >= 3.5e6,
  /** The whole post-restore scenario ≤ 1.3× events-match-raw alone. */
  postRestore: (wholeMs: number, checkMs: number) => wholeMs <= 1.3 * checkMs,
  /** 2,000 apps ≤ 1.5× the time of 2 apps for the same raw events. */
  apps: (ms2000: number, ms2: number) => ms2000 <= 1.5 * ms2,
  /** Peak RSS < 400 MB. */
  memory: (peakRssMb: number) => peakRssMb < 400,
  /** < 400 MB, or the run stopped on the memory budget with its message. */
  memoryOrStop: (peakRssMb: number, outcomes: string | undefined, note: string | undefined) => peakRssMb < 400 || budgetStop(outcomes, note),
  /** Peak RSS flat in the number of raw events: the largest size ≤ 1.2× the first. */
  flat: (firstPeakMb: number, lastPeakMb: number) => lastPeakMb <= 1.2 * firstPeakMb,
} as const;

/** The run stopped on --max-memory with its message: an error outcome of another cause is no budget stop. */
export function budgetStop(outcomes: string | undefined, note: string | undefined): boolean {
  return /\berror\b/.test(outcomes ?? "") && /--max-memory/.test(note ?? "");
}

export const mark = (ok: boolean) => (ok ? "met" : "**missed**");
