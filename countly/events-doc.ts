// The per-app `countly.events` document (`_id: ObjectId(appId)`): the event list the
// dashboard shows, the segment registry, and the other places that name event keys.
// Written by api/parts/data/events.js (legacy) and api/aggregator/usage.* (25.x) with
// `$addToSet`; `map`/`omitted_segments` by /i/events/edit_map.

export interface EventsDoc {
  app: string;
  list: string[];
  segments: Record<string, string[]>;
  omitted: Record<string, string[]>;
}

/** The app id of a `countly.events` document (its `_id` is the app's ObjectId). */
export function eventsDocApp(doc: Record<string, unknown>): string {
  const id = doc._id as { toHexString?: () => string } | undefined;
  return String(id?.toHexString?.() ?? doc._id);
}

function stringArrays(value: unknown): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  if (!value || typeof value !== "object" || Array.isArray(value)) return out;
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (Array.isArray(v)) out[k] = v.filter((x): x is string => typeof x === "string");
  }
  return out;
}

export function readEventsDoc(doc: Record<string, unknown>): EventsDoc {
  return {
    app: eventsDocApp(doc),
    list: Array.isArray(doc.list) ? doc.list.filter((k): k is string => typeof k === "string") : [],
    segments: stringArrays(doc.segments),
    omitted: stringArrays(doc.omitted_segments),
  };
}

/**
 * The segment keys registered for an event: events.js keys `segments` by the event key
 * with '.' replaced by ':', the 25.x aggregator by the key itself; both are read.
 */
export function registeredSegments(doc: EventsDoc, key: string): string[] {
  const a = doc.segments[key] ?? [];
  const colon = key.replace(/\./g, ":");
  const b = colon === key ? [] : (doc.segments[colon] ?? []);
  return [...new Set([...a, ...b])];
}

/** Segments omitted for an event (`omitted_segments`, same key conventions as `segments`). */
export function omittedSegments(doc: EventsDoc, key: string): string[] {
  const colon = key.replace(/\./g, ":");
  return [...new Set([...(doc.omitted[key] ?? []), ...(colon === key ? [] : (doc.omitted[colon] ?? []))])];
}

/**
 * Every event key the document names anywhere: `list`, the keys of `segments`, `map`,
 * `omitted_segments`, `whitelisted_segments`, and `order` / `overview`. An event removed
 * from `list` is often still named elsewhere, which lets a legacy `events<sha1(key+appId)>`
 * collection be resolved to its key. Keys of `segments` may have had '.' turned into ':',
 * so both spellings are returned.
 */
export function eventKeysNamed(doc: Record<string, unknown>): string[] {
  const out = new Set<string>();
  const add = (k: unknown) => {
    if (typeof k !== "string" || k === "") return;
    out.add(k);
    if (k.includes(":")) out.add(k.replace(/:/g, "."));
  };
  if (Array.isArray(doc.list)) doc.list.forEach(add);
  for (const field of ["segments", "map", "omitted_segments", "whitelisted_segments"]) {
    const v = doc[field];
    if (v && typeof v === "object" && !Array.isArray(v)) Object.keys(v).forEach(add);
  }
  if (Array.isArray(doc.order)) doc.order.forEach(add);
  if (Array.isArray(doc.overview)) for (const o of doc.overview) add((o as { eventKey?: unknown } | null)?.eventKey);
  return [...out];
}

/** Internal events (`[CLY]_…`): Countly's own, not custom events the SDK sent. */
export function isInternalEventKey(key: string): boolean {
  return key.startsWith("[CLY]_");
}
