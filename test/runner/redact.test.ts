// The one redaction rule (runner/redact.ts): user info up to the last `@` before the host,
// every query option value but the allow-listed ones, and the literal secrets of known URIs.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { redactUri, SAFE_URI_OPTIONS, scrubSecrets, secretsOf, uriHosts } from "../../runner/redact.ts";
import { markedSecret, URI_SPECIALS } from "../support/secrets.ts";

const SEED = 1313;

describe("redactUri", () => {
  it("removes user info up to the last @ before the host, even with unescaped @ in the password", () => {
    expect(redactUri("mongodb://u:p@ss@word@host:27017/countly")).toBe("mongodb://***@host:27017/countly");
    expect(redactUri("x mongodb+srv://u:p:w@cluster0.example.net/?retryWrites=true y")).toBe("x mongodb+srv://***@cluster0.example.net/?retryWrites=true y");
    expect(redactUri("https://ci-token:abcd@gitlab.example/x.git")).toBe("https://***@gitlab.example/x.git");
    expect(redactUri("mongodb://h1,h2/db")).toBe("mongodb://h1,h2/db");
  });

  it("keeps the allow-listed options and hides every other option's value", () => {
    const out = redactUri(
      "mongodb://h/db?authSource=admin&replicaSet=rs0&tlsCertificateKeyFilePassword=s3cr3t&authMechanismProperties=AWS_SESSION_TOKEN:tok%2B1&tls=true&proxyPassword=pp",
    );
    expect(out).toBe("mongodb://h/db?authSource=admin&replicaSet=rs0&tlsCertificateKeyFilePassword=***&authMechanismProperties=***&tls=true&proxyPassword=***");
    for (const o of ["authsource", "replicaset", "tls", "readpreference", "directconnection", "appname"]) expect(SAFE_URI_OPTIONS.has(o)).toBe(true);
  });

  it("a password holding / ? # : or @ never shows a fragment as a host; a URI that reads two ways is hidden whole", () => {
    expect(redactUri("mongodb://u:ab/cd@h/db")).toBe("mongodb://***@h/db");
    expect(redactUri("mongodb://u:a#b@c/d@127.0.0.1:1/countly")).toBe("mongodb://***@127.0.0.1:1/countly");
    expect(redactUri("mongodb://u:ab?cd@h:27017/?authSource=admin")).toBe("mongodb://***@h:27017/?authSource=admin");
    // `u:a/b@c` + `?d=e@h`: host `c` and option d=`e@h`, or password `a/b@c?d=e` and host `h`.
    expect(redactUri("mongodb://u:a/b@c?d=e@h/")).toBe("mongodb://***");
    expect(redactUri("mongodb://u:a/b@c?d@h/")).toBe("mongodb://***@h/");
    expect(redactUri("mongodb://h/?authMechanismProperties=AWS_SESSION_TOKEN:a@b.c")).toBe("mongodb://***");
    // No `@` and no host list (`u:pw` is no host:port): all hidden.
    expect(redactUri("mongodb://u:pw/db")).toBe("mongodb://***");
    expect(uriHosts("mongodb://u:ab/cd@db1:27017,[::1]:27018/x")).toEqual({ scheme: "mongodb", hosts: "db1:27017,[::1]:27018" });
    expect(uriHosts("mongodb://u:a/b@c?d=e@h/").hosts).toBe("***");
    // Idempotent: redacted text passes through the rule again unchanged.
    for (const t of ["mongodb://***@h:1/x?tls=true&proxyPassword=***", "mongodb://***", "file:///tmp/x"]) expect(redactUri(t)).toBe(t);
  });

  it(`property: the rule alone shows no fragment of a password or option value holding URI delimiters anywhere (seed ${SEED})`, () => {
    const optionValue = markedSecret("Kv9", URI_SPECIALS.replace(/[&;]/g, ""));
    const hosts = fc.constantFrom("db.example:27017", "db1,db2:27018", "127.0.0.1", "[::1]:27017", "cluster0.example.net");
    const tail = fc.constantFrom("", "/", "/countly", "/countly?authSource=admin&", "/?", "?");
    fc.assert(
      fc.property(markedSecret("Qx7"), optionValue, hosts, tail, fc.constantFrom("mongodb", "mongodb+srv"), (password, value, host, path, scheme) => {
        const query = path.endsWith("?") || path.endsWith("&") ? `${path}tlsCertificateKeyFilePassword=${value}` : path;
        const uri = `${scheme}://user:${password}@${host}${query}`;
        for (const shown of [redactUri(`failed: ${uri} (x)`), uriHosts(uri).hosts]) {
          expect(shown).not.toContain("Qx7");
          expect(shown).not.toContain("Kv9");
        }
        // Where the URI reads one way only, its hosts are still shown.
        if (!/@/.test(password + value)) expect(uriHosts(uri).hosts).toBe(host);
      }),
      { seed: SEED, numRuns: 2000 },
    );
  });

  it("leaves text without URIs alone", () => {
    expect(redactUri("event user@example.com bought 3 (a:b)")).toBe("event user@example.com bought 3 (a:b)");
  });
});

