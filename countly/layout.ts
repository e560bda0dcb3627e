// Where Countly keeps what: database and collection names for the current (25.x,
// single-collection) and legacy (per-event collection) layouts.

export const INTERNAL_EVENTS = {
  session: "[CLY]_session",
  sessionBegin: "[CLY]_session_begin",
  view: "[CLY]_view",
  custom: "[CLY]_custom",
} as const;

/** Logical database names. Installs may rename them (Countly's config allows it). */
export interface DatabaseNames {
  countly: string;
  drill: string;
}

export const DEFAULT_DATABASES: DatabaseNames = { countly: "countly", drill: "countly_drill" };

export type Layout = "current" | "legacy";

export const COLLECTIONS = {
  apps: "apps",
  events: "events",
  eventsData: "events_data",
  users: "users",
  sources: "sources",
  plugins: "plugins",
  viewData: "app_viewdata",
  viewsMeta: "app_viewsmeta",
  drillEvents: "drill_events",
  drillMeta: "drill_meta",
} as const;

const HASHED = /^[0-9a-f]{40}$/;

/** `events<H>` in the legacy layout: the hash, or undefined if the name is not one. */
export function legacyEventsHash(collection: string): string | undefined {
  return hashedSuffix(collection, "events");
}

/** `drill_events<H>` in the legacy drill layout. */
export function legacyDrillHash(collection: string): string | undefined {
  return hashedSuffix(collection, "drill_events");
}

/** `app_viewdata<sha1(...)>` in the legacy views layout. */
export function legacyViewDataHash(collection: string): string | undefined {
  return hashedSuffix(collection, "app_viewdata");
}

function hashedSuffix(collection: string, prefix: string): string | undefined {
  if (!collection.startsWith(prefix)) return undefined;
  const rest = collection.slice(prefix.length);
  return HASHED.test(rest) ? rest : undefined;
}

export interface DetectedLayout {
  /** Aggregated events: `events_data` (current) or `events<H>` (legacy). */
  events: Layout;
  /** Raw events: `drill_events` (current) or `drill_events<H>` (legacy). */
  drill: Layout;
  /** Views: `app_viewdata` (current) or `app_viewdata<H>` (legacy). */
  views: Layout;
}

/**
 * Picks the layout from the collection names present. The current layout wins when
 * its collection exists, because an upgraded database can keep its old per-event
 * collections around after `merge_events_collections.js` copied them.
 */
export function detectLayout(countlyCollections: readonly string[], drillCollections: readonly string[]): DetectedLayout {
  const has = (list: readonly string[], name: string) => list.includes(name);
  const events: Layout = has(countlyCollections, COLLECTIONS.eventsData)
    ? "current"
    : countlyCollections.some((c) => legacyEventsHash(c) !== undefined)
      ? "legacy"
      : "current";
  const drill: Layout = has(drillCollections, COLLECTIONS.drillEvents)
    ? "current"
    : drillCollections.some((c) => legacyDrillHash(c) !== undefined)
      ? "legacy"
      : "current";
  const views: Layout = has(countlyCollections, COLLECTIONS.viewData)
    ? "current"
    : countlyCollections.some((c) => legacyViewDataHash(c) !== undefined)
      ? "legacy"
      : "current";
  return { events, drill, views };
}
