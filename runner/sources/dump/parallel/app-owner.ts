// Which worker builds an app's facts. An app in scope goes to one worker, chosen by its
// place in the scope (so each worker gets about as many apps); the main thread uses it to
// send a legacy per-event collection to its app's worker, the workers to pick their apps'
// documents from the merged drill_events.
import type { AppInfo } from "../../../facts/types.ts";
import { StringInterner } from "../bson-fields.ts";

/** The scope's app ids interned in scope order: id i is owned by worker i % jobs. */
export function scopeAppIds(apps: readonly AppInfo[]): StringInterner {
  const ids = new StringInterner();
  for (const a of apps) ids.add(a.id);
  return ids;
}

export function ownerOf(appId: number, jobs: number): number {
  return appId % jobs;
}
