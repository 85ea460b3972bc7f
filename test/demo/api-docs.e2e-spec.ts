import request from 'supertest';
import { SECRETS, startDemo, type DemoHarness } from './support/demo-app';

const ADMIN_TOKEN = 'test-admin-token-0123456789abcdef';

describe('demo: API docs at /docs and the admin API when WEBHOOKS_ADMIN_TOKEN is set', () => {
  let demo: DemoHarness;
  beforeAll(async () => {
    demo = await startDemo({ ...SECRETS, WEBHOOKS_ADMIN_TOKEN: ADMIN_TOKEN });
  });
  afterAll(() => demo?.close());

  it('serves the OpenAPI document: the demo routes with their bodies and answers, the admin API behind its token, no webhook endpoint', async () => {
    const { status, body } = await request(demo.url).get('/docs/json');
    expect(status).toBe(200);
    const paths = Object.keys(body.paths);
    expect(paths).toEqual(expect.arrayContaining(['/events', '/events/{id}', '/events/{eventId}/registrations', '/registrations/{id}', '/ops/webhooks/deliveries', '/ops/webhooks/deliveries/{id}/replay']));
    expect(paths.filter((path) => path.startsWith('/webhooks'))).toEqual([]);
    // The inspector's page, assets and session are the browser's, not the admin API.
    expect(paths.filter((path) => /^\/ops\/webhooks(\/(inspector\.(js|css)|session))?$/.test(path))).toEqual([]);
    expect(paths.filter((path) => path.startsWith('/ops/webhooks/')).length).toBeGreaterThanOrEqual(7);
    expect(body.components.schemas.CreateRegistrationDto.properties.provider).toMatchObject({ type: 'string', example: 'stripe' });
    expect(body.paths['/events/{eventId}/registrations'].post.responses).toHaveProperty('409');
    expect(body.paths['/ops/webhooks/deliveries'].get).toMatchObject({ security: [{ 'admin-token': [] }], tags: ['webhook deliveries (admin)'] });
    expect(JSON.stringify(body)).not.toContain(ADMIN_TOKEN);
    expect((await request(demo.url).get('/docs')).status).toBe(200);
  });

  it('mounts the admin API at /ops/webhooks, refusing requests without the token', async () => {
    expect((await request(demo.url).get('/ops/webhooks/stats')).status).toBe(401);
    const stats = await request(demo.url).get('/ops/webhooks/stats').set('authorization', `Bearer ${ADMIN_TOKEN}`);
    expect(stats.status).toBe(200);
    expect(stats.body).toMatchObject({ backlog: expect.any(Number) });
  });
});
