// The raw facts of a current-layout drill_events .bson file, computed by scanning it with the
// scanner given (wasm or COUNTLY_CHECK_SCANNER=js): for the tests that compare the batch
// kernels' results with the JavaScript reading's. Each fact's value, or the pass's error as text.
import type { Period } from "../../countly/time.ts";
import type { AppInfo, FactName, FactParams } from "../../runner/facts/types.ts";
import { scanBsonFields } from "../../runner/sources/dump/bson-file-scanner.ts";
import { SCANNER_ENV } from "../../runner/sources/dump/bson-walk-native.ts";
import { computeFactsByScanning } from "../../runner/sources/scan-plan.ts";

export async function scanRawFacts(scanner: "wasm" | "js", file: string, facts: readonly FactName[], options: { apps: readonly AppInfo[]; period: Period; params: FactParams; chunkSize: number }): Promise<unknown> {
  const before = process.env[SCANNER_ENV];
  process.env[SCANNER_ENV] = scanner;
  try {
    const scope = { apps: options.apps, period: options.period, layout: { events: "current", drill: "current", views: "current" }, databases: { countly: "countly", drill: "countly_drill" }, allApps: true } as const;
    const catalog = { collections: { countly: [], countly_drill: ["drill_events"] }, eventLists: {} };
    return await computeFactsByScanning(new Map(facts.map((f) => [f, options.params])), scope, catalog, async (_ref, prepare) => {
      const what = prepare();
      if (what) await scanBsonFields(file, what.layout, what.visit, { chunkSize: options.chunkSize });
    }, (_ref, e) => `${(e as Error).name}: ${(e as Error).message}`);
  } finally {
    if (before === undefined) delete process.env[SCANNER_ENV];
    else process.env[SCANNER_ENV] = before;
  }
}
