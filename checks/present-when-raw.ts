// Shared wording for the "present when raw data exists" checks.
import type { Day } from "../countly/time.ts";

/** "21 days (2024-10-20..2024-11-09)" for a list of days. */
export function dayRange(days: readonly Day[]): string {
  const unique = [...new Set(days)].sort();
  if (unique.length === 0) return "no days";
  if (unique.length === 1) return `1 day (${unique[0]})`;
  return `${unique.length} days (${unique[0]}..${unique[unique.length - 1]})`;
}
