// bench/startup.ts's report: each target is judged on the best round (the run least disturbed
// by the load of this shared machine), with the median beside it, and CPU time shown when measured.
import { describe, expect, it } from "vitest";
import { startupReport, type StartupResult } from "../../bench/startup.ts";

const r = (label: string, ms: number[], cpuMs?: number[]): StartupResult => ({ label, ms, cpuMs });

describe("startupReport", () => {
  const results = [
    r("`node -e 0`", [50, 60, 70], [40, 45, 50]),
    r("`countly-check --version`", [70, 400, 80]),
    r("`countly-check run` (built-in scenarios, tiny dump)", [450, 500, 900], [420, 430, 440]),
    r("`countly-check run scenarios/post-restore.yaml` (tiny dump)", [380, 420, 700]),
  ];

  it("judges the targets on the best round and shows the median beside it", () => {
    const text = startupReport(results).join("\n");
    expect(text).toContain("- `--version` ≤ 5× `node -e 0`: 1.4× (1.3×), met");
    expect(text).toContain("- a run on a tiny dump ≤ 0.4 s, `countly-check run scenarios/post-restore.yaml` (tiny dump): 380 ms (420 ms), met");
    expect(text).toContain("- a run on a tiny dump ≤ 0.4 s, `countly-check run` (built-in scenarios, tiny dump): 450 ms (500 ms), **missed**");
    expect(text).toContain("| `countly-check run` (built-in scenarios, tiny dump) | 500 ms | 450 ms | 430 ms / 420 ms | 8.3× | 9.0× |");
    expect(text).not.toContain("vs the baseline");
  });

  it("compares with a baseline measured in the same rounds", () => {
    const text = startupReport([
      ...results,
      r("baseline `--version` (/b)", [70, 80, 90]),
      r("baseline `run` (built-in scenarios, tiny dump)", [500, 1000, 1000], [840, 860, 880]),
      r("baseline `run scenarios/post-restore.yaml` (tiny dump)", [400, 840, 900]),
    ]).join("\n");
    expect(text).toContain("- vs the baseline, same rounds: `--version` 1.00× (best 1.00×), `run` 0.50× (best 0.90×, CPU 0.50×), `run scenarios/post-restore.yaml` 0.50× (best 0.95×) its wall time");
  });

  it("says nothing without the three first measurements", () => {
    expect(startupReport(results.slice(0, 2))).toEqual([]);
  });
});
