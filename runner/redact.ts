// Credentials never reach output: MongoDB URIs are shown without user info.

/** `mongodb://user:pass@host/db?x` -> `mongodb://***@host/db?x`; anything else unchanged. */
export function redactUri(text: string): string {
  return text.replace(/(mongodb(?:\+srv)?:\/\/)([^@/\s]+)@/gi, "$1***@");
}

/** Removes every occurrence of the secret parts of `uri` (user, password, raw and decoded) from `text`. */
export function scrubSecrets(text: string, uri: string | undefined): string {
  let out = redactUri(text);
  if (!uri) return out;
  const m = /^mongodb(?:\+srv)?:\/\/([^@/]+)@/i.exec(uri);
  if (!m) return out;
  const [user, pass] = m[1]!.split(":");
  for (const secret of [pass, user].filter((s): s is string => !!s && s.length >= 3)) {
    for (const form of new Set([secret, safeDecode(secret)])) out = out.split(form).join("***");
  }
  return out;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
