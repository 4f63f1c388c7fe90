import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../../src/config/config.js';
import { operatorSession, type OperatorSession } from '../../helpers/operators.js';
import { buildTestApp, type TestApp } from '../../helpers/test-app.js';
import { httpRequest } from '../../helpers/realtime-tools.js';

const ALLOWED = 'https://chat.example.com';
const OTHER = 'https://elsewhere.example.org';

/** A started app, a user's token and a signed-in operator, to call each kind of route from a browser origin. */
async function browserScene(corsOrigins: Config['corsOrigins']) {
  const t = await buildTestApp({ corsOrigins });
  const token = await t.createUser('alice');
  const operator = await operatorSession(t, 'ops');
  return { t, token, operator };
}

type Scene = Awaited<ReturnType<typeof browserScene>>;

const preflight = (t: TestApp, url: string, method: string, headers: string, origin: string) =>
  t.app.inject({
    method: 'OPTIONS',
    url,
    remoteAddress: '127.0.0.1',
    headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': headers },
  });

/**
 * The same calls a page would make: a client route, admin routes (one outside /admin), an operator
 * route (which refuses a foreign Origin itself, 403: its cookie is never sent cross-site), a probe.
 */
const calls = {
  client: ({ t, token }: Scene, origin: string) =>
    t.app.inject({
      method: 'GET',
      url: '/me',
      remoteAddress: '127.0.0.1',
      headers: { origin, 'im-client-key': t.clientKey, 'im-authorization': token },
    }),
  admin: ({ t }: Scene, origin: string) => t.admin('GET', '/admin/clients', undefined, { origin }),
  adminElsewhere: ({ t }: Scene, origin: string) => t.admin('POST', '/config', { theme: 'dark' }, { origin }),
  operator: ({ t, operator }: Scene, origin: string) =>
    t.app.inject({
      method: 'GET',
      url: '/dashboard/api/session',
      remoteAddress: '127.0.0.1',
      headers: { origin, cookie: (operator as OperatorSession).cookie },
    }),
  probe: ({ t }: Scene, origin: string) => t.app.inject({ method: 'GET', url: '/healthz', headers: { origin } }),
};

const preflights = {
  client: (t: TestApp, origin: string) =>
    preflight(t, '/rooms/r1/message', 'POST', 'im-client-key,content-type', origin),
  admin: (t: TestApp, origin: string) => preflight(t, '/admin/clients', 'POST', 'im-api-key,content-type', origin),
  // POST /config is an admin route; GET /config (same path) a client one.
  adminElsewhere: (t: TestApp, origin: string) => preflight(t, '/config', 'POST', 'im-api-key,content-type', origin),
  clientSamePath: (t: TestApp, origin: string) => preflight(t, '/config', 'GET', 'im-client-key', origin),
  operator: (t: TestApp, origin: string) => preflight(t, '/dashboard/api/logout', 'POST', 'x-csrf-token', origin),
};

const allowOrigin = (response: LightMyRequestResponse) => response.headers['access-control-allow-origin'];
const answered = (response: LightMyRequestResponse) => response.statusCode >= 200 && response.statusCode < 300;

