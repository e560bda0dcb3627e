// Run by `npm run build` (first): compiles the dump scanner's inner loop, native/bson-walk.c,
// and the facts' batch kernels (native/raw-events.c) into one module, native/bson-walk.wasm, with Debian's clang-14 and lld-14 (no other toolchain; .ci/run
// installs them). scripts/bundle.ts copies it into dist/. Without clang the build still
// succeeds: it says so, removes a stale module, and the scanner uses its JavaScript walk
// (runner/sources/dump/bson-walk-native.ts says which one ran: `--progress`, the JSON
// report's timings).
import { execFileSync } from "node:child_process";
import { readFileSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { WASM_SOURCES, wasmSourceHash } from "../runner/sources/dump/wasm-sources.ts";

/** The module (its sources, the walk and the facts' batch kernels, are listed in runner/sources/dump/wasm-sources.ts). */
export const WASM_OUTPUT = "native/bson-walk.wasm";

/** The clang and linker flags: wasm32, no libc, no entry point, the memory given by the loader. */
export const CLANG_FLAGS = [
  "--target=wasm32",
  "-O3",
  "-nostdlib",
  "-fno-builtin",
  "-Wall",
  "-Wextra",
  "-Werror",
  "-Wl,--no-entry",
  "-Wl,--import-memory",
  // the C stack (little used) first, then the module's constants; the loader's buffers start at __heap_base
  "-Wl,--stack-first",
  "-Wl,-z,stack-size=16384",
  "-Wl,--export=__heap_base",
  "-Wl,--strip-all",
];

function hasCommand(cmd: string): boolean {
  try {
    execFileSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** Builds the module at `root`; returns what happened, for the build's output. */
export function buildWasm(root: string, clang = process.env.COUNTLY_CHECK_CLANG ?? "clang-14"): string {
  const out = join(root, WASM_OUTPUT);
  if (!hasCommand(clang) || !hasCommand("wasm-ld-14") && !hasCommand("wasm-ld")) {
    rmSync(out, { force: true });
    return `${WASM_OUTPUT}: not built (${clang} or wasm-ld missing: apt-get install clang-14 lld-14); the scanner uses its JavaScript walk`;
  }
  // built beside it and renamed: a process loading the module never sees half a file
  const tmp = `${out}.${process.pid}.tmp`;
  try {
    const hash = wasmSourceHash((f) => readFileSync(join(root, f)));
    execFileSync(clang, [...CLANG_FLAGS, `-DSOURCE_HASH=${hash}u`, "-o", tmp, ...WASM_SOURCES.map((f) => join(root, f))], { stdio: ["ignore", "inherit", "inherit"] });
    renameSync(tmp, out);
  } finally {
    rmSync(tmp, { force: true });
  }
  return `${WASM_OUTPUT}: built by ${clang}`;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split("\\").join("/"))) {
  process.stdout.write(`${buildWasm(join(import.meta.dirname, ".."))}\n`);
}
