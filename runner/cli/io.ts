// What a command may touch of the outside world, so tests can run commands in-process.
import process from "node:process";

export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
  /** stdout is a terminal (colour, progress). */
  isTTY: boolean;
  /** stderr is a terminal: progress rewrites one status line there. */
  stderrIsTTY?: boolean;
  env: Readonly<Record<string, string | undefined>>;
}

export function processIO(): CliIO {
  return {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    isTTY: Boolean(process.stdout.isTTY),
    stderrIsTTY: Boolean(process.stderr.isTTY),
    env: process.env,
  };
}

/** Bad usage: printed with a hint, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}
