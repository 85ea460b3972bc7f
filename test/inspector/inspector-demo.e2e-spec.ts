import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { signStripe, stripeEvent } from 'nestjs-payment-webhooks/testing';
import { RegistrationPaymentsHandler } from '../../apps/demo/src/registrations/registration-payments.handler';
import { createEvent, register, registration, SECRETS, startDemo, type DemoHarness } from '../demo/support/demo-app';
import { describeWithChromium, listSettled, openBrowser, type TestBrowser } from './support/browser';
import { checkoutSession as session, type Registered } from '../demo/support/checkout-session';

const TOKEN = 'demo-inspector-admin-token-7f3c9a1e';
const HOUR = 60 * 60 * 1000;
// UPDATE_SCREENSHOT=1 refreshes the README's picture; otherwise it goes to the temp dir.
const SCREENSHOT = process.env.UPDATE_SCREENSHOT === '1' ? resolve(__dirname, '../../docs/inspector.png') : join(tmpdir(), 'inspector.png');

describeWithChromium('delivery inspector in Chromium, against the demo', () => {
  let demo: DemoHarness;
  let browser: TestBrowser;
  let stuck: Registered;
  const dead: Registered[] = [];
  const signatures: string[] = [];

  const pay = async (registered: Registered) => {
    // Signed at the app's clock, which the retries below move forward.
    const timestamp = Math.floor(demo.clock.now().getTime() / 1000);
    const signed = signStripe({ payload: stripeEvent('checkout.session.completed', session(registered)), secret: 'whsec_test_demo_new', timestamp });
    signatures.push(signed.headers['stripe-signature']);
    const response = await demo.deliver('/webhooks/stripe', signed);
    expect(response.status).toBe(200);
    return response.body.id as string;
  };

  /** Runs the worker until nothing is due, moving the clock past every retry. */
  const drain = async (rounds: number) => {
    for (let i = 0; i < rounds; i++) {
      await demo.deliveries.runOnce();
      demo.clock.advance(2 * HOUR);
    }
  };

  beforeAll(async () => {
    demo = await startDemo({ ...SECRETS, WEBHOOKS_ADMIN_TOKEN: TOKEN });
    const event = await createEvent(demo.url, { title: 'NestJS meetup', capacity: 20 });
    // Three payments whose handler fails at every attempt (the seat ledger is down): dead after 8 attempts.
    const handler = demo.app.get(RegistrationPaymentsHandler) as unknown as Record<string, unknown>;
    handler.onCompleted = async () => {
      throw new Error('seat ledger unavailable');
    };
    for (let i = 0; i < 3; i++) dead.push(await register(demo.url, event.id, { email: `late${i}@example.com` }));
    stuck = dead[0];
    for (const registered of dead) await pay(registered);
    await drain(9);
    delete handler.onCompleted;
    // And some that went through, for a realistic list.
    for (let i = 0; i < 4; i++) await pay(await register(demo.url, event.id, { email: `ok${i}@example.com` }));
    await demo.deliveries.runOnce();
    await pay(await register(demo.url, event.id, { email: 'pending@example.com' }));
    expect((await demo.deliveries.stats()).dead).toBe(3);
    browser = await openBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await demo?.close();
  });

  it('refuses a wrong token, then signs in with the right one', async () => {
    const { page } = browser;
    await page.goto(`${demo.url}/ops/webhooks/`);
    await page.getByLabel('Admin token').fill('not-the-admin-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('That token is not valid.').waitFor();
    expect(await page.locator('#app').isHidden()).toBe(true);

    await page.getByLabel('Admin token').fill(TOKEN);
    await page.getByLabel('Admin token').press('Enter');
    await page.getByRole('table').waitFor();
    await page.getByRole('button', { name: /^Dead letters/ }).waitFor();
    expect(await page.getByRole('button', { name: /^Dead letters/ }).textContent()).toBe('Dead letters 3');
    expect(await page.locator('#rows tr').count()).toBe(8);
    mkdirSync(dirname(SCREENSHOT), { recursive: true });
    await page.mouse.move(0, 0);
    await page.screenshot({ path: SCREENSHOT });

    const [cookie] = await browser.context.cookies();
    expect(cookie).toMatchObject({ name: 'webhooks_inspector_session', httpOnly: true, sameSite: 'Strict', path: '/ops/webhooks' });
    expect(cookie.value).not.toContain(TOKEN);
  });

  it('finds the dead delivery by reference, opens it, replays it and watches it become processed', async () => {
    const { page } = browser;
    await page.getByRole('button', { name: /^Dead letters/ }).click();
    await page.getByLabel('Search').fill(stuck.reference);
    await page.getByRole('button', { name: 'Apply' }).click();
    await listSettled(page);
    expect(await page.locator('#rows tr').allTextContents()).toEqual([expect.stringContaining(stuck.reference)]);

    // Keyboard: the row's link opens the delivery.
    await page.locator('#rows a').first().focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: `Delivery ${stuck.reference}` }).waitFor();
    const detail = page.locator('#detail');
    await detail.locator('.facts .badge-dead').waitFor();
    await detail.getByText('seat ledger unavailable').first().waitFor();
    expect(await detail.locator('td', { hasText: 'registration-paid' }).count()).toBe(1);
    expect(await detail.getByLabel('Normalized event').textContent()).toContain(`"reference": "${stuck.reference}"`);
    expect(await detail.getByLabel('Payload, pretty-printed').textContent()).toContain('"client_reference_id"');
    expect(await detail.locator('.headers td', { hasText: '[hidden]' }).count()).toBeGreaterThan(0);

    await page.screenshot({ path: join(tmpdir(), 'inspector-delivery.png'), fullPage: true });
    await page.getByRole('button', { name: 'Replay failed handlers' }).click();
    await page.getByText('Replayed: waiting for the worker…').waitFor();
    await detail.locator('.facts .badge-pending').waitFor();
    await demo.deliveries.runOnce();
    // The page polls the open delivery: no reload.
    await detail.locator('.facts .badge-processed').waitFor();
    await page.getByText('The delivery is processed.').waitFor();
    expect((await registration(demo.url, stuck.id)).status).toBe('PAID');
  });

  it('replays every delivery matching the filter after a confirmation that says how many', async () => {
    const { page } = browser;
    await page.getByRole('link', { name: '← All deliveries' }).click();
    await page.getByRole('button', { name: 'Clear' }).click();
    await page.getByRole('button', { name: /^Dead letters 2/ }).click();
    await listSettled(page);
    expect(await page.locator('#rows tr').count()).toBe(2);
    await page.getByRole('button', { name: 'Replay 2 matching…' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('Replay 2 deliveries matching this filter').waitFor();
    await dialog.getByRole('button', { name: 'Replay' }).click();
    await page.getByText('2 deliveries replayed').waitFor();
    await demo.deliveries.runOnce();
    // The list follows the replayed deliveries without a reload.
    await page.getByRole('button', { name: 'Dead letters 0' }).waitFor();
    for (const registered of dead) expect((await registration(demo.url, registered.id)).status).toBe('PAID');

  });

  it('keeps every secret out of the page and out of every URL it requested', async () => {
    const { page, requests, problems } = browser;
    const html = await page.content();
    const secrets = [TOKEN, ...SECRETS.STRIPE_WEBHOOK_SECRET.split(','), SECRETS.PAYSTACK_SECRET_KEY, SECRETS.MVOLA_CALLBACK_TOKEN, ...signatures];
    // What the detail view rendered, too.
    await page.goto(`${demo.url}/ops/webhooks/#/deliveries/${(await demo.deliveries.find({ reference: stuck.reference }))[0].id}`);
    await page.locator('#detail .facts').waitFor();
    const detailHtml = await page.content();
    for (const secret of secrets) {
      expect(html).not.toContain(secret);
      expect(detailHtml).not.toContain(secret);
      for (const url of requests) expect(url).not.toContain(secret);
    }
    expect(detailHtml).not.toMatch(/v1=[0-9a-f]{64}/);
    expect(requests.every((url) => url.startsWith(`${demo.url}/`))).toBe(true);
    expect(problems).toEqual([]);
  });

  it('fits a narrow screen: no sideways scrolling, rows become cards', async () => {
    const { page } = browser;
    await page.setViewportSize({ width: 390, height: 800 });
    await page.goto(`${demo.url}/ops/webhooks/#/`);
    await page.locator('#rows tr').first().waitFor();
    // Strings, evaluated in the page: this project's TypeScript has no DOM library.
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
    expect(overflow).toBeLessThanOrEqual(0);
    expect(await page.evaluate<string>("getComputedStyle(document.querySelector('#rows tr')).display")).toBe('block');
    // Focus is visible on keyboard navigation.
    await page.getByLabel('Search').focus();
    await page.keyboard.press('Tab');
    expect(await page.evaluate<string>('document.activeElement.id')).toBe('f-provider');
    expect(await page.evaluate<string>('getComputedStyle(document.activeElement).outlineStyle')).toBe('solid');
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('signs out: the data is refused again', async () => {
    const { page } = browser;
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByText('Signed out.').waitFor();
    expect(await browser.context.cookies()).toEqual([]);
    const status = await page.evaluate(async () => (await fetch('deliveries')).status);
    expect(status).toBe(401);
  });
});
