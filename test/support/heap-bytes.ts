// Bytes a structure holds, for tests of memory: heapUsed + arrayBuffers deltas after full
// collections (gc exposed through V8's flags, so the tests need no special node options).
import v8 from "node:v8";
import vm from "node:vm";

v8.setFlagsFromString("--expose-gc");
const gc = vm.runInNewContext("gc") as () => void;

/** Bytes that `make()`'s result holds (heap and array buffers), measured after full collections. */
export function held<T>(make: () => T): { bytes: number; value: T } {
  gc();
  gc();
  const before = process.memoryUsage();
  const value = make();
  gc();
  gc();
  const after = process.memoryUsage();
  return { bytes: after.heapUsed + after.arrayBuffers - (before.heapUsed + before.arrayBuffers), value };
}
