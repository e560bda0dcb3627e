// Markdown escaping: data is shown literally by a CommonMark/GFM renderer.
import { describe, expect, it } from "vitest";
import { escapeMarkdown } from "../../reports/markdown.ts";

describe("escapeMarkdown", () => {
  it("backslash-escapes what could start Markdown, HTML, an entity, a mention or an autolink", () => {
    expect(escapeMarkdown("*a* _b_ `c` [d](e) ![f](g) <h> &amp; @user https://x |t| ~s~ #h")).toBe(
      "\\*a\\* \\_b\\_ \\`c\\` \\[d\\]\\(e\\) \\!\\[f\\]\\(g\\) \\<h\\> \\&amp; \\@user https\\://x \\|t\\| \\~s\\~ \\#h",
    );
    expect(escapeMarkdown("a\\*")).toBe("a\\\\\\*");
  });
  it("keeps a value on one line and leaves harmless punctuation alone", () => {
    expect(escapeMarkdown("a\nb\r\nc\rd")).toBe("a b c d");
    expect(escapeMarkdown("scenarios/post-restore.yaml, 1.5%; a=b? 'q' \"q\"")).toBe("scenarios/post-restore.yaml, 1.5%; a=b? 'q' \"q\"");
  });
});
