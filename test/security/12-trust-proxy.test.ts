import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { io as ioV4 } from 'socket.io-client';
import { ConfigError, loadConfig } from '../../src/config/config.js';
import { buildTestApp, type TestApp } from '../helpers/test-app.js';

const PROXY = '127.0.0.1';
const CLIENT = '198.51.100.7';
const SPOOFED = '10.9.9.9';

/** TRUST_PROXY as an operator would write it, read by the real config loader. */
const trusting = (value: string | undefined) =>
  loadConfig(value === undefined ? {} : { TRUST_PROXY: value }).trustProxy;

describe("item 12: TRUST_PROXY accepts only a hop count or the proxies' addresses", () => {
  it('refuses "true" with a message saying what to use instead', () => {
    expect(() => loadConfig({ TRUST_PROXY: 'true' })).toThrow(ConfigError);
    expect(() => loadConfig({ TRUST_PROXY: 'true' })).toThrow(
      /TRUST_PROXY=true trusts every hop.*number of proxies.*addresses/s,
    );
  });

  it('reads a hop count and a list of addresses or CIDRs', () => {
    expect(trusting('1')).toBe(1);
    expect(trusting('2')).toBe(2);
    expect(trusting('false')).toBe(false);
    expect(trusting('0')).toBe(false);
    expect(trusting('00')).toBe(false);
    expect(() => loadConfig({ TRUST_PROXY: 'TRUE' })).toThrow(/trusts every hop/);
    expect(trusting('10.0.0.0/8, 127.0.0.1')).toBe('10.0.0.0/8,127.0.0.1');
    expect(trusting('loopback')).toBe('loopback');
    for (const bad of ['yes', '-1', '1.5', '10.0.0.0/33', 'proxy.local'])
      expect(() => loadConfig({ TRUST_PROXY: bad })).toThrow(ConfigError);
  });
});

describe("item 12: a client's own X-Forwarded-For passes no allow-list and escapes no budget", () => {
  // Each setting: where the request comes from, and what X-Forwarded-For the server then sees.
  const settings = [
    // Directly exposed: the header is the client's own, never used.
    {
      name: 'unset',
      trustProxy: trusting(undefined),
      from: CLIENT,
      forwardedFor: (spoofed: string) => spoofed,
      real: CLIENT,
    },
    // Behind one proxy that appends the address it saw ($proxy_add_x_forwarded_for).
    {
      name: 'hop count 1',
      trustProxy: trusting('1'),
      from: PROXY,
      forwardedFor: (spoofed: string) => `${spoofed}, ${CLIENT}`,
      real: CLIENT,
    },
    {
      name: "the proxy's address",
      trustProxy: trusting(PROXY),
      from: PROXY,
      forwardedFor: (spoofed: string) => `${spoofed}, ${CLIENT}`,
      real: CLIENT,
    },
    {
      name: "the proxy's CIDR",
      trustProxy: trusting('127.0.0.0/8'),
      from: PROXY,
      forwardedFor: (spoofed: string) => `${spoofed}, ${CLIENT}`,
      real: CLIENT,
    },
    // The proxy's address is trusted, but this client reaches the server directly.
    {
      name: "the proxy's address, client bypassing it",
      trustProxy: trusting(PROXY),
      from: CLIENT,
      forwardedFor: (spoofed: string) => spoofed,
      real: CLIENT,
    },
  ];

  for (const setting of settings) {
    describe(`TRUST_PROXY: ${setting.name}`, () => {
      let t: TestApp;
      // A fresh server per test: each starts with an empty failure budget.
      beforeEach(async () => {
        t = await buildTestApp({ trustProxy: setting.trustProxy, authFailuresPerMinute: 3 });
      });
      afterEach(async () => {
        await t?.close();
      });

      const send = (key: string, spoofed: string, url = '/admin/clients') =>
        t.app.inject({
          method: 'GET',
          url,
          remoteAddress: setting.from,
          headers: { 'im-api-key': key, 'x-forwarded-for': setting.forwardedFor(spoofed) },
        });

      it('an allow-list sees the real client address, not the spoofed one', async () => {
        const onlySpoofed = await t.createKey({ name: 'spoofed only', allowedIps: [SPOOFED] });
        expect((await send(onlySpoofed, SPOOFED)).statusCode).toBe(403);
        const onlyReal = await t.createKey({ name: 'real only', allowedIps: [setting.real] });
        expect((await send(onlyReal, SPOOFED)).statusCode).toBe(200);
      });

      it('changing the spoofed address on every guess does not escape the failed-login budget', async () => {
        const statuses: number[] = [];
        for (let i = 0; i < 6; i++)
          statuses.push((await send(`wrong-key-guess-${i}-xxxxxxxx`, `10.0.0.${i + 1}`)).statusCode);
        expect(statuses).toEqual([401, 401, 401, 429, 429, 429]);
      });
    });
  }
});

