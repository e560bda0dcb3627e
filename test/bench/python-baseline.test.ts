// The bench's competitor (bench/python_baseline.py) does events-match-raw's group-by: on
// generated Countly datasets (fixed, printed seeds; apps in zones with DST, half- and
// quarter-hour offsets) it builds as many app/event/day groups as the rawEvents fact. Needs
// python3 with pymongo's bson C extension (Debian: python3-bson); skipped, saying so, without,
// except where COUNTLY_CHECK_REQUIRE_PYTHON_BSON=1 (CI: .ci/run installs it), where that fails.
import { spawnSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { writeDump } from "../../fixtures/dump-writer.ts";
import { generateDataset } from "../../fixtures/generate.ts";
import { rawEventsFromDump } from "../../runner/facts/dump/raw-events.ts";
import type { FactScope } from "../../runner/facts/types.ts";
import { FieldLayout, objectReader } from "../../runner/sources/dump/bson-fields.ts";

const SCRIPT = join(import.meta.dirname, "..", "..", "bench", "python_baseline.py");
const PYTHON = ["python3", "/usr/bin/python3"].find((py) => spawnSync(py, ["-c", "import bson, sys; sys.exit(0 if bson.has_c() else 1)"], { stdio: "ignore" }).status === 0);
const SEEDS = [42, 1, 3, 8, 11];

/** The rawEvents fact's groups over the dataset's drill_events, every day, no settle window. */
function ourGroups(seed: number): number {
  const ds = generateDataset(seed);
  const scope = {
    apps: ds.apps.map((a) => ({ id: a.id, name: a.name, timezone: a.timezone })),
    period: {},
    layout: { events: "current", drill: "current", views: "current" },
    databases: { countly: "countly", drill: "countly_drill" },
    params: { tailMinutes: 0 },
  } as FactScope;
  const v = rawEventsFromDump.start(scope, { collections: { countly_drill: ["drill_events"] }, eventLists: {} });
  const layout = new FieldLayout(rawEventsFromDump.fields);
  const visit = objectReader(layout, v.reader(layout, { db: "countly_drill", name: "drill_events" }));
  for (const d of ds.databases.countly_drill!.drill_events!) visit(d);
  return v.finish().rows.length;
}

it.runIf(process.env.COUNTLY_CHECK_REQUIRE_PYTHON_BSON === "1")("finds python3 with pymongo's C bson (COUNTLY_CHECK_REQUIRE_PYTHON_BSON=1)", () => {
  expect(PYTHON, "no python3 imports pymongo's bson with its C extension: apt-get install python3-bson").toBeDefined();
});

describe.skipIf(!PYTHON)(`bench/python_baseline.py (${PYTHON ?? "no python3 with pymongo's C bson: skipped"})`, () => {
  for (const seed of SEEDS) {
    it(`builds the rawEvents fact's groups on fixture seed ${seed}`, async () => {
      const dir = await mkdtemp(join(tmpdir(), "python-baseline-"));
      try {
        await writeDump(generateDataset(seed), dir);
        const r = spawnSync(PYTHON!, [SCRIPT, join(dir, "dump")], { encoding: "utf8" });
        expect(r.status, r.stderr).toBe(0);
        const groups = (JSON.parse(r.stdout) as { groups: number }).groups;
        expect(groups).toBeGreaterThan(0);
        expect(groups).toBe(ourGroups(seed));
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    }, 30_000);
  }
});
