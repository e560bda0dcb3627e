// Runs a whole-database check (`perApp: false`) on hand-written facts, unscoped as the
// runner hands them to such checks (check-harness.ts scopes every fact to one app).
import type { CheckDefinition, CheckFinding } from "../../checks/types.ts";
import { withDefaults } from "../../checks/types.ts";
import { inPeriod } from "../../countly/time.ts";
import type { FactName, FactValues } from "../../runner/facts/types.ts";
import { EMPTY_FACTS, type CheckOutcome } from "./check-harness.ts";

export function evaluateWhole(def: CheckDefinition<any>, options: Record<string, unknown>, facts: Partial<FactValues>): CheckOutcome {
  const all = { ...EMPTY_FACTS, ...facts };
  const findings: CheckFinding[] = [];
  const result = def.evaluate({
    options: withDefaults(def.meta, options),
    app: { id: "", name: "", timezone: "UTC" },
    period: {},
    severity: "error",
    facts: { get: <K extends FactName>(n: K) => all[n], inPeriod: (d) => inPeriod(d, {}) },
    report: (f) => findings.push(f),
  });
  return { findings, skipped: result?.skipped };
}
