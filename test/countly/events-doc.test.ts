// The per-app countly.events document, with the values Countly's own API test
// (test/2.api/15.event.managment.js @0a0731af38e0857e9f5d63b0d1924f2825bad456) expects
// from /o?method=get_events after its edits: list ["t1", "test1", "test3"], segments
// {"test3": ["my_segment", "my_segment2"], "t1": ["s"]}, map {"test1": {"is_visible": false}},
// order ["test1"], overview entries {eventKey, eventProperty, ...}, and after
// `omitted_segments={"test3": ["my_segment"]}` that omission.
import { ObjectId } from "bson";
import { describe, expect, it } from "vitest";
import { eventKeysNamed, eventsDocApp, isInternalEventKey, omittedSegments, readEventsDoc, registeredSegments } from "../../countly/events-doc.ts";

const APP = "6075f94b7e5e0d392902520c";
const countlyTestDoc = () => ({
  _id: new ObjectId(APP),
  list: ["t1", "test1", "test3"],
  segments: { test3: ["my_segment", "my_segment2"], t1: ["s"] },
  map: { test1: { is_visible: false } },
  order: ["test1"],
  overview: [{ eventKey: "test2", eventProperty: "count", order: 0, is_event_group: false, eventName: "test2", propertyName: "Count" }],
  omitted_segments: { test3: ["my_segment"] },
});

describe("readEventsDoc", () => {
  it("reads Countly's test document", () => {
    expect(readEventsDoc(countlyTestDoc())).toEqual({
      app: APP,
      list: ["t1", "test1", "test3"],
      segments: { test3: ["my_segment", "my_segment2"], t1: ["s"] },
      omitted: { test3: ["my_segment"] },
    });
    expect(registeredSegments(readEventsDoc(countlyTestDoc()), "test3")).toEqual(["my_segment", "my_segment2"]);
    expect(omittedSegments(readEventsDoc(countlyTestDoc()), "test3")).toEqual(["my_segment"]);
    expect(registeredSegments(readEventsDoc(countlyTestDoc()), "test1")).toEqual([]);
  });

  it("drops what is not a string list instead of failing, and takes a string _id as is", () => {
    const doc = readEventsDoc({ _id: APP, list: ["a", 1, null, "b"], segments: { a: ["x", 2], b: "y", c: null }, omitted_segments: [["z"]] });
    expect(doc).toEqual({ app: APP, list: ["a", "b"], segments: { a: ["x"] }, omitted: {} });
    expect(readEventsDoc({ _id: APP, list: "a", segments: ["x"], omitted_segments: "z" })).toEqual({ app: APP, list: [], segments: {}, omitted: {} });
    expect(readEventsDoc({ _id: APP })).toEqual({ app: APP, list: [], segments: {}, omitted: {} });
    expect(eventsDocApp({ _id: new ObjectId(APP) })).toBe(APP);
    expect(eventsDocApp({ _id: 42 })).toBe("42");
  });

  it("reads segments keyed by the event key with '.' as ':' (events.js) as well as by the key itself (25.x aggregator)", () => {
    const doc = readEventsDoc({ _id: APP, segments: { "pay:card": ["method"], "pay.card": ["amount", "method"] }, omitted_segments: { "pay:card": ["amount"], "pay.card": ["x"] } });
    expect(registeredSegments(doc, "pay.card")).toEqual(["amount", "method"]);
    expect(omittedSegments(doc, "pay.card")).toEqual(["x", "amount"]);
    // a key without a dot is only read as itself
    const plain = readEventsDoc({ _id: APP, segments: { buy: ["m"] }, omitted_segments: { buy: ["m"] } });
    expect(registeredSegments(plain, "buy")).toEqual(["m"]);
    expect(omittedSegments(plain, "buy")).toEqual(["m"]);
  });
});

