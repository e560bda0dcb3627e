// Runs the CLI in-process with captured output.
import { main } from "../../runner/cli/main.ts";
import type { CliIO } from "../../runner/cli/io.ts";

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export async function cli(argv: string[], env: Record<string, string | undefined> = {}): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const io: CliIO = { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), isTTY: false, env };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}
