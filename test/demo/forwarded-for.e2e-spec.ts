import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import request from 'supertest';
import { parse as parseYaml } from 'yaml';
import { WebhookDeliveries } from 'nestjs-payment-webhooks';
import { paystackEvent, signPaystack } from 'nestjs-payment-webhooks/testing';
import { loadDemoConfig, type DemoConfig } from '../../apps/demo/src/demo.config';
import { DemoModule } from '../../apps/demo/src/demo.module';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { createEvent, RecordingLogger, register, registration, SECRETS } from './support/demo-app';

// The documented deployment, read from the file itself: change the stack and these tests follow it.
const STACK_FILE = join(__dirname, '..', '..', 'deploy', 'docker-stack.yml');
const stack = readComposeYaml(readFileSync(STACK_FILE, 'utf8'));
const service = mapAt(stack, 'services.demo');
const stackEnv = mapAt(service, 'environment');

/** One of Paystack's documented senders, the first of the stack's PAYSTACK_ALLOW_IPS. */
const PAYSTACK_IP = '52.31.139.75';
const stackString = (name: string): Record<string, string> => {
  const value = stackEnv[name];
  if (value !== undefined && typeof value !== 'string') throw new Error(`${STACK_FILE}: ${name} must be a string`);
  return value === undefined ? {} : { [name]: value };
};
/** Where a Swarm task's connections can come from: ingress mesh (10.0.0.0/24), docker_gwbridge, the node. */
const SWARM_PEERS = ['10.0.0.2', '172.18.0.1', '127.0.0.1'];

describe('deploy/docker-stack.yml publishes the demo so that it sees the client address', () => {
  it('publishes the port in host mode, never through the routing mesh', () => {
    const ports = listAt(service, 'ports');
    expect(ports.length).toBeGreaterThan(0);
    // Short syntax ("3000:3000") is always the mesh; long syntax defaults to it without `mode`.
    for (const port of ports) expect(port).toMatchObject({ target: '3000', mode: 'host' });
  });

  it("allows Paystack's documented senders only", () => {
    expect(stackEnv.PAYSTACK_ALLOW_IPS).toBe('52.31.139.75,52.49.173.169,52.214.14.220');
  });

  it('runs at most one task per node and stops a task before its successor starts (one host port each)', () => {
    const deploy = mapAt(service, 'deploy');
    if (deploy.mode !== 'global') expect(mapAt(deploy, 'placement').max_replicas_per_node).toBe('1');
    // Swarm's default order is stop-first.
    for (const config of ['update_config', 'rollback_config']) {
      expect((deploy[config] as YamlMap | undefined)?.order ?? 'stop-first').toBe('stop-first');
    }
  });
});

describe("the stack's TRUST_PROXY with a Paystack allow-list", () => {
  let demo: AllowListDemo;

  beforeAll(async () => {
    demo = await startAllowListDemo({ ...stackString('PAYSTACK_ALLOW_IPS'), ...stackString('TRUST_PROXY') });
  });
  afterAll(async () => {
    await demo?.close();
  });

  // A test client is on 127.0.0.1, which "uniquelocal" does not cover: the request below alone would
  // pass with the old setting too. Express's own trust function tells for the mesh's addresses.
  it('trusts no address a Swarm task receives connections from', () => {
    expect(SWARM_PEERS.filter((address) => demo.trusts(address))).toEqual([]);
  });

  it('refuses a signed delivery from 127.0.0.1 that claims X-Forwarded-For: 52.31.139.75, and stores nothing', async () => {
    const paid = await paystackRegistration(demo.url);
    const response = await demo.deliver(paid.signed, { 'x-forwarded-for': PAYSTACK_IP });
    expect(response.status).toBe(403);
    expect(response.body).toMatchObject({ statusCode: 403, reason: 'address-not-allowed' });
    expect(response.body.message).toContain('Address 127.0.0.1 ');
    expect(await demo.deliveries.find({ provider: 'paystack' })).toEqual([]);
    expect(await demo.deliveries.runOnce()).toMatchObject({ claimed: 0 });
    expect((await registration(demo.url, paid.id)).status).toBe('PENDING');
  });
});

