// A test case's identity across runs, for CI systems that track findings over time
// (GitLab Code Quality, SARIF partialFingerprints): the same check of the same scenario on
// the same app (under the same --label) keeps its fingerprint whatever it found, and
// wherever its line moves.
import { createHash } from "node:crypto";
import type { CaseResult } from "../runner/model.ts";

export function caseFingerprint(c: Pick<CaseResult, "classname" | "name" | "kind">): string {
  return createHash("sha256").update(["countly-check/v1", c.kind, c.classname, c.name].join("\u0000")).digest("hex");
}
