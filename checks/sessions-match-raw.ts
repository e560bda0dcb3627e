// Session totals in `countly.users` per app and day equal the raw session documents.
// The Sessions/Users dashboards read these; after a failed restore they show 0.
import { INTERNAL_EVENTS } from "../countly/layout.ts";
import type { Day } from "../countly/time.ts";
import { DailyComparison } from "./shared/daily-comparison.ts";
import type { CheckDefinition } from "./types.ts";
import { withinTolerance } from "./types.ts";
import { chooseSessionKind, COUNT_FROM_OPTION, looksShifted, plural, recentRows, shiftedHint, type CountFrom, type SessionKind } from "./session-kinds.ts";

export interface SessionsMatchRawOptions {
  count_from: CountFrom;
  tolerance: number;
  relative_tolerance: number;
  settle_minutes: number;
  aggregates_without_raw: "ignore" | "fail";
}

interface DayRaw {
  day: Day;
  /** Raw documents of the kind (upper bound). */
  hi: number;
  /** Minus those inserted within the settle window (lower bound). */
  lo: number;
}

export const sessionsMatchRaw: CheckDefinition<SessionsMatchRawOptions> = {
  meta: {
    kind: "sessions-match-raw",
    summary: "Session totals (countly.users d.<day>.t) per app and day equal the raw session documents.",
    proves:
      "For every app-local day in the period with raw session documents, `d.<day>.t` summed over the app's `countly.users` month documents (`<appId>_<YYYY:M>_<postfix>`, one per first base64 character of md5(device id); older ids without the postfix are read too) equals the number of raw session documents that day. Countly builds differ in which raw document is a session: the `session-ingestion` aggregator watches `[CLY]_session` in some 25.x builds and `[CLY]_session_begin` in later ones (`count_from`). Documents inserted (`cd`) within the settle window before the newest raw insert may still be missing from the aggregates. Legacy installs write `countly.users` from the SDK request itself, not from drill, so sessions still open when the data was copied can make the two differ by a few.",
    perApp: true,
    options: {
      type: "object",
      properties: {
        count_from: COUNT_FROM_OPTION,
        tolerance: { type: "number", minimum: 0, default: 0, description: "Absolute difference allowed per day." },
        relative_tolerance: { type: "number", minimum: 0, maximum: 1, default: 0, description: "Relative difference allowed per day (0.01 = 1 %)." },
        settle_minutes: { type: "number", minimum: 0, default: 5, description: "Raw sessions inserted (`cd`) this many minutes before the newest raw insert may not be aggregated yet." },
        aggregates_without_raw: {
          enum: ["ignore", "fail"],
          default: "ignore",
          description: "Days with aggregated sessions but no raw session documents at all: `ignore` (drill data retention deletes old raw data) or `fail`.",
        },
      },
    },
    likelyCause:
      "0 or no sessions with raw sessions present: `countly.users` was not restored, or was emptied, or the raw sessions were never aggregated after a restore (the `session-ingestion` resume token in `countly.plugins` `_changeStreams` belongs to the old server). Fewer than raw on some days only: aggregates built in another timezone than the app's (days shifted), or the aggregator lost part of the stream. More than raw: a restore merged over live aggregation (double counting).",
    remediation:
      "Compare with the backup (`countly-check diff`) and restore `countly.users` from it if it is missing or empty there; check that the app's `timezone` in `countly.apps` is the one the data was aggregated in; if raw sessions after the restore are missing, see the `aggregation-cursor-fresh` check for the aggregator's resume tokens. Set `count_from` if the automatic choice of `[CLY]_session` vs `[CLY]_session_begin` is wrong for your Countly build.",
    exampleFinding:
      "app Shop (65f0…) · event [CLY]_session · day 2024-10-27 · t: expected 42, actual 0 — countly.users has no sessions this day, but 42 raw [CLY]_session documents: session aggregates not restored, or the raw sessions were never aggregated after a restore",
  },
  needs: (o) => [{ fact: "rawSessions" }, { fact: "sessionAggregates" }, { fact: "rawTail", params: { tailMinutes: o.settle_minutes } }],
  evaluate(ctx) {
    const o = ctx.options;
    const raw = ctx.facts.get("rawSessions");
    const totals: Record<SessionKind, number> = {
      [INTERNAL_EVENTS.session]: raw.reduce((n, r) => n + r.sessions, 0),
      [INTERNAL_EVENTS.sessionBegin]: raw.reduce((n, r) => n + r.begins, 0),
    };
    if (totals[INTERNAL_EVENTS.session] + totals[INTERNAL_EVENTS.sessionBegin] === 0) return { skipped: "no raw session documents in the period" };

    const agg = new Map<Day, number>();
    for (const d of ctx.facts.get("sessionAggregates").days) agg.set(d.day, (agg.get(d.day) ?? 0) + d.t);
    const recent = recentRows(ctx.facts.get("rawTail"), o.settle_minutes);
    const tol = { absolute: o.tolerance, relative: o.relative_tolerance };

    const daysOf = (kind: SessionKind): DayRaw[] =>
      raw
        .map((r) => {
          const hi = kind === INTERNAL_EVENTS.session ? r.sessions : r.begins;
          const late = recent.filter((t) => t.e === kind && t.day === r.day).reduce((n, t) => n + t.docs, 0);
          return { day: r.day, hi, lo: Math.max(0, hi - late) };
        })
        .filter((d) => d.hi > 0 || (agg.get(d.day) ?? 0) > 0);
    const ok = (d: DayRaw, actual: number) => (actual >= d.lo && actual <= d.hi) || withinTolerance(actual < d.lo ? d.lo : d.hi, actual, tol);
    const kind = chooseSessionKind(o.count_from, totals, (k) => daysOf(k).filter((d) => ok(d, agg.get(d.day) ?? 0)).length);

    const days = daysOf(kind);
    const rawDays = new Set<Day>(days.map((d) => d.day));
    const shifted = looksShifted([...days.map((d) => [d.hi, agg.get(d.day) ?? 0] as const), ...[...agg].filter(([day]) => !rawDays.has(day)).map(([, t]) => [0, t] as const)]);
    const chart = new DailyComparison();
    for (const d of days) chart.add("sessions · t", d.day, d.hi, agg.get(d.day) ?? 0);
    for (const [day, t] of agg) if (!rawDays.has(day)) chart.add("sessions · t", day, 0, t);
    chart.report(ctx);
    for (const d of days) {
      const actual = agg.get(d.day) ?? 0;
      if (ok(d, actual)) continue;
      const message = shifted ? `${plural(actual, "session")}, ${plural(d.hi, `raw ${kind} document`)}: ${shiftedHint(ctx.app.timezone)}` : describe(kind, d, actual, agg.has(d.day), totals, o.count_from);
      ctx.report({ event: kind, day: d.day, field: "t", expected: d.hi, actual, message });
    }
    if (o.aggregates_without_raw === "fail") {
      for (const r of raw) rawDays.add(r.day);
      for (const [day, t] of agg) {
        if (rawDays.has(day) || t === 0) continue;
        ctx.report({ event: kind, day, field: "t", expected: 0, actual: t, message: `countly.users has ${plural(t, "session")} this day but there are no raw session documents (raw data deleted, or aggregates restored over another dataset)` });
      }
    }
  },
};