describe('control: behind a trusted proxy (TRUST_PROXY=loopback, the proxy on 127.0.0.1)', () => {
  let demo: AllowListDemo;

  beforeAll(async () => {
    demo = await startAllowListDemo({ ...stackString('PAYSTACK_ALLOW_IPS'), TRUST_PROXY: 'loopback' });
  });
  afterAll(async () => {
    await demo?.close();
  });

  it('the address the proxy wrote is the client: the same delivery from 52.31.139.75 is stored and marks PAID', async () => {
    const paid = await paystackRegistration(demo.url);
    const response = await demo.deliver(paid.signed, { 'x-forwarded-for': PAYSTACK_IP });
    expect(response.status).toBe(200);
    expect(await demo.deliveries.find({ provider: 'paystack', reference: paid.reference })).toHaveLength(1);
    expect(await demo.deliveries.runOnce()).toMatchObject({ processed: 1 });
    expect((await registration(demo.url, paid.id)).status).toBe('PAID');
  });

  it("a proxy that appends: Express checks the address the proxy saw, not the client's forged entry", async () => {
    const paid = await paystackRegistration(demo.url);
    const response = await demo.deliver(paid.signed, { 'x-forwarded-for': `${PAYSTACK_IP}, 203.0.113.7` });
    expect(response.status).toBe(403);
    expect(response.body.message).toContain('Address 203.0.113.7 ');
    expect(await demo.deliveries.find({ provider: 'paystack', reference: paid.reference })).toEqual([]);
  });
});

interface AllowListDemo {
  url: string;
  deliveries: WebhookDeliveries;
  /** Express's compiled `trust proxy`: whether X-Forwarded-For is believed from this peer. */
  trusts(address: string): boolean;
  deliver(signed: ReturnType<typeof signPaystack>, headers: Record<string, string>): Promise<request.Response>;
  close(): Promise<void>;
}

/** The real demo module on Express (as main.ts runs it) and a fresh test database. */
async function startAllowListDemo(env: Record<string, string>): Promise<AllowListDemo> {
  const database: TestDatabase = await createTestDatabase();
  const config: DemoConfig = {
    ...loadDemoConfig({ PAYSTACK_SECRET_KEY: SECRETS.PAYSTACK_SECRET_KEY, ...env }, { secretsDir: join(tmpdir(), 'no-demo-secrets') }),
    database: database.options,
    webhooks: { worker: false },
  };
  // Keeps the app's log (refusals included) out of the test output.
  const logs = new RecordingLogger();
  let app: INestApplication | undefined;
  try {
    app = await NestFactory.create(DemoModule.forRoot(config), { rawBody: true, logger: logs, abortOnError: false });
    await app.listen(0, '127.0.0.1');
  } catch (error) {
    await app?.close();
    await database.drop();
    throw error;
  }
  const url = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
  const express = app.getHttpAdapter().getInstance() as { get(setting: string): (address: string, hop: number) => boolean };
  const nest = app;
  return {
    url,
    deliveries: app.get(WebhookDeliveries),
    trusts: (address) => express.get('trust proxy fn')(address, 0),
    deliver: (signed, headers) => request(url).post('/webhooks/paystack').set({ ...signed.headers, ...headers }).send(signed.body),
    close: async () => {
      await nest.close();
      await database.drop();
    },
  };
}

let chargeId = 4_099_260_516;

/** A PENDING Paystack registration and the correctly signed charge.success that would pay it. */
async function paystackRegistration(url: string) {
  const event = await createEvent(url, { priceMinor: 250_000, currency: 'NGN' });
  const registered = await register(url, event.id, { provider: 'paystack' });
  const charge = paystackEvent('charge.success', {
    id: chargeId++,
    status: 'success',
    reference: registered.reference,
    amount: 250_000,
    currency: 'NGN',
    paid_at: new Date().toISOString(),
    metadata: 0,
  });
  return { ...registered, signed: signPaystack({ payload: charge, secretKey: SECRETS.PAYSTACK_SECRET_KEY }) };
}

type Yaml = string | Yaml[] | { [key: string]: Yaml };
type YamlMap = { [key: string]: Yaml };

function mapAt(node: Yaml, path: string): YamlMap {
  const isMap = (at: Yaml | undefined): at is YamlMap => !!at && typeof at === 'object' && !Array.isArray(at);
  const found = path.split('.').reduce<Yaml | undefined>((at, key) => (isMap(at) ? at[key] : undefined), node);
  if (!isMap(found)) throw new Error(`${STACK_FILE}: no mapping at ${path}`);
  return found;
}

function listAt(node: YamlMap, key: string): Yaml[] {
  const found = node[key];
  if (!Array.isArray(found)) throw new Error(`${STACK_FILE}: no list at ${key}`);
  return found;
}

/** The stack as deployed with no variable set (`${VAR:-default}` → default), every scalar a string. */
function readComposeYaml(text: string): Yaml {
  const strings = (node: unknown): Yaml => {
    if (Array.isArray(node)) return node.map(strings);
    if (node && typeof node === 'object') return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, strings(value)]));
    return String(node).replace(/\$\{[A-Z0-9_]+:-([^}]*)\}/g, '$1');
  };
  return strings(parseYaml(text));
}