describe('item 12: the failed-login budget stops guesses, not the right credential', () => {
  let t: TestApp;
  const LOCKED = '203.0.113.5';
  const from = (ip: string, headers: Record<string, string>, url = '/admin/clients') =>
    t.app.inject({ method: 'GET', url, remoteAddress: ip, headers });

  beforeAll(async () => {
    t = await buildTestApp({ authFailuresPerMinute: 3 });
  });
  afterAll(async () => {
    await t?.close();
  });

  it("serves a correct key and a correct issued token from an address locked out by others' failures; guessing stays blocked", async () => {
    const token = await t.createUser('nat-neighbour');
    for (let i = 0; i < 3; i++)
      expect((await from(LOCKED, { 'im-api-key': `guess-${i}-xxxxxxxxxxxxxxxx` })).statusCode).toBe(401);
    const blocked = await from(LOCKED, { 'im-api-key': 'guess-again-xxxxxxxxxxxxxxxx' });
    expect(blocked.statusCode).toBe(429);
    expect(blocked.json()).toMatchObject({ error: 'RATE_LIMIT_EXCEEDED', retryAfter: expect.any(Number) });

    expect((await from(LOCKED, { 'im-api-key': t.apiKey })).statusCode).toBe(200);
    expect((await from(LOCKED, { 'im-client-key': t.clientKey, 'im-authorization': token }, '/me')).statusCode).toBe(
      200,
    );

    // Wrong guesses of every kind are still refused without saying whether they were right.
    expect((await from(LOCKED, { 'im-api-key': 'guess-more-xxxxxxxxxxxxxxxxx' })).statusCode).toBe(429);
    expect(
      (await from(LOCKED, { 'im-client-key': t.clientKey, 'im-authorization': 'guessed-token' }, '/me')).statusCode,
    ).toBe(429);
    expect((await from(LOCKED, { 'im-client-key': 'ck_guessed', 'im-authorization': token }, '/me')).statusCode).toBe(
      429,
    );
    // A generated key shape with a broken checksum is a guess too.
    const mangled = t.apiKey.slice(0, -2) + (t.apiKey.endsWith('AA') ? 'BB' : 'AA');
    expect((await from(LOCKED, { 'im-api-key': mangled })).statusCode).toBe(429);
    // Another address is not affected.
    expect((await from('203.0.113.6', { 'im-api-key': 'guess-elsewhere-xxxxxxxxxxxx' })).statusCode).toBe(401);
  });

  it('keeps refusing guessable credentials (integrator-chosen tokens) while the address is locked out', async () => {
    await t.createUser('chosen');
    expect(
      (
        await t.admin('PUT', '/admin/clients/chosen/token', {
          token: 'chosen-secret-1',
          expirationDate: Date.now() + 3_600_000,
        })
      ).statusCode,
    ).toBe(200);
    expect(
      (await from('203.0.113.8', { 'im-client-key': t.clientKey, 'im-authorization': 'chosen-secret-1' }, '/me'))
        .statusCode,
    ).toBe(200);
    for (let i = 0; i < 3; i++)
      await from('203.0.113.8', { 'im-client-key': t.clientKey, 'im-authorization': `chosen-secret-${i + 2}` }, '/me');
    // Served, this one would tell a guesser that it found the token.
    expect(
      (await from('203.0.113.8', { 'im-client-key': t.clientKey, 'im-authorization': 'chosen-secret-1' }, '/me'))
        .statusCode,
    ).toBe(429);
  });

  it('counts an IPv6 /64 as one address', async () => {
    for (let i = 0; i < 3; i++)
      expect((await from(`2001:db8:1:2::${i + 1}`, { 'im-api-key': `v6-guess-${i}-xxxxxxxxxxxxx` })).statusCode).toBe(
        401,
      );
    expect((await from('2001:db8:1:2:ffff::9', { 'im-api-key': 'v6-guess-next-xxxxxxxxxxxxx' })).statusCode).toBe(429);
    expect((await from('2001:db8:1:3::1', { 'im-api-key': 'v6-guess-other-xxxxxxxxxxxx' })).statusCode).toBe(401);
  });
});

