import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { loadDemoConfig } from '../../apps/demo/src/demo.config';

// The stack and the app must agree on secrets: a secret the app reads but the stack never mounts is
// a provider that silently stays off in production; one the stack mounts but the app never reads is
// a credential handed out for nothing. Optional providers are commented out in the stack, so the
// stack is read twice: as deployed, and with every commented-out setting turned on.
const STACK_FILE = join(__dirname, '..', '..', 'deploy', 'docker-stack.yml');
const text = readFileSync(STACK_FILE, 'utf8');
/** Commented-out YAML settings (`# KEY: value`, `# - { source: … }`, `# name:` blocks) turned on. */
const everythingOn = text.replace(/^(\s*)# (?=[A-Za-z0-9_]+:(?:\s|$)|- \{ source:|\s+(?:external|name):)/gm, '$1');

interface Stack {
  services: { demo: { environment: Record<string, string>; secrets: Array<{ source: string; target: string }> } };
  secrets: Record<string, { external?: boolean; name?: string }>;
}

/** Every variable the demo reads through readSecret (NAME, NAME_FILE or /run/secrets/name). */
function secretsTheAppReads(): string[] {
  const read = new Set<string>();
  const env = new Proxy({} as Record<string, string | undefined>, {
    get: (_target, name) => {
      if (typeof name === 'string' && name.endsWith('_FILE')) read.add(name.slice(0, -'_FILE'.length));
      return undefined;
    },
  });
  loadDemoConfig(env, { secretsDir: join(__dirname, 'no-such-secrets-dir') });
  return [...read].sort();
}

describe.each([
  ['as deployed', text],
  ['with every optional provider turned on', everythingOn],
])('deploy/docker-stack.yml %s', (_name, source) => {
  const stack = parseYaml(source) as Stack;
  const demo = stack.services.demo;
  const fileVariables = Object.entries(demo.environment).filter(([name]) => name.endsWith('_FILE'));

  it('gives every *_FILE variable a secret the app reads, mounted at that path and declared at the top level', () => {
    const appSecrets = secretsTheAppReads();
    const targets = new Map(demo.secrets.map((secret) => [secret.target, secret.source]));
    for (const [variable, path] of fileVariables) {
      expect({ variable, readByTheApp: appSecrets.includes(variable.slice(0, -'_FILE'.length)) }).toEqual({ variable, readByTheApp: true });
      const target = path.replace(/^\/run\/secrets\//, '');
      expect({ variable, mounted: targets.has(target) }).toEqual({ variable, mounted: true });
      expect({ variable, declared: stack.secrets[targets.get(target)!]?.external }).toEqual({ variable, declared: true });
    }
  });

  it('mounts no secret that no variable (or PostgreSQL) reads', () => {
    const readPaths = new Set(fileVariables.map(([, path]) => path));
    for (const { target } of demo.secrets) expect({ target, read: readPaths.has(`/run/secrets/${target}`) }).toEqual({ target, read: true });
    for (const name of Object.keys(stack.secrets)) expect({ name, mounted: demo.secrets.some((secret) => secret.source === name) }).toEqual({ name, mounted: true });
  });
});

it('the stack, with every optional provider on, sets every secret the app reads', () => {
  const stack = parseYaml(everythingOn) as Stack;
  const set = new Set(Object.keys(stack.services.demo.environment).map((name) => name.replace(/_FILE$/, '')));
  // Plain settings (DATABASE_URL, MVOLA_API_BASE_URL…) may be given directly; secrets through *_FILE.
  const missing = secretsTheAppReads().filter((name) => !set.has(name));
  expect(missing).toEqual([]);
});
