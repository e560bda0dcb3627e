// Reads scenario YAML into a validated Scenario. Every problem of a file is
// collected and reported at once, each with file:line:column and the key path.
import { readFile, stat } from "node:fs/promises";
import { LineCounter, Scalar, YAMLMap, isMap, isScalar, parseDocument, visit, type Document, type Node } from "yaml";
import type { CheckDefinition, JsonSchema } from "../../checks/types.ts";
import { withDefaults } from "../../checks/types.ts";
import type { Layout } from "../../countly/layout.ts";
import { isDay, type Period } from "../../countly/time.ts";
import type { Severity } from "../model.ts";
import { hasEnvRef, substituteEnv } from "./env.ts";
import { typedFromEnvironment, type Substituted } from "./env-typing.ts";
import { decodeUtf8 } from "./utf8.ts";
import { checkEntrySchema, PERIOD_SCHEMA, SCENARIO_PROPERTIES, TOP_SCHEMA } from "./schema.ts";
import { ScenarioError, type Scenario, type ScenarioCheck, type ScenarioIssue } from "./types.ts";
import { validateJson, type SchemaIssue } from "./validate.ts";

export interface LoadOptions {
  registry: ReadonlyMap<string, CheckDefinition>;
  env?: Readonly<Record<string, string | undefined>>;
  /** Today's date for `last_days` (tests pin it). */
  today?: string;
  /** Name shown in messages; defaults to the path. */
  displayName?: string;
  /** Corruption names `selftest.must_catch` may use (fixtures/corruptions.ts); unchecked when absent. */
  corruptions?: readonly string[];
}

type Path = (string | number)[];

/** Scenario files are small; a bigger file is a mistake (or an attack), not a scenario. */
export const MAX_SCENARIO_BYTES = 4 * 1024 * 1024;

export async function loadScenarioFile(path: string, options: LoadOptions): Promise<Scenario> {
  const file = options.displayName ?? path;
  const fail = (line: number, column: number, message: string) => new ScenarioError([{ file, line, column, path: "", message }]);
  let bytes: Uint8Array;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw fail(1, 1, "not a regular file (a scenario is a YAML file)");
    if (info.size > MAX_SCENARIO_BYTES) throw fail(1, 1, `${info.size} bytes: larger than a scenario can be (${MAX_SCENARIO_BYTES} bytes)`);
    bytes = await readFile(path);
  } catch (e) {
    if (e instanceof ScenarioError) throw e;
    throw fail(1, 1, `cannot read file: ${(e as Error).message}`);
  }
  const decoded = decodeUtf8(bytes);
  if (!decoded.ok) throw fail(decoded.line, decoded.column, `not valid UTF-8 (byte offset ${decoded.offset}: 0x${decoded.byte.toString(16).padStart(2, "0")}); save the file as UTF-8`);
  return parseScenario(decoded.text, file, options);
}

