// One wording of a finding for every reporter, so console, JUnit and JSON agree.
import type { Finding } from "../runner/model.ts";

/** "app Shop (65f0…) · event Buy · day 2024-10-27 · c: expected 42, actual 0 — message" */
export function formatFinding(f: Finding): string {
  const where: string[] = [];
  if (f.app) where.push(`app ${f.app.name} (${f.app.id})`);
  if (f.event !== undefined) where.push(`event ${f.event}`);
  if (f.day !== undefined) where.push(`day ${f.day}`);
  if (f.segment !== undefined) where.push(`segment ${f.segment}`);
  let values = "";
  if (f.expected !== undefined || f.actual !== undefined) {
    // Findings of user-written checks may carry only one of the two.
    const parts = [f.expected !== undefined ? `expected ${show(f.expected)}` : "", f.actual !== undefined ? `actual ${show(f.actual)}` : ""].filter(Boolean);
    values = `${f.field ? `${f.field}: ` : ""}${parts.join(", ")}`;
    where.push(values);
  }
  return `${where.join(" · ")}${where.length ? " — " : ""}${f.message}`;
}

function show(v: number | string): string {
  return typeof v === "number" ? String(Math.round(v * 1e6) / 1e6) : v;
}
