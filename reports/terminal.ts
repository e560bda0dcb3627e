// Text from data and scenarios shown on a terminal: control characters made visible
// (`\x1b`, `\u202e`), so an event name cannot clear the screen, set the title, ring the
// bell, hide text or reverse a line. The one escaping function for human-readable output.

// C0 and C1 controls, DEL, bidi embeddings/overrides/isolates and marks, line/paragraph
// separators, lone surrogates. `\n` is handled by `keepNewlines`.
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
// eslint-disable-next-line no-control-regex
const CONTROLS_AND_NEWLINE = new RegExp(`${CONTROLS.source}|\\n`, "g");

export interface VisibleOptions {
  /** Keep `\n` as a line break (our own multi-line messages); names and values escape it. */
  keepNewlines?: boolean;
}

/** `"a\u001b[2Jb"` -> `"a\\x1b[2Jb"`: every control character as a visible escape. */
export function visibleControls(text: string, options: VisibleOptions = {}): string {
  return text.replace(options.keepNewlines ? CONTROLS : CONTROLS_AND_NEWLINE, escapeOne);
}

function escapeOne(ch: string): string {
  const code = ch.charCodeAt(0);
  if (ch === "\n") return "\\n";
  if (ch === "\t") return "\\t";
  if (ch === "\r") return "\\r";
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
}
