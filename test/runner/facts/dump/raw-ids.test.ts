// RawIds.name: a raw document's `n` hashed once for every fact asking, each fact's ids its own table's.
import { describe, expect, it } from "vitest";
import { BSON } from "bson";
import { DocFields, FieldLayout, StringInterner } from "../../../../runner/sources/dump/bson-fields.ts";
import { RawIds } from "../../../../runner/facts/dump/raw-ids.ts";
import { ScopeApps } from "../../../../runner/facts/dump/drill.ts";

const layout = new FieldLayout({ n: true });
const N = layout.slot("n");

function load(doc: DocFields, value: Record<string, unknown>): DocFields {
  const bytes = BSON.serialize(value);
  doc.load(bytes, 0, bytes.length);
  return doc;
}

describe("RawIds.name", () => {
  it("gives each table the id its own intern() would, whoever asks first, document after document", () => {
    const ids = new RawIds(new ScopeApps([]));
    const first = new StringInterner();
    const second = new StringInterner();
    second.add("[CLY]_session"); // the second table's ids differ from the first's
    const direct1 = new StringInterner();
    const direct2 = new StringInterner();
    direct2.add("[CLY]_session");
    const doc = new DocFields(layout);
    const names = ["Login", "Buy", "Login", 7, "Ключ", "Buy", "[CLY]_session", undefined, "Login"];
    names.forEach((n, i) => {
      load(doc, n === undefined ? {} : { n });
      // alternate who asks first
      const [a, b, da, db] = i % 2 ? [second, first, direct2, direct1] : [first, second, direct1, direct2];
      const wantA = doc.intern(N, da);
      const wantB = doc.intern(N, db);
      expect(ids.name(doc, N, a), `doc ${i}`).toBe(wantA);
      expect(ids.name(doc, N, b), `doc ${i}`).toBe(wantB);
      expect(ids.name(doc, N, a), `doc ${i} again`).toBe(wantA);
    });
    expect(first.texts).toEqual(direct1.texts);
    expect(second.texts).toEqual(direct2.texts);
  });

  it("a name that is no valid UTF-8 throws for every fact asking, not only the first", () => {
    const ids = new RawIds(new ScopeApps([]));
    const bytes = BSON.serialize({ n: "abc" });
    bytes[bytes.indexOf(0x61)] = 0xff;
    const doc = new DocFields(layout);
    doc.load(bytes, 0, bytes.length);
    expect(() => ids.name(doc, N, new StringInterner())).toThrow(/UTF-8/);
    expect(() => ids.name(doc, N, new StringInterner())).toThrow(/UTF-8/);
  });
});
