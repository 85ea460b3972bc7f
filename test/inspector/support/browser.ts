import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page, type Request } from 'playwright-core';

/** Debian's package (`apt-get install chromium`); playwright-core downloads no browser. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * `describe`, or `describe.skip` with a message when Chromium is not installed. In CI (`CI=true`) a
 * missing browser is a failure, never a skip.
 */
export function describeWithChromium(name: string, body: () => void): void {
  if (existsSync(CHROMIUM)) {
    describe(name, body);
    return;
  }
  if (process.env.CI === 'true') {
    describe(name, () => {
      it('needs Chromium', () => {
        throw new Error(`${CHROMIUM} is missing: .ci/run installs it (apt-get install -y chromium); CI never skips the browser tests.`);
      });
    });
    return;
  }
  console.warn(`Skipping "${name}": no Chromium at ${CHROMIUM}. Install it with \`apt-get install -y chromium\` (or set CHROMIUM_PATH).`);
  describe.skip(name, body);
}

export interface TestBrowser {
  context: BrowserContext;
  page: Page;
  /** Every URL the page requested, in order. */
  requests: string[];
  /** Script errors and CSP violations the page reported (a 401 the page expects is not one). */
  problems: string[];
  close(): Promise<void>;
}

/** A fresh Chromium profile (temp user-data-dir), one page, 1280×800. */
export async function openBrowser(): Promise<TestBrowser> {
  const profile = mkdtempSync(join(tmpdir(), 'inspector-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: 1280, height: 800 },
    locale: 'en-GB',
    timezoneId: 'UTC',
  });
  const requests: string[] = [];
  const problems: string[] = [];
  context.on('request', (request: Request) => requests.push(request.url()));
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy|Refused to/i.test(message.text())) problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  page.setDefaultTimeout(10_000);
  return {
    context,
    page,
    requests,
    problems,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Waits until the list shows the answer to the latest filter or tab: the page keeps `#list`
 * `aria-busy` until then. Right after a click the previous rows are still on screen.
 */
export async function listSettled(page: Page): Promise<void> {
  await page.locator('#list[aria-busy="false"]').waitFor();
}
