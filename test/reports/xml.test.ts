import { describe, expect, it } from "vitest";
import { attrs, escapeXml, xmlSafe } from "../../reports/xml.ts";

describe("xml", () => {
  it("escapes the five special characters once", () => {
    expect(escapeXml(`a & b < c > d " e ' f`)).toBe("a &amp; b &lt; c &gt; d &quot; e &apos; f");
    expect(escapeXml("&amp;")).toBe("&amp;amp;");
  });

  it("removes ANSI codes and characters XML 1.0 forbids, keeps tab, newline, CR and astral characters", () => {
    expect(xmlSafe("\u001b[31mred\u001b[0m \u001bM")).toBe("red ");
    expect(xmlSafe("a\u0000b\u0007c\u000bd\ufffee\ud800f")).toBe("abcdef");
    expect(xmlSafe("t\tn\nr\r😀\ue000\ufffd")).toBe("t\tn\nr\r😀\ue000\ufffd");
  });

  it("writes attributes in order, escaped, leaving out undefined ones and keeping 0 and empty strings", () => {
    expect(attrs({ name: 'a"b', tests: 0, message: undefined, file: "" })).toBe(' name="a&quot;b" tests="0" file=""');
    expect(attrs({})).toBe("");
  });
});
