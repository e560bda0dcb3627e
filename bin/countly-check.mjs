#!/usr/bin/env node
// Node entry: the compiled JavaScript in dist/ (`npm run build`: run by `npm ci`/`npm install`
// in a checkout, when installing from git, and by `npm pack`), so start-up needs no TypeScript
// loader. Deno runs the TypeScript sources (runner/main.ts) itself.
import { existsSync } from "node:fs";

const entry = new URL("../dist/runner/main.js", import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write("countly-check: dist/ is missing (a checkout needs `npm run build`; the package ships it)\n");
  process.exit(3);
}
await import(entry.href);