export function parseScenario(text: string, file: string, options: LoadOptions): Scenario {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const issues: ScenarioIssue[] = [];
  const at = (offset: number, path: string, message: string) => {
    const { line, col } = lineCounter.linePos(offset);
    issues.push({ file, line, column: col, path, message });
  };

  for (const e of doc.errors) at(e.pos[0], "", `YAML syntax: ${e.message.split("\n")[0]}`);
  if (issues.length) throw new ScenarioError(issues);

  const substituted = substituteEnvironment(doc, options.env ?? {}, (offset, path, message) => at(offset, path, message));

  let value: unknown;
  try {
    // yaml refuses documents whose aliases expand too much ("billion laughs"): that is bad input, not a crash.
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    at(firstAliasOffset(doc), "", `YAML aliases: ${(e as Error).message.split("\n")[0]} (at most ${MAX_ALIAS_COUNT} alias expansions)`);
    throw new ScenarioError(issues);
  }
  const positionOf = (path: Path, key?: string): number => nodeOffset(doc, path, key);

  if (!value || typeof value !== "object" || Array.isArray(value)) {
    at(0, "", "expected a mapping with `name` and `checks`");
    throw new ScenarioError(issues);
  }
  const raw = value as Record<string, unknown>;
  typedFromEnvironment(raw, substituted, options.registry);

  report(validateJson(TOP_SCHEMA, raw), [], positionOf, at);

  const checks: ScenarioCheck[] = [];
  const seenIds = new Map<string, number>();
  const known = [...options.registry.keys()].sort();
  (Array.isArray(raw.checks) ? raw.checks : []).forEach((entry: unknown, i: number) => {
    const base: Path = ["checks", i];
    if (!entry || typeof entry !== "object" || Array.isArray(entry)) {
      at(positionOf(base), pathText(base), "expected a mapping with `id` and `check`");
      return;
    }
    const e = entry as Record<string, unknown>;
    if (typeof e.id === "string") {
      const first = seenIds.get(e.id);
      if (first !== undefined) at(positionOf([...base, "id"]), pathText([...base, "id"]), `duplicate id "${e.id}" (first used by checks[${first}])`);
      else seenIds.set(e.id, i);
    }
    const kind = e.check;
    if (typeof kind !== "string") {
      at(positionOf(base, kind === undefined ? undefined : "check"), pathText([...base, "check"]), `missing check kind (known kinds: ${known.join(", ")})`);
      return;
    }
    const def = options.registry.get(kind);
    if (!def) {
      at(positionOf([...base, "check"]), pathText([...base, "check"]), `unknown check kind "${kind}" (known kinds: ${known.join(", ")})`);
      return;
    }
    const schemaIssues = validateJson(checkEntrySchema(def), e);
    report(schemaIssues, base, positionOf, at);
    if (schemaIssues.length) return;
    const { id, check: _k, severity, description, ...own } = e;
    const { line, col } = lineCounter.linePos(positionOf(base));
    const checkOptions = withDefaults<Record<string, unknown>>(def.meta, own);
    const optionIssues = def.validate?.(checkOptions) ?? [];
    report(optionIssues, base, positionOf, at);
    if (optionIssues.length) return;
    checks.push({
      id: id as string,
      kind,
      severity: (severity as Severity | undefined) ?? "error",
      description: description as string | undefined,
      options: checkOptions,
      line,
      column: col,
    });
  });

  const period = periodOf(raw.period, options.today, (key, message) => at(positionOf(["period", key].filter(Boolean) as Path), pathText(["period", key].filter(Boolean) as Path), message));

  const selftest = raw.selftest as { must_catch?: Record<string, string[]>; layouts?: Layout[] } | undefined;
  const mustCatch = selftest?.must_catch;
  for (const [id, names] of Object.entries(mustCatch ?? {})) {
    if (!seenIds.has(id)) at(positionOf(["selftest", "must_catch"], id), `selftest.must_catch.${id}`, `no check with id "${id}" in this scenario`);
    if (!options.corruptions || !Array.isArray(names)) continue;
    names.forEach((name, i) => {
      if (typeof name === "string" && !options.corruptions!.includes(name)) {
        const path: Path = ["selftest", "must_catch", id, i];
        at(positionOf(path), pathText(path), `unknown corruption "${name}" (known: ${options.corruptions!.join(", ")})`);
      }
    });
  }

  if (issues.length) throw new ScenarioError(issues.sort((a, b) => a.line - b.line || a.column - b.column));
  const namePos = lineCounter.linePos(positionOf(["name"]));
  return {
    name: raw.name as string,
    description: raw.description as string | undefined,
    source: raw.source as string | undefined,
    file,
    apps: raw.apps as string[] | undefined,
    period,
    ...lastDaysOf(raw.period),
    checks,
    mustCatch,
    selftestLayouts: selftest?.layouts,
    nameLine: namePos.line,
    nameColumn: namePos.col,
  };
}

/** yaml's default (100) too: enough for any real scenario, far from a resource attack. */
const MAX_ALIAS_COUNT = 100;

function firstAliasOffset(doc: Document): number {
  let offset = 0;
  visit(doc, {
    Alias(_k, node) {
      offset = node.range?.[0] ?? 0;
      return visit.BREAK;
    },
  });
  return offset;
}

