// Entry point for Node (through bin/countly-check.mjs) and Deno (`deno run -A runner/main.ts`).
import process from "node:process";
import { setTimeout } from "node:timers";
import { main } from "./cli/main.ts";
import { processIO } from "./cli/io.ts";
import { removeTempFilesOnSignals } from "../reports/write.ts";

// `countly-check list | head`: a closed pipe ends the output quietly, not with a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (e: { code?: string }) => {
    if (e.code === "EPIPE") process.exit(typeof process.exitCode === "number" ? process.exitCode : 0);
    throw e;
  });
}

// Interrupted (Ctrl-C, CI cancel): no half-written report's temp file stays behind.
removeTempFilesOnSignals();

// No top-level await: scripts/bundle.ts bundles this entry as one CommonJS file.
void main(process.argv.slice(2), processIO()).then((code) => {
  process.exitCode = code;
  // A finished command never waits on I/O it gave up on (a --timeout that expired while a
  // stalled server or a FIFO was being read): exit once nothing else is left to flush.
  setTimeout(() => process.exit(), 1_000).unref();
});
