// Property: whatever the password and the option values look like, none of them appears
// anywhere the CLI writes (stdout, stderr, JUnit, JSON), on every error path that can
// carry a URI: an unreachable server (run and diff), a URI given as a scenario file, two
// scenarios naming different sources, a source from the environment, a bad scheme.
// Secrets hold the URI's own delimiters anywhere (`@ : / ? #`…): no fragment may show either.
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { cli } from "../../support/cli.ts";
import { leakForms, markedSecret, URI_SPECIALS } from "../../support/secrets.ts";

const SEED = 13013;
const RUNS = 24;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "cc-secrets-"));
});

// Markers that never occur naturally: every fragment of a password holds PW, of an option value OPT.
const PW = "Qx7";
const OPT = "Kv9";
const secret = markedSecret(PW);
// An unescaped `&` or `;` in a query ends the value (the driver reads the rest as another option's name).
const optionValue = markedSecret(OPT, URI_SPECIALS.replace(/[&;]/g, ""));
const unsafeOption = fc.constantFrom("tlsCertificateKeyFilePassword", "authMechanismProperties", "sslPEMKeyPassword", "proxyPassword");

async function outputsOf(argv: string[], env: Record<string, string> = {}): Promise<string> {
  const junit = join(dir, "junit.xml");
  const json = join(dir, "result.json");
  await writeFile(junit, "");
  await writeFile(json, "");
  const r = await cli([...argv, "--junit", junit, "--json", json], env);
  return [r.stdout, r.stderr, await readFile(junit, "utf8"), await readFile(json, "utf8")].join("\n");
}

describe("secrets never reach output (property)", () => {
  it(`on every error path that carries a URI (seed ${SEED}, ${RUNS} runs)`, async () => {
    console.log(`secrets property: fast-check seed ${SEED}, ${RUNS} runs`);
    await fc.assert(
      fc.asyncProperty(secret, optionValue, unsafeOption, fc.boolean(), async (password, value, option, encode) => {
        const enc = (s: string) => (encode ? encodeURIComponent(s) : s);
        const optValue = option === "authMechanismProperties" ? `AWS_SESSION_TOKEN:${value}` : value;
        // Port 1 on loopback refuses at once: the unreachable-server path without waiting.
        const uri = `mongodb://checker:${enc(password)}@127.0.0.1:1/countly?authSource=admin&${option}=${enc(optValue)}&directConnection=true`;
        const other = `mongodb://other:${enc(password)}@127.0.0.2:1/?${option}=${enc(optValue)}`;
        const a = join(dir, "a.yaml");
        const b = join(dir, "b.yaml");
        const yamlString = (s: string) => JSON.stringify(s);
        await writeFile(a, `name: a\nsource: ${yamlString(uri)}\nchecks:\n  - { id: c, check: views-present-when-raw }\n`);
        await writeFile(b, `name: b\nsource: ${yamlString(other)}\nchecks:\n  - { id: c, check: views-present-when-raw }\n`);
        const env = `name: e\nsource: \${SECRET_URI}\nchecks:\n  - { id: c, check: views-present-when-raw }\n`;
        await writeFile(join(dir, "e.yaml"), env);
        const timeout = ["--connect-timeout-ms", "300"];
        const outputs = [
          await outputsOf(["run", a, "--source", uri, ...timeout]),
          await outputsOf(["run", a, "--source-env", "SECRET_URI", ...timeout], { SECRET_URI: uri }),
          await outputsOf(["run", a, ...timeout], { COUNTLY_CHECK_SOURCE: uri }),
          await outputsOf(["run", join(dir, "e.yaml"), ...timeout], { SECRET_URI: uri }),
          await outputsOf(["run", uri, "--source", dir]),
          await outputsOf(["run", a, b]),
          await outputsOf(["diff", "--before", uri, "--after", other, "--connect-timeout-ms", "300"]),
          await outputsOf(["diff", "--before-env", "B", "--after", `http://u:${enc(password)}@h/`], { B: uri }),
          await outputsOf(["run", a, `--source=${uri}x`, "--bogus-flag"]),
        ];
        for (const [i, out] of outputs.entries()) {
          for (const s of [password, value]) for (const f of leakForms(s)) expect(out.includes(f), `path ${i} leaks ${JSON.stringify(f)}:\n${out.slice(0, 3000)}`).toBe(false);
          // Case-folded: the driver quotes option names lower-cased.
          for (const marker of [PW, OPT]) expect(out.toLowerCase().includes(marker.toLowerCase()), `path ${i} leaks a fragment (${marker}) of ${JSON.stringify(marker === PW ? password : value)}:\n${out.slice(0, 3000)}`).toBe(false);
        }
      }),
      { seed: SEED, numRuns: RUNS },
    );
  }, 240_000);
});