describe("scrubSecrets", () => {
  it("removes a known URI's password and option values wherever they appear, raw and percent-decoded", () => {
    const uri = "mongodb://admin:p%40ss%2Fw0rd@h/?tlsCertificateKeyFilePassword=keyP4ss";
    expect(scrubSecrets("auth failed for p@ss/w0rd; key keyP4ss; p%40ss%2Fw0rd", uri)).toBe("auth failed for ***; key ***; ***");
    expect(secretsOf(uri)).toContain("p@ss/w0rd");
  });

  it(`property: no generated password or option value survives, in any URI shape (seed ${SEED})`, () => {
    console.log(`redact property: fast-check seed ${SEED}`);
    const secret = fc.string({ unit: fc.constantFrom(..."abcXYZ0189@:/?#&=%+!$*,;[]_-.~"), minLength: 6, maxLength: 24 }).map((s) => `Zq${s}`);
    const option = fc.constantFrom("tlsCertificateKeyFilePassword", "authMechanismProperties", "password", "foo", "sslPEMKeyPassword");
    fc.assert(
      fc.property(secret, secret, option, fc.boolean(), fc.constantFrom("mongodb", "mongodb+srv"), (password, value, name, encode, scheme) => {
        const pw = encode ? encodeURIComponent(password) : password;
        const optValue = name === "authMechanismProperties" ? `AWS_SESSION_TOKEN:${value}` : value;
        const uri = `${scheme}://user:${pw}@db.example:27017/countly?authSource=admin&${name}=${encode ? encodeURIComponent(optValue) : optValue}`;
        for (const text of [`failed: ${uri}`, `${uri} and ${password} and ${value}`, `(${uri})`]) {
          const out = scrubSecrets(text, uri);
          expect(out).not.toContain(password);
          expect(out).not.toContain(value);
          expect(out).not.toContain(pw);
        }
        // Without knowing the URI, the structural rule alone still hides both (when the password has no whitespace).
        const structural = redactUri(`failed: ${uri}`);
        expect(structural).not.toContain(`:${pw}@`);
        expect(structural).not.toContain(value);
      }),
      { seed: SEED, numRuns: 1000 },
    );
  });
});

describe("what is not a secret", () => {
  it("a user name alone, harmless options and the parts of other readings' queries are not scrubbed as text", () => {
    const uri = "mongodb://countly@h/countly?authSource=admin&replicaSet=rs0";
    expect(scrubSecrets("countly.apps in admin, rs0", uri)).toBe("countly.apps in admin, rs0");
    const ambiguous = "mongodb://u:p@ss/w?rd@h/countly?authSource=admin";
    expect(scrubSecrets("collection admin", ambiguous)).toBe("collection admin");
  });
});
