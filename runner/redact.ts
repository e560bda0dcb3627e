// The one redaction rule: every text that leaves the process (console, stderr, JUnit,
// JSON, error messages) goes through `redactText`/`scrubSecrets` first.
//
// In any `scheme://…` text:
//   - everything between `scheme://` and the LAST `@` before the host is user info and is
//     replaced by `***` (passwords may hold unescaped `@`, `:`, `/`, `?` or `#`); where the
//     URI reads two ways that disagree on what is secret, all of it is `***` (readUri);
//   - every query option's value is replaced by `***` except the harmless options of
//     SAFE_URI_OPTIONS (they help reading an error and never carry a secret).
// The literal secrets of the URIs the user gave (password and option values, raw and
// percent-decoded) are removed too, wherever they appear without their URI around them.
// What a report shows as a live source (`uriHosts`) comes from the same reading.

/** Query options whose values are shown (lower case). Everything else is `***`. */
export const SAFE_URI_OPTIONS: ReadonlySet<string> = new Set(
  [
    "authSource",
    "authMechanism",
    "replicaSet",
    "tls",
    "ssl",
    "readPreference",
    "readConcernLevel",
    "directConnection",
    "loadBalanced",
    "appName",
    "retryWrites",
    "retryReads",
    "w",
    "journal",
    "connectTimeoutMS",
    "socketTimeoutMS",
    "serverSelectionTimeoutMS",
    "maxPoolSize",
    "minPoolSize",
    "compressors",
    "srvServiceName",
  ].map((o) => o.toLowerCase()),
);

/** Literal secrets shorter than this are not scrubbed as bare text (a 1-letter password would mangle every word); their URIs still are. */
const MIN_LITERAL_SECRET = 4;

// A URI runs from its scheme to the next whitespace (passwords hold anything else).
const URI_TOKEN = /\b([a-z][a-z0-9+.-]*:\/\/)(\S*)/gi;
// A host list as a connection string has it: hosts (names, IPv4, `[IPv6]`, percent-encoded
// socket paths) with numeric ports, comma-separated. A password fragment such as `u:pw`
// (port not a number) is not one; that is how the readings below are told apart.
const HOST = String.raw`(?:\[[\p{L}\p{N}:.%]+\]|[\p{L}\p{N}._~%-]+)(?::\d+)?`;
const HOST_LIST = new RegExp(String.raw`^${HOST}(?:,${HOST})*(?=[/?#]|$)`, "u");

/**
 * How one URI (the text after `scheme://`) reads: `userInfoEnd` is the index of the `@`
 * that ends the user info (-1: none), `hosts` what follows it up to the path, query or end;
 * `hidden` when the URI can be read in ways that disagree on what is secret.
 */
interface UriReading {
  userInfoEnd: number;
  hosts: string;
  hidden: boolean;
}

/**
 * The rule. A reading ends the user info at some `@` (or has none) and must be followed by
 * a host list; passwords may hold unescaped `@ : / ? #`, so several readings can fit. The
 * last fitting `@` is taken (what precedes it is user info in that reading, and path or
 * user info in any earlier one), unless an earlier reading has a query option (`?…=`) before
 * it: then what it shows could be an option value there, and the whole URI is hidden. With no
 * fitting reading at all everything is hidden too: hiding too much rather than too little.
 */
