// SARIF 2.1.0 (GitHub code scanning, Jenkins Warnings NG, editors): one rule per check
// kind of the run with its documentation, one result per failed (level error) or warned
// (level warning) case at its check's line in the scenario YAML, with the findings in the
// message and a partial fingerprint that stays the same across runs. Cases that could not
// be evaluated are tool execution notifications: SARIF results are findings about the data.
import { pathToFileURL } from "node:url";
import type { CaseResult, RunResult } from "../runner/model.ts";
import { exitCodeOf, violated } from "../runner/model.ts";
import { caseFingerprint } from "./fingerprint.ts";
import { formatFinding } from "./format.ts";
import { locate, type LocationBase } from "./location.ts";
import { visibleControls } from "./terminal.ts";

/** What SARIF says about a check kind (the registry's meta; unknown kinds get their name only). */
export interface RuleDoc {
  summary: string;
  proves: string;
  likelyCause: string;
  remediation: string;
}

export interface SarifOptions extends LocationBase {
  /** Documentation of each check kind. */
  rules?: (kind: string) => RuleDoc | undefined;
  /** The countly-check package folder, for built-in scenarios' locations. */
  packageRoot?: string;
}

/** Findings written into one result's message; the rest are counted. */
export const SARIF_FINDINGS_CAP = 20;
const FINGERPRINT = "countlyCheckCase/v1";

export function sarifLog(run: RunResult, options: SarifOptions): Record<string, unknown> {
  const cases = run.suites.flatMap((s) => s.cases.map((c) => ({ suite: s.name, c })));
  const kinds = [...new Set(cases.map(({ c }) => c.kind))].sort();
  const ruleIndex = new Map(kinds.map((k, i) => [k, i]));
  const text = (t: string) => visibleControls(t, { keepNewlines: true });

  const rules = kinds.map((kind) => {
    const doc = options.rules?.(kind);
    if (!doc) return { id: kind, defaultConfiguration: { level: "error" } };
    return {
      id: kind,
      shortDescription: { text: doc.summary },
      fullDescription: { text: doc.proves },
      help: { text: `Likely cause: ${doc.likelyCause}\n\nWhat to do: ${doc.remediation}` },
      defaultConfiguration: { level: "error" },
      properties: { tags: ["countly", "data-consistency"] },
    };
  });

  const results = cases
    .filter(({ c }) => violated(c))
    .map(({ suite, c }) => {
      const loc = locate(c, options);
      const physical = loc.path
        ? { artifactLocation: { uri: encodePath(loc.path), uriBaseId: "%SRCROOT%" }, region: { startLine: loc.line } }
        : loc.packagePath
          ? { artifactLocation: { uri: encodePath(loc.packagePath), uriBaseId: "COUNTLY_CHECK" }, region: { startLine: loc.line } }
          : undefined;
      return {
        ruleId: c.kind,
        ruleIndex: ruleIndex.get(c.kind),
        level: c.outcome === "warned" ? "warning" : "error",
        message: { text: text(message(suite, c)) },
        ...(physical ? { locations: [{ physicalLocation: physical }] } : {}),
        partialFingerprints: { [FINGERPRINT]: caseFingerprint(c) },
        properties: { suite: text(suite), case: text(c.name), checkId: text(c.checkId), ...(c.app ? { app: { id: text(c.app.id), name: text(c.app.name) } } : {}), findingsTotal: c.findingsTotal },
      };
    });

  const errored = cases.filter(({ c }) => c.outcome === "error");
  const exitCode = exitCodeOf(run);
  const baseIds: Record<string, { uri: string; description: { text: string } }> = {
    "%SRCROOT%": { uri: dirUri(options.root), description: { text: "The repository (workspace) root." } },
  };
  if (options.packageRoot) baseIds.COUNTLY_CHECK = { uri: dirUri(options.packageRoot), description: { text: "The countly-check package (built-in scenarios)." } };

  return {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: { driver: { name: run.tool.name, version: run.tool.version, semanticVersion: run.tool.version, rules } },
        // Keeps the uploads of two labelled runs (backup, restored) apart in code scanning.
        automationDetails: { id: `countly-check${run.label ? `-${run.label}` : ""}/` },
        originalUriBaseIds: baseIds,
        invocations: [
          {
            executionSuccessful: errored.length === 0,
            exitCode,
            startTimeUtc: run.startedAt,
            toolExecutionNotifications: errored.map(({ suite, c }) => ({ level: "error", message: { text: text(`${suite}: ${c.name}: could not be evaluated: ${c.message ?? ""}`) } })),
          },
        ],
        results,
      },
    ],
  };
}

export function toSarif(run: RunResult, options: SarifOptions): string {
  return `${JSON.stringify(sarifLog(run, options), null, 2)}\n`;
}

function message(suite: string, c: CaseResult): string {
  const lines = [`${suite}: ${c.name}: ${c.message ?? `${c.findingsTotal} findings`}`];
  for (const f of c.findings.slice(0, SARIF_FINDINGS_CAP)) lines.push(`- ${formatFinding(f)}`);
  const left = c.findingsTotal - Math.min(SARIF_FINDINGS_CAP, c.findings.length);
  if (left > 0) lines.push(`… and ${left} more (see the JSON report)`);
  if (c.remediation) lines.push("", `What to do: ${c.remediation}`);
  return lines.join("\n");
}

/** A relative path as a URI reference: each segment percent-encoded. */
function encodePath(path: string): string {
  return path.split("/").map(encodeURIComponent).join("/");
}

function dirUri(dir: string): string {
  const href = pathToFileURL(dir).href;
  return href.endsWith("/") ? href : `${href}/`;
}
