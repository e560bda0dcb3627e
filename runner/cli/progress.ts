// Progress of long dump scans on stderr: collection, documents, MB/s, ETA.
//
// Throttled: nothing for a scan that ends within `quietMs` (small collections), then at
// most one update per `intervalMs`. On a terminal the updates rewrite one status line
// (`\r`), which ends with a summary line when the collection is done; elsewhere (`--progress`
// into a log) each update is a line of its own, at most about one per second.
import type { ScanProgress } from "../sources/dump/bson-file-scanner.ts";

export interface ProgressOptions {
  /** stderr is a terminal: rewrite one status line instead of printing a line per update. */
  tty: boolean;
  /** Least time between two updates of one scan, in ms (default 250 on a terminal, 1000 otherwise). */
  intervalMs?: number;
  /** A scan that ends within this many ms prints nothing (default 1000). */
  quietMs?: number;
  /** Clock in ms (tests). */
  now?: () => number;
}

interface ScanState {
  started: number;
  lastShown: number;
  shown: boolean;
}

export function progressPrinter(write: (text: string) => void, options: ProgressOptions = { tty: false }): (file: string, p: ScanProgress, fileSize: number) => void {
  const now = options.now ?? Date.now;
  const interval = options.intervalMs ?? (options.tty ? 250 : 1000);
  const quiet = options.quietMs ?? 1000;
  const scans = new Map<string, ScanState>();
  return (file, p, fileSize) => {
    const t = now();
    let s = scans.get(file);
    if (!s) {
      s = { started: t, lastShown: -Infinity, shown: false };
      scans.set(file, s);
    }
    const elapsed = t - s.started;
    if (p.done) {
      scans.delete(file);
      if (!s.shown && elapsed < quiet) return;
      write(`${options.tty ? "\r\x1b[K" : ""}  scanned ${file}: ${count(p.documents)} docs in ${seconds(elapsed)} (${rate(p.bytes, elapsed)})\n`);
      return;
    }
    if (elapsed < quiet || t - s.lastShown < interval) return;
    s.lastShown = t;
    s.shown = true;
    const done = fileSize > 0 ? Math.min(1, p.fileBytes / fileSize) : 0;
    const eta = done > 0 && done < 1 ? `, ETA ${seconds((elapsed / done) * (1 - done))}` : "";
    const line = `  scanning ${file}: ${count(p.documents)} docs, ${rate(p.bytes, elapsed)}${fileSize > 0 ? `, ${Math.floor(done * 100)} %` : ""}${eta}`;
    write(options.tty ? `\r\x1b[K${line}` : `${line}\n`);
  };
}

function count(n: number): string {
  return n.toLocaleString("en-US");
}

function seconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`;
}

/** Uncompressed MB/s. */
function rate(bytes: number, ms: number): string {
  return `${Math.round(bytes / 1e6 / Math.max(0.001, ms / 1000)).toLocaleString("en-US")} MB/s`;
}