function periodOf(raw: unknown, today: string | undefined, fail: (key: string, message: string) => void): Period {
  if (!raw || typeof raw !== "object") return {};
  const p = raw as { from?: string; to?: string; last_days?: number };
  for (const key of ["from", "to"] as const) {
    if (typeof p[key] === "string" && !isDay(p[key])) fail(key, `"${p[key]}" is not a valid day (YYYY-MM-DD)`);
  }
  if (p.last_days !== undefined && p.from !== undefined) fail("last_days", "use either `from` or `last_days`, not both");
  if (p.from && p.to && p.from > p.to) fail("to", `ends (${p.to}) before it starts (${p.from})`);
  if (typeof p.last_days === "number") {
    // Out of the schema's range (reported there): no date arithmetic on it (a RangeError, not a message).
    if (!Number.isInteger(p.last_days) || p.last_days < 1 || p.last_days > (PERIOD_SCHEMA.properties!.last_days!.maximum ?? Infinity)) return {};
    const end = today ?? new Date().toISOString().slice(0, 10);
    const start = new Date(Date.parse(`${end}T00:00:00Z`) - (p.last_days - 1) * 86400000);
    if (!Number.isFinite(start.getTime())) {
      fail("last_days", `${p.last_days} days back from ${end} is not a date`);
      return {};
    }
    return { from: start.toISOString().slice(0, 10), to: p.to ?? end };
  }
  return { from: p.from, to: p.to };
}

/** `last_days` without an explicit `to`: the period counts back from "now", which a snapshot source re-anchors. */
function lastDaysOf(raw: unknown): { lastDays?: number } {
  const p = raw as { to?: unknown; last_days?: unknown } | undefined;
  return p && typeof p.last_days === "number" && p.to === undefined ? { lastDays: p.last_days } : {};
}

/**
 * Replaces `${VAR}` in string scalars. Values from the environment are data: they become
 * strings, never YAML (`*x`, `a: b: c` or `[1` stay text). Plain (unquoted) scalars are
 * returned so `typedFromEnvironment` can make numbers and booleans where the schema wants one.
 */
function substituteEnvironment(doc: Document, env: Readonly<Record<string, string | undefined>>, fail: (offset: number, path: string, message: string) => void): Substituted[] {
  const plain: Substituted[] = [];
  visit(doc, {
    Scalar(key, node, path) {
      if (key === "key" || typeof node.value !== "string" || !hasEnvRef(node.value)) return;
      const { value, missing } = substituteEnv(node.value, env);
      const at = scalarPath(path, node);
      for (const name of missing) fail(node.range?.[0] ?? 0, pathText(at), `environment variable ${name} is not set (use \${${name}:-default} for a fallback)`);
      if (node.type === Scalar.PLAIN) plain.push({ path: at, value });
      node.value = value;
    },
  });
  return plain;
}

function scalarPath(ancestors: readonly unknown[], node: Node): Path {
  const out: Path = [];
  const chain = [...ancestors, node];
  for (let i = 0; i < chain.length - 1; i++) {
    const parent = chain[i];
    const child = chain[i + 1];
    if (isMap(parent)) continue;
    if (parent && typeof parent === "object" && "items" in parent && Array.isArray((parent as { items: unknown[] }).items)) {
      out.push((parent as { items: unknown[] }).items.indexOf(child));
    } else if (parent && typeof parent === "object" && "key" in parent && isScalar((parent as { key: unknown }).key)) {
      out.push(String(((parent as { key: Scalar }).key).value));
    }
  }
  return out;
}

/** Offset of the value at `path`, or of the key `key` inside the mapping at `path`. Falls back to the nearest existing parent. */
function nodeOffset(doc: Document, path: Path, key?: string): number {
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n), true) as Node | undefined;
    if (!node) continue;
    if (key !== undefined && n === path.length && node instanceof YAMLMap) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === key);
      if (pair && isScalar(pair.key) && pair.key.range) return pair.key.range[0];
    }
    if (node.range) return node.range[0];
  }
  return doc.contents?.range?.[0] ?? 0;
}

function report(schemaIssues: SchemaIssue[], base: Path, positionOf: (p: Path, key?: string) => number, at: (offset: number, path: string, message: string) => void) {
  for (const i of schemaIssues) {
    const full = [...base, ...i.path];
    if (i.key !== undefined) at(positionOf(full, i.key), pathText([...full, i.key]), i.message);
    else at(positionOf(full), pathText(full), i.message);
  }
}

export function pathText(path: Path): string {
  let out = "";
  for (const p of path) {
    if (typeof p === "number") out += `[${p}]`;
    else if (/^[A-Za-z_$][A-Za-z0-9_$-]*$/.test(p)) out += out ? `.${p}` : p;
    else out += `[${JSON.stringify(p)}]`;
  }
  return out;
}
