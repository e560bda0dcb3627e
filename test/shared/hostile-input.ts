// Hostile input, secrets and faults (issue 13), on both runtimes: bad scenarios are
// positioned errors (exit 2), report targets are written the way they are meant to be,
// dump files that cannot be read as their collection are errors naming the file (exit 3),
// and data cannot drive the terminal. Everything is written inside a temp dir of the test.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createReadStream } from "node:fs";
import { copyFile, lstat, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeDump } from "../../fixtures/dump-writer.ts";
import { generateDataset } from "../../fixtures/generate.ts";
import { applyCorruptions } from "../../fixtures/corruptions.ts";
import { startWireServer } from "../support/wire-server/index.ts";
import { cli } from "../support/cli.ts";
import type { SharedTests } from "./harness.ts";

const SCENARIO = (name = "s", extra = "") => `name: ${name}\n${extra}checks:\n  - id: v\n    check: views-present-when-raw\n`;

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), "cc-hostile-"));
}

let dumpOnce: Promise<string> | undefined;
/** A consistent dump with a terminal-attacking app name (written once per process). */
function hostileDump(): Promise<string> {
  dumpOnce ??= (async () => {
    const dir = await tempDir();
    const ds = generateDataset(7);
    const apps = ds.databases.countly!.apps as Record<string, unknown>[];
    apps[0]!.name = "Evil\u001b]0;pwned\u0007\u001b[2J\u202eApp\u0000";
    await writeDump(ds, join(dir, "dump-src"));
    return join(dir, "dump-src");
  })();
  return dumpOnce;
}

/** A copy of the hostile dump whose files a test may change. */
async function dumpCopy(): Promise<string> {
  const src = await hostileDump();
  const dst = await tempDir();
  for (const db of await readdir(join(src, "dump"))) {
    await mkdir(join(dst, "dump", db), { recursive: true });
    for (const f of await readdir(join(src, "dump", db))) await copyFile(join(src, "dump", db, f), join(dst, "dump", db, f));
  }
  return dst;
}

