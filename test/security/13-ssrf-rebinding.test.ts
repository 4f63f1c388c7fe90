import dns from 'node:dns';
import { syncBuiltinESMExports } from 'node:module';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/test-app.js';
import { expectOk, sleep } from '../helpers/expect.js';
import { WebhookReceiver } from '../helpers/webhook-receiver.js';
import { HttpPushProvider } from '../../src/modules/push/push-provider.js';
import { newWebhookSecret } from '../../src/outbound/signature.js';
import { isInternalAddress } from '../../src/outbound/ssrf-guard.js';
import { createRoom } from '../helpers/factories.js';

const REBINDING_HOST = 'rebind.parley-test';
const PUBLIC_ADDRESS = '93.184.216.34';

/**
 * A hostile name server, in process: for REBINDING_HOST the first lookup answers a public address
 * and every later one 127.0.0.1 (the receiver). Other names go to the real resolver.
 */
const realLookup = dns.lookup;
const realPromisesLookup = dns.promises.lookup;
let lookups = 0;
function answer(host: string): { address: string; family: number }[] | undefined {
  if (host !== REBINDING_HOST) return undefined;
  lookups += 1;
  return [{ address: lookups === 1 ? PUBLIC_ADDRESS : '127.0.0.1', family: 4 }];
}
function installRebindingResolver(): void {
  lookups = 0;
  (dns as any).lookup = (host: string, options: any, callback?: any) => {
    if (typeof options === 'function') [callback, options] = [options, {}];
    const answers = answer(host);
    if (!answers) return (realLookup as any)(host, options, callback);
    const opts = typeof options === 'number' ? { family: options } : (options ?? {});
    process.nextTick(() =>
      opts.all ? callback(null, answers) : callback(null, answers[0]!.address, answers[0]!.family),
    );
  };
  (dns.promises as any).lookup = async (host: string, options: any) => {
    const answers = answer(host);
    if (!answers) return (realPromisesLookup as any)(host, options);
    return options?.all ? answers : answers[0];
  };
  syncBuiltinESMExports();
}
function removeRebindingResolver(): void {
  (dns as any).lookup = realLookup;
  (dns.promises as any).lookup = realPromisesLookup;
  syncBuiltinESMExports();
}

async function deliveries(t: TestApp): Promise<any[]> {
  return expectOk(await t.admin('GET', '/admin/webhooks/deliveries?limit=100')).data;
}
async function settle(t: TestApp, ms = 6000): Promise<void> {
  const deadline = Date.now() + ms;
  while ((await deliveries(t)).some((delivery) => delivery.status === 'pending') && Date.now() < deadline)
    await sleep(30);
}

describe('item 13: the SSRF guard holds against DNS rebinding, and blocks every internal range', () => {
  let t: TestApp;
  let receiver: WebhookReceiver;
  let port: string;
  beforeAll(async () => {
    t = await buildTestApp({ webhooks: { allowPrivate: false, maxAttempts: 1, retryBaseMs: 30, timeoutMs: 2000 } });
    receiver = await new WebhookReceiver().start();
    port = new URL(receiver.url).port;
    await t.createUser('alice');
  });
  afterEach(() => removeRebindingResolver());
  afterAll(async () => {
    await t.close();
    await receiver.stop();
  });

  it('refuses internal addresses written in every IPv6 and IPv4 form', async () => {
    const internal = [
      'http://[::127.0.0.1]/',
      'http://[::ffff:127.0.0.1]/',
      'http://[::ffff:10.0.0.1]/',
      'http://[::ffff:0:7f00:1]/',
      'http://[2002:7f00:1::1]/',
      'http://[fec0::1]/',
      'http://[64:ff9b::7f00:1]/',
      'http://[64:ff9b:1::1]/',
      'http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/',
      'http://[100::1]/',
      'http://[::]/',
      'http://[ff02::1]/',
      'http://0.0.0.0/',
      'http://0/',
      'http://100.64.0.1/',
      'http://127.1/',
      'http://0x7f000001/',
      'http://192.0.2.1/',
      'http://198.51.100.7/',
      'http://203.0.113.9/',
      'http://224.0.0.1/',
      'http://255.255.255.255/',
      'http://192.88.99.1/',
      'http://localhost/',
    ];
    for (const url of internal) expect((await t.admin('PUT', '/admin/webhooks', { url })).statusCode, url).toBe(400);
    expectOk(await t.admin('PUT', '/admin/webhooks', { url: `http://${PUBLIC_ADDRESS}/hook` }));
    expectOk(await t.admin('PUT', '/admin/webhooks', { url: null }));
  });

  it('lets public addresses through, IPv4 and IPv6', () => {
    for (const address of [PUBLIC_ADDRESS, '8.8.8.8', '1.1.1.1', '2606:4700:4700::1111', '2a00:1450:4001:80b::200e'])
      expect(isInternalAddress(address), address).toBe(false);
    for (const address of ['::ffff:5db8:d822', '::5db8:d822', '2002:5db8:d822::1', 'not-an-ip'])
      expect(isInternalAddress(address), address).toBe(true);
  });

  it('a webhook whose name is rebound to loopback after the check is never called', async () => {
    installRebindingResolver();
    await createRoom(t, {
      _id: 'rebound',
      members: ['alice'],
      webhook: `http://${REBINDING_HOST}:${port}/hook`,
    });
    await settle(t);
    await sleep(100);
    expect(receiver.received).toHaveLength(0);
    const [delivery] = await deliveries(t);
    expect(delivery.status).toBe('failed');
    expect(delivery.lastError).toMatch(/destination refused/);
  });

  it('the HTTP push provider is never sent to a name rebound to loopback', async () => {
    installRebindingResolver();
    const provider = new HttpPushProvider(`http://${REBINDING_HOST}:${port}/push`, async () => [newWebhookSecret()], {
      allowPrivate: false,
      timeoutMs: 2000,
    });
    const push = {
      id: 'p1',
      appId: t.appId,
      kind: 'custom' as const,
      users: ['alice'],
      devices: [],
      payload: { title: 'hi' },
    };
    await expect(provider.send(push)).rejects.toThrow(/loopback or private/);
    expect(receiver.received).toHaveLength(0);
  });
});

describe('item 13: redirects are never followed', () => {
  let t: TestApp;
  let target: WebhookReceiver;
  beforeAll(async () => {
    // Private destinations allowed here, so that both receivers can be on loopback: the redirect is
    // refused as a redirect, whatever its target.
    t = await buildTestApp({ webhooks: { allowPrivate: true, maxAttempts: 3, retryBaseMs: 30, timeoutMs: 2000 } });
    target = await new WebhookReceiver().start();
    await t.createUser('alice');
  });
  afterAll(async () => {
    await t.close();
    await target.stop();
  });

  it('a 3xx answer is a failed delivery and its Location is not requested', async () => {
    const { createServer } = await import('node:http');
    const redirector = createServer((_request, response) =>
      response.writeHead(307, { location: `${target.url}/stolen` }).end(),
    );
    await new Promise<void>((resolve) => redirector.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(redirector.address() as any).port}/hook`;
    await createRoom(t, { _id: 'redirected', members: ['alice'], webhook: url });
    await settle(t);
    await sleep(100);
    redirector.close();
    expect(target.received).toHaveLength(0);
    const [delivery] = await deliveries(t);
    expect(delivery.status).toBe('failed');
    expect(delivery.lastStatus).toBe(307);
  });
});