function describe(kind: SessionKind, d: DayRaw, actual: number, hasDoc: boolean, totals: Record<SessionKind, number>, countFrom: CountFrom): string {
  const raw = `${plural(d.hi, "raw " + kind + " document")}`;
  const pending = d.lo === d.hi ? "" : ` (${d.hi - d.lo} of them inserted within the settle window may still be pending)`;
  const other = kind === INTERNAL_EVENTS.session ? INTERNAL_EVENTS.sessionBegin : INTERNAL_EVENTS.session;
  const hint = countFrom === "auto" && totals[other] > 0 ? ` (counting ${kind}; set count_from if your Countly build counts ${other})` : "";
  if (actual === 0) {
    const where = hasDoc ? "countly.users counts 0 sessions this day" : "countly.users has no sessions this day";
    return `${where}, but ${raw}${pending}: session aggregates not restored (or emptied), or the raw sessions were never aggregated after a restore${hint}`;
  }
  if (actual < d.lo) return `${d.lo - actual} fewer sessions than the ${raw}${pending}: part of the raw sessions were never aggregated, or the aggregates' days are shifted (another timezone than the app's)${hint}`;
  const ratio = d.hi > 0 ? actual / d.hi : Infinity;
  if (Number.isInteger(ratio) && ratio >= 2) return `exactly ${ratio}x the ${raw}: a restore merged over live aggregation (double counting)?${hint}`;
  return `${actual - d.hi} more sessions than the ${raw}: aggregates exceed the raw data (days shifted to another timezone, or counted twice)${hint}`;
}
