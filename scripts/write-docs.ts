// Regenerates docs/checks.md from the check registry (npm run docs).
import { writeFile } from "node:fs/promises";
import { CHECKS } from "../checks/index.ts";
import { checksMarkdown } from "../runner/docs/checks-doc.ts";

const target = new URL("../docs/checks.md", import.meta.url);
await writeFile(target, checksMarkdown(CHECKS));
console.log(`wrote ${target.pathname}`);
