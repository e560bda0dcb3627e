import { describe, expect, it } from "vitest";
import { toJUnit } from "../../reports/junit.ts";
import { exitCodeOf } from "../../runner/model.ts";
import { hasXmllint, validateJUnit } from "../support/xsd.ts";
import { sampleRun } from "./sample-run.ts";

describe("toJUnit", () => {
  const xml = toJUnit(sampleRun());

  it("is valid against the JUnit XSD (with file/line)", () => {
    if (!hasXmllint()) throw new Error("xmllint is required (apt-get install libxml2-utils)");
    expect(validateJUnit(xml)).toBe("");
  });

  it("maps outcomes: failure, error, skipped; warnings pass with the findings in system-out", () => {
    expect(xml).toMatch(/<testsuite name="post-restore" tests="5" failures="1" errors="1" skipped="1"/);
    expect(xml).toMatch(/<testsuites name="countly-check" tests="5" failures="1" errors="1"/);
    expect(xml.match(/<failure /g)).toHaveLength(1);
    expect(xml.match(/<error /g)).toHaveLength(1);
    expect(xml.match(/<skipped /g)).toHaveLength(1);
    expect(xml).toMatch(/<system-out>WARNING \(severity warn, does not fail the run\)/);
    expect(exitCodeOf(sampleRun())).toBe(3);
  });

  it("points each case at its YAML file and line", () => {
    expect(xml).toContain('classname="post-restore.events-match-raw" time="0.012" file="scenarios/post-restore.yaml" line="20"');
  });

  it("caps findings at 50 and counts the rest", () => {
    const failure = xml.slice(xml.indexOf("<failure"), xml.indexOf("</failure>"));
    expect(failure.match(/(^|>)- app /gm)).toHaveLength(50);
    expect(failure).toContain("… and 25 more findings");
    expect(failure).toContain("What to do: restore countly.events_data");
  });

  it("escapes markup once and strips ANSI codes and XML-invalid characters", () => {
    expect(xml).toContain("Shop &amp; &lt;Co&gt; &quot;EU&quot;");
    expect(xml).not.toContain("\u001b");
    expect(xml).not.toContain("\u0007");
    expect(xml).toContain("no aggregated data red ]]&gt;");
  });
});
