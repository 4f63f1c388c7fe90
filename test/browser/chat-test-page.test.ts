import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { buildTestApp, type TestApp } from '../helpers/test-app.js';
import { createRoom } from '../helpers/factories.js';

const CHROMIUM = '/usr/bin/chromium';

describe.skipIf(!existsSync(CHROMIUM))('GET /chat-test in a real browser (history 11.6)', () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;
  const tokens: Record<string, string> = {};
  /** Every CSP refusal and script error a page reported: the page must need none of them. */
  const problems: string[] = [];

  beforeAll(async () => {
    t = await buildTestApp();
    tokens.alice = await t.createUser('alice', { nickname: 'Alice' });
    tokens.bob = await t.createUser('bob', { nickname: 'Bob' });
    await createRoom(t, { _id: 'demo', members: ['alice'] });
    base = await t.app.listen({ port: 0, host: '127.0.0.1' });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-sync'],
    });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  async function openAs(user: string): Promise<Page> {
    const page = await browser.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`${user}: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`${user}: ${error.message}`));
    const response = await page.goto(`${base}/chat-test`);
    expect(response?.status()).toBe(200);
    await page.fill('#client-key', t.clientKey);
    await page.fill('#token', tokens[user] as string);
    await page.click('#connect');
    await page.waitForSelector('#status:text-matches("^connected as")', { timeout: 15_000 });
    expect(await page.textContent('#status')).toBe(`connected as ${user}`);
    await page.fill('#room', 'demo');
    await page.click('#join');
    await page.waitForSelector('#log li:text("joined demo")', { timeout: 10_000 });
    await page.waitForSelector('#rooms li:text-matches("^demo")', { timeout: 10_000 });
    return page;
  }

  async function send(page: Page, text: string): Promise<void> {
    await page.waitForSelector('#send:not([disabled])');
    await page.fill('#message', text);
    await page.click('#send');
  }

  it('serves the page with a strict CSP and the socket.io client from this server', async () => {
    const page = await fetch(`${base}/chat-test`);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    const html = await page.text();
    // Every script is a same-origin file: no inline code for the CSP to allow.
    expect(html).not.toMatch(/<script>|<script [^>]*>[^<]/);
    expect(html).not.toMatch(/https?:\/\//);
    const client = await fetch(`${base}/socket.io/socket.io.js`);
    expect(client.status).toBe(200);
    expect(client.headers.get('content-type')).toMatch(/javascript/);
    expect(await client.text()).toContain('Socket.IO');
    const script = await fetch(`${base}/chat-test/app.js`);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
  });

  it('two pages connect, join a room and exchange messages both ways', async () => {
    const alice = await openAs('alice');
    const bob = await openAs('bob');
    await send(alice, 'hello from alice');
    await bob.waitForSelector('#log li:text("[demo] Alice: hello from alice")', { timeout: 10_000 });
    await send(bob, 'hi alice');
    await alice.waitForSelector('#log li:text("[demo] Bob: hi alice")', { timeout: 10_000 });
    // The sender sees its own message pushed back as well (realtime protocol: every member's connections).
    await alice.waitForSelector('#log li:text("[demo] Alice: hello from alice")', { timeout: 10_000 });
    // Bob's join went through the REST API: the room now lists him.
    const room = await t.admin('GET', '/rooms/demo');
    expect(JSON.stringify(room.json())).toContain('bob');
    expect(problems).toStrictEqual([]);
  }, 60_000);

  it('shows a refused token as a failed authentication', async () => {
    const page = await browser.newPage();
    await page.goto(`${base}/chat-test`);
    await page.fill('#client-key', t.clientKey);
    await page.fill('#token', 'not-a-token');
    await page.click('#connect');
    await page.waitForSelector('#status:text-is("authentication failed")', { timeout: 15_000 });
    expect(await page.isDisabled('#join')).toBe(true);
  }, 30_000);
});
