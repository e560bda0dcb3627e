// `npm run demo`: reproduces the post-restore incident on generated data, shows the
// checker catching it, then shows the same scenario passing on consistent data.
// Exit 0 when both came out as expected. `npm run demo -- --live` serves both datasets
// through the MongoDB wire-protocol test server and checks them with the live source.
import { rm } from "node:fs/promises";
import { join, resolve } from "node:path";
import process from "node:process";
import { applyCorruptions } from "../fixtures/corruptions.ts";
import type { Dataset } from "../fixtures/dataset.ts";
import { writeDump } from "../fixtures/dump-writer.ts";
import { generateDataset } from "../fixtures/generate.ts";
import { main } from "./cli/main.ts";
import { processIO } from "./cli/io.ts";
import { EXIT } from "./model.ts";

const SEED = 20250319; // the day Countly issue #6073 was filed
const WORK = ".demo";
const SCENARIO = "scenarios/post-restore.yaml";

const live = process.argv.includes("--live");
const io = processIO();
const say = (text: string) => io.stdout(`${text}\n`);

async function scenarioRun(title: string, dataset: Dataset, dir: string, junit: string, html: string): Promise<number> {
  if (!live) {
    say(`\n━━ ${title}\n$ countly-check run ${SCENARIO} --source ${dir} --junit ${junit} --html ${html}\n`);
    return main(["run", SCENARIO, "--source", dir, "--junit", junit, "--html", html], io);
  }
  // The test double speaks MongoDB's wire protocol on 127.0.0.1 and runs the pipelines with mingo.
  const { startWireServer } = await import("../test/support/wire-server/index.ts");
  const server = await startWireServer({ databases: dataset.databases });
  try {
    say(`\n━━ ${title}\n$ countly-check run ${SCENARIO} --source ${server.uri} --junit ${junit} --html ${html}\n`);
    return await main(["run", SCENARIO, "--source", server.uri, "--junit", junit, "--html", html], io);
  } finally {
    await server.stop();
  }
}

await rm(WORK, { recursive: true, force: true });
const consistent = generateDataset(SEED, { layout: "current" });
const incident = applyCorruptions(consistent, ["post-restore-incident"]);
await writeDump(incident, join(WORK, "incident"));
await writeDump(consistent, join(WORK, "consistent"));
say(`Generated ${consistent.apps.length} apps (${consistent.apps.map((a) => `${a.name}: ${a.timezone}`).join(", ")}), seed ${SEED}.`);
say(`${WORK}/incident: a backup restored the way issue #6073 describes (raw drill events present, event counts 0, views and sources empty).`);
say(`${WORK}/consistent: the same data as Countly aggregates it.`);

const incidentExit = await scenarioRun("1. After the broken restore: every broken invariant is named", incident, join(WORK, "incident"), "reports/junit.xml", "reports/incident.html");
const consistentExit = await scenarioRun("2. The same scenario on consistent data", consistent, join(WORK, "consistent"), "reports/junit-consistent.xml", "reports/consistent.html");

const ok = incidentExit === EXIT.findings && consistentExit === EXIT.ok;
say(
  `\n━━ Demo ${ok ? "OK" : "UNEXPECTED"}: the incident run exited ${incidentExit} (expected ${EXIT.findings}: findings), ` +
    `the consistent run exited ${consistentExit} (expected ${EXIT.ok}).\nReports: reports/junit.xml (incident), reports/junit-consistent.xml (consistent).\n` +
    `HTML, with charts of raw vs aggregated per day: ${resolve("reports/incident.html")} (incident), ${resolve("reports/consistent.html")} (consistent).`,
);
process.exitCode = ok ? 0 : 1;
