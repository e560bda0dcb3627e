// Progress of long dump scans on stderr: collection, documents, MB/s, ETA.
import type { ScanProgress } from "../sources/dump/bson-file-scanner.ts";

export function progressPrinter(write: (text: string) => void): (file: string, p: ScanProgress, fileSize: number) => void {
  const started = new Map<string, number>();
  return (file, p, fileSize) => {
    const t0 = started.get(file) ?? Date.now();
    started.set(file, t0);
    const secs = Math.max(0.001, (Date.now() - t0) / 1000);
    const mbps = p.fileBytes / 1e6 / secs;
    const done = fileSize > 0 ? p.fileBytes / fileSize : 0;
    const eta = done > 0 && done < 1 ? ` ETA ${Math.round((secs / done) * (1 - done))} s` : "";
    write(`  scanning ${file}: ${p.documents.toLocaleString("en-US")} docs, ${mbps.toFixed(0)} MB/s${fileSize ? `, ${Math.round(done * 100)} %` : ""}${eta}\n`);
  };
}
