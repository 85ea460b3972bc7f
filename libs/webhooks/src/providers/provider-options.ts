import type { WebhookSecret } from '../secrets/webhook-secret';
import { secretValue } from '../secrets/webhook-secret';

/** Options every built-in provider takes besides its secrets. */
export interface EndpointOptions {
  /** Endpoint name, unique in the module; also the default URL segment (`/webhooks/<name>`). */
  name?: string;
  /** Extra path(s) to serve this endpoint on, e.g. the URL already registered in a dashboard. */
  path?: string | string[];
  /** Addresses or CIDR ranges allowed to call (honours the app's `trust proxy`). */
  allowIps?: string[];
}

export function endpointPaths(path: string | string[] | undefined): readonly string[] {
  if (path === undefined) return [];
  return Array.isArray(path) ? path : [path];
}

/**
 * Problems with a list of secrets, each prefixed with its option path (`secrets[1]: …`).
 * Never includes the secret itself.
 */
export function secretProblems(secrets: readonly WebhookSecret[] | undefined, option = 'secrets'): string[] {
  if (!secrets || secrets.length === 0) return [`${option}: at least one secret is required`];
  const problems: string[] = [];
  secrets.forEach((entry, index) => {
    const value = secretValue(entry);
    const where = `${option}[${index}]`;
    if (typeof value !== 'string') problems.push(`${where}: the secret is missing (${value === undefined ? 'undefined' : typeof value}); is its environment variable set?`);
    else if (value.length === 0) problems.push(`${where}: the secret is empty`);
    else if (value.trim() !== value) {
      problems.push(`${where}: the secret has surrounding whitespace; remove it (a value read from a file drops one trailing newline by itself)`);
    }
    if (entry && typeof entry === 'object' && entry.notAfter !== undefined && Number.isNaN(new Date(entry.notAfter).getTime())) {
      problems.push(`${where}.notAfter: not a valid date`);
    }
  });
  return problems;
}
