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

/** held() of an async `make`: the bytes its resolved value holds, the garbage of making it collected. */
export async function heldAfter<T>(make: () => Promise<T>): Promise<{ bytes: number; value: T }> {
  gc();
  gc();
  const before = process.memoryUsage();
  const value = await make();
  gc();
  gc();
  const after = process.memoryUsage();
  return { bytes: after.heapUsed + after.arrayBuffers - (before.heapUsed + before.arrayBuffers), value };
}
