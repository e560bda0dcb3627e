// The one redaction rule: every text that leaves the process (console, stderr, JUnit,
// JSON, error messages) goes through `redactText`/`scrubSecrets` first.
//
// In any `scheme://…` text:
//   - everything between `scheme://` and the LAST `@` before the host is user info and is
//     replaced by `***` (passwords may hold unescaped `@`, `:` or `/`);
//   - every query option's value is replaced by `***` except the harmless options of
//     SAFE_URI_OPTIONS (they help reading an error and never carry a secret).
// The literal secrets of the URIs the user gave (password and option values, raw and
// percent-decoded) are removed too, wherever they appear without their URI around them.

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
// What follows the `@` that ends the user info: a host list, then a path, a query or the end.
const HOSTS_THEN_END = /^[a-z0-9._~%:,[\]-]*(?=[/?#]|$)/i;

/** Redacts user info and unsafe query values of every URI in `text`; anything else unchanged. */
export function redactUri(text: string): string {
  return text.replace(URI_TOKEN, (_m, scheme: string, rest: string) => `${scheme}${redactAfterScheme(rest)}`);
}

function redactAfterScheme(rest: string): string {
  const at = userInfoEnd(rest);
  const tail = at < 0 ? rest : rest.slice(at + 1);
  const q = tail.indexOf("?");
  const hostPath = q < 0 ? tail : tail.slice(0, q);
  const query = q < 0 ? "" : `?${redactQuery(tail.slice(q + 1))}`;
  return `${at < 0 ? "" : "***@"}${hostPath}${query}`;
}

/**
 * Index of the `@` that ends the user info, or -1: the last `@` followed by a host list and
 * then a path, query or the end, preferring one before the first `?` (query values may hold
 * `@`: authMechanismProperties); without one there, the password holds a `?` and the last
 * such `@` anywhere is taken (hiding too much rather than too little).
 */
function userInfoEnd(rest: string): number {
  const firstQ = rest.indexOf("?");
  let last = -1;
  for (let i = rest.indexOf("@"); i >= 0; i = rest.indexOf("@", i + 1)) {
    if (!HOSTS_THEN_END.test(rest.slice(i + 1))) continue;
    if (firstQ >= 0 && i > firstQ && last >= 0 && last < firstQ) return last;
    last = i;
  }
  if (last >= 0) return last;
  // An `@` with nothing host-like after it: still user info, up to the last `@` before any `?`.
  return rest.lastIndexOf("@", firstQ < 0 ? rest.length : firstQ);
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
  const at = userInfoEnd(rest);
  // Every `@` could end the password (one may hold `?` or an option value `@`): each reading's password is secret.
  for (let i = rest.indexOf("@"); i >= 0; i = rest.indexOf("@", i + 1)) {
    const info = rest.slice(0, i);
    const colon = info.indexOf(":");
    // The user name alone is not secret (scrubbing "countly" would mangle every collection name); the whole user info is.
    if (colon >= 0) out.push(info.slice(colon + 1), info);
  }
  // Likewise every reading's query: options of any reading whose name reads as an option name.
  const readings = new Set([at, -1]);
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
  return (text) => {
    let out = text;
    // Literal secrets first: inside a URI the structural redaction would split them.
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
