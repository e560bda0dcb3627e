// The JUnit writer on the sample run (test/reports/sample-run.ts): XSD validity,
// outcome mapping and counts, YAML locations, the findings cap, escaping.
import assert from "node:assert/strict";
import { toJUnit } from "../../reports/junit.ts";
import { exitCodeOf } from "../../runner/model.ts";
import { sampleRun } from "../reports/sample-run.ts";
import { countProblems, duplicateNames, parseJUnit } from "../support/junit-inspect.ts";
import { hasXmllint, validateJUnit } from "../support/xsd.ts";
import type { SharedTests } from "./harness.ts";

const xml = () => toJUnit(sampleRun());

export const junitWriterTests: SharedTests = {
  "is valid against the JUnit XSD (with file/line)"() {
    assert.ok(hasXmllint(), "xmllint is required (apt-get install libxml2-utils)");
    assert.equal(validateJUnit(xml()), "");
  },

  "maps outcomes: failure, error, skipped; warnings pass with the findings in system-out"() {
    const x = xml();
    assert.match(x, /<testsuite name="post-restore" tests="5" failures="1" errors="1" skipped="1"/);
    assert.match(x, /<testsuites name="countly-check" tests="5" failures="1" errors="1"/);
    assert.equal(x.match(/<failure /g)?.length, 1);
    assert.equal(x.match(/<error /g)?.length, 1);
    assert.equal(x.match(/<skipped /g)?.length, 1);
    assert.match(x, /<system-out>WARNING \(severity warn, does not fail the run\)/);
    assert.equal(exitCodeOf(sampleRun()), 3);
  },

  "puts the summary line first in a failure's body and the skip reason in the element text (GitLab drops the message attribute)"() {
    const x = xml();
    assert.match(x, /<failure type="events-match-raw" message="75 findings: no aggregated data">75 findings: no aggregated data\n- app /);
    assert.match(x, /<skipped message="no raw \[CLY\]_view events in the period">no raw \[CLY\]_view events in the period<\/skipped>/);
  },

  "counts match the test cases and names are unique"() {
    const doc = parseJUnit(xml());
    assert.deepEqual(countProblems(doc), []);
    assert.deepEqual(duplicateNames(doc), []);
    assert.deepEqual(
      doc.suites[0]!.cases.map((c) => c.outcome),
      ["failed", "passed", "skipped", "error", "passed"],
    );
  },

  "points each case at its YAML file and line"() {
    assert.ok(xml().includes('classname="post-restore.events-match-raw" time="0.012" file="scenarios/post-restore.yaml" line="20"'));
  },

  "caps findings at 50 and counts the rest"() {
    const x = xml();
    const failure = x.slice(x.indexOf("<failure"), x.indexOf("</failure>"));
    assert.equal(failure.match(/(^|>)- app /gm)?.length, 50);
    assert.ok(failure.includes("… and 25 more findings"));
    assert.ok(failure.includes("What to do: restore countly.events_data"));
  },

  "escapes markup once and strips ANSI codes and XML-invalid characters"() {
    const x = xml();
    assert.ok(x.includes("Shop &amp; &lt;Co&gt; &quot;EU&quot;"));
    assert.ok(!x.includes("&amp;amp;"));
    assert.ok(!x.includes("\u001b"));
    assert.ok(!x.includes("\u0007"));
    assert.ok(x.includes("no aggregated data red ]]&gt;"));
    assert.equal(parseJUnit(x).suites[0]!.cases[0]!.name, 'events-match-raw [Shop & <Co> "EU" 65f0a1b2c3d4e5f6a7b8c9d0]');
  },

  "writes an error's message as its body too, and the suite's start as a timezone-less ISO timestamp"() {
    const x = xml();
    const msg = "could not read the data: dump/countly_drill/drill_events.bson: truncated document (byte offset 1234)";
    assert.ok(x.includes(`<error type="CouldNotEvaluate" message="${msg}">${msg}</error>`));
    assert.match(x, /<testsuite [^>]* timestamp="2026-11-25T00:00:00\.000" file="scenarios\/post-restore\.yaml">/);
    assert.match(x, /<testsuite [^>]* time="1\.000" /);
    assert.match(x, /<testsuites [^>]* time="1\.234">/);
  },

  "leaves out attributes without a value instead of writing \"undefined\""() {
    const run = sampleRun();
    for (const c of run.suites.flatMap((s) => s.cases)) if (c.outcome === "error" || c.outcome === "skipped") delete c.message;
    delete run.layout;
    const x = toJUnit(run);
    assert.ok(!x.includes("undefined"));
    assert.ok(x.includes('<error type="CouldNotEvaluate"></error>'));
    assert.ok(x.includes("<skipped></skipped>"));
    assert.ok(!x.includes('name="layout"'));
  },

  "starts with the XML declaration and lists the run's source, layout and the suite's description as properties"() {
    const x = xml();
    assert.equal(x.split("\n")[0], '<?xml version="1.0" encoding="UTF-8"?>');
    assert.ok(x.includes('<property name="source" value="dump .demo/incident"/>'));
    assert.ok(x.includes('<property name="layout" value="events: current, drill: current, views: current"/>'));
    assert.ok(x.includes('<property name="description" value="after restore"/>'));
    assert.ok(x.endsWith("</testsuites>\n"));
  },
};
