// Resolves the hashed collection names of the legacy layout back to (app, event key)
// by hashing every key we know of: the apps' event lists and Countly's internal events.
import { eventHash } from "../../countly/hash.ts";
import { INTERNAL_EVENTS, legacyDrillHash } from "../../countly/layout.ts";
import type { CollectionRef } from "./collector.ts";
import type { AppInfo } from "./types.ts";

export interface Attribution {
  app: string;
  key: string;
}

/** Countly's internal event keys that may have their own legacy collections. */
export const INTERNAL_KEYS: readonly string[] = [...Object.values(INTERNAL_EVENTS), "[CLY]_view_update", "[CLY]_action", "[CLY]_crash", "[CLY]_star_rating", "[CLY]_nps", "[CLY]_survey", "[CLY]_push_action"];

export function hashIndex(apps: readonly AppInfo[], eventLists: Readonly<Record<string, readonly string[]>>): Map<string, Attribution> {
  const out = new Map<string, Attribution>();
  for (const app of apps) {
    for (const key of [...INTERNAL_KEYS, ...(eventLists[app.id] ?? [])]) out.set(eventHash(key, app.id), { app: app.id, key });
  }
  return out;
}

/** The (app, event key) a legacy per-event drill collection holds, by its hashed name; undefined when no app in `index` owns it. */
export function attributeLegacy(from: Pick<CollectionRef, "name">, index: ReadonlyMap<string, Attribution>): Attribution | undefined {
  const h = legacyDrillHash(from.name);
  return h === undefined ? undefined : index.get(h);
}