function readUri(rest: string): UriReading {
  const readings: { end: number; hosts: string }[] = [];
  const noUserInfo = HOST_LIST.exec(rest)?.[0];
  if (noUserInfo !== undefined) readings.push({ end: -1, hosts: noUserInfo });
  // `file:///x`, `mongodb://` alone: no host and nothing that could be a secret.
  else if (/^(?:[/?#]|$)/.test(rest)) readings.push({ end: -1, hosts: "" });
  for (let i = rest.indexOf("@"); i >= 0; i = rest.indexOf("@", i + 1)) {
    const hosts = HOST_LIST.exec(rest.slice(i + 1))?.[0];
    if (hosts !== undefined) readings.push({ end: i, hosts });
  }
  const last = readings.at(-1);
  if (!last) return { userInfoEnd: rest.length, hosts: "", hidden: true };
  // What `last` shows lies in an earlier reading's query, past a `name=`: it could be a value there.
  const ambiguous = readings.some((r) => r !== last && /\?.*=/s.test(rest.slice(r.end + 1 + r.hosts.length, last.end)));
  return { userInfoEnd: last.end, hosts: last.hosts, hidden: ambiguous };
}

/** What of a URI may be shown as its source: the scheme and the host list, or `***` where the rule hides it. */
export function uriHosts(uri: string): { scheme: string; hosts: string } {
  const m = /^([a-z][a-z0-9+.-]*):\/\/(.*)$/is.exec(uri.trim());
  if (!m) return { scheme: "", hosts: "***" };
  const r = readUri(m[2]!);
  return { scheme: m[1]!, hosts: r.hidden ? "***" : r.hosts };
}

/** Redacts user info and unsafe query values of every URI in `text`; anything else unchanged. */
export function redactUri(text: string): string {
  return text.replace(URI_TOKEN, (_m, scheme: string, rest: string) => `${scheme}${redactAfterScheme(rest)}`);
}

/** One URI as a whole (spaces and all), redacted. */
function redactWhole(uri: string): string {
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(uri)![0];
  return `${scheme}${redactAfterScheme(uri.slice(scheme.length))}`;
}

function redactAfterScheme(rest: string): string {
  const r = readUri(rest);
  if (r.hidden) return "***";
  const tail = rest.slice(r.userInfoEnd + 1);
  const q = tail.indexOf("?");
  const hostPath = q < 0 ? tail : tail.slice(0, q);
  const query = q < 0 ? "" : `?${redactQuery(tail.slice(q + 1))}`;
  return `${r.userInfoEnd < 0 ? "" : "***@"}${hostPath}${query}`;
}

// Options are separated by `&` or `;` before the next `name=`: an unescaped `&` or `;` inside a value stays in that value.
const OPTION_SEPARATOR = /([&;])(?=[A-Za-z0-9_.%-]+=)/;

function redactQuery(query: string): string {
  return query
    .split(OPTION_SEPARATOR)
    .map((part) => {
      if (part === "&" || part === ";" || part === "") return part;
      const eq = part.indexOf("=");
      if (eq < 0) return part;
      const name = part.slice(0, eq);
      return SAFE_URI_OPTIONS.has(safeDecode(name).toLowerCase()) ? part : `${name}=***`;
    })
    .join("");
}

/**
 * The secrets a URI carries: its password and its unsafe option values, raw and decoded.
 * Where the `@` ending the user info is ambiguous (a `?` in the password, an `@` in an
 * option value), the secrets of every reading are taken.
 */
export function secretsOf(uri: string | undefined): string[] {
  if (!uri) return [];
  const m = /^[a-z][a-z0-9+.-]*:\/\/(.*)$/is.exec(uri.trim());
  if (!m) return [];
  const rest = m[1]!;
  const out: string[] = [];
  // Every `@` could end the password (one may hold `?` or an option value `@`): each reading's password is secret.
  for (let i = rest.indexOf("@"); i >= 0; i = rest.indexOf("@", i + 1)) {
    const info = rest.slice(0, i);
    const colon = info.indexOf(":");
    // The user name alone is not secret (scrubbing "countly" would mangle every collection name); the whole user info is.
    if (colon >= 0) out.push(info.slice(colon + 1), info);
  }
  // Likewise every reading's query: options of any reading whose name reads as an option name.
  const readings = new Set([-1]);
  for (let i = rest.indexOf("@"); i >= 0; i = rest.indexOf("@", i + 1)) readings.add(i);
  for (const end of readings) {
    const tail = end < 0 ? rest : rest.slice(end + 1);
    const q = tail.indexOf("?");
    if (q < 0) continue;
    const parts = tail.slice(q + 1).split(OPTION_SEPARATOR);
    for (let j = 0; j < parts.length; j += 2) {
      const part = parts[j]!;
      const eq = part.indexOf("=");
      if (eq < 0) continue;
      const name = safeDecode(part.slice(0, eq));
      if (SAFE_URI_OPTIONS.has(name.toLowerCase()) || !/^[A-Za-z][A-Za-z0-9_]*$/.test(name)) continue;
      const value = part.slice(eq + 1);
      // A value may hold an unescaped `;x=` or `&x=`: the value with each following option is a reading too.
      const values = [value];
      for (let k = j + 2; k < parts.length; k += 2) values.push(value + parts.slice(j + 1, k + 1).join(""));
      for (const v of values) {
        out.push(v);
        // authMechanismProperties=AWS_SESSION_TOKEN:xyz,SERVICE_NAME:abc
        for (const form of [v, safeDecode(v)]) {
          out.push(form.split(":").slice(1).join(":"));
          for (const item of form.split(",")) out.push(item.split(":").slice(1).join(":"));
        }
      }
    }
  }
  const forms = out.flatMap((s) => [s, safeDecode(s), encodeURIComponent(safeDecode(s))]);
  // Longest first, so a secret that contains another is removed whole.
  return [...new Set(forms.filter((s) => s.length >= MIN_LITERAL_SECRET))].sort((a, b) => b.length - a.length);
}

/** `redactUri`, plus every literal secret of the given URIs removed from `text`. */
export function scrubSecrets(text: string, uris: string | undefined | readonly (string | undefined)[]): string {
  return secretScrubber(typeof uris === "string" || uris === undefined ? [uris] : uris)(text);
}

/**
 * A scrubber bound to the URIs of one command, for every output path of that command.
 * `literalOnly` for serialised reports (JSON, XML): the structural rule reads a URI up to
 * the next space and would eat a closing quote; their values were redacted before serialising.
 */
export function secretScrubber(uris: readonly (string | undefined)[], options: { literalOnly?: boolean } = {}): (text: string) => string {
  const secrets = [...new Set(uris.flatMap(secretsOf))].sort((a, b) => b.length - a.length);
  // A known URI quoted whole is redacted whole first: read as one (it may hold spaces), and
  // before its literal secrets, whose removal could leave a tail that reads as a host.
  const known = [...new Set(uris.map((u) => u?.trim()).filter((u): u is string => !!u && /^[a-z][a-z0-9+.-]*:\/\//i.test(u)))]
    .sort((a, b) => b.length - a.length)
    .map((u) => [u, redactWhole(u)] as const);
  return (text) => {
    let out = text;
    for (const [uri, redacted] of known) out = out.split(uri).join(redacted);
    // Literal secrets next: inside a URI the structural redaction would split them.
    for (const s of secrets) out = out.split(s).join("***");
    return options.literalOnly ? out : redactUri(out);
  };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
