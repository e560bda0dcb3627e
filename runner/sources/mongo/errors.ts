// Driver and server errors turned into one-line messages that name the host and never
// the credentials: what the console, the JUnit `<error>` and the JSON report show.
import {
  MongoAPIError,
  MongoNetworkError,
  MongoNetworkTimeoutError,
  MongoParseError,
  MongoServerError,
  MongoServerSelectionError,
} from "mongodb";
import { scrubSecrets } from "../../redact.ts";
import { SourceError } from "../source.ts";

/** What a message needs to know about the connection. */
export interface ErrorContext {
  uri: string;
  /** `h1:27017,h2` (no credentials). */
  hosts: string;
  connectTimeoutMS?: number;
  maxTimeMS: number;
  /** The client-side wait for one reply (socket timeout), when we set it. */
  replyDeadlineMS?: number;
}

const AUTH_FAILED = 18;
const UNAUTHORIZED = 13;
const MAX_TIME_EXPIRED = 50;

/** Collapses whitespace (driver messages can span lines) and removes every secret of the URI. */
export function scrub(text: string, uri: string): string {
  return scrubSecrets(text.replace(/\s+/g, " ").trim(), uri);
}

/**
 * Thrown while the driver parses the URI (`new MongoClient`): mongodb-connection-string-url's
 * own MongoParseError class, the driver's option checks (MongoAPIError "URI option …") and
 * its host parser (MongoRuntimeError "Unable to parse <host> with URL"), and a bad `%` escape
 * it decodes itself (URIError).
 */
function isUriParseError(e: unknown): boolean {
  const name = (e as Error)?.name;
  const text = messageOf(e);
  return e instanceof MongoParseError || name === "MongoParseError" || e instanceof URIError || (name === "MongoAPIError" && /^URI option /.test(text)) || (name === "MongoRuntimeError" && /^Unable to parse .* with URL/s.test(text));
}

/**
 * The parser's message, where it cannot quote a secret. The driver ends the user info at the
 * FIRST `@` (mongodb-connection-string-url HOSTS_REGEX), the redaction rule at the last one
 * before the host: with two or more `@` what the driver quotes as a host or an option name
 * can be part of the password, so then only what is wrong is said. It also quotes a user
 * name it rejects.
 */
function parseMessage(e: unknown, uri: string): string {
  const text = messageOf(e);
  if ((uri.match(/@/g)?.length ?? 0) > 1) return "it holds more than one @: percent-encode @ : / ? # [ ] % in the user name and password (@ is %40)";
  if (/^Username contains unescaped characters/.test(text)) return "the user name contains unescaped characters (percent-encode : / ? # [ ] @)";
  if (/^Unable to parse .* with URL/s.test(text)) return "a host in the host list is not a host name, an IP address or [IPv6]:port";
  return text;
}

function serverCode(e: unknown): { code?: number; codeName?: string } {
  const err = e as { code?: unknown; codeName?: unknown };
  return { code: typeof err.code === "number" ? err.code : undefined, codeName: typeof err.codeName === "string" ? err.codeName : undefined };
}

function codeSuffix(e: unknown): string {
  const { code, codeName } = serverCode(e);
  if (code === undefined) return "";
  return ` (${codeName ? `${codeName}, ` : ""}code ${code})`;
}

function isAuthFailure(e: unknown): boolean {
  const { code, codeName } = serverCode(e);
  if (code === AUTH_FAILED || codeName === "AuthenticationFailed") return true;
  const text = `${(e as Error)?.message ?? ""} ${((e as { cause?: Error })?.cause?.message) ?? ""}`;
  return /authentication failed/i.test(text);
}

function messageOf(e: unknown): string {
  if (e instanceof Error) return e.message || e.name;
  return String(e);
}

/** The reason a server selection failed: the driver keeps the last server error in `reason`. */
function selectionReason(e: MongoServerSelectionError): string {
  const servers = e.reason?.servers;
  if (servers) {
    for (const desc of servers.values()) {
      const err = (desc as { error?: Error | null }).error;
      if (err?.message) return err.message;
    }
  }
  return e.message;
}

