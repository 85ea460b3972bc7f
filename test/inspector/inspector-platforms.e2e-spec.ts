import request from 'supertest';
import { stripe } from 'nestjs-payment-webhooks';
import { signStripe } from 'nestjs-payment-webhooks/testing';
import { RecordingHandlers } from '../support/recording-handlers';
import { checkoutCompleted } from '../support/stripe-fixtures';
import { useWebhookApp } from '../support/use-webhook-app';
import { PLATFORMS, type WebhookApp } from '../support/webhook-app';
import { describeWithChromium, listSettled, openBrowser, type TestBrowser } from './support/browser';

const SECRET = 'whsec_test_inspector_platforms';
const TOKEN = 'platform-inspector-token-5d1e8b';

describeWithChromium('delivery inspector in Chromium, under a global prefix', () => {
  describe.each(PLATFORMS)('on %s', (platform) => {
    const app = useWebhookApp({
      platform,
      extras: { adminPath: 'ops/webhooks' },
      webhooks: { endpoints: [stripe({ secrets: [SECRET] })], worker: false, maxAttempts: 1, adminToken: TOKEN },
      providers: [RecordingHandlers],
      configure: (nest) => nest.setGlobalPrefix('api/v1'),
    });
    let harness: WebhookApp;
    let browser: TestBrowser;

    beforeAll(async () => {
      harness = app();
      harness.get(RecordingHandlers).failCompleted = 1;
      for (const reference of ['PFX-DEAD', 'PFX-OK']) {
        const signed = signStripe({ secret: SECRET, payload: checkoutCompleted(reference) });
        expect((await request(harness.url).post('/api/v1/webhooks/stripe').set(signed.headers).send(signed.body)).status).toBe(200);
        await harness.deliveries.runOnce();
      }
      browser = await openBrowser();
    });
    afterAll(async () => {
      await browser?.close();
    });

    it('loads at the prefixed admin path, signs in, lists, opens and replays a delivery', async () => {
      const { page } = browser;
      await page.goto(`${harness.url}/api/v1/ops/webhooks/`);
      await page.getByLabel('Admin token').fill(TOKEN);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.locator('#rows tr').nth(1).waitFor();
      expect(await page.locator('#rows tr').allTextContents()).toEqual([expect.stringContaining('PFX-OK'), expect.stringContaining('PFX-DEAD')]);
      expect(await page.getByRole('button', { name: /^All/ }).textContent()).toBe('All 2');

      await page.getByRole('link', { name: /Open delivery PFX-DEAD/ }).click();
      await page.locator('#detail .facts .badge-dead').waitFor();
      await page.getByRole('button', { name: 'Replay all handlers' }).click();
      await page.locator('#detail .facts .badge-pending').waitFor();
      await harness.deliveries.runOnce();
      await page.locator('#detail .facts .badge-processed').waitFor();
      expect(browser.requests.filter((url) => !url.startsWith(`${harness.url}/api/v1/ops/webhooks/`))).toEqual([]);
      expect(browser.problems).toEqual([]);
    });

    it('works without the trailing slash too', async () => {
      const { page } = browser;
      await page.goto(`${harness.url}/api/v1/ops/webhooks`);
      // Still signed in: the cookie's path covers the page either way.
      await page.locator('#rows tr').nth(1).waitFor();
      expect(await page.locator('#rows .badge-processed').count()).toBe(2);
      expect(browser.problems).toEqual([]);
    });

    it('on a slow network, shows the answer to the latest click: busy until it comes, a late older answer ignored', async () => {
      const { page } = browser;
      // The list's requests answer slowly, the dead letters slowest.
      const list = (url: URL) => url.pathname.endsWith('/deliveries');
      const isDeadLetters = (url: string) => new URL(url).searchParams.get('status') === 'dead';
      await page.route(list, async (route) => {
        await new Promise((resolve) => setTimeout(resolve, isDeadLetters(route.request().url()) ? 900 : 300));
        await route.continue();
      });
      const dead = page.getByRole('button', { name: /^Dead letters/ });
      const all = page.getByRole('button', { name: /^All/ });
      try {
        // The older answer (All) comes first: the list stays busy until the dead letters arrive.
        await all.click();
        await dead.click();
        await listSettled(page);
        expect(await page.locator('#rows tr').allTextContents()).toEqual(['No delivery matches.']);

        // The older answer (dead letters) comes last: it must not replace the newer one.
        const late = page.waitForEvent('requestfinished', (request) => isDeadLetters(request.url()));
        await dead.click();
        await all.click();
        await late;
        // Give the page's own promise chain time to handle the late answer.
        await page.evaluate('new Promise((resolve) => setTimeout(resolve, 100))');
        await listSettled(page);
        expect(await all.getAttribute('aria-pressed')).toBe('true');
        expect(await page.locator('#rows .badge-processed').count()).toBe(2);
      } finally {
        await page.unroute(list);
      }
    });
  });
});
