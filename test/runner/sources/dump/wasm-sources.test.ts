// A wasm module built from other C sources than the ones beside the TypeScript is refused
// (runner/sources/dump/wasm-sources.ts): a module left from before a merge or checkout would
// otherwise run with loaders that expect another memory layout and give wrong results.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { scannerChoice, staleAgainstSources, wasmLocation } from "../../../../runner/sources/dump/bson-walk-native.ts";
import { WASM_SOURCES, wasmSourceHash } from "../../../../runner/sources/dump/wasm-sources.ts";

const root = new URL("../../../../", import.meta.url);
const read = (f: string) => readFileSync(new URL(f, root));
const required = process.env.CI === "1" || process.env.COUNTLY_CHECK_REQUIRE_WASM === "1";

describe("the wasm module's source fingerprint", () => {
  it("changes with any byte of any source, and with where one file ends and the next begins", () => {
    const base = wasmSourceHash(read);
    for (const file of WASM_SOURCES) {
      const bytes = read(file);
      const flipped = Uint8Array.from(bytes);
      flipped[bytes.length >> 1] ^= 1;
      expect(wasmSourceHash((f) => (f === file ? flipped : read(f)))).not.toBe(base);
    }
    const [first, second] = WASM_SOURCES;
    const moved = (f: string) => (f === first ? Buffer.concat([read(first), read(second).subarray(0, 1)]) : f === second ? read(second).subarray(1) : read(f));
    expect(wasmSourceHash(moved)).not.toBe(base);
  });

  it("a module of other sources is refused, naming them and the fix; the one of these sources is taken", () => {
    const hash = wasmSourceHash(read);
    expect(staleAgainstSources(hash)).toBeUndefined();
    expect(staleAgainstSources((hash + 1) >>> 0)).toBe(`was built from other C sources than ${WASM_SOURCES.join(", ")} (run npm run build)`);
  });

  it.runIf(required)("the module npm run build made carries the fingerprint of the sources beside it (the loader takes it)", () => {
    expect(scannerChoice()).toEqual({ scanner: "wasm", detail: wasmLocation().pathname });
  });
});
