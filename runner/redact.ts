// Credentials never reach output: MongoDB URIs are shown without user info.

/** `mongodb://user:pass@host/db?x` -> `mongodb://***@host/db?x`; anything else unchanged. */
export function redactUri(text: string): string {
  return text.replace(/(mongodb(?:\+srv)?:\/\/)([^@/\s]+)@/gi, "$1***@");
}

/** Removes every occurrence of the URI's password (raw and URL-decoded) from `text`, and user info from any URI in it. */
export function scrubSecrets(text: string, uri: string | undefined): string {
  let out = redactUri(text);
  if (!uri) return out;
  const m = /^mongodb(?:\+srv)?:\/\/([^@/]+)@/i.exec(uri);
  if (!m) return out;
  // Only the password is secret: scrubbing a user name like "countly" would mangle every collection name.
  const pass = m[1]!.split(":").slice(1).join(":");
  for (const secret of [pass].filter((s) => s.length >= 4)) {
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
