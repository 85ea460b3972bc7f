import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readSecret, readSecretList } from './read-secret';

describe('readSecret', () => {
  let dir: string;
  let secretsDir: string;
  const file = (name: string, content: string) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };
  const swarm = (name: string, content: string) => writeFileSync(join(secretsDir, name), content);

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'read-secret-'));
    secretsDir = join(dir, 'run-secrets');
    mkdirSync(secretsDir);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the environment variable first, exactly as given', () => {
    swarm('stripe_webhook_secret', 'from-swarm');
    const env = { STRIPE_WEBHOOK_SECRET: 'whsec_env\n', STRIPE_WEBHOOK_SECRET_FILE: file('s', 'from-file') };
    expect(readSecret('STRIPE_WEBHOOK_SECRET', env, { secretsDir })).toBe('whsec_env\n');
  });

  it('then the file named by NAME_FILE, dropping one trailing newline', () => {
    swarm('stripe_webhook_secret', 'from-swarm');
    expect(readSecret('STRIPE_WEBHOOK_SECRET', { STRIPE_WEBHOOK_SECRET_FILE: file('a', 'whsec_file\n') }, { secretsDir })).toBe('whsec_file');
    expect(readSecret('STRIPE_WEBHOOK_SECRET', { STRIPE_WEBHOOK_SECRET_FILE: file('b', 'whsec_file\r\n') }, { secretsDir })).toBe('whsec_file');
  });

  it('drops one newline and nothing else: other whitespace is left for the start-up check to refuse', () => {
    expect(readSecret('S', { S_FILE: file('a', 'value\n\n') }, { secretsDir })).toBe('value\n');
    expect(readSecret('S', { S_FILE: file('b', ' value \n') }, { secretsDir })).toBe(' value ');
    expect(readSecret('S', { S_FILE: file('c', 'value\t') }, { secretsDir })).toBe('value\t');
    expect(readSecret('S', { S_FILE: file('d', 'value\r') }, { secretsDir })).toBe('value\r');
  });

  it('then the Docker Swarm secret /run/secrets/<name in lower case>', () => {
    swarm('paystack_secret_key', 'sk_test_swarm\n');
    expect(readSecret('PAYSTACK_SECRET_KEY', {}, { secretsDir })).toBe('sk_test_swarm');
  });

  it('treats an empty variable as unset and an empty file as no secret', () => {
    swarm('s', 'from-swarm');
    expect(readSecret('S', { S: '' }, { secretsDir })).toBe('from-swarm');
    expect(readSecret('S', { S: '', S_FILE: file('empty', '') }, { secretsDir })).toBeUndefined();
    expect(readSecret('S', { S_FILE: file('newline', '\n') }, { secretsDir })).toBeUndefined();
    swarm('t', '\r\n');
    expect(readSecret('T', {}, { secretsDir })).toBeUndefined();
  });

  it('is undefined when no source has it', () => {
    expect(readSecret('NOWHERE', {}, { secretsDir })).toBeUndefined();
    expect(readSecret('NOWHERE', {}, { secretsDir: join(dir, 'missing-dir') })).toBeUndefined();
  });

  it('fails when NAME_FILE points at nothing, naming the variable and path but never a value', () => {
    const missing = join(dir, 'nope');
    expect(() => readSecret('STRIPE_WEBHOOK_SECRET', { STRIPE_WEBHOOK_SECRET_FILE: missing }, { secretsDir })).toThrow(
      `STRIPE_WEBHOOK_SECRET_FILE points at ${missing}, which does not exist`,
    );
  });

  it('fails when a file exists but cannot be read', () => {
    expect(() => readSecret('S', { S_FILE: dir }, { secretsDir })).toThrow(/S_FILE points at .* cannot be read \(EISDIR\)/);
    mkdirSync(join(secretsDir, 'dir_secret'));
    expect(() => readSecret('DIR_SECRET', {}, { secretsDir })).toThrow(/dir_secret exists but cannot be read/);
    if (process.getuid?.() !== 0) {
      const locked = file('locked', 'secret');
      chmodSync(locked, 0o000);
      expect(() => readSecret('S', { S_FILE: locked }, { secretsDir })).toThrow(/cannot be read \(EACCES\)/);
    }
  });

  it('reads process.env by default', () => {
    process.env.READ_SECRET_SPEC_VALUE = 'from-process-env';
    try {
      expect(readSecret('READ_SECRET_SPEC_VALUE')).toBe('from-process-env');
    } finally {
      delete process.env.READ_SECRET_SPEC_VALUE;
    }
  });
});

describe('readSecretList', () => {
  it('splits on commas, trims items and drops empty ones', () => {
    expect(readSecretList('L', { L: ' whsec_new , whsec_old,, ,' })).toEqual(['whsec_new', 'whsec_old']);
  });

  it('reads a file like readSecret', () => {
    const dir = mkdtempSync(join(tmpdir(), 'read-secret-list-'));
    try {
      writeFileSync(join(dir, 'list'), 'a,b\n');
      expect(readSecretList('L', { L_FILE: join(dir, 'list') })).toEqual(['a', 'b']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is empty when there is no value', () => {
    expect(readSecretList('L', {}, { secretsDir: join(tmpdir(), 'no-such-secrets-dir') })).toEqual([]);
    expect(readSecretList('L', { L: ' , ' })).toEqual([]);
  });
});
