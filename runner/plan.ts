// Which facts a run needs and for which apps and days: computed once for all scenarios.
import type { CheckDefinition } from "../checks/types.ts";
import type { Period } from "../countly/time.ts";
import type { AppInfo, FactName, FactParams } from "./facts/types.ts";
import type { Scenario } from "./scenario/types.ts";

/** Merges fact requests of all checks: a fact is computed once with the widest parameters. */
export function factRequests(scenarios: readonly Scenario[], registry: ReadonlyMap<string, CheckDefinition>): Map<FactName, FactParams> {
  const out = new Map<FactName, FactParams>();
  for (const s of scenarios) {
    for (const c of s.checks) {
      for (const req of registry.get(c.kind)!.needs(c.options)) {
        const prev = out.get(req.fact) ?? {};
        const next: FactParams = { ...prev };
        if (req.params?.tailMinutes !== undefined) next.tailMinutes = Math.max(prev.tailMinutes ?? 0, req.params.tailMinutes);
        out.set(req.fact, next);
      }
    }
  }
  return out;
}

/** Both ends must hold: the later start and the earlier end. */
export function intersectPeriods(a: Period, b: Period): Period {
  const from = a.from === undefined ? b.from : b.from === undefined ? a.from : a.from > b.from ? a.from : b.from;
  const to = a.to === undefined ? b.to : b.to === undefined ? a.to : a.to < b.to ? a.to : b.to;
  return { from, to };
}

/** The smallest period containing all of them (open if any is open). */
export function periodHull(periods: readonly Period[]): Period {
  if (periods.length === 0) return {};
  let from: string | undefined = periods[0]!.from;
  let to: string | undefined = periods[0]!.to;
  for (const p of periods) {
    from = from === undefined || p.from === undefined ? undefined : p.from < from ? p.from : from;
    to = to === undefined || p.to === undefined ? undefined : p.to > to ? p.to : to;
  }
  return { from, to };
}

export interface AppSelection {
  apps: AppInfo[];
  /** Selectors that matched no app. */
  unknown: string[];
}

/** Apps named by id or name in both filters (an absent filter selects all). */
export function selectApps(all: readonly AppInfo[], ...filters: (readonly string[] | undefined)[]): AppSelection {
  let apps = [...all];
  const unknown: string[] = [];
  for (const f of filters) {
    if (!f) continue;
    for (const sel of f) if (!all.some((a) => a.id === sel || a.name === sel)) unknown.push(sel);
    apps = apps.filter((a) => f.includes(a.id) || f.includes(a.name));
  }
  return { apps, unknown };
}
