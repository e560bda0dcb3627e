// Issue 12's targets as the bench judges them (bench/targets.ts): each at its bound and just
// past it, and only a stop on the memory budget counts as the budget's clear stop.
import { describe, expect, it } from "vitest";
import { budgetStop, mark, TARGETS } from "../../bench/targets.ts";

describe("bench targets", () => {
  it("are met at their bounds and missed just past them", () => {
    expect([TARGETS.python(1200, 100), TARGETS.python(1199, 100)]).toEqual([true, false]);
    // 5M raw documents in 1,428 ms of CPU is 3.5M/s; wall time does not count
    expect([TARGETS.rate(5_000_000, 1428), TARGETS.rate(5_000_000, 1430), TARGETS.rate(5_000_000, 0)]).toEqual([true, false, false]);
    expect([TARGETS.postRestore(130, 100), TARGETS.postRestore(131, 100)]).toEqual([true, false]);
    expect([TARGETS.apps(150, 100), TARGETS.apps(151, 100)]).toEqual([true, false]);
    expect([TARGETS.memory(399.9), TARGETS.memory(400)]).toEqual([true, false]);
    expect([TARGETS.flat(100, 120), TARGETS.flat(100, 121)]).toEqual([true, false]);
    expect([mark(true), mark(false)]).toEqual(["met", "**missed**"]);
  });

  it("count a run above 400 MB as met only when it stopped on --max-memory with its message", () => {
    const stop = "rawEvents: error the data needs more memory than the budget of 1 GB (--max-memory) to hold …";
    expect(TARGETS.memoryOrStop(931, "error 2000", stop)).toBe(true);
    expect(TARGETS.memoryOrStop(931, "passed 2000", undefined)).toBe(false);
    expect(TARGETS.memoryOrStop(931, "error 1", "events-match-raw: error source unreadable: drill_events.bson is truncated")).toBe(false);
    expect(TARGETS.memoryOrStop(380, "passed 2000", undefined)).toBe(true);
    expect(budgetStop("passed 1999, errored 1", stop)).toBe(false);
  });
});
