import { describe, expect, it } from "vitest";
import { appsKnown } from "../../checks/apps-known.ts";
import type { UnknownAppData } from "../../runner/facts/types.ts";
import { evaluateWhole } from "../support/whole-database-harness.ts";

const GONE = "65f0a1b2c3d4e5f6a7b8c9d1";
const OTHER = "65f0a1b2c3d4e5f6a7b8c9d2";
const row = (app: string, collection: string, docs: number): UnknownAppData => ({ app, collection, docs });

describe("apps-known", () => {
  it("valid: no data of an app id outside countly.apps", () => {
    expect(evaluateWhole(appsKnown, {}, { unknownApps: { known: ["k0", "k1", "k2"], rows: [] } })).toEqual({ findings: [], skipped: undefined });
  });

  it("invalid: names each unknown app id and the collections holding its data, largest first", () => {
    const rows = [row(GONE, "countly.events_data", 48), row(GONE, "countly_drill.drill_events", 1200), row(OTHER, "countly.users", 1)];
    expect(evaluateWhole(appsKnown, {}, { unknownApps: { known: ["k0", "k1"], rows } }).findings).toEqual([
      {
        field: `app id ${GONE}`,
        expected: "a countly.apps document",
        actual: "none",
        message: `app id ${GONE} is in no countly.apps document (2 apps known), but its data is in countly_drill.drill_events (1200 documents), countly.events_data (48 documents): no check reads it`,
      },
      expect.objectContaining({ field: `app id ${OTHER}`, message: expect.stringContaining("its data is in countly.users (1 document): no check reads it") }),
    ]);
  });

  it("invalid: raw documents without an app id; long collection lists are cut", () => {
    const many = Array.from({ length: 8 }, (_, i) => row(GONE, `countly.c${i}`, 10 - i));
    const out = evaluateWhole(appsKnown, {}, { unknownApps: { known: ["k0"], rows: [row("", "countly_drill.drill_events", 7), ...many] } }).findings;
    expect(out[0]).toEqual({ field: "a", expected: "an app id", actual: "missing or not a string", message: "raw documents without an app id (`a` missing or not a string) in countly_drill.drill_events (7 documents): no app's checks read them" });
    expect(out[1]!.message).toMatch(/countly\.c5 \(5 documents\), 2 more collections: no check reads it$/);
  });

  it("ignore_apps leaves accepted leftovers out", () => {
    const rows = [row(GONE, "countly.users", 5), row(OTHER, "countly.users", 1)];
    expect(evaluateWhole(appsKnown, { ignore_apps: [GONE] }, { unknownApps: { known: ["k0", "k1"], rows } }).findings.map((f) => f.field)).toEqual([`app id ${OTHER}`]);
  });

  it("collections with as many documents are named in name order; six are all named, with no 'more'", () => {
    const six = ["countly.users", "countly.events_data", "countly.sources", "countly.app_viewdata", "countly.carriers", "countly.devices"].map((c) => row(GONE, c, 5));
    expect(evaluateWhole(appsKnown, {}, { unknownApps: { known: ["k0"], rows: six } }).findings.map((f) => f.message)).toEqual([
      `app id ${GONE} is in no countly.apps document (1 app known), but its data is in countly.app_viewdata (5 documents), countly.carriers (5 documents), countly.devices (5 documents), countly.events_data (5 documents), countly.sources (5 documents), countly.users (5 documents): no check reads it`,
    ]);
  });

  it("raw documents without an app id in two collections: both named", () => {
    const rows = [row("", "countly_drill.drill_events", 7), row("", "countly_drill.drill_events0a1b", 2)];
    expect(evaluateWhole(appsKnown, {}, { unknownApps: { known: ["k0"], rows } }).findings).toEqual([
      { field: "a", expected: "an app id", actual: "missing or not a string", message: "raw documents without an app id (`a` missing or not a string) in countly_drill.drill_events (7 documents), countly_drill.drill_events0a1b (2 documents): no app's checks read them" },
    ]);
  });
});