describe("segment registries as each writer keys them", () => {
  // api/parts/data/events.js @051870e37c8ada668e60c5cc0aec499024c77d9f, processEvents: the
  // registry update is `$addToSet["segments." + realEventKey]` with
  // `realEventKey = (eventHashMap[eventKey] + "").replace(/\./g, ':')`, while `list` gets
  // `common.fixEventKey(key)` (which keeps a single '.') and `omitted_segments[currEvent.key]` is
  // read by the key as sent.
  it("finds the segments events.js registered under 'pay:card' for the event 'pay.card'", () => {
    const doc = readEventsDoc({ _id: APP, list: ["pay.card"], segments: { "pay:card": ["method"] } });
    expect(registeredSegments(doc, "pay.card")).toEqual(["method"]);
    // and not under another spelling
    expect(registeredSegments(doc, "paycard")).toEqual([]);
  });

  it("finds segments keyed by the dotted key alone (the 25.x aggregator)", () => {
    const doc = readEventsDoc({ _id: APP, segments: { "pay.card": ["amount"] } });
    expect(registeredSegments(doc, "pay.card")).toEqual(["amount"]);
  });

  it("reads omitted segments under either spelling, each alone", () => {
    expect(omittedSegments(readEventsDoc({ _id: APP, omitted_segments: { "pay:card": ["amount"] } }), "pay.card")).toEqual(["amount"]);
    expect(omittedSegments(readEventsDoc({ _id: APP, omitted_segments: { "pay.card": ["x"] } }), "pay.card")).toEqual(["x"]);
    expect(omittedSegments(readEventsDoc({ _id: APP }), "pay.card")).toEqual([]);
  });

  it("reads a document whose registries are null, and an _id that is null, without failing", () => {
    expect(readEventsDoc({ _id: APP, segments: null, omitted_segments: null })).toEqual({ app: APP, list: [], segments: {}, omitted: {} });
    expect(eventsDocApp({ _id: null })).toBe("null");
  });
});

describe("eventKeysNamed", () => {
  it("collects every key the document names: list, segments, map, omitted and whitelisted segments, order, overview", () => {
    expect(eventKeysNamed({ ...countlyTestDoc(), whitelisted_segments: { w1: ["a"] } }).sort()).toEqual(["t1", "test1", "test2", "test3", "w1"]);
  });

  it("adds the dotted spelling of ':' keys, and ignores empty, non-string and malformed entries", () => {
    expect(eventKeysNamed({ list: ["a:b", "", 5], segments: ["x"], map: null, order: ["o"], overview: [null, { eventKey: 3 }, { eventKey: "ov" }] }).sort()).toEqual(["a.b", "a:b", "o", "ov"]);
    expect(eventKeysNamed({ list: "a", order: "b", overview: "c" })).toEqual([]);
    expect(eventKeysNamed({ map: "ab", segments: "cd", omitted_segments: 7, whitelisted_segments: true })).toEqual([]);
  });

  it("finds a key removed from list that only one other field still names", () => {
    // each field on its own is enough to resolve a legacy events<H> collection to its key
    expect(eventKeysNamed({ _id: APP, list: [], segments: { "pay:card": ["method"] } })).toEqual(["pay:card", "pay.card"]);
    expect(eventKeysNamed({ _id: APP, list: [], map: { "old-event": { is_visible: false } } })).toEqual(["old-event"]);
    expect(eventKeysNamed({ _id: APP, list: [], omitted_segments: { gone: ["x"] } })).toEqual(["gone"]);
    expect(eventKeysNamed({ _id: APP, list: [], whitelisted_segments: { kept: ["y"] } })).toEqual(["kept"]);
    expect(eventKeysNamed({ _id: APP, list: [], order: ["ordered"] })).toEqual(["ordered"]);
    expect(eventKeysNamed({ _id: APP, list: [], overview: [{ eventKey: "shown" }] })).toEqual(["shown"]);
    // a document with only a list (no overview, no order)
    expect(eventKeysNamed({ _id: APP, list: ["Buy"] })).toEqual(["Buy"]);
  });
});

describe("isInternalEventKey", () => {
  it("is true for Countly's own [CLY]_ events only", () => {
    expect(["[CLY]_session", "[CLY]_view", "[CLY]_custom"].every(isInternalEventKey)).toBe(true);
    expect(["Buy", "CLY_x", "[CLY]", " [CLY]_session", "x[CLY]_view"].some(isInternalEventKey)).toBe(false);
  });
});
