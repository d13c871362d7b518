/** What a masked value shows instead of the secret. */
export const MASK = '•••••••• (masked)';

// Key names that hold credentials whatever their value looks like.
const SECRET_KEY = /pass(word|wd|phrase)?$|^pwd$|token|secret|api[-_]?key|apikey|authorization|^auth$|private[-_]?key|credential|cookie|session[-_]?key|access[-_]?key|client[-_]?secret|signature/i;

// Values that are credentials by their shape: vendor key prefixes, JWTs, bearer headers, PEM keys.
const SECRET_VALUE: readonly RegExp[] = [
  /^(sk|pk|rk)[-_](live|test|proj)?[-_]?[A-Za-z0-9_-]{16,}$/,
  /^sk-[A-Za-z0-9_-]{20,}$/,
  /^gh[pousr]_[A-Za-z0-9]{30,}$/,
  /^github_pat_[A-Za-z0-9_]{30,}$/,
  /^xox[abposr]-[A-Za-z0-9-]{10,}$/,
  /^AKIA[0-9A-Z]{16}$/,
  /^AIza[0-9A-Za-z_-]{35}$/,
  /^eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+$/,
  /^(bearer|basic)\s+[A-Za-z0-9._~+/=-]{12,}$/i,
  /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
];

/** True for a key name that holds a credential (`password`, `api_key`, `Authorization`...). */
export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

/**
 * True for a string that looks like a credential: a known key format, or a long unbroken token
 * mixing letters and digits (high entropy) that is not a path, URL or hex digest of a file.
 */
export function looksLikeSecret(value: string): boolean {
  const v = value.trim();
  if (SECRET_VALUE.some((re) => re.test(v))) return true;
  if (v.length < 32 || v.length > 512 || /[\s/:.]/.test(v)) return false;
  if (/^[0-9a-f]+$/i.test(v)) return false; // hashes are routinely shown to approvers
  if (!/^[A-Za-z0-9_+=-]+$/.test(v)) return false;
  return /[a-z]/.test(v) && /[A-Z]/.test(v) && /[0-9]/.test(v);
}

/** A copy of a JSON value with secrets replaced by {@link MASK}, by key name or by value shape. */
export function maskSecrets(value: unknown, key?: string): unknown {
  if (key !== undefined && isSecretKey(key) && value !== null && typeof value !== 'object') return MASK;
  if (typeof value === 'string') return looksLikeSecret(value) ? MASK : value;
  if (Array.isArray(value)) return value.map((v) => maskSecrets(v));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      out[k] = isSecretKey(k) && v !== null && typeof v === 'object' ? maskAll(v) : maskSecrets(v, k);
    }
    return out;
  }
  return value;
}

// Everything under a secret key is secret, however deep (e.g. `credentials: {user, pass}`).
function maskAll(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(maskAll);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, maskAll(v)]));
  return value === null ? null : MASK;
}
