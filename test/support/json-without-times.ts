// The JSON result of a run without what differs between any two runs of the same data (times),
// for tests that compare two ways of computing one result (workers, scanners, builds).
export function jsonWithoutTimes(json: string): unknown {
  return JSON.parse(json, (k, v) => (k === "durationMs" || k === "startedAt" || k === "timestamp" || k === "timings" ? undefined : v));
}
