/**
 * Keeps secrets out of everything `neuroon` prints: human output, `--json`, errors, help and
 * commander's own messages all go through {@link redactSecrets}. Two nets: every secret value the
 * configuration holds is registered and replaced wherever it appears, and anything shaped like a
 * Shop API Key or a WooCommerce key/secret is masked even if nobody registered it.
 */

const REGISTERED = new Set<string>();

/** Values shorter than this are not treated as secrets: masking "1" everywhere would garble output. */
const MIN_SECRET_LENGTH_CHARS = 6;

/** `sk_` + 32 hex (Neuroon Shop API Key), `ck_`/`cs_` + 40 hex (WooCommerce REST keys). */
const SECRET_SHAPES = /\b(sk|ck|cs)_[0-9a-fA-F]{32,64}\b/g;

/** Environment variables and option names whose values are secrets. */
export const SECRET_NAME_PATTERN = /(api[-_]?key|consumer[-_]?key|secret|token|password|passwd)/i;

/** Registers a value that must never be printed. Empty and very short values are ignored. */
export function registerSecret(value: unknown): void {
  if (typeof value !== "string") return;
  const trimmed = value.trim();
  if (trimmed.length >= MIN_SECRET_LENGTH_CHARS) REGISTERED.add(trimmed);
  if (value.length >= MIN_SECRET_LENGTH_CHARS) REGISTERED.add(value);
}

/**
 * Registers every string under a key that names a secret (`apiKey`, `consumerSecret`,
 * `webhookSecret`, `token`…) anywhere in a configuration object.
 */
export function registerSecretsIn(value: unknown, depth = 0): void {
  if (depth > 8 || typeof value !== "object" || value === null) return;
  for (const [key, entry] of Object.entries(value)) {
    if (typeof entry === "string" && SECRET_NAME_PATTERN.test(key)) registerSecret(entry);
    else registerSecretsIn(entry, depth + 1);
  }
}

/** Registers secrets passed in the environment (`NEUROON_API_KEY`, `WOOCOMMERCE_CONSUMER_SECRET`…). */
export function registerEnvironmentSecrets(env: NodeJS.ProcessEnv): void {
  for (const [name, value] of Object.entries(env)) {
    if (/^(NEUROON|WOOCOMMERCE|WC)_/i.test(name) && SECRET_NAME_PATTERN.test(name)) {
      registerSecret(value);
    }
  }
}

/**
 * Registers the values of secret options on the command line (`--api-key sk_…`,
 * `--api-key=sk_…`, `--consumer-secret …`) before commander parses it, so that even a usage
 * error that echoes an argument cannot print one.
 */
export function registerArgvSecrets(argv: readonly string[]): void {
  argv.forEach((arg, index) => {
    if (!arg.startsWith("--")) return;
    const equals = arg.indexOf("=");
    const name = equals === -1 ? arg : arg.slice(0, equals);
    if (!SECRET_NAME_PATTERN.test(name)) return;
    registerSecret(equals === -1 ? argv[index + 1] : arg.slice(equals + 1));
  });
}

/** `sk_…cdef`: the prefix and the last four characters, enough to tell keys apart. */
export function maskSecret(secret: string): string {
  const prefix = /^[a-z]{2}_/.exec(secret)?.[0] ?? "";
  return secret.length <= 8 ? "[REDACTED]" : `${prefix}…${secret.slice(-4)}`;
}

/** Replaces every registered secret and everything shaped like a key in `text`. */
export function redactSecrets(text: string): string {
  let result = text;
  // Longest first, so a secret containing another is replaced whole.
  const secrets = [...REGISTERED].sort((a, b) => b.length - a.length);
  for (const secret of secrets) {
    if (result.includes(secret)) result = result.split(secret).join(maskSecret(secret));
  }
  return result.replace(SECRET_SHAPES, (match) => maskSecret(match));
}

/** Forgets registered secrets (tests only). */
export function clearRegisteredSecrets(): void {
  REGISTERED.clear();
}