describe('CORS without CORS_ORIGINS: client routes open to any origin, admin and dashboard routes to none', () => {
  let scene: Scene;
  beforeAll(async () => {
    scene = await browserScene(undefined);
  });
  afterAll(() => scene.t.close());

  it('answers the preflights of client routes for any origin, and no other', async () => {
    for (const response of [await preflights.client(scene.t, OTHER), await preflights.clientSamePath(scene.t, OTHER)]) {
      expect(response.statusCode).toBe(204);
      expect(allowOrigin(response)).toBe('*');
      expect(String(response.headers['access-control-allow-headers'])).toContain('im-client-key');
    }
    for (const response of [
      await preflights.admin(scene.t, OTHER),
      await preflights.adminElsewhere(scene.t, OTHER),
      await preflights.operator(scene.t, OTHER),
    ]) {
      expect(answered(response), response.body).toBe(false);
      expect(allowOrigin(response)).toBeUndefined();
      expect(response.headers['access-control-allow-methods']).toBeUndefined();
      expect(response.headers['access-control-allow-headers']).toBeUndefined();
    }
  });

  it('lets any page read client answers, and no page read admin or dashboard answers', async () => {
    expect(allowOrigin(await calls.client(scene, OTHER))).toBe('*');
    expect(allowOrigin(await calls.probe(scene, OTHER))).toBe('*');
    for (const call of [calls.admin, calls.adminElsewhere, calls.operator]) {
      const response = await call(scene, OTHER);
      expect(response.statusCode, response.body).toBe(call === calls.operator ? 403 : 200);
      expect(allowOrigin(response)).toBeUndefined();
    }
    // Unknown admin paths and failed admin calls alike.
    expect(
      allowOrigin(await scene.t.app.inject({ method: 'GET', url: '/admin/nothing', headers: { origin: OTHER } })),
    ).toBeUndefined();
    const refused = await scene.t.app.inject({ method: 'GET', url: '/admin/clients', headers: { origin: OTHER } });
    expect(refused.statusCode).toBe(401);
    expect(allowOrigin(refused)).toBeUndefined();
  });
});

describe('CORS with CORS_ORIGINS naming origins: those origins only, on every route', () => {
  let scene: Scene;
  beforeAll(async () => {
    scene = await browserScene([ALLOWED]);
  });
  afterAll(() => scene.t.close());

  it('answers the preflights of every route for a named origin, and none for another', async () => {
    for (const ask of Object.values(preflights)) {
      const allowed = await ask(scene.t, ALLOWED);
      expect(allowed.statusCode, allowed.body).toBe(204);
      expect(allowOrigin(allowed)).toBe(ALLOWED);
      expect(String(allowed.headers.vary)).toMatch(/origin/i);
      const other = await ask(scene.t, OTHER);
      expect(answered(other)).toBe(false);
      expect(allowOrigin(other)).toBeUndefined();
    }
  });

  it('names the calling origin on every answer when it is allowed, and keeps caches apart per origin', async () => {
    for (const call of Object.values(calls)) {
      const status = call === calls.operator ? 403 : 200;
      const allowed = await call(scene, ALLOWED);
      expect(allowed.statusCode, allowed.body).toBe(status);
      expect(allowOrigin(allowed)).toBe(ALLOWED);
      expect(String(allowed.headers.vary)).toMatch(/origin/i);
      const other = await call(scene, OTHER);
      expect(other.statusCode).toBe(status);
      expect(allowOrigin(other)).toBeUndefined();
      expect(String(other.headers.vary)).toMatch(/origin/i);
    }
  });

  it('lets only the named origins poll the real-time endpoint (socket.io long-polling)', async () => {
    const url = await scene.t.app.listen({ port: 0, host: '127.0.0.1' });
    const handshake = (origin: string) =>
      httpRequest(`${url}/socket.io/?EIO=3&transport=polling&t=Ncors`, { headers: { Origin: origin } });
    const allowed = await handshake(ALLOWED);
    expect(allowed.status).toBe(200);
    expect(allowed.headers['access-control-allow-origin']).toBe(ALLOWED);
    expect(allowed.headers['access-control-allow-credentials']).toBe('true');
    expect((await handshake(OTHER)).headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('CORS with CORS_ORIGINS=*: any origin, admin and dashboard routes included', () => {
  let scene: Scene;
  beforeAll(async () => {
    scene = await browserScene('*');
  });
  afterAll(() => scene.t.close());

  it('answers every preflight and every call with *', async () => {
    for (const ask of Object.values(preflights)) {
      const response = await ask(scene.t, OTHER);
      expect(response.statusCode).toBe(204);
      expect(allowOrigin(response)).toBe('*');
    }
    for (const call of Object.values(calls)) expect(allowOrigin(await call(scene, OTHER))).toBe('*');
  });
});
