import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../helpers/test-app.js';
import { expectOk } from '../../helpers/expect.js';
import { authenticate, connect } from '../../helpers/socket-clients.js';
import { eventually, httpRequest, waitFor } from '../../helpers/realtime-tools.js';
import { createRoom } from '../../helpers/factories.js';
import { socketPool } from '../../helpers/realtime-suite.js';

function eio3Packets(payload: string): string[] {
  const packets: string[] = [];
  let rest = payload;
  while (rest.length > 0) {
    const colon = rest.indexOf(':');
    const length = Number(rest.slice(0, colon));
    if (colon < 1 || !Number.isInteger(length)) throw new Error(`not an EIO3 payload: ${payload.slice(0, 200)}`);
    packets.push(rest.slice(colon + 1, colon + 1 + length));
    rest = rest.slice(colon + 1 + length);
  }
  return packets;
}

describe('real-time: CORS and transports of long-polling (G1)', () => {
  let t: TestApp;
  let url: string;
  let token: string;
  const pool = socketPool();
  afterEach(() => pool.closeAll());

  beforeAll(async () => {
    t = await buildTestApp();
    token = await t.createUser('polly');
    await createRoom(t, { _id: 'poll-room', members: ['polly'] });
    url = await t.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    pool.closeAll();
    await t.close();
  });

  it('reflects the Origin with credentials on polling requests, and the whole G1 polling session works', async () => {
    for (const origin of ['http://app.example.test', 'https://other.example:8443']) {
      const handshake = await httpRequest(`${url}/socket.io/?EIO=3&transport=polling&t=Nabc`, {
        headers: { Origin: origin },
      });
      expect(handshake.status).toBe(200);
      expect(handshake.headers['access-control-allow-origin']).toBe(origin);
      expect(handshake.headers['access-control-allow-credentials']).toBe('true');
      // EIO3 payload framing: <length>:<packet>.
      const match = /^(\d+):0(\{.*\})$/.exec(handshake.body);
      expect(match, handshake.body).not.toBeNull();
      expect(Number(match![1])).toBe(match![2]!.length + 1);
      const open = JSON.parse(match![2]!);
      expect(open).toMatchObject({ sid: expect.any(String), upgrades: ['websocket'], pingTimeout: 8000 });
      expect(open.pingInterval).toBeLessThanOrEqual(5000);
      const session = `${url}/socket.io/?EIO=3&transport=polling&sid=${encodeURIComponent(open.sid)}`;

      const connected = await httpRequest(`${session}&t=Nabd`, { headers: { Origin: origin } });
      expect(connected.status).toBe(200);
      expect(connected.body).toBe('2:40');
      expect(connected.headers['access-control-allow-origin']).toBe(origin);
      expect(connected.headers['access-control-allow-credentials']).toBe('true');

      // The SDK's auth goes as a polling POST (text/plain) before the upgrade (realtime protocol 1.1).
      const packet = `420["auth",${JSON.stringify(token)}]`;
      const posted = await httpRequest(`${session}&t=Nabe`, {
        method: 'POST',
        headers: { Origin: origin, 'Content-Type': 'text/plain;charset=UTF-8' },
        body: `${packet.length}:${packet}`,
      });
      expect(posted.status).toBe(200);
      expect(posted.body).toBe('ok');
      expect(posted.headers['access-control-allow-origin']).toBe(origin);
      expect(posted.headers['access-control-allow-credentials']).toBe('true');
      // A following poll carries the ack, 430[{RC:0,…}]; a push (the `room` event of the auth) may come in
      // an earlier answer of its own, so up to five polls are read.
      const polled: string[] = [];
      let ack: string | undefined;
      for (let poll = 0; poll < 5 && ack === undefined; poll += 1) {
        const answer = await httpRequest(`${session}&t=Nabf${poll}`, { headers: { Origin: origin } });
        polled.push(answer.body);
        ack = eio3Packets(answer.body).find((frame) => frame.startsWith('430'));
      }
      expect(ack, polled.join('\n')).toBeDefined();
      expect(JSON.parse(ack!.slice(3))).toMatchObject([{ RC: 0, RM: 'OK', result: { _id: 'polly', client: 'polly' } }]);
      // Close the session (EIO3 close packet).
      await httpRequest(`${session}&t=Nabg`, {
        method: 'POST',
        headers: { Origin: origin, 'Content-Type': 'text/plain;charset=UTF-8' },
        body: '1:1',
      });
    }
  });

  it('answers the CORS preflight of a polling POST with the origin, credentials and the method', async () => {
    const origin = 'http://app.example.test';
    const preflight = await httpRequest(`${url}/socket.io/?EIO=3&transport=polling&t=Nxyz&sid=whatever`, {
      method: 'OPTIONS',
      headers: {
        Origin: origin,
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'content-type',
      },
    });
    expect(preflight.status).toBeGreaterThanOrEqual(200);
    expect(preflight.status).toBeLessThan(300);
    expect(preflight.headers['access-control-allow-origin']).toBe(origin);
    expect(preflight.headers['access-control-allow-credentials']).toBe('true');
    expect(String(preflight.headers['access-control-allow-methods']).split(',')).toEqual(
      expect.arrayContaining(['GET', 'POST']),
    );
    expect(String(preflight.headers['access-control-allow-headers']).toLowerCase()).toContain('content-type');
  });

  it('G1 starts on polling and upgrades to WebSocket; G2 and G3 use WebSocket from the start', async () => {
    const g1 = pool.add(await connect(url, 'G1'));
    expect(g1.raw.io.engine.transport.name).toBe('polling');
    // Authenticated on polling or during the upgrade, then pushes keep flowing over WebSocket.
    expect((await authenticate(g1, token, t.clientKey)).RC).toBe(0);
    await eventually(() => g1.raw.io.engine.transport.name === 'websocket', 3000, 'G1 upgrade to websocket');
    expectOk(
      await t.admin('POST', '/messages', {
        room: 'poll-room',
        sender: 'polly',
        message: 'after upgrade',
        messageType: 'text',
      }),
    );
    await waitFor(g1, 'chat message', (message) => message.message === 'after upgrade');
    for (const generation of ['G2', 'G3'] as const) {
      const socket = pool.add(await connect(url, generation));
      expect(socket.raw.io.engine.transport.name, generation).toBe('websocket');
    }
  });
});
