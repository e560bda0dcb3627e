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

/** Index of the last `@` that is followed by a host list (not the `@` of a query value), or -1. */
function userInfoEnd(rest: string): number {
  for (let i = rest.lastIndexOf("@"); i >= 0; i = i === 0 ? -1 : rest.lastIndexOf("@", i - 1)) {
    if (HOSTS_THEN_END.test(rest.slice(i + 1))) return i;
  }
  // An `@` with no host-like text after it: still user info up to the last `@` before any `?`.
  const q = rest.indexOf("?");
  return rest.lastIndexOf("@", q < 0 ? rest.length : q);
}

function redactQuery(query: string): string {
  return query
    .split(/([&;])/)
    .map((part) => {
      if (part === "&" || part === ";" || part === "") return part;
      const eq = part.indexOf("=");
      if (eq < 0) return part;
      const name = part.slice(0, eq);
      return SAFE_URI_OPTIONS.has(safeDecode(name).toLowerCase()) ? part : `${name}=***`;
    })
    .join("");
}

/** The secrets a URI carries: its password and its unsafe option values, raw and decoded. */
export function secretsOf(uri: string | undefined): string[] {
  if (!uri) return [];
  const m = /^[a-z][a-z0-9+.-]*:\/\/(.*)$/is.exec(uri.trim());
  if (!m) return [];
  const rest = m[1]!;
  const out: string[] = [];
  const at = userInfoEnd(rest);
  if (at >= 0) {
    const info = rest.slice(0, at);
    const colon = info.indexOf(":");
    // The user name alone is not secret (scrubbing "countly" would mangle every collection name); the whole user info is.
    if (colon >= 0) out.push(info.slice(colon + 1));
    out.push(info);
  }
  const tail = at < 0 ? rest : rest.slice(at + 1);
  const q = tail.indexOf("?");
  if (q >= 0) {
    for (const part of tail.slice(q + 1).split(/[&;]/)) {
      const eq = part.indexOf("=");
      if (eq < 0 || SAFE_URI_OPTIONS.has(safeDecode(part.slice(0, eq)).toLowerCase())) continue;
      const value = part.slice(eq + 1);
      out.push(value);
      // authMechanismProperties=AWS_SESSION_TOKEN:xyz,SERVICE_NAME:abc
      for (const item of safeDecode(value).split(",")) out.push(item.split(":").slice(1).join(":"));
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
