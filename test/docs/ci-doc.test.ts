// The docs cannot drift from the CLI: every `countly-check …` invocation in docs/ci.md
// and README.md (code blocks and inline code) names a real command, and each flag it
// uses appears in that command's `--help` (run in-process). The exit-code tables say
// what `--help` says. In code blocks, the word after `npx countly-check` must be a
// command, so typos are caught.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import { EXIT_CODES_HELP } from "../../runner/cli/help.ts";
import { DEFAULT_JUNIT } from "../../runner/cli/run-command.ts";
import { cli as runCli } from "../support/cli.ts";

const COMMANDS = ["run", "fixture", "diff", "selftest", "init", "schema", "list"] as const;

interface Invocation {
  /** Where in the document: "file:line". */
  at: string;
  /** The command (`run`, …) or "" for global options only. */
  command: string;
  flags: string[];
  text: string;
}

/** The CLI as invoked in docs: `countly-check`, `npx countly-check`, or Deno's `runner/main.ts`. */
const CLI = /(?:^|[\s'"`(=;&|])(npx\s+)?(?:countly-check|runner\/main\.ts)(?=\s|$)/g;
const END = new Set(["|", "||", "&&", ";", ")", "\\"]);

/** Every invocation of the CLI in fenced code blocks and inline code spans of a Markdown text. */
function invocations(markdown: string, file: string): Invocation[] {
  const out: Invocation[] = [];
  const lines = markdown.split("\n");
  let fenced = false;
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let line = lines[i]!;
    if (/^\s*```/.test(line)) {
      fenced = !fenced;
      continue;
    }
    if (fenced) {
      // shell line continuations
      while (/\\\s*$/.test(line) && i + 1 < lines.length) line = `${line.replace(/\\\s*$/, " ")}${lines[++i]!.trim()}`;
      out.push(...fromCode(line, `${file}:${start + 1}`, true));
    } else {
      for (const m of line.matchAll(/`([^`]+)`/g)) out.push(...fromCode(m[1]!, `${file}:${start + 1}`, false));
    }
  }
  return out;
}

function fromCode(code: string, at: string, strict: boolean): Invocation[] {
  const out: Invocation[] = [];
  for (const m of code.matchAll(CLI)) {
    const rest = code.slice(m.index! + m[0].length);
    const tokens: string[] = [];
    for (const t of rest.match(/"[^"]*"|'[^']*'|\S+/g) ?? []) {
      if (END.has(t) || t.startsWith("#")) break;
      tokens.push(t);
      if (/['"`]\)?$/.test(t) && !/^["']/.test(t)) break; // the end of a quoted `sh '…'` script or of inline code
    }
    const first = tokens[0];
    if (first === undefined || first.startsWith("<") || first.startsWith("`")) continue; // a name or a placeholder, not a run
    const command = first.startsWith("-") ? "" : first.replace(/['"`)]+$/, "");
    // `npx countly-check <word>` in a code block must name a command (typos fail); elsewhere a
    // word that is no command is prose ("countly-check could not …" in an echo)
    if (command && !(strict && m[1]) && !(COMMANDS as readonly string[]).includes(command)) continue;
    const flags = tokens.flatMap((t) => /^(--?[A-Za-z][\w-]*)/.exec(t)?.[1] ?? []);
    out.push({ at, command, flags, text: `countly-check ${tokens.join(" ")}` });
  }
  return out;
}

async function helpOf(command: string): Promise<string> {
  const r = await runCli(command ? [command, "--help"] : ["--help"]);
  if (r.code !== 0) throw new Error(`countly-check ${command} --help exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}

/** Problems of one invocation against the CLI's help texts. */
async function problemsOf(inv: Invocation): Promise<string[]> {
  if (inv.command && !(COMMANDS as readonly string[]).includes(inv.command)) return [`${inv.at}: unknown command "${inv.command}" in: ${inv.text}`];
  const help = await helpOf(inv.command);
  return inv.flags
    .filter((f) => !new RegExp(`(^|[\\s,\\[])${f.replace(/[-]/g, "\\-")}(?=[\\s,=\\]]|$)`, "m").test(help))
    .map((f) => `${inv.at}: ${f} is not an option of "countly-check ${inv.command || ""}" (--help) in: ${inv.text}`);
}

const root = (p: string) => fileURLToPath(new URL(`../../${p}`, import.meta.url));
const DOCS = ["docs/ci.md", "README.md"].map((f) => ({ file: f, text: readFileSync(root(f), "utf8") }));

describe("docs/ci.md and README.md invocations match the CLI", () => {
  for (const { file, text } of DOCS) {
    it(`${file}: every flag used is in the command's --help`, async () => {
      const found = invocations(text, file);
      expect(found.length).toBeGreaterThanOrEqual(file === "README.md" ? 4 : 15);
      const problems = (await Promise.all(found.map(problemsOf))).flat();
      expect(problems).toEqual([]);
    });

    it(`${file}: the exit codes are the ones --help documents`, () => {
      for (const line of EXIT_CODES_HELP.split("\n").slice(1)) {
        const m = /^\s+(\d)\s+(.+)$/.exec(line)!;
        expect(text, `exit code ${m[1]}`).toContain(`| ${m[1]} | ${m[2]}`);
      }
    });
  }

  it("docs/ci.md names the default report path and covers GitHub Actions, GitLab CI and Jenkins", () => {
    const ci = DOCS[0]!.text;
    expect(ci).toContain(DEFAULT_JUNIT);
    expect(ci).toMatch(/mikepenz\/action-junit-report|dorny\/test-reporter/);
    expect(ci).toMatch(/reports:\s*\n\s*junit: /);
    expect(ci).toMatch(/when: always/);
    expect(ci).toMatch(/post \{\s*\n\s*always \{\s*\n\s*junit /);
    expect(ci).toMatch(/countly backup/);
    expect(ci).toMatch(/countly restore/);
  });

  it("docs/ci.md: every yaml block parses, and the workflows have the keys their CI needs", () => {
    const blocks = [...DOCS[0]!.text.matchAll(/^```yaml\n([\s\S]*?)^```/gm)].map((m) => m[1]!);
    expect(blocks.length).toBeGreaterThanOrEqual(3);
    for (const b of blocks) expect(parseDocument(b).errors.map((e) => e.message)).toEqual([]);
    const gha = parseDocument(blocks.find((b) => b.includes("runs-on:"))!).toJS() as { jobs: Record<string, { services: unknown; steps: { uses?: string; if?: string }[] }> };
    const job = Object.values(gha.jobs)[0]!;
    expect(job.services).toBeDefined();
    const reporter = job.steps.find((st) => st.uses?.startsWith("mikepenz/action-junit-report"))!;
    expect(reporter.if).toBe("${{ !cancelled() }}");
    const gitlab = parseDocument(blocks.find((b) => b.includes("stages:"))!).toJS() as Record<string, { artifacts?: { when?: string; reports?: { junit?: string } } }>;
    const withJunit = Object.values(gitlab).filter((j) => j?.artifacts?.reports?.junit);
    expect(withJunit.length).toBeGreaterThanOrEqual(2);
    for (const j of withJunit) expect(j.artifacts!.when).toBe("always");
  });

  it("the extractor finds flags across continuations and quoting, and reports unknown ones", async () => {
    const md = [
      "```sh",
      "npx countly-check run a.yaml --source ./b \\",
      "    --jnuit reports/x.xml | tee log",
      "```",
      "```groovy",
      "sh(script: 'npx countly-check run --source \"$U\" --junit r.xml')",
      "```",
      "Run `countly-check <command> --help` or `npx countly-check fixture --out d --bogus`; `countly-check` alone is a name.",
      "```yaml",
      "name: countly-check",
      "run: npx countly-check runn --source x",
      "echo \"countly-check could not run\"",
      "```",
    ].join("\n");
    const found = invocations(md, "t.md");
    expect(found.map((f) => [f.at, f.command, f.flags])).toEqual([
      ["t.md:2", "run", ["--source", "--jnuit"]],
      ["t.md:6", "run", ["--source", "--junit"]],
      ["t.md:8", "fixture", ["--out", "--bogus"]],
      ["t.md:11", "runn", ["--source"]],
    ]);
    const problems = (await Promise.all(found.map(problemsOf))).flat();
    expect(problems).toEqual([
      expect.stringContaining("t.md:2: --jnuit is not an option"),
      expect.stringContaining("t.md:8: --bogus is not an option"),
      expect.stringContaining('t.md:11: unknown command "runn"'),
    ]);
  });
});