export const hostileInputTests: SharedTests = {
  async "scenario loading: alias bomb, ${VAR} values as data, last_days range, non-UTF-8, duplicate names are positioned (exit 2)"() {
    const dir = await tempDir();
    const bomb = ["name: b", 'a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
    for (let i = 0; i < 6; i++) bomb.push(`${"bcdefg"[i]}: &${"bcdefg"[i]} [${Array(10).fill(`*${"abcdef"[i]}`).join(",")}]`);
    await writeFile(join(dir, "bomb.yaml"), `${bomb.join("\n")}\n${SCENARIO("b").slice("name: b\n".length)}`);
    let r = await cli(["run", join(dir, "bomb.yaml"), "--source", dir]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /bomb\.yaml:3:\d+ YAML aliases: /);

    await writeFile(join(dir, "env.yaml"), "name: e\ndescription: ${D}\nchecks:\n  - id: a\n    check: events-match-raw\n    tolerance: ${T}\n");
    for (const d of ["*x", "a: b: c", "[1", "{", "!!binary x"]) {
      r = await cli(["run", join(dir, "env.yaml"), "--source", join(dir, "nope"), "--junit", join(dir, "e.xml"), "--json", join(dir, "e.json")], { D: d, T: "3" });
      assert.equal(r.code, 3, `${d}: ${r.stderr}`);
      const json = JSON.parse(await readFile(join(dir, "e.json"), "utf8")) as { suites: { description: string }[] };
      assert.equal(json.suites[0]!.description, d);
    }
    r = await cli(["run", join(dir, "env.yaml"), "--source", dir], { D: "x", T: "a: b" });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /env\.yaml:6:16 checks\[0\]\.tolerance: expected a number/);

    await writeFile(join(dir, "days.yaml"), SCENARIO("d", "period: { last_days: 200000000 }\n"));
    r = await cli(["run", join(dir, "days.yaml"), "--source", dir]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /days\.yaml:2:22 period\.last_days: must be <= 36600/);
    assert.doesNotMatch(r.stderr, /RangeError|\n\s+at /);

    await writeFile(join(dir, "latin1.yaml"), Buffer.concat([Buffer.from("name: caf"), Buffer.from([0xe9]), Buffer.from("\nchecks:\n  - { id: v, check: views-present-when-raw }\n")]));
    r = await cli(["run", join(dir, "latin1.yaml"), "--source", dir]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /latin1\.yaml:1:10 not valid UTF-8 \(byte offset 9: 0xe9\)/);

    await writeFile(join(dir, "one.yaml"), SCENARIO("same"));
    await writeFile(join(dir, "two.yaml"), `# second\n${SCENARIO("same")}`);
    r = await cli(["run", join(dir, "one.yaml"), join(dir, "two.yaml"), "--source", dir]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /two\.yaml:2:7 name: scenario name "same" is already used by .*one\.yaml:1:7/);
    for (const out of [r.stderr]) assert.doesNotMatch(out, /\n\s+at .*\.ts:\d+/);
  },

  async "secrets: a URI where a scenario belongs, two scenarios with different source: URIs, a password holding URI delimiters: redacted, no fragment shown"() {
    const dir = await tempDir();
    let r = await cli(["run", "mongodb://u:hunter2secret@db.example/"]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /mongodb:\/\/\*\*\*@db\.example\/: looks like a source URI, not a scenario file; pass it with --source/);
    assert.ok(!r.stderr.includes("hunter2secret"));
    await writeFile(join(dir, "a.yaml"), SCENARIO("a", 'source: "mongodb://u:p@ss@w0rd@h1/?tlsCertificateKeyFilePassword=keyS3cret"\n'));
    await writeFile(join(dir, "b.yaml"), SCENARIO("b", 'source: "mongodb://h2/?authMechanismProperties=AWS_SESSION_TOKEN:t0kenValue"\n'));
    r = await cli(["run", join(dir, "a.yaml"), join(dir, "b.yaml")]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /different sources: mongodb:\/\/\*\*\*@h1\/\?tlsCertificateKeyFilePassword=\*\*\* \(.*a\.yaml\); mongodb:\/\/h2\/\?authMechanismProperties=\*\*\* /);
    for (const s of ["p@ss@w0rd", "ss@w0rd", "keyS3cret", "t0kenValue"]) assert.ok(!r.stderr.includes(s), s);
    // A password holding the URI's own delimiters: no fragment of it, as a host or in the driver's parse error.
    for (const pw of ["Qx7a/Qx7b", "Qx7a?Qx7b", "Qx7a#Qx7b", "Qx7a:Qx7b", "Qx7a@Qx7b", "Qx7a/b@Qx7c?d", "Qx7a#b@Qx7c/d", "Qx7a@Qx7b?c=Qx7d"]) {
      const uri = `mongodb://checker:${pw}@127.0.0.1:1/countly?directConnection=true`;
      for (const argv of [["run", join(dir, "a.yaml"), "--source", uri], ["diff", "--before", uri, "--after", uri]]) {
        r = await cli([...argv, "--connect-timeout-ms", "200", "--junit", join(dir, "pw.xml")]);
        assert.equal(r.code, 3, `${pw}: ${r.stderr}`);
        const out = `${r.stdout}${r.stderr}${await readFile(join(dir, "pw.xml"), "utf8")}`;
        assert.ok(!out.toLowerCase().includes("qx7"), `${argv[0]} ${pw}: ${out}`);
        assert.match(out, /invalid MongoDB URI for (127\.0\.0\.1:1|\*\*\*)/);
      }
    }
    r = await cli(["run", join(dir, "a.yaml"), "--source", ""]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--source is empty/);
    r = await cli(["run", join(dir, "a.yaml"), "--source-env", "CC_SOURCE_UNSET"]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /environment variable CC_SOURCE_UNSET \(--source-env source\) is not set/);
  },

  async "secrets in data: a password that is also an app id (here in the profile's event-limit line and keys, and in case names) reaches no report"() {
    const dir = await tempDir();
    const ds = generateDataset(7);
    const apps = ds.databases.countly!.apps as Record<string, unknown>[];
    // the per-app event limit puts the app id in the profile: its summary line and the keys of detected.eventLimit.apps
    apps[0]!.plugins = { api: { event_limit: 50 } };
    const secret = String(apps[0]!._id);
    await writeDump(ds, join(dir, "backup"));
    const files = { junit: join(dir, "j.xml"), json: join(dir, "r.json"), sarif: join(dir, "r.sarif"), codequality: join(dir, "cq.json"), html: join(dir, "r.html") };
    const summary = join(dir, "summary.md");
    const env = { MONGODB_URI: `mongodb://checker:${secret}@db.example/countly`, GITHUB_ACTIONS: "true", GITHUB_STEP_SUMMARY: summary, GITHUB_WORKSPACE: dir };
    const r = await cli(["run", "scenarios/post-restore.yaml", "--source", join(dir, "backup"), ...Object.entries(files).flatMap(([flag, f]) => [`--${flag}`, f])], env);
    assert.ok(r.code === 0 || r.code === 1, r.stderr);
    const outputs: Record<string, string> = { stdout: r.stdout, stderr: r.stderr, summary: await readFile(summary, "utf8") };
    for (const [name, f] of Object.entries(files)) outputs[name] = await readFile(f, "utf8");
    for (const [name, text] of Object.entries(outputs)) assert.ok(!text.includes(secret), `${name} shows the password`);
    assert.match(outputs.junit!, /<property name="profile\.event-limit" value="[^"]*per-app overrides: \*\*\*=50"\/>/);
    const json = JSON.parse(outputs.json!) as { profile: { detected: { eventLimit: { apps: Record<string, number> } } } };
    assert.deepEqual(json.profile.detected.eventLimit.apps, { "***": 50 });
  },

  async "report targets: a directory or a path under a file is exit 4 after the verdict; one target twice is exit 2; a FIFO is written in place"() {
    const dump = await hostileDump();
    const dir = await tempDir();
    await writeFile(join(dir, "file"), "keep");
    for (const target of [dir, join(dir, "file", "junit.xml")]) {
      const r = await cli(["run", "scenarios/post-upgrade.yaml", "--source", dump, "--junit", target]);
      assert.equal(r.code, 4, r.stderr);
      assert.match(r.stdout, /^PASSED: /m);
      assert.equal(r.stderr.trim().split("\n").length, 1);
      assert.match(r.stderr, /^countly-check: cannot write report /);
    }
    assert.deepEqual((await readdir(dir)).sort(), ["file"]);
    for (const argv of [["--junit", "-", "--json", "-"], ["--junit", join(dir, "x"), "--json", join(dir, ".", "x")]]) {
      const r = await cli(["run", "scenarios/post-upgrade.yaml", "--source", dump, ...argv]);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /both write to/);
    }
    const fifo = join(dir, "pipe");
    execFileSync("mkfifo", [fifo]);
    const read = new Promise<string>((resolve, reject) => {
      const chunks: Uint8Array[] = [];
      createReadStream(fifo).on("data", (c) => chunks.push(c as Uint8Array)).on("end", () => resolve(Buffer.concat(chunks).toString("utf8"))).on("error", reject);
    });
    const r = await cli(["run", "scenarios/post-upgrade.yaml", "--source", dump, "--junit", fifo, "-q"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(await read, /^<\?xml[\s\S]*<\/testsuites>\n$/);
    assert.ok((await lstat(fifo)).isFIFO());
  },

  async "dump files: a FIFO, a 0-byte .bson.gz, .bson next to .bson.gz, another collection's documents: exit 3 naming the file, never a hang"() {
    const cases: [string, (root: string) => Promise<void>, RegExp][] = [
      ["fifo", async (root) => {
        await rm(join(root, "dump/countly_drill/drill_events.bson"));
        execFileSync("mkfifo", [join(root, "dump/countly_drill/drill_events.bson")]);
      }, /drill_events\.bson: a FIFO \(named pipe\), not a regular file/],
      ["empty gz", async (root) => {
        await rm(join(root, "dump/countly/events_data.bson"));
        await writeFile(join(root, "dump/countly/events_data.bson.gz"), "");
      }, /events_data\.bson\.gz: 0 bytes, but mongodump --gzip writes a gzip header even for an empty collection/],
      ["both", async (root) => {
        await writeFile(join(root, "dump/countly/events_data.bson.gz"), "");
      }, /events_data\.bson and events_data\.bson\.gz: two files for collection events_data/],
      ["apps as drill_events", async (root) => {
        await copyFile(join(root, "dump/countly/apps.bson"), join(root, "dump/countly_drill/drill_events.bson"));
      }, /drill_events\.bson: its first document .* has none of the fields a document of drill_events has .*: it looks like a document of apps/],
      ["a valid first document, then apps", async (root) => {
        const raw = await readFile(join(root, "dump/countly_drill/drill_events.bson"));
        const first = raw.subarray(0, raw.readInt32LE(0));
        await writeFile(join(root, "dump/countly_drill/drill_events.bson"), Buffer.concat([first, await readFile(join(root, "dump/countly/apps.bson"))]));
      }, /drill_events\.bson: its document 2 \(byte offset \d+\) .*: it looks like a document of apps/],
      ["aggregates as apps", async (root) => {
        await copyFile(join(root, "dump/countly/events_data.bson"), join(root, "dump/countly/apps.bson"));
      }, /apps\.bson: its first document .*: it looks like a document of events_data/],
    ];
    for (const [name, spoil, expected] of cases) {
      const root = await dumpCopy();
      await spoil(root);
      const r = await cli(["run", "scenarios/post-upgrade.yaml", "--source", root, "--junit", join(root, "j.xml")]);
      assert.equal(r.code, 3, `${name}: ${r.stdout}${r.stderr}`);
      assert.match(`${r.stdout}${r.stderr}`, expected, name);
      assert.match(await readFile(join(root, "j.xml"), "utf8"), /<error /, name);
    }
  },

  async "data of an app id that countly.apps does not have is a finding naming the id and its collections (exit 1)"() {
    const root = await dumpCopy();
    const ds = generateDataset(7);
    const gone = ds.apps[0]!.id;
    // countly.apps without the first app: its raw data and aggregates stay.
    const apps = (ds.databases.countly!.apps as Record<string, unknown>[]).filter((a) => String(a._id) !== gone);
    const { BSON } = await import("bson");
    await writeFile(join(root, "dump/countly/apps.bson"), Buffer.concat(apps.map((a) => BSON.serialize(a))));
    const r = await cli(["run", "scenarios/post-restore.yaml", "--source", root, "--junit", join(root, "j.xml")]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, new RegExp(`app id ${gone}: expected a countly.apps document, actual none — app id ${gone} is in no countly.apps document \\(\\d+ apps? known\\), but its data is in .*countly_drill\\.drill_events \\(\\d+ documents\\)`));
    assert.match(await readFile(join(root, "j.xml"), "utf8"), new RegExp(`<failure [^>]*app id ${gone} is in no countly.apps document`));
  },

  async "live (the wire double): a raw ts that is no time is an <error> naming the collection and _id; an unknown app id is a finding"() {
    const ds = applyCorruptions(generateDataset(7), ["app-recreated"]);
    const raw = ds.databases.countly_drill!.drill_events!;
    raw.push({ ...raw.find((d) => d.a === ds.apps[1]!.id)!, _id: "ts-no-time", ts: 1e20 });
    const server = await startWireServer({ databases: ds.databases });
    const dir = await tempDir();
    try {
      const r = await cli(["run", "scenarios/post-restore.yaml", "--source-env", "CC_URI", "--junit", join(dir, "j.xml")], { CC_URI: server.uri });
      assert.equal(r.code, 3, r.stderr);
      assert.match(r.stdout, /events-match-raw \[.*\] — could not read the data: countly_drill\.drill_events document "ts-no-time": raw event ts 100000000000000000000 is not a time/);
      assert.match(r.stdout, new RegExp(`app id ${generateDataset(7).apps[0]!.id} is in no countly.apps document`));
      assert.match(await readFile(join(dir, "j.xml"), "utf8"), /<error [^>]*ts-no-time/);
    } finally {
      await server.stop();
    }
  },

  async "the console shows control characters of data escaped, in run and diff"() {
    const dump = await hostileDump();
    const dir = await tempDir();
    await writeFile(join(dir, "s.yaml"), SCENARIO('"Suite\\e[31m\\a"', 'description: "\\e]0;title\\a"\n'));
    const junit = ["--junit", join(dir, "j.xml")];
    for (const argv of [["run", join(dir, "s.yaml"), "--source", dump, ...junit], ["run", "scenarios/post-upgrade.yaml", "--source", dump, ...junit], ["diff", "--before", dump, "--after", dump, ...junit]]) {
      const r = await cli(argv);
      const out = r.stdout + r.stderr;
      // eslint-disable-next-line no-control-regex
      assert.doesNotMatch(out, /[\u0000-\u0008\u000b-\u001f\u007f\u202e]/, argv.join(" "));
      if (argv[0] === "run") assert.match(out, /Evil\\x1b\]0;pwned\\x07\\x1b\[2J\\u202eApp\\x00|Suite\\x1b\[31m\\x07/);
    }
  },

  async "$where, $function and $accumulator on a dump name the operator and say only MongoDB runs them"() {
    const dump = await hostileDump();
    const dir = await tempDir();
    await writeFile(
      join(dir, "js.yaml"),
      'name: js\nchecks:\n  - id: w\n    check: pipeline\n    per_app: false\n    collection: countly.apps\n    pipeline:\n      - $match: { $where: "return true" }\n    expect: empty\n',
    );
    const r = await cli(["run", join(dir, "js.yaml"), "--source", dump, "--junit", join(dir, "j.xml")]);
    assert.equal(r.code, 3);
    assert.match(r.stdout, /\$where \(stage 1\) runs JavaScript, which only MongoDB runs/);
  },
};
