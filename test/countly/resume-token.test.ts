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
    // crate/commons-codec tests/transform/mongodb/test_mongodb_cdc.py @21c4b776a8fa34d17378a7b7396f81bd57f5c1fa,
    // MSG_INVALIDATE: "clusterTime": Timestamp(1721140162, 5) (the event after the drop)
    what: "version 2 invalidate event (fromInvalidate true)",
    data: "82669683C2000000052B042C0100296F5A1004413F85D5B4CF4680AA4D17641E9DF22D463C6F7065726174696F6E54797065003C64726F70000004",
    decoded: { clusterTime: { t: 1721140162, i: 5 }, version: 2, tokenType: 128, txnOpIndex: 0, fromInvalidate: true, uuid: "413f85d5b4cf4680aa4d17641e9df22d" },
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

// Version 0 tokens (MongoDB 4.0): no tokenType and no fromInvalidate; the change event
// printed next to each gives its cluster time. The UUID is the 16 bytes after 5A 10 04.
// - jbelmont/nosql-workshop docs/mongodb_change_streams.md @43f65aa2b88108b117001aab91ae703c3bfe0048
//   (mongo:4.0.5, insert, ObjectId _id): "clusterTime": {"$timestamp": {"t": 1559270651, "i": 2}}
// - MaBeuLux88/mongodb-4.0-demos README.md @8a87297225b2c29a9e7d3f6082e4e0de1f1a3444
//   (update of _id "beer"): "clusterTime" : Timestamp(1531328297, 1)
const VERSION_0 = [
  {
    data: "825CF094FB0000000229295A10047BD0B4FEAA254B5E9C3ED88E9A0477E046645F696400645CF094FB9A7A0E082A335F540004",
    decoded: { clusterTime: { t: 1559270651, i: 2 }, version: 0, txnOpIndex: 0, uuid: "7bd0b4feaa254b5e9c3ed88e9a0477e0" },
  },
  {
    data: "825B4637290000000129295A1004374DC58C611E4C8DA4E5EDE9CF309AC5463C5F6964003C62656572000004",
    decoded: { clusterTime: { t: 1531328297, i: 1 }, version: 0, txnOpIndex: 0, uuid: "374dc58c611e4c8da4e5ede9cf309ac5" },
  },
];

describe("decodeResumeToken, version 0 (MongoDB 4.0)", () => {
  it("reads the cluster time and UUID and reports neither a token type nor fromInvalidate", () => {
    for (const v of VERSION_0) expect(decodeResumeToken(v.data)).toStrictEqual(v.decoded);
  });
});

