import { describe, expect, it } from "vitest";
import { eventHash, md5Hex, md5Postfix, sha1Hex } from "../../countly/hash.ts";
import { DRILL_DOC, MERGE_TEST } from "./countly-vectors.ts";

describe("eventHash: sha1(eventKey + appId), as Countly names per-event collections and ids", () => {
  it("gives the hash Countly's merge test uses for event 'bumba' (fe55f384…)", () => {
    expect(eventHash(MERGE_TEST.key, MERGE_TEST.app)).toBe(MERGE_TEST.hash);
  });

  it("gives the hash Countly's documentation shows for event 'Buy' (57c2b7d4…)", () => {
    expect(`drill_events${eventHash(DRILL_DOC.key, DRILL_DOC.app)}`).toBe(DRILL_DOC.collection);
  });

  it("is plain sha1 hex of the concatenation (key first), not of the other order", () => {
    // sha1("bumba6075f94b7e5e0d392902520c") / sha1("6075f94b7e5e0d392902520cbumba"), computed with sha1sum
    expect(sha1Hex("bumba6075f94b7e5e0d392902520c")).toBe("fe55f384d642312c76f6164a4f8ea40ffcc80795");
    expect(eventHash(MERGE_TEST.key, MERGE_TEST.app)).not.toBe("317e767de1082a15a0c52d2b1ebe596a0894227a");
  });
});

describe("md5Postfix: the first character of md5 in base64", () => {
  it("puts 'Mobile app' in chunk 'z', as Countly's merge test ids do (Method_2023:11_z)", () => {
    expect(md5Postfix(MERGE_TEST.segmentValue)).toBe(MERGE_TEST.postfix);
    // hex would give "c": md5("Mobile app") = cd0fb812…
    expect(md5Hex(MERGE_TEST.segmentValue)).toBe("cd0fb8124ca1e91c6372be4695736e07");
  });

  it("pins a few more values (md5 -binary | base64, first character)", () => {
    // Buy: gxoo8ejf…, Login: md6ngAcT…, card: XdIZmtaD…, Google Play: 9LkTqXbI…
    expect(["Buy", "Login", "card", "Google Play"].map(md5Postfix)).toEqual(["g", "m", "X", "9"]);
  });

  it("spreads values over the 64 base64 characters, not the 16 hex digits", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 4000; i++) seen.add(md5Postfix(`value-${i}`));
    expect([...seen].every((c) => /^[A-Za-z0-9+/]$/.test(c))).toBe(true);
    expect(seen.size).toBe(64);
  });
});
