// Argument parsing on node:util parseArgs (works under Deno too); unknown flags are usage errors.
import { parseArgs, type ParseArgsConfig } from "node:util";
import { isDay } from "../../countly/time.ts";
import { parseBytes } from "../facts/memory-budget.ts";
import { UsageError } from "./io.ts";

export function parse<T extends NonNullable<ParseArgsConfig["options"]>>(argv: string[], options: T) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message.replace(/^TypeError \[[A-Z_]+\]: /, ""));
  }
}

export function dayOption(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!isDay(value)) throw new UsageError(`--${name} ${value}: expected a day YYYY-MM-DD`);
  return value;
}

export function intOption(name: string, value: string | undefined, min = 0): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < min) throw new UsageError(`--${name} ${value}: expected a whole number ≥ ${min}`);
  return Number(value);
}

/** A size such as 512M, 1.5G or a number of bytes. */
export function bytesOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const bytes = parseBytes(value);
  if (bytes === undefined) throw new UsageError(`--${name} ${value}: expected a size such as 512M, 2G or a number of bytes`);
  return bytes;
}
