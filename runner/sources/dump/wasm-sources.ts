// The C sources the scanner's wasm module is compiled from, and a fingerprint of their bytes.
// scripts/build-wasm.ts compiles the fingerprint into the module (source_hash); the loader,
// when it runs from the TypeScript sources beside native/, refuses a module whose fingerprint
// is not that of the sources there: a module built before the C changed (a merge, a checkout)
// would otherwise run with code that expects another memory layout and give wrong results,
// while ABI_VERSION only catches the changes someone remembered to number.
import { createHash } from "node:crypto";

/** The module's sources, relative to the repository root, in the order they are compiled. */
export const WASM_SOURCES = ["native/bson-walk.c", "native/raw-events.c", "native/raw-facts.c"] as const;

/** The first 32 bits of the SHA-256 of the sources (each file's length, then its bytes), as an unsigned number. */
export function wasmSourceHash(read: (path: string) => Uint8Array): number {
  const h = createHash("sha256");
  for (const file of WASM_SOURCES) {
    const bytes = read(file);
    h.update(`${bytes.length}:`);
    h.update(bytes);
  }
  return h.digest().readUInt32LE(0);
}
