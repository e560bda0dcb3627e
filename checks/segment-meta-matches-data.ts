// Segment values in month documents are listed in the year's meta_v2 (the union over
// the event's hashed zero documents), each in the zero document its md5 postfix names,
// and every segment key seen is registered in countly.events.segments.
import { omittedSegments, registeredSegments } from "../countly/events-doc.ts";
import { md5Postfix } from "../countly/hash.ts";
import { SEGMENT_WRITING_FACTS, skipWithoutSegmentWriting } from "./support/segment-writing.ts";
import type { CheckDefinition } from "./types.ts";

export interface SegmentMetaMatchesDataOptions {
  check_buckets: boolean;
  check_registry: boolean;
  ignore_omitted: boolean;
  exclude_events: string[];
  max_examples: number;
}

export const segmentMetaMatchesData: CheckDefinition<SegmentMetaMatchesDataOptions> = {
  meta: {
    kind: "segment-meta-matches-data",
    summary: "Every segment value in month documents is listed in the year's meta_v2, in the zero document its md5 postfix names, and every segment key is registered in countly.events.segments.",
    proves:
      "When Countly aggregates a segment value it `$set`s `meta_v2.<segment>.<value>` (and `meta_v2.segments.<segment>`) in the event's zero document `…_no-segment_<YYYY:0>_<P>`, where P is the first base64 character of md5(value) — the same postfix as the month document `…_<segment>_<YYYY:M>_<P>` it increments — and adds the segment key to `countly.events.segments.<event>` (api/parts/data/events.js, api/aggregator/usage.* processEventFromStream). So, per event and year, every value found in month documents is in the union of the zero documents' meta_v2, each value sits in the postfix bucket md5 says, and every segment key is registered. Both layouts. Skipped, with that reason, where the data shows a build that writes no segment documents at all (api/aggregator/processing.js commit 001abe8 registers only processEventTotalsFromStream).",
    perApp: true,
    options: {
      type: "object",
      properties: {
        check_buckets: { type: "boolean", default: true, description: "Also require each value to sit in the month and zero document its md5 postfix names." },
        check_registry: { type: "boolean", default: true, description: "Also require every segment key found in month documents to be in `countly.events.segments.<event>`." },
        ignore_omitted: { type: "boolean", default: true, description: "Registry: leave out segments listed in `countly.events.omitted_segments.<event>` (Countly unregisters them; old documents may remain)." },
        exclude_events: { type: "array", items: { type: "string" }, default: [], description: "Event keys to leave out." },
        max_examples: { type: "integer", minimum: 1, default: 5, description: "Values named per finding." },
      },
    },
    likelyCause:
      "The zero (meta) documents were lost or not restored while the month documents were (a partial restore, a cleanup that removed `…_<YYYY:0>_…` documents), or documents were copied between apps/events by id without recomputing the md5 postfix. The dashboard builds its segment value list from meta_v2: values missing there cannot be selected, so their data is invisible; an unregistered segment key does not appear at all.",
    remediation:
      "Restore the event's zero documents (`…_no-segment_<YYYY:0>_<P>` in `countly.events_data`, legacy `no-segment_<YYYY:0>_<P>` in `countly.events<hash>`) and `countly.events` from the same backup as the month documents.",
    exampleFinding:
      "app Shop (65f0…) · event Buy · segment method — 3 of 3 values found in 2024 month documents are not in the year's meta_v2 (card, paypal, cash): the dashboard cannot offer them (zero documents lost or not restored?)",
  },
  needs: () => [...SEGMENT_WRITING_FACTS, { fact: "eventCatalog" }, { fact: "segmentMeta" }],
  evaluate(ctx) {
    const o = ctx.options;
    const unwritten = skipWithoutSegmentWriting(ctx.facts);
    if (unwritten) return unwritten;
    const period = ctx.period;
    const fromYear = period.from === undefined ? -Infinity : Number(period.from.slice(0, 4));
    const toYear = period.to === undefined ? Infinity : Number(period.to.slice(0, 4));
    const facts = ctx.facts.get("segmentMeta");
    const wanted = (key: string) => !o.exclude_events.includes(key);
    const seen = facts.seen.filter((s) => wanted(s.key) && (period.from === undefined || s.lastDay >= period.from) && (period.to === undefined || s.firstDay <= period.to));
    const meta = facts.meta.filter((m) => wanted(m.key) && m.year >= fromYear && m.year <= toYear);
    if (seen.length === 0 && meta.length === 0) return { skipped: "no segment data in the period" };

    const listed = new Set(meta.map((m) => `${m.key}\u0000${m.year}\u0000${m.segment}\u0000${m.value}`));
    const groups = new Map<string, { key: string; year: number; segment: string; values: Set<string>; missing: string[] }>();
    for (const s of seen) {
      const g = `${s.key}\u0000${s.year}\u0000${s.segment}`;
      const group = groups.get(g) ?? { key: s.key, year: s.year, segment: s.segment, values: new Set<string>(), missing: [] };
      groups.set(g, group);
      if (group.values.has(s.value)) continue;
      group.values.add(s.value);
      if (!listed.has(`${g}\u0000${s.value}`)) group.missing.push(s.value);
    }
    for (const g of groups.values()) {
      if (g.missing.length === 0) continue;
      const all = g.missing.length === g.values.size;
      ctx.report({
        event: g.key,
        segment: g.segment,
        field: "meta_v2",
        expected: `${g.values.size} values listed`,
        actual: `${g.missing.length} missing`,
        message: `${g.missing.length} of ${g.values.size} values found in ${g.year} month documents ${g.missing.length === 1 ? "is" : "are"} not in the year's meta_v2 (${examples(g.missing, o.max_examples)}): the dashboard cannot offer ${g.missing.length === 1 ? "it" : "them"} (${all ? "zero documents lost or not restored?" : "some zero documents lost, or meta_v2 partially restored?"})`,
      });
    }

    if (o.check_buckets) {
      for (const s of seen) {
        const want = md5Postfix(s.value);
        if (s.postfix === "" || s.postfix === want) continue;
        ctx.report({
          event: s.key,
          segment: s.segment,
          field: "postfix",
          expected: want,
          actual: s.postfix,
          message: `value ${JSON.stringify(s.value)} is in a ${s.year} month document with postfix "${s.postfix}", but md5 puts it in "${want}": document copied or renamed without recomputing its id (Countly reads it from the "${want}" document only)`,
        });
      }
      for (const m of meta) {
        const want = md5Postfix(m.value);
        if (m.postfix === "" || m.postfix === want) continue;
        ctx.report({
          event: m.key,
          segment: m.segment,
          field: "postfix",
          expected: want,
          actual: m.postfix,
          message: `value ${JSON.stringify(m.value)} is listed in the ${m.year} zero document with postfix "${m.postfix}", but md5 puts it in "${want}": meta_v2 copied or merged into the wrong zero document`,
        });
      }
    }

    if (o.check_registry) {
      const entry = ctx.facts.get("eventCatalog").apps[0];
      const perEvent = new Map<string, Set<string>>();
      for (const s of seen) {
        const set = perEvent.get(s.key) ?? new Set<string>();
        set.add(s.segment);
        perEvent.set(s.key, set);
      }
      for (const [key, segments] of [...perEvent].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
        const registered = new Set(entry ? registeredSegments(entry, key) : []);
        const omitted = new Set(entry && o.ignore_omitted ? omittedSegments(entry, key) : []);
        const missing = [...segments].filter((s) => !registered.has(s) && !omitted.has(s)).sort();
        for (const segment of missing) {
          ctx.report({
            event: key,
            segment,
            field: "countly.events.segments",
            expected: "registered",
            actual: entry ? "missing" : "no countly.events document",
            message: entry
              ? `segment ${JSON.stringify(segment)} has month documents but is not in countly.events.segments of this event: the dashboard does not offer it (countly.events restored from an older backup, or rebuilt by a build that registers only the list?)`
              : `segment ${JSON.stringify(segment)} has month documents but the app has no countly.events document at all (not restored?)`,
          });
        }
      }
    }
  },
};

function examples(values: string[], max: number): string {
  const shown = values.slice(0, max).map((v) => JSON.stringify(v)).join(", ");
  return values.length > max ? `${shown}, … ${values.length - max} more` : shown;
}
