// One wording of a finding for every reporter: where (app, event, day, segment), the values
// (field: expected, actual) and the message, joined as the console, JUnit and JSON show them.
import { describe, expect, it } from "vitest";
import { formatFinding } from "../../reports/format.ts";

describe("formatFinding", () => {
  it("names app, event, day and segment, then the field's expected and actual values, then the message", () => {
    expect(formatFinding({ app: { id: "65f0", name: "Shop" }, event: "Buy", day: "2024-10-27", segment: "Country", field: "c", expected: 42, actual: 0, message: "no aggregated data" })).toBe(
      "app Shop (65f0) · event Buy · day 2024-10-27 · segment Country · c: expected 42, actual 0 — no aggregated data",
    );
  });

  it("shows only what a finding carries", () => {
    expect(formatFinding({ message: "bare" })).toBe("bare");
    expect(formatFinding({ event: "", message: "empty event" })).toBe("event  — empty event");
    expect(formatFinding({ day: "2024-01-01", message: "m" })).toBe("day 2024-01-01 — m");
    expect(formatFinding({ segment: "s", message: "m" })).toBe("segment s — m");
    expect(formatFinding({ expected: 3, message: "m" })).toBe("expected 3 — m");
    expect(formatFinding({ actual: "x", message: "m" })).toBe("actual x — m");
    expect(formatFinding({ field: "dur", actual: 0, message: "m" })).toBe("dur: actual 0 — m");
    expect(formatFinding({ field: "dur", message: "a field alone is not shown" })).toBe("a field alone is not shown");
    expect(formatFinding({ expected: 0, actual: 0, message: "" })).toBe("expected 0, actual 0 — ");
  });

  it("rounds numbers to six decimals and shows strings as they are", () => {
    expect(formatFinding({ expected: 1 / 3, actual: 2.0000004, message: "m" })).toBe("expected 0.333333, actual 2 — m");
    expect(formatFinding({ expected: -0.1234565, actual: 1e21, message: "m" })).toBe("expected -0.123456, actual 1e+21 — m");
    expect(formatFinding({ expected: "2024:9", actual: "2024:09", message: "m" })).toBe("expected 2024:9, actual 2024:09 — m");
  });
});
