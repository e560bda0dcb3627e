// Generated secrets for the redaction properties. A secret is made of marked words joined
// by the characters a connection string gives meaning to (`@ : / ? # & = ,` …), in any
// position, so a leak of any fragment between two of them still holds the marker: the
// tests assert the marker never appears, not only the whole secret.
import fc from "fast-check";

/** Characters that split a URI into parts, plus some that need escaping elsewhere. */
export const URI_SPECIALS = "@:/?#&=%+!$*,;[]()_-.~'\"<>\\{}|^`";

/** A secret whose every fragment between special characters contains `marker` (3+ letters that never occur naturally). */
export function markedSecret(marker: string, specials = URI_SPECIALS): fc.Arbitrary<string> {
  const word = fc.string({ unit: fc.constantFrom(..."abZ019"), maxLength: 3 }).map((tail) => `${marker}${tail}`);
  const glue = fc.string({ unit: fc.constantFrom(...specials), minLength: 1, maxLength: 2 });
  const lead = fc.string({ unit: fc.constantFrom(...specials), maxLength: 2 });
  return fc.tuple(lead, fc.array(fc.tuple(word, glue), { minLength: 1, maxLength: 3 }), lead).map(([head, parts, tail]) => `${head}${parts.map(([w, g]) => w + g).join("")}${tail}`);
}

/** The forms a leaked secret would take in text, JSON and XML. */
export function leakForms(s: string): string[] {
  const xml = s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&apos;");
  return [...new Set([s, JSON.stringify(s).slice(1, -1), xml, encodeURIComponent(s)])];
}
