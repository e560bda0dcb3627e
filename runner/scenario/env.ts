// `${VAR}` and `${VAR:-default}` references in scenario strings, so URIs and
// thresholds can come from CI variables instead of being committed.

const REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

export interface Substitution {
  value: string;
  /** Variables referenced without a default that are not set. */
  missing: string[];
}

export function substituteEnv(text: string, env: Readonly<Record<string, string | undefined>>): Substitution {
  const missing: string[] = [];
  const value = text.replace(REF, (_m, name: string, fallback: string | undefined) => {
    const v = env[name];
    if (v !== undefined) return v;
    if (fallback !== undefined) return fallback;
    missing.push(name);
    return "";
  });
  return { value, missing };
}

export function hasEnvRef(text: string): boolean {
  REF.lastIndex = 0;
  return REF.test(text);
}