// Malformed `_data`, byte by byte (KeyString CType values of src/mongo/db/storage/key_string.cpp:
// 0x27 a negative 1-byte integer, 0x32 a positive 8-byte integer, 0x33 a positive large magnitude,
// 0x3C a string, 0x5A BinData with a 1-byte length, or 0xFF and a 4-byte length).
const HEAD = "82612E851300000001"; // Timestamp(1630438675, 1): bytes 0-8
describe("decodeResumeToken: what a bad token says", () => {
  it("names the field and the byte that is not a non-negative integer", () => {
    expect(() => decodeResumeToken(`${HEAD}3C`)).toThrow(new ResumeTokenError("version is not a non-negative integer (type byte 0x3c at byte 9)"));
    expect(() => decodeResumeToken(`${HEAD}27`)).toThrow(new ResumeTokenError("version is not a non-negative integer (type byte 0x27 at byte 9)"));
    expect(() => decodeResumeToken(`${HEAD}2B023C`)).toThrow(new ResumeTokenError("tokenType is not a non-negative integer (type byte 0x3c at byte 11)"));
    expect(() => decodeResumeToken(`${HEAD}2B022C01006E`)).toThrow(new ResumeTokenError("txnOpIndex is not a non-negative integer (type byte 0x6e at byte 14)"));
    expect(() => decodeResumeToken(`${HEAD}2B022C010033`)).toThrow(new ResumeTokenError("txnOpIndex is not a non-negative integer (type byte 0x33 at byte 14)"));
    expect(() => decodeResumeToken(`${HEAD}2B03`)).toThrow(new ResumeTokenError("version has a fractional part"));
    expect(() => decodeResumeToken(`${HEAD}2B022C0100295A`)).toThrow(new ResumeTokenError("fromInvalidate is not a boolean (type byte 0x5a at byte 15)"));
  });

  it("reads an 8-byte integer (0x32): 0x0100000000000000 >> 1 = 2^55", () => {
    expect(decodeResumeToken(`${HEAD}2B022C01003201000000000000006E04`)).toEqual({ clusterTime: { t: 1630438675, i: 1 }, version: 1, tokenType: 128, txnOpIndex: 36028797018963968, fromInvalidate: false });
  });

  it("rejects a value after fromInvalidate that is BinData but not a 16-byte subtype-4 UUID", () => {
    expect(() => decodeResumeToken(`${HEAD}2B022C0100296E5A1003${"AB".repeat(16)}04`)).toThrow(new ResumeTokenError("the value after fromInvalidate is BinData subtype 3 of 16 bytes, not a UUID"));
    expect(() => decodeResumeToken(`${HEAD}2B022C0100296E5A0804${"AB".repeat(8)}04`)).toThrow(new ResumeTokenError("the value after fromInvalidate is BinData subtype 4 of 8 bytes, not a UUID"));
    // 300 bytes: length 0xFF then 0x0000012C
    expect(() => decodeResumeToken(`${HEAD}2B022C0100296E5AFF0000012C00${"00".repeat(300)}04`)).toThrow(new ResumeTokenError("the value after fromInvalidate is BinData subtype 0 of 300 bytes, not a UUID"));
  });

  it("rejects trailing non-hex characters and an odd number of digits", () => {
    expect(() => decodeResumeToken(`${VECTORS[0]!.data}zz`)).toThrow(new ResumeTokenError("_data is not a hex string"));
    expect(() => decodeResumeToken(`${VECTORS[0]!.data}0`)).toThrow(new ResumeTokenError("_data is not a hex string"));
  });

  it("throws a ResumeTokenError, named so", () => {
    let caught: unknown;
    try {
      decodeResumeToken("timed");
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ResumeTokenError);
    expect((caught as Error).name).toBe("ResumeTokenError");
  });
});

describe("encodeResumeToken", () => {
  it("writes a version 2 token as MongoDB 7.0+ does: eventIdentifier {operationType, documentKey: {_id}} (the pinned version 2 vector around its _id)", () => {
    const v2 = VECTORS[2]!.data;
    const at = v2.indexOf("645F696400"); // the ObjectId _id field of the pinned token
    const ours = encodeResumeToken({ clusterTime: { t: 1651836794, i: 1 }, version: 2, uuid: "bffdb617400e486099007c0e0048b305", documentId: "a3" });
    // same bytes up to the _id field; then the string _id "a3" and the two object ends and 0x04
    expect(ours).toBe(`${v2.slice(0, at)}3C5F6964003C613300000004`);
  });

  it("escapes a NUL byte in the document id as 00 FF (KeyString strings)", () => {
    const ours = encodeResumeToken({ clusterTime: { t: 1630438675, i: 1 }, version: 1, uuid: "a5093abb38fe4b9ea67f01bb1a96d812", documentId: "a\u0000b" });
    expect(ours.endsWith("463C5F6964003C6100FF62000004")).toBe(true);
  });

  it("refuses a UUID that is not 32 lower-case hex digits", () => {
    const spec = { clusterTime: { t: 1, i: 1 }, version: 1 as const, documentId: "x" };
    expect(() => encodeResumeToken({ ...spec, uuid: "A5093ABB38FE4B9EA67F01BB1A96D812" })).toThrow("uuid must be 32 lower-case hex digits: A5093ABB38FE4B9EA67F01BB1A96D812");
    expect(() => encodeResumeToken({ ...spec, uuid: "xa5093abb38fe4b9ea67f01bb1a96d812" })).toThrow(/uuid must be 32 lower-case hex digits/);
    expect(() => encodeResumeToken({ ...spec, uuid: "a5093abb38fe4b9ea67f01bb1a96d8120" })).toThrow(/uuid must be 32 lower-case hex digits/);
  });

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
    // anything else is printed as it is
    for (const other of ["xa5093abb38fe4b9ea67f01bb1a96d812", "a5093abb38fe4b9ea67f01bb1a96d8120", "A5093ABB38FE4B9EA67F01BB1A96D812"]) expect(formatUuid(other)).toBe(other);
  });
});
