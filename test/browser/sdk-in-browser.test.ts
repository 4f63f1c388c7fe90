import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { buildTestApp, type TestApp } from '../helpers/test-app.js';
import { expectOk } from '../helpers/expect.js';
import { createRoom } from '../helpers/factories.js';

const CHROMIUM = '/usr/bin/chromium';
const require = createRequire(import.meta.url);
const clientBundle = () => readFileSync(require.resolve('socket.io-client-v2/dist/socket.io.js'));

/** A page on another origin, as an integrator's web app would be, using IMKIT's oldest socket client (polling first, with credentials). */
function pageHtml(parley: string, token: string, clientKey: string): string {
  return `<!doctype html><html><body><script src="/socket.io.js"></script><script>
    window.events = [];
    const socket = io(${JSON.stringify(parley)}, { reconnection: false });
    socket.io.engine.on('upgrade', (transport) => window.events.push('upgrade:' + transport.name));
    socket.on('connect', () => {
      window.events.push('connect:' + socket.io.engine.transport.name);
      socket.emit('auth', ${JSON.stringify(token)}, (ack) => { window.authAck = ack; });
    });
    socket.on('chat message', (message) => { window.received = message; });
    fetch(${JSON.stringify(`${parley}/me`)}, { headers: { CLIENT_KEY: ${JSON.stringify(clientKey)}, 'IM-Authorization': ${JSON.stringify(token)} } })
      .then((response) => response.json()).then((body) => { window.me = body; }, (error) => { window.me = String(error); });
  </script></body></html>`;
}

describe.skipIf(!existsSync(CHROMIUM))(
  "IMKIT's oldest web SDK transport in a real browser, from another origin",
  () => {
    let t: TestApp;
    let page: Server;
    let browser: Browser;
    let pageUrl: string;
    let token: string;
    beforeAll(async () => {
      t = await buildTestApp();
      token = await t.createUser('browser-user', { nickname: 'Browser' });
      await t.createUser('sender');
      await createRoom(t, { _id: 'web', members: ['browser-user', 'sender'] });
      const parley = await t.app.listen({ port: 0, host: '127.0.0.1' });
      page = createServer((request, response) => {
        if (request.url === '/socket.io.js')
          response.writeHead(200, { 'content-type': 'text/javascript' }).end(clientBundle());
        else response.writeHead(200, { 'content-type': 'text/html' }).end(pageHtml(parley, token, t.clientKey));
      });
      await new Promise<void>((resolve) => page.listen(0, '127.0.0.1', resolve));
      // Another origin: "localhost" against the server's 127.0.0.1, on another port.
      pageUrl = `http://localhost:${(page.address() as AddressInfo).port}/`;
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: [
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
        ],
      });
    }, 60_000);
    afterAll(async () => {
      await browser?.close();
      await new Promise((resolve) => page?.close(resolve));
      await t?.close();
    });

    it('connects over credentialed polling, upgrades, authenticates, receives a message and calls REST', async () => {
      const tab = await browser.newPage();
      await tab.goto(pageUrl);
      await tab.waitForFunction(() => (globalThis as any).authAck !== undefined, undefined, { timeout: 15_000 });
      const events = await tab.evaluate(() => (globalThis as any).events as string[]);
      expect(events[0]).toBe('connect:polling');
      expect(await tab.evaluate(() => (globalThis as any).authAck)).toMatchObject({
        RC: 0,
        result: { client: 'browser-user' },
      });
      await tab.waitForFunction(() => (globalThis as any).events.includes('upgrade:websocket'), undefined, {
        timeout: 15_000,
      });

      expectOk(
        await t.admin('POST', '/messages', {
          room: 'web',
          sender: 'sender',
          message: 'to the browser',
          messageType: 'text',
        }),
      );
      await tab.waitForFunction(() => (globalThis as any).received !== undefined, undefined, { timeout: 10_000 });
      expect(await tab.evaluate(() => (globalThis as any).received)).toMatchObject({
        message: 'to the browser',
        room: 'web',
      });

      await tab.waitForFunction(() => (globalThis as any).me !== undefined, undefined, { timeout: 10_000 });
      expect(await tab.evaluate(() => (globalThis as any).me)).toMatchObject({
        RC: 0,
        result: { _id: 'browser-user' },
      });
    }, 60_000);
  },
);
