import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ReadSecretOptions {
  /** Where Docker Swarm mounts secrets. Default `/run/secrets`. */
  secretsDir?: string;
}

type Env = Readonly<Record<string, string | undefined>>;

const DEFAULT_SECRETS_DIR = '/run/secrets';

/**
 * The secret `name`, from the first place that has one: the environment variable `NAME`, the file
 * named by `NAME_FILE`, or the Docker Swarm secret `/run/secrets/<name in lower case>`. A value read
 * from a file drops one trailing newline (editors and `echo` add one) and nothing else, so the
 * library's start-up check still refuses any other stray whitespace. An empty value is `undefined`.
 *
 * Throws when `NAME_FILE` is set but cannot be read: a typo there must not silently disable a
 * provider. The error names the variable and the path, never a value.
 */
export function readSecret(name: string, env: Env = process.env, options: ReadSecretOptions = {}): string | undefined {
  const direct = env[name];
  if (direct !== undefined && direct !== '') return direct;

  const fileVariable = `${name}_FILE`;
  const file = env[fileVariable];
  if (file !== undefined && file !== '') {
    const value = readSecretFile(file, `${fileVariable} points at ${file}, which`);
    if (value === undefined) throw new Error(`${fileVariable} points at ${file}, which does not exist; fix the path or unset ${fileVariable}.`);
    return nonEmpty(value);
  }

  const swarmFile = join(options.secretsDir ?? DEFAULT_SECRETS_DIR, name.toLowerCase());
  const swarm = readSecretFile(swarmFile, `The Docker secret ${swarmFile} exists but`);
  return swarm === undefined ? undefined : nonEmpty(swarm);
}

/**
 * A comma-separated secret (several values during a rotation: `new,old`), read like `readSecret`.
 * Items are trimmed and empty ones dropped; no value gives an empty list.
 */
export function readSecretList(name: string, env: Env = process.env, options: ReadSecretOptions = {}): string[] {
  const value = readSecret(name, env, options);
  if (value === undefined) return [];
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/** The file's text without one trailing newline; undefined when the file does not exist. */
function readSecretFile(path: string, subject: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    throw new Error(`${subject} cannot be read (${code ?? 'unknown error'}); check the path and that this user may read it.`);
  }
  return text.replace(/\r?\n$/, '');
}

function nonEmpty(value: string): string | undefined {
  return value === '' ? undefined : value;
}
