import { describe, expect, it } from "vitest";
import { progressPrinter } from "../../../runner/cli/progress.ts";
import type { ScanProgress } from "../../../runner/sources/dump/bson-file-scanner.ts";

const MB = 1_000_000;
const at = (documents: number, bytes: number, done = false): ScanProgress => ({ documents, bytes, fileBytes: bytes, done });

/** Feeds a 100 MB scan reporting every 16 MB, one report per `step` ms of the fake clock. */
function run(tty: boolean, step: number, total = 100 * MB): string[] {
  let clock = 0;
  const out: string[] = [];
  const print = progressPrinter((t) => out.push(t), { tty, now: () => clock });
  print("dump/countly_drill/drill_events.bson", at(0, 0), total); // first sight of the file
  for (let bytes = 16 * MB; bytes < total; bytes += 16 * MB) {
    clock += step;
    print("dump/countly_drill/drill_events.bson", at(bytes / 100, bytes), total);
  }
  clock += step;
  print("dump/countly_drill/drill_events.bson", at(total / 100, total, true), total);
  return out;
}

describe("progressPrinter", () => {
  it("prints nothing for a scan that ends within a second", () => {
    expect(run(false, 100)).toEqual([]);
    expect(run(true, 100)).toEqual([]);
  });

  it("prints at most one line per second when not on a terminal, then a summary", () => {
    const lines = run(false, 400); // a report every 0.4 s, 2.8 s in all
    expect(lines.every((l) => l.endsWith("\n") && !l.includes("\r"))).toBe(true);
    expect(lines.slice(0, -1)).toEqual([
      "  scanning dump/countly_drill/drill_events.bson: 480,000 docs, 40 MB/s, 48 %, ETA 1.3 s\n",
      "  scanning dump/countly_drill/drill_events.bson: 960,000 docs, 40 MB/s, 96 %, ETA 0.1 s\n",
    ]);
    expect(lines.at(-1)).toBe("  scanned dump/countly_drill/drill_events.bson: 1,000,000 docs in 2.8 s (36 MB/s)\n");
  });

  it("rewrites one status line on a terminal and ends it with the summary", () => {
    const lines = run(true, 300);
    expect(lines.length).toBeGreaterThan(2);
    expect(lines.every((l) => l.startsWith("\r\x1b[K"))).toBe(true);
    expect(lines.slice(0, -1).every((l) => !l.includes("\n"))).toBe(true);
    expect(lines.at(-1)).toMatch(/^\r\x1b\[K {2}scanned .*: 1,000,000 docs in 2\.1 s \(48 MB\/s\)\n$/);
  });

  it("updates a terminal at most every 250 ms however often the scanner reports", () => {
    const lines = run(true, 50, 1000 * MB); // 62 reports 50 ms apart: 3.1 s, the first second quiet
    expect(lines.length).toBeGreaterThanOrEqual(8);
    expect(lines.length).toBeLessThanOrEqual(10); // 2.1 s / 250 ms + the summary
  });
});
