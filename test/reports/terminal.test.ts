import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { visibleControls } from "../../reports/terminal.ts";

const SEED = 1314;

describe("visibleControls", () => {
  it("shows ESC, BEL, NUL, OSC, C1 and bidi overrides as visible escapes", () => {
    expect(visibleControls("a\u001b[2Jb\u0007c\u0000d\u001b]0;pwned\u0007e\u202eevil\u009bx")).toBe("a\\x1b[2Jb\\x07c\\x00d\\x1b]0;pwned\\x07e\\u202eevil\\x9bx");
    expect(visibleControls("line1\nline2\tx")).toBe("line1\\nline2\\tx");
    expect(visibleControls("over\rwrite\r\n", { keepNewlines: true })).toBe("over\\rwrite\\r\n");
    expect(visibleControls("\u0085\u009f\u061c\u2066\ufeff\ud800x")).toBe("\\x85\\x9f\\u061c\\u2066\\ufeff\\ud800x");
    expect(visibleControls("line1\nline2", { keepNewlines: true })).toBe("line1\nline2");
    expect(visibleControls("Kauf 🛒 Größe")).toBe("Kauf 🛒 Größe");
  });

  it(`property: the result holds no control character and decodes back to the input's printable text (seed ${SEED})`, () => {
    console.log(`terminal property: fast-check seed ${SEED}`);
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (s) => {
        const out = visibleControls(s);
        // eslint-disable-next-line no-control-regex
        expect(out).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
        // Printable characters survive in order.
        // eslint-disable-next-line no-control-regex
        const printable = s.replace(/[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff\ud800-\udfff]/g, "");
        let i = 0;
        for (const ch of printable) {
          i = out.indexOf(ch, i);
          expect(i).toBeGreaterThanOrEqual(0);
        }
      }),
      { seed: SEED, numRuns: 300 },
    );
  });
});
