import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { buildTestApp, type TestApp } from '../helpers/test-app.js';
import { expectOk } from '../helpers/expect.js';
import { createRoom } from '../helpers/factories.js';
import { WebhookReceiver } from '../helpers/webhook-receiver.js';
import { PushSettingsRepository } from '../../src/modules/push/push-settings.repository.js';
import { ensureDashboardBuilt } from './helpers/dashboard-build.js';
import { screenshot, seriousViolations } from './helpers/page-checks.js';

const CHROMIUM = '/usr/bin/chromium';
const OPERATOR = 'alice';
const PASSWORD = 'a long enough passphrase';

/** The operator's journey in one desktop tab (1280×800, light), then every page again at phone width (dark). */
describe.skipIf(!existsSync(CHROMIUM))('the operator dashboard in a real browser', () => {
  let t: TestApp;
  let receiver: WebhookReceiver;
  let base: string;
  let browser: Browser;
  let desktop: BrowserContext;
  let page: Page;
  const offOrigin: string[] = [];
  const cspErrors: string[] = [];
  const responseBodies: Array<Promise<string>> = [];
  const pagesChecked: string[] = [];
  const shownKeys: string[] = [];

  /** A link of the application's navigation (API keys, Usage, Audit log…). */
  const section = (name: string) => page.getByRole('navigation', { name: 'Application' }).getByRole('link', { name });

  const callAdmin = async (key: string, path = '/admin/clients') =>
    (await fetch(`${base}${path}`, { headers: { 'IM-API-KEY': key } })).status;

  const keyNamed = async (name: string) =>
    (await t.services.keys.list(t.appId, true))
      .filter((key) => key.name === name)
      .sort((a, b) => b.createdAt - a.createdAt)[0]!;

  /** axe-core finds nothing serious or critical, and the page is saved at the tab's size. */
  async function checkPage(tab: Page, name: string): Promise<void> {
    await tab.waitForLoadState('networkidle');
    expect(await seriousViolations(tab), `${name} at ${tab.viewportSize()?.width}px`).toStrictEqual([]);
    await screenshot(tab, name);
    pagesChecked.push(`${name}@${tab.viewportSize()?.width}`);
  }

  function watch(tab: Page): void {
    tab.on('request', (request) => {
      if (!request.url().startsWith(base) && !request.url().startsWith('data:')) offOrigin.push(request.url());
    });
    tab.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) cspErrors.push(message.text());
    });
    tab.on('response', (response) => {
      if (response.url().startsWith(base)) responseBodies.push(response.text().catch(() => ''));
    });
  }

  /** The plain key of a shown-once panel, read from the page as an operator would copy it. */
  async function storeShownKey(tab: Page): Promise<string> {
    const field = tab.locator('input[data-secret="api-key"]');
    await field.waitFor();
    await expect.poll(() => field.inputValue()).not.toBe('');
    const key = await field.inputValue();
    shownKeys.push(key);
    await tab.getByRole('button', { name: 'I have stored it' }).click();
    await field.waitFor({ state: 'detached' });
    expect(await tab.content()).not.toContain(key);
    return key;
  }

  beforeAll(async () => {
    ensureDashboardBuilt();
    // Webhooks to a local receiver, retried fast.
    t = await buildTestApp({ webhooks: { allowPrivate: true, maxAttempts: 2, retryBaseMs: 30, timeoutMs: 2000 } });
    receiver = await new WebhookReceiver().start();
    base = await t.app.listen({ port: 0, host: '127.0.0.1' });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu'],
    });
    desktop = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
    page = await desktop.newPage();
    page.setDefaultTimeout(8_000);
    watch(page);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await receiver?.stop();
  });

  it('creates the first operator from the setup link and lands on the API keys', async () => {
    expect(t.operatorSetupToken).toEqual(expect.any(String));
    await page.goto(`${base}/dashboard/setup#token=${t.operatorSetupToken}`);
    await page.getByLabel('Operator name').fill(OPERATOR);
    await page.getByLabel(/^Password/).fill(PASSWORD);
    await page.getByLabel('Repeat the password').fill(PASSWORD);
    await checkPage(page, 'setup');
    await page.getByRole('button', { name: 'Create operator' }).click();
    await page.getByRole('heading', { name: 'API keys' }).waitFor();
    // The spent token is gone from the address bar.
    expect(page.url()).not.toContain('token=');
    await checkPage(page, 'keys');
  });

  it('signs out, refuses a wrong password with its message, and signs in again', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to Parley' }).waitFor();
    await page.getByLabel('Operator name').fill(OPERATOR);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').waitFor();
    await checkPage(page, 'login');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'API keys' }).waitFor();
  });

  it('creates an application (its first key shown once) and renames it', async () => {
    await page.getByRole('link', { name: 'Applications' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Shop');
    await page.getByRole('button', { name: 'Create application' }).click();
    const firstKey = await storeShownKey(page);
    expect(await callAdmin(firstKey)).toBe(200);
    await page.getByRole('button', { name: 'Rename Shop' }).click();
    await page.getByLabel('New name of Shop').fill('Shop EU');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('link', { name: 'Shop EU' }).waitFor();
    await checkPage(page, 'apps');
    expect(await page.getByRole('combobox', { name: 'Application' }).locator('option').allTextContents()).toContain(
      'Shop EU',
    );
    await page.getByRole('combobox', { name: 'Application' }).selectOption(t.appId);
    await page.getByRole('heading', { name: 'API keys' }).waitFor();
    expect(page.url()).toContain(`/dashboard/apps/${t.appId}/keys`);
  });

  let plainKey: string;

  it('creates a key whose plain value is shown once, and the key calls the admin API over HTTP', async () => {
    await page.getByRole('button', { name: 'Create key' }).click();
    const dialog = page.getByRole('dialog', { name: 'New API key' });
    await dialog.getByLabel('Name').fill('ci-deploy');
    await dialog.getByLabel('Rate limit (requests per minute)').fill('600');
    await checkPage(page, 'key-form');
    await dialog.getByRole('button', { name: 'Create key' }).click();
    await page.getByRole('dialog', { name: 'Your new API key' }).waitFor();
    await checkPage(page, 'key-created');
    plainKey = await storeShownKey(page);
    const key = await keyNamed('ci-deploy');
    expect(plainKey.endsWith(key.last4)).toBe(true);
    expect(key.rateLimit).toBe(600);
    await expect.poll(() => page.locator(`tr[data-key-id="${key.id}"]`).count()).toBe(1);

    expect(await callAdmin(plainKey)).toBe(200);
    await t.services.activity.flush();
  });

  it('shows that call in the usage charts and totals', async () => {
    await section('Usage').click();
    const key = await keyNamed('ci-deploy');
    const row = page.getByRole('row', { name: `ci-deploy (…${key.last4})` });
    await expect.poll(() => row.locator('td').first().textContent()).toBe('1');
    expect(await page.locator('.chart canvas').count()).toBeGreaterThanOrEqual(3);
    await page.getByText('Messages per minute, every sender').waitFor();
    await page.getByLabel('Last day').check();
    await expect.poll(() => row.locator('td').first().textContent()).toBe('1');
    await checkPage(page, 'usage');
  });

  it('shows that call in the audit log, filtered by key, with its details', async () => {
    const key = await keyNamed('ci-deploy');
    await section('Audit log').click();
    await page.getByRole('combobox', { name: /^Key/ }).selectOption(key.id);
    await page.getByLabel('Status').fill('200');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    const row = page.getByRole('row', { name: /GET \/admin\/clients/ });
    await row.first().waitFor();
    expect(await row.count()).toBe(1);
    await row.getByRole('button', { name: /^Details of GET \/admin\/clients/ }).click();
    const detail = page.getByRole('dialog', { name: 'Audit record' });
    await detail.getByText('127.0.0.1').first().waitFor();
    await checkPage(page, 'audit-detail');
    await detail.getByRole('button', { name: 'Close' }).click();
    await checkPage(page, 'audit');
  });

  it('rolls the key with a 2 s grace: the old key works, then is refused after the grace', async () => {
    const old = await keyNamed('ci-deploy');
    await section('API keys').click();
    await page.getByRole('button', { name: 'Roll ci-deploy' }).click();
    const dialog = page.getByRole('dialog', { name: 'Roll “ci-deploy”' });
    await dialog.getByRole('combobox', { name: /^Grace period/ }).selectOption('custom');
    await dialog.getByLabel('Grace period in seconds').fill('2');
    await checkPage(page, 'key-roll');
    await dialog.getByRole('button', { name: 'Roll key' }).click();
    const rolledAt = Date.now();
    const newKey = await storeShownKey(page);
    expect(newKey).not.toBe(plainKey);
    expect(await callAdmin(plainKey)).toBe(200);
    expect(await callAdmin(newKey)).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, rolledAt + 2_500 - Date.now())));
    expect(await callAdmin(plainKey)).toBe(401);
    expect(await callAdmin(newKey)).toBe(200);
    await page.reload();
    await expect.poll(() => page.locator(`tr[data-key-id="${old.id}"] .badge`).textContent()).toBe('expired');
    plainKey = newKey;
  });

  it('revokes a key after a confirmation dialog', async () => {
    const current = await keyNamed('ci-deploy');
    await page.getByRole('button', { name: `Revoke ci-deploy (…${current.last4})` }).click();
    const dialog = page.getByRole('dialog', { name: 'Revoke “ci-deploy”?' });
    await checkPage(page, 'key-revoke');
    await dialog.getByRole('button', { name: 'Revoke key' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(await callAdmin(plainKey)).toBe(401);
    await page.getByLabel('Show revoked keys').check();
    await expect.poll(() => page.locator(`tr[data-key-id="${current.id}"] .badge`).textContent()).toBe('revoked');
  });

  it('answers a leak: rolls with no grace, revokes the old key, shows its records, lists what else to rotate', async () => {
    const leaked = await t.createKey({ name: 'leaky' });
    expect(await callAdmin(leaked, '/admin/keys')).toBe(200);
    await t.services.activity.flush();
    const record = await keyNamed('leaky');
    await section('Leak response').click();
    await page.getByRole('combobox', { name: /^Leaked key/ }).selectOption(record.id);
    await page
      .getByRole('row', { name: /GET \/admin\/keys/ })
      .first()
      .waitFor();
    await page.getByRole('button', { name: 'Roll now (old key stops at once)' }).click();
    const replacement = await storeShownKey(page);
    expect(await callAdmin(leaked)).toBe(401);
    await page.getByRole('button', { name: 'Revoke the old key' }).click();
    await page.getByRole('button', { name: 'Old key revoked' }).waitFor();
    expect((await t.services.keys.show(t.appId, record.id)).revokedAt).not.toBeNull();
    expect(await callAdmin(replacement)).toBe(200);
    for (const item of [/^Rotate the webhook signing secret/, /^Regenerate the client key/])
      await page.getByLabel(item).check();
    await page.getByText('2 of 5 done').waitFor();
    await checkPage(page, 'leak');
  });

  it('sets the webhook URL, rotates the secret and redelivers a failed delivery', async () => {
    await section('Webhooks').click();
    await page.getByLabel(/^Webhook URL/).fill(`${receiver.url}/all`);
    await page.getByRole('button', { name: 'Save webhook settings' }).click();
    await page.getByText('Saved.').waitFor();
    expect(expectOk(await t.admin('GET', '/admin/webhooks')).url).toBe(`${receiver.url}/all`);
    const before = expectOk(await t.admin('GET', '/admin/webhooks/secret')).secret;
    await page.getByRole('combobox', { name: /^Previous secret keeps signing for/ }).selectOption('3600');
    await page.getByRole('button', { name: 'Rotate secret' }).click();
    const shown = await page.getByTestId('webhook-secret').textContent();
    const after = expectOk(await t.admin('GET', '/admin/webhooks/secret')).secret;
    expect(after).not.toBe(before);
    expect(shown).toBe(after);

    receiver.respond = () => ({ status: 400 });
    await t.createUser('hook-user');
    await createRoom(t, { _id: 'hooked', members: ['hook-user'], webhook: `${receiver.url}/room` });
    await receiver.waitFor(1);
    await page.getByRole('combobox', { name: /^Status/ }).selectOption('failed');
    const failed = page.locator('tr[data-delivery-id]').first();
    await expect
      .poll(async () => {
        await page.getByRole('button', { name: 'Refresh' }).click();
        return failed
          .locator('.badge')
          .textContent({ timeout: 1000 })
          .catch(() => '');
      })
      .toBe('failed');
    const id = await failed.getAttribute('data-delivery-id');
    // The counts come from their own query, refreshed beside the list: they may follow it by a moment.
    await expect
      .poll(
        async () => {
          await page.getByRole('button', { name: 'Refresh' }).click();
          return Number(await page.getByTestId('deliveries-failed').textContent());
        },
        { timeout: 10_000, interval: 250 },
      )
      .toBeGreaterThan(0);
    expect(await failed.locator('td').nth(4).textContent()).toBe('400');
    await checkPage(page, 'webhooks');
    receiver.respond = () => ({ status: 200 });
    await failed.getByRole('button', { name: /^Redeliver/ }).click();
    await expect
      .poll(async () => expectOk(await t.admin('GET', `/admin/webhooks/deliveries/${id}`)).status)
      .toBe('delivered');
  });

  it('finds a user, opens their room, searches, pins and deletes a message, freezes the room, bans a member, finds the room by name', async () => {
    await t.createUser('mallory', { nickname: 'Mallory' });
    await createRoom(t, { _id: 'lobby', name: 'Lobby', members: ['hook-user', 'mallory'] });
    const spam = expectOk(
      await t.admin('POST', '/messages', { room: 'lobby', sender: 'mallory', message: 'buy now', messageType: 'text' }),
    );
    await section('Users').click();
    await page.getByLabel('Nickname contains').fill('mall');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.getByRole('link', { name: 'Rooms of mallory' }).click();
    await page.getByRole('button', { name: 'Open lobby' }).click();
    await page.getByRole('heading', { name: /^Lobby/ }).waitFor();
    await page.getByLabel('Text contains').fill('BUY');
    await page.getByRole('button', { name: 'Search messages' }).click();
    await page.getByText('1 message contains “BUY”').waitFor();
    await page.getByRole('button', { name: 'Clear search' }).click();
    await page.getByRole('button', { name: `Pin message ${spam._id}` }).click();
    await page.getByRole('button', { name: `Unpin message ${spam._id}` }).waitFor();
    await page.getByRole('button', { name: `Delete message ${spam._id}` }).click();
    await page.getByText('No messages.').waitFor();
    await page.getByRole('button', { name: 'Freeze room' }).click();
    await page.getByRole('button', { name: 'Unfreeze room' }).waitFor();
    expect(expectOk(await t.admin('GET', '/rooms/lobby')).status).toBe(0);
    await page.getByRole('button', { name: 'Ban mallory' }).click();
    await page.getByTestId('bans').getByText('mallory').waitFor();
    const bans = expectOk(await t.admin('GET', '/blockStatus/room/lobby')).data;
    expect(bans.map((ban: any) => ban.blockee._id)).toStrictEqual(['mallory']);
    await checkPage(page, 'rooms');
    await page.getByLabel('Member or banned user (id)').fill('');
    await page.getByLabel('Name contains').fill('LOB');
    await page.getByRole('button', { name: 'Find rooms' }).click();
    await page.locator('caption', { hasText: 'Rooms named like “LOB”' }).waitFor();
    await expect.poll(() => page.locator('tbody tr').count()).toBe(1);
    await page.getByRole('button', { name: 'Open lobby' }).waitFor();
    await section('Users').click();
    await page.getByRole('row', { name: /mallory/ }).waitFor();
    await checkPage(page, 'users');
  });

  it("opens a user's page: the rooms they are banned from, and a room's notifications muted, then unmuted", async () => {
    await createRoom(t, { _id: 'garden', name: 'Garden', members: ['hook-user', 'mallory'] });
    await createRoom(t, { _id: 'cellar', name: 'Cellar', members: ['hook-user'] });
    expectOk(await t.admin('POST', '/blockStatus/room/cellar/mallory'));
    await section('Users').click();
    await page.getByLabel('Nickname contains').fill('mall');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.getByRole('link', { name: 'mallory', exact: true }).click();
    await page.getByRole('heading', { name: 'User mallory' }).waitFor();
    // Banned from lobby by the test above (an admin's ban keeps the member) and from cellar, where she
    // never was a member (her own room list omits it): both listed and marked.
    await page.getByRole('row', { name: /lobby .*banned/ }).waitFor();
    await page.getByRole('row', { name: /cellar .*banned/ }).waitFor();
    expect(await page.getByRole('button', { name: 'Mute cellar for mallory', exact: true }).count()).toBe(0);
    await page.getByRole('button', { name: 'Mute garden for mallory', exact: true }).click();
    await page.getByRole('button', { name: 'Unmute garden for mallory', exact: true }).waitFor();
    expect(expectOk(await t.admin('GET', '/admin/clients/mallory')).mute).toStrictEqual(['garden']);
    await checkPage(page, 'user-detail');
    await page.getByRole('button', { name: 'Unmute garden for mallory', exact: true }).click();
    await page.getByRole('button', { name: 'Mute garden for mallory', exact: true }).waitFor();
    expect(expectOk(await t.admin('GET', '/admin/clients/mallory')).mute).toStrictEqual([]);
  });

  it('sets sensitive words and a runtime configuration key', async () => {
    await section('Config').click();
    await page.getByLabel('Words, one per line').fill('darn\nheck');
    await page.getByRole('button', { name: 'Save words' }).click();
    await page.getByText('Sensitive words saved.').waitFor();
    await page.getByLabel('Key', { exact: true }).fill('announcement');
    await page.getByLabel('Value (JSON)').fill('{"text":"Maintenance at 22:00"}');
    await page.getByRole('button', { name: 'Set key' }).click();
    await page.getByRole('rowheader', { name: 'announcement' }).waitFor();
    const config = expectOk(await t.admin('GET', '/config'));
    expect(config).toMatchObject({
      censorship: { keywords: ['darn', 'heck'] },
      announcement: { text: 'Maintenance at 22:00' },
    });
    await checkPage(page, 'config');
  });

  it('changes the application settings', async () => {
    await section('Settings').click();
    await page.getByLabel(/^One token per user/).check();
    await page.getByRole('combobox', { name: /^New members of a room read/ }).selectOption('joined');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByText('Settings saved.').waitFor();
    expect(expectOk(await t.admin('GET', '/admin/app')).settings).toMatchObject({
      singleTokenPerUser: true,
      defaultHistoryVisibility: 'joined',
    });
    await checkPage(page, 'settings');
  });

  it('generates VAPID keys, sets a constant badge, and shows a push sent through the API key with its delivery', async () => {
    await section('Push').click();
    await page.getByRole('heading', { name: 'Push', exact: true }).waitFor();
    await page.getByText('Credentials are stored unsealed: set SECRETS_KEY').waitFor();
    const web = page.getByTestId('push-webpush');
    await web.getByText('Not configured').waitFor();
    await web.getByLabel(/^Contact/).fill('mailto:ops@example.com');
    await web.getByRole('button', { name: 'Generate VAPID keys' }).click();
    await web.getByText(/^Web Push keys saved/).waitFor();
    const providers = expectOk(await t.admin('GET', '/admin/push/providers'));
    expect(providers.webpush).toMatchObject({ subject: 'mailto:ops@example.com', publicKey: expect.any(String) });
    await web.getByText(providers.webpush.publicKey, { exact: true }).waitFor();
    await web.getByText('Configured', { exact: true }).waitFor();

    await page.getByLabel(/^Constant badge/).fill('7');
    await page.getByRole('button', { name: 'Save push settings' }).click();
    await page.getByText('Push settings saved.').waitFor();
    expect(expectOk(await t.admin('GET', '/admin/push/providers')).settings.constantBadge).toBe(7);

    const user = await t.createUser('push-user');
    expectOk(await t.asUser(user, 'POST', '/me/subscribe', { type: 'fcm', token: 'push-user-phone-4f2a9c' }));
    const sent = await fetch(`${base}/push/push2clients`, {
      method: 'POST',
      headers: { 'IM-API-KEY': t.apiKey, 'content-type': 'application/json' },
      body: JSON.stringify({ clients: ['push-user'], payload: { title: 'Hello', body: 'From the dashboard test' } }),
    });
    expect(sent.status).toBe(200);
    // No FCM credentials: the fcm device goes to the server-wide provider, `log`.
    const row = page.locator('tr[data-notification-id]').first();
    await expect
      .poll(async () => {
        await page.getByRole('button', { name: 'Refresh' }).click();
        return row
          .locator('.badge')
          .textContent({ timeout: 1000 })
          .catch(() => '');
      })
      .toBe('sent');
    expect(await row.locator('td').nth(2).textContent()).toBe('push-user');
    await row.getByRole('button', { name: /deliveries of notification/ }).click();
    const cells = await page.getByTestId('push-delivery').locator('td').allTextContents();
    expect(cells.slice(0, 5)).toStrictEqual(['log', 'push-user', 'fcm', '…4f2a9c', 'sent']);
    expect(Number(cells[5])).toBeGreaterThanOrEqual(1);
    await page.getByTestId('push-delivery').scrollIntoViewIfNeeded();
    await checkPage(page, 'push');

    // The VAPID private key stays on the server: in no response, nothing shown, no field.
    const stored = (await new PushSettingsRepository(t.services.storage).credentials(t.appId)).find(
      (credential) => credential.provider === 'webpush',
    )!;
    expect(stored.secret.startsWith('plain:')).toBe(true);
    const privateKey: string = JSON.parse(stored.secret.slice('plain:'.length)).privateKey;
    expect(privateKey.length).toBeGreaterThan(20);
    const bodies = await Promise.all(responseBodies);
    expect(bodies.filter((body) => body.includes(privateKey))).toStrictEqual([]);
    expect(await page.content()).not.toContain(privateKey);
    const shownText = await page.evaluate(() => {
      const document = (globalThis as any).document;
      const fields = [...document.querySelectorAll('input, textarea')].map((field: any) => field.value);
      return [document.body.textContent, ...fields].join('\n');
    });
    expect(shownText).not.toContain(privateKey);
  });

  it('is usable from the keyboard: skip link, dialogs that take and give back focus', async () => {
    await section('API keys').click();
    // A fresh load: the first Tab starts from the top of the page.
    await page.reload();
    await page.getByRole('heading', { name: 'API keys' }).waitFor();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => (globalThis as any).document.activeElement?.textContent)).toBe('Skip to content');
    const create = page.getByRole('button', { name: 'Create key' });
    await create.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'New API key' });
    await dialog.waitFor();
    expect(await dialog.evaluate((element) => element.contains((globalThis as any).document.activeElement))).toBe(true);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(await create.evaluate((element) => element === (globalThis as any).document.activeElement)).toBe(true);
  });

  it('lists the operator sessions on the account page', async () => {
    await page.getByRole('link', { name: OPERATOR }).click();
    await page.getByRole('cell', { name: 'This session' }).waitFor();
    await checkPage(page, 'account');
  });

  it('never sends a plain key again after its creation screen, loads nothing from elsewhere, breaks no CSP rule', async () => {
    const bodies = await Promise.all(responseBodies);
    const issued = await t.services.keys.list(t.appId, true);
    expect(issued.length).toBeGreaterThan(3);
    // Each plain key seen on a shown-once panel is in exactly one response: its creation's (or roll's).
    expect(shownKeys).toHaveLength(4);
    for (const key of shownKeys) expect(bodies.filter((body) => body.includes(key))).toHaveLength(1);
    expect(offOrigin).toStrictEqual([]);
    expect(cspErrors).toStrictEqual([]);
  });

  it('passes axe and is saved at phone width (390×844, dark theme) on every page', async () => {
    const phone = await browser.newContext({
      viewport: { width: 390, height: 844 },
      colorScheme: 'dark',
      storageState: await desktop.storageState(),
    });
    const tab = await phone.newPage();
    watch(tab);
    for (const [name, path, heading] of [
      ['keys', `/apps/${t.appId}/keys`, 'API keys'],
      ['usage', `/apps/${t.appId}/usage`, 'Usage'],
      ['audit', `/apps/${t.appId}/audit`, 'Audit log'],
      ['leak', `/apps/${t.appId}/leak`, 'Leak response'],
      ['webhooks', `/apps/${t.appId}/webhooks`, 'Webhooks'],
      ['push', `/apps/${t.appId}/push`, 'Push'],
      ['users', `/apps/${t.appId}/users`, 'Users'],
      ['settings', `/apps/${t.appId}/settings`, 'Settings'],
      ['config', `/apps/${t.appId}/config`, 'Runtime configuration'],
      ['rooms', `/apps/${t.appId}/rooms?room=lobby`, 'Rooms'],
      ['apps', '/apps', 'Applications'],
      ['account', '/account', OPERATOR],
    ] as const) {
      // The first page loads the app; the others are client-side navigations, as following links would be.
      if (name === 'keys') await tab.goto(`${base}/dashboard${path}`);
      else
        await tab.evaluate((to) => {
          const page = globalThis as any;
          page.history.pushState(null, '', to);
          page.dispatchEvent(new page.PopStateEvent('popstate'));
        }, `/dashboard${path}`);
      await tab.getByRole('heading', { name: heading, exact: true }).waitFor();
      await checkPage(tab, name);
    }
    await tab.getByRole('button', { name: 'Sign out' }).click();
    await tab.getByRole('heading', { name: 'Sign in to Parley' }).waitFor();
    await checkPage(tab, 'login');
    await tab.goto(`${base}/dashboard/setup`);
    await tab.getByRole('heading', { name: 'Set up Parley' }).waitFor();
    await checkPage(tab, 'setup');
    await phone.close();
    expect(offOrigin).toStrictEqual([]);
    expect(cspErrors).toStrictEqual([]);
    expect(pagesChecked.length).toBeGreaterThanOrEqual(25);
  }, 90_000);
});
