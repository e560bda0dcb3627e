// A child process for the signal test: starts writing a report whose data never finishes,
// says "writing", and waits to be killed (test/reports/write.test.ts).
import * as fsp from "node:fs/promises";
import process from "node:process";
import { removeTempFilesOnSignals, writeReportFile } from "../../reports/write.ts";

removeTempFilesOnSignals();
const target = process.argv[2]!;
void writeReportFile(target, "partial", {
  lstat: (p) => fsp.lstat(p),
  readlink: (p) => fsp.readlink(p),
  mkdir: (p, o) => fsp.mkdir(p, o),
  writeFile: async (p, c, o) => {
    await fsp.writeFile(p, c, o);
    process.stdout.write("writing\n");
    await new Promise(() => setInterval(() => {}, 1000));
  },
  rename: (a, b) => fsp.rename(a, b),
  unlink: (p) => fsp.unlink(p),
});
