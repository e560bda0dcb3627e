/** Server-side command errors, sent back as `{ ok: 0, errmsg, code, codeName }`. */
import type { Document } from "bson";

export class CommandError extends Error {
  readonly code: number;
  readonly codeName: string;

  constructor(code: number, codeName: string, errmsg: string) {
    super(errmsg);
    this.code = code;
    this.codeName = codeName;
  }

  toReply(): Document {
    return { ok: 0, errmsg: this.message, code: this.code, codeName: this.codeName };
  }
}

export const badValue = (msg: string): CommandError => new CommandError(2, "BadValue", msg);
export const failedToParse = (msg: string): CommandError => new CommandError(9, "FailedToParse", msg);
export const typeMismatch = (msg: string): CommandError => new CommandError(14, "TypeMismatch", msg);
export const authenticationFailed = (): CommandError =>
  new CommandError(18, "AuthenticationFailed", "Authentication failed.");
export const namespaceNotFound = (ns: string): CommandError =>
  new CommandError(26, "NamespaceNotFound", `ns does not exist: ${ns}`);
export const cursorNotFound = (id: bigint): CommandError =>
  new CommandError(43, "CursorNotFound", `cursor id ${id} not found`);
export const commandNotFound = (name: string): CommandError =>
  new CommandError(59, "CommandNotFound", `no such command: '${name}'`);
export const unauthorized = (msg: string): CommandError => new CommandError(13, "Unauthorized", msg);

/** Maps an exception thrown while running a query (mostly mingo) to a command error. */
export function toCommandError(e: unknown): CommandError {
  if (e instanceof CommandError) return e;
  const msg = e instanceof Error ? e.message : String(e);
  const stage = /unregistered pipeline operator (\S+?)\.?$/.exec(msg);
  if (stage) return new CommandError(40324, "Location40324", `Unrecognized pipeline stage name: '${stage[1]}'`);
  return badValue(msg);
}
