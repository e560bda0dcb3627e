import { describe, expect, it } from "vitest";
import { chooseSessionKind, looksShifted, plural, recentRows } from "../../checks/session-kinds.ts";

const both = { "[CLY]_session": 10, "[CLY]_session_begin": 12 } as const;

describe("chooseSessionKind", () => {
  it("takes the kind count_from names, whatever the data and the aggregates say", () => {
    const sessionMatchesMore = (k: string) => (k === "[CLY]_session" ? 5 : 0);
    const beginMatchesMore = (k: string) => (k === "[CLY]_session" ? 0 : 5);
    expect(chooseSessionKind("session", both, beginMatchesMore)).toBe("[CLY]_session");
    expect(chooseSessionKind("session_begin", both, sessionMatchesMore)).toBe("[CLY]_session_begin");
    expect(chooseSessionKind("session_begin", { "[CLY]_session": 4, "[CLY]_session_begin": 0 }, sessionMatchesMore)).toBe("[CLY]_session_begin");
  });

  it("auto: the only kind that exists, even when the aggregates agree more with the other", () => {
    const sessionMatchesMore = (k: string) => (k === "[CLY]_session" ? 5 : 0);
    const beginMatchesMore = (k: string) => (k === "[CLY]_session" ? 0 : 5);
    expect(chooseSessionKind("auto", { "[CLY]_session": 0, "[CLY]_session_begin": 7 }, sessionMatchesMore)).toBe("[CLY]_session_begin");
    expect(chooseSessionKind("auto", { "[CLY]_session": 7, "[CLY]_session_begin": 0 }, beginMatchesMore)).toBe("[CLY]_session");
  });

  it("auto with both kinds: the one matching the aggregates on more days; a tie goes to the newer builds' [CLY]_session_begin", () => {
    expect(chooseSessionKind("auto", both, (k) => (k === "[CLY]_session" ? 3 : 2))).toBe("[CLY]_session");
    expect(chooseSessionKind("auto", both, (k) => (k === "[CLY]_session" ? 2 : 3))).toBe("[CLY]_session_begin");
    expect(chooseSessionKind("auto", both, () => 2)).toBe("[CLY]_session_begin");
  });
});

describe("recentRows", () => {
  const row = (minute: number) => ({ app: "a", e: "[CLY]_session", key: "", day: "2024-10-27", minute, docs: 1, visits: 0, bySource: {} });
  it("keeps rows inserted after newest minute - settle_minutes, and nothing without insert times", () => {
    expect(recentRows({ rows: [row(994), row(995), row(996), row(1000)], maxCdMinute: 1000 }, 5).map((r) => r.minute)).toEqual([996, 1000]);
    expect(recentRows({ rows: [row(1000)], maxCdMinute: 1000 }, 0)).toEqual([]);
    expect(recentRows({ rows: [row(1000)] }, 5)).toEqual([]);
  });
});

describe("plural", () => {
  it("says 1 session, 0 and 2 sessions", () => {
    expect(plural(1, "session")).toBe("1 session");
    expect(plural(0, "session")).toBe("0 sessions");
    expect(plural(2, "raw [CLY]_session document")).toBe("2 raw [CLY]_session documents");
  });
});

describe("looksShifted", () => {
  it("is true when at least half of the per-day differences cancel out over the period", () => {
    expect(looksShifted([[4, 3], [4, 5]])).toBe(true);
    // net +2 of gross 4: exactly half cancels
    expect(looksShifted([[0, 3], [1, 0]])).toBe(true);
    expect(looksShifted([[0, 3], [1, 0], [0, 1]])).toBe(false);
  });
  it("is false when the days only lose (or only gain), when nothing differs, and for a single off-by-one", () => {
    expect(looksShifted([[10, 7], [10, 10]])).toBe(false);
    expect(looksShifted([[3, 8], [1, 2]])).toBe(false);
    expect(looksShifted([[3, 3], [5, 5]])).toBe(false);
    expect(looksShifted([])).toBe(false);
    expect(looksShifted([[0.5, 0], [0, 0.5]])).toBe(false);
  });
});