describe('item 12: sockets take the client address by the same rules', () => {
  const connections: Array<{ close(): void }> = [];
  const servers: TestApp[] = [];
  afterAll(async () => {
    for (const socket of connections) socket.close();
    for (const server of servers) await server.close();
  });

  /** Signs in over socket.io with an X-Forwarded-For header and answers the address recorded for the login. */
  async function loginAddress(trustProxy: string | undefined, forwardedFor: string): Promise<string | undefined> {
    const t = await buildTestApp({ trustProxy: trusting(trustProxy) });
    servers.push(t);
    const token = await t.createUser('socket-user');
    const url = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const socket = ioV4(url, {
      forceNew: true,
      transports: ['websocket'],
      reconnection: false,
      extraHeaders: { 'x-forwarded-for': forwardedFor },
      auth: { token, clientKey: t.clientKey },
    });
    connections.push(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    });
    for (let i = 0; i < 100; i++) {
      const user = (await t.admin('GET', '/admin/clients/socket-user')).json().result as {
        address?: { address: string };
      };
      if (user.address) return user.address.address;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return undefined;
  }

  it("uses the forwarded address only from a trusted proxy, and never the client's own entries", async () => {
    expect(await loginAddress(undefined, CLIENT)).toMatch(/^(::ffff:)?127\.0\.0\.1$/);
    expect(await loginAddress(PROXY, `${SPOOFED}, ${CLIENT}`)).toBe(CLIENT);
    expect(await loginAddress('1', `${SPOOFED}, ${CLIENT}`)).toBe(CLIENT);
    expect(await loginAddress('10.0.0.0/8', CLIENT)).toMatch(/^(::ffff:)?127\.0\.0\.1$/);
  });

  it("counts a socket's failed sign-ins against the forwarded address, like HTTP", async () => {
    const t = await buildTestApp({ trustProxy: trusting(PROXY), authFailuresPerMinute: 2 });
    servers.push(t);
    const url = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const refusal = (forwardedFor: string) =>
      new Promise<unknown>((resolve) => {
        const socket = ioV4(url, {
          forceNew: true,
          transports: ['websocket'],
          reconnection: false,
          extraHeaders: { 'x-forwarded-for': forwardedFor },
          auth: { apiKey: 'wrong-socket-key-xxxxxxxx' },
        });
        connections.push(socket);
        socket.once('connect_error', (error: Error & { data?: unknown }) => resolve(error.data));
        socket.once('connect', () => resolve('connected'));
      });
    expect(await refusal(`${SPOOFED}, ${CLIENT}`)).toMatchObject({ error: 'INVALID_API_KEY' });
    expect(await refusal(`10.1.1.1, ${CLIENT}`)).toMatchObject({ error: 'INVALID_API_KEY' });
    expect(await refusal(`10.2.2.2, ${CLIENT}`)).toMatchObject({ error: 'RATE_LIMIT_EXCEEDED' });
    const http = (forwardedFor: string) =>
      t.app.inject({
        method: 'GET',
        url: '/admin/clients',
        remoteAddress: PROXY,
        headers: { 'im-api-key': 'wrong-http-key-xxxxxxxxx', 'x-forwarded-for': forwardedFor },
      });
    expect((await http(CLIENT)).statusCode).toBe(429);
    expect((await http('198.51.100.8')).statusCode).toBe(401);
  });
});
