// Entry point for Node (through bin/countly-check.mjs) and Deno (`deno run -A runner/main.ts`).
import process from "node:process";
import { main } from "./cli/main.ts";
import { processIO } from "./cli/io.ts";

process.exitCode = await main(process.argv.slice(2), processIO());
