// Where `run` and `diff` take their source from. A URI with credentials is best kept off the
// command line (any local user reads /proc/<pid>/cmdline): `--source-env NAME` (diff:
// `--before-env`, `--after-env`) or the COUNTLY_CHECK_SOURCE variable name it instead.
// Precedence: the flag, then the flag's -env form, then COUNTLY_CHECK_SOURCE (run only),
// then the scenarios' `source:`.
import { secretScrubber } from "../redact.ts";
import { UsageError } from "./io.ts";

export const SOURCE_ENV_VARIABLE = "COUNTLY_CHECK_SOURCE";

type Env = Readonly<Record<string, string | undefined>>;

/** The value of `--<flag>` or of the variable `--<flag>-env` names; undefined when neither is given. */
export function sourceFromFlags(flag: string, value: string | undefined, envName: string | undefined, env: Env): string | undefined {
  if (value !== undefined && envName !== undefined) throw new UsageError(`give either --${flag} or --${flag}-env, not both`);
  if (value !== undefined) {
    if (value.trim() === "") throw new UsageError(`--${flag} is empty (an unset CI variable?): give a mongodb:// URI or a dump directory`);
    return value;
  }
  if (envName === undefined) return undefined;
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(envName)) throw new UsageError(`--${flag}-env ${envName}: expected the name of an environment variable`);
  return fromVariable(envName, env, `--${flag}-env`);
}

/** COUNTLY_CHECK_SOURCE, when set; an empty value is a usage error rather than a folder named ''. */
export function sourceFromDefaultVariable(env: Env): string | undefined {
  return env[SOURCE_ENV_VARIABLE] === undefined ? undefined : fromVariable(SOURCE_ENV_VARIABLE, env, "the default");
}

function fromVariable(name: string, env: Env, how: string): string {
  const v = env[name];
  if (v === undefined) throw new UsageError(`environment variable ${name} (${how} source) is not set`);
  if (v.trim() === "") throw new UsageError(`environment variable ${name} (${how} source) is empty`);
  return v;
}

/**
 * MongoDB URIs and credentialed URIs of the environment: their secrets are scrubbed from
 * every output even before a command knows its source (`source: ${MONGO_URI}` in a scenario).
 */
export function environmentUris(env: Env): string[] {
  return Object.values(env).filter((v): v is string => typeof v === "string" && v.length < 10_000 && (/^\s*mongodb(\+srv)?:\/\//i.test(v) || /^\s*[a-z][a-z0-9+.-]*:\/\/[^/?#\s]*@/i.test(v)));
}

/**
 * A command's scrubber for what it writes itself (report files, the job summary, messages):
 * the secrets of the URIs it was given and of the environment's (a `MONGODB_URI` of the CI
 * job whose password shows up in the data of a dump run), as the CLI's output already has.
 */
export function commandScrubber(uris: readonly (string | undefined)[], env: Env): (text: string) => string {
  return secretScrubber([...uris, ...environmentUris(env)]);
}
