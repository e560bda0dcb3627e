import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { clusterTimeEndMs, compareClusterTimes, decodeResumeToken, encodeResumeToken, formatUuid, ResumeTokenError } from "../../countly/resume-token.ts";

// Real tokens from a MongoDB server with the values MongoDB's own decoder printed for them
// (mongodb-js/mongodb-resumetoken-decoder: README.md at f021b54b and test/index.ts at
// 34971c52, "can decode non-document resume tokens" / "can decode new resume tokens";
// pull request #2 for the ObjectId one). Pinned literals: nothing here is computed by the
// code under test.
const VECTORS = [
  {
    what: "version 1 insert event, string _id (MongoDB 5.0)",
    data: "82612E8513000000012B022C0100296E5A1004A5093ABB38FE4B9EA67F01BB1A96D812463C5F6964003C5F5F5F78000004",
    decoded: { clusterTime: { t: 1630438675, i: 1 }, version: 1, tokenType: 128, txnOpIndex: 0, fromInvalidate: false, uuid: "a5093abb38fe4b9ea67f01bb1a96d812" },
  },
  {
    what: "version 1 insert event, ObjectId _id",
    data: "826273BCD2000000012B022C0100296E5A1004808BBE9298B0403286C29EA48C4E162846645F696400646273BCD27257D30393BB73F70004",
    decoded: { clusterTime: { t: 1651752146, i: 1 }, version: 1, tokenType: 128, txnOpIndex: 0, fromInvalidate: false, uuid: "808bbe9298b0403286c29ea48c4e1628" },
  },
  {
    what: "version 2 insert event (eventIdentifier with operationType and documentKey)",
    data: "826275077A000000012B042C0100296E5A1004BFFDB617400E486099007C0E0048B305463C6F7065726174696F6E54797065003C696E736572740046646F63756D656E744B65790046645F696400646275077A2F3159F971E405C6000004",
    decoded: { clusterTime: { t: 1651836794, i: 1 }, version: 2, tokenType: 128, txnOpIndex: 0, fromInvalidate: false, uuid: "bffdb617400e486099007c0e0048b305" },
  },
  {
    what: "high-water mark (a postBatchResumeToken: a point in time, no collection UUID)",
    data: "82612F653E000000022B0229296E04",
    decoded: { clusterTime: { t: 1630496062, i: 2 }, version: 1, tokenType: 0, txnOpIndex: 0, fromInvalidate: false },
  },
];

describe("decodeResumeToken", () => {
  for (const v of VECTORS) {
    it(`decodes a ${v.what}`, () => {
      expect(decodeResumeToken(v.data)).toEqual(v.decoded);
      expect(decodeResumeToken(v.data.toLowerCase())).toEqual(v.decoded);
    });
  }

  it("rejects what is not a resume token, saying why", () => {
    expect(() => decodeResumeToken("timed")).toThrow(new ResumeTokenError("_data is not a hex string"));
    expect(() => decodeResumeToken("")).toThrow(/not a hex string/);
    expect(() => decodeResumeToken("64612E85130000000100")).toThrow(/does not start with a cluster time/);
    expect(() => decodeResumeToken("82612E8513")).toThrow(/ends early/);
    expect(() => decodeResumeToken("82612E8513000000012B06")).toThrow(/version 3 is newer/);
    expect(() => decodeResumeToken("82612E8513000000012B022C0100295A")).toThrow(/fromInvalidate is not a boolean/);
    expect(() => decodeResumeToken("82612E8513000000012B022C0100296E5A0400AABBCCDD04")).toThrow(/BinData subtype 0 of 4 bytes, not a UUID/);
  });
});

describe("encodeResumeToken", () => {
  it("writes what MongoDB writes for an insert event (the pinned version 1 vector, byte for byte)", () => {
    expect(encodeResumeToken({ clusterTime: { t: 1630438675, i: 1 }, version: 1, uuid: "a5093abb38fe4b9ea67f01bb1a96d812", documentId: "___x" })).toBe(VECTORS[0]!.data);
  });

  it("round-trips through the decoder for any cluster time, UUID and document id (fast-check seed 11)", () => {
    fc.assert(
      fc.property(
        fc.record({ t: fc.integer({ min: 0, max: 0xffffffff }), i: fc.integer({ min: 0, max: 0xffffffff }) }),
        fc.constantFrom(1 as const, 2 as const),
        fc.uuid().map((u) => u.replace(/-/g, "")),
        fc.string(),
        (clusterTime, version, uuid, documentId) => {
          expect(decodeResumeToken(encodeResumeToken({ clusterTime, version, uuid, documentId }))).toEqual({ clusterTime, version, tokenType: 128, txnOpIndex: 0, fromInvalidate: false, uuid });
        },
      ),
      { seed: 11, numRuns: 300 },
    );
  });
});

describe("cluster time helpers", () => {
  it("order cluster times by seconds then ordinal, end a second at its last millisecond, and print UUIDs dashed", () => {
    expect(compareClusterTimes({ t: 5, i: 9 }, { t: 6, i: 1 })).toBeLessThan(0);
    expect(compareClusterTimes({ t: 6, i: 2 }, { t: 6, i: 1 })).toBeGreaterThan(0);
    expect(compareClusterTimes({ t: 6, i: 1 }, { t: 6, i: 1 })).toBe(0);
    expect(clusterTimeEndMs({ t: 1630438675, i: 1 })).toBe(Date.parse("2021-08-31T19:37:55.999Z"));
    expect(formatUuid("a5093abb38fe4b9ea67f01bb1a96d812")).toBe("a5093abb-38fe-4b9e-a67f-01bb1a96d812");
  });
});
