#!/usr/bin/env node
// Node entry: the bundled JavaScript in dist/ (`npm run build`, scripts/bundle.ts: run by
// `npm ci`/`npm install` in a checkout, when installing from git, and by `npm pack`), so
// start-up needs no TypeScript loader. Deno runs the TypeScript sources (runner/main.ts) itself.
import { existsSync } from "node:fs";

const entry = new URL("../dist/main.js", import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write("countly-check: dist/ is missing (a checkout needs `npm run build`; the package ships it)\n");
  process.exit(3);
}
await import(entry.href);