/** The driver gave up waiting for a reply (socket timeout), possibly after its one retry. */
export function isReplyTimeout(e: unknown): boolean {
  if (e instanceof MongoNetworkTimeoutError || (e as Error)?.name === "MongoNetworkTimeoutError") return true;
  const cause = (e as { cause?: unknown })?.cause;
  return cause !== undefined && cause !== e && isReplyTimeout(cause);
}

function replyTimeoutText(what: string, ctx: ErrorContext): string {
  const limit = ctx.replyDeadlineMS !== undefined ? ` within ${ctx.replyDeadlineMS} ms (--max-time-ms ${ctx.maxTimeMS} plus a margin for the network)` : "";
  return `${what}: MongoDB at ${ctx.hosts} did not answer${limit}: the server or the network stalled; check the server's health, or raise --max-time-ms`;
}

/** Connecting or reading what every run needs failed: the whole source is unusable (exit code 3). */
export function openError(e: unknown, ctx: ErrorContext): SourceError {
  return new SourceError(scrub(openMessage(e, ctx), ctx.uri), { cause: e });
}

function openMessage(e: unknown, ctx: ErrorContext): string {
  const where = `MongoDB at ${ctx.hosts}`;
  if (isUriParseError(e)) return `invalid MongoDB URI for ${ctx.hosts}: ${parseMessage(e, ctx.uri)}`;
  if (isReplyTimeout(e)) return replyTimeoutText("reading the app list and collections", ctx);
  if (isAuthFailure(e)) return `${where} rejected the credentials: authentication failed${codeSuffix(e)}; check the credentials in the URI and its authSource`;
  if (e instanceof MongoServerSelectionError) {
    const within = ctx.connectTimeoutMS !== undefined ? ` within ${ctx.connectTimeoutMS} ms` : "";
    return `cannot connect to ${where}: no usable server answered${within} (${selectionReason(e)}); check the host, port, replica set name, TLS options and network, or raise --connect-timeout-ms`;
  }
  if (e instanceof MongoNetworkError) return `cannot connect to ${where}: ${messageOf(e)}`;
  // DNS (mongodb+srv lookups) and socket errors from Node carry a string code.
  const sysCode = (e as { code?: unknown })?.code;
  if (typeof sysCode === "string" && /^E[A-Z]+$/.test(sysCode)) return `cannot connect to ${where}: ${messageOf(e)}`;
  const { code } = serverCode(e);
  if (code === UNAUTHORIZED) return `${where}: the user may not read Countly's databases: ${messageOf(e)}${codeSuffix(e)}`;
  if (code === MAX_TIME_EXPIRED) return `${where}: reading the app list exceeded the time limit of ${ctx.maxTimeMS} ms${codeSuffix(e)}; raise --max-time-ms`;
  if (e instanceof MongoServerError) return `${where}: ${messageOf(e)}${codeSuffix(e)}`;
  if (e instanceof MongoAPIError) return `${where}: ${messageOf(e)}`;
  return `${where}: ${(e as Error)?.name ?? "error"}: ${messageOf(e)}`;
}

/** One query (`what`: e.g. "aggregate on countly_drill.drill_events") failed: the facts that need it become errors. */
export function queryErrorMessage(e: unknown, what: string, ctx: ErrorContext): string {
  const where = `MongoDB at ${ctx.hosts}`;
  const { code } = serverCode(e);
  let text: string;
  if (isReplyTimeout(e)) text = replyTimeoutText(what, ctx);
  else if (code === MAX_TIME_EXPIRED) text = `${what} on ${where} exceeded the time limit of ${ctx.maxTimeMS} ms${codeSuffix(e)}; raise --max-time-ms or narrow the period (--from/--to)`;
  else if (code === UNAUTHORIZED) text = `${what} on ${where} is not allowed for this user: ${messageOf(e)}${codeSuffix(e)}`;
  else if (e instanceof MongoServerSelectionError || e instanceof MongoNetworkError) text = `${what}: lost the connection to ${where}: ${messageOf(e)}`;
  else if (e instanceof MongoServerError) text = `${what} on ${where} failed: ${messageOf(e)}${codeSuffix(e)}`;
  else text = `${what} on ${where} failed: ${(e as Error)?.name ?? "error"}: ${messageOf(e)}`;
  return scrub(text, ctx.uri);
}
