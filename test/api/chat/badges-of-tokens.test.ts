import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InjectOptions } from 'fastify';
import { expectOk, sleep } from '../../helpers/expect.js';
import { createRoom } from '../../helpers/factories.js';
import { secondApp } from '../../helpers/realtime-suite.js';
import { buildTestApp, type TestApp } from '../../helpers/test-app.js';

/**
 * `POST /badges` ([hist] 8.2): the total badges of several users, named by their tokens in the
 * body; the client key alone authenticates the call (or the API key, spec 12 item 10).
 */

const FAR_FUTURE = '2099-01-01T00:00:00Z';

describe('POST /badges: badges of several users by token (history 8.2)', () => {
  let t: TestApp;
  let other: Awaited<ReturnType<typeof secondApp>>;
  const tokens: Record<string, string> = {};

  const post = (headers: Record<string, string>, body: unknown, remoteAddress = '127.0.0.1') =>
    t.app.inject({
      method: 'POST',
      url: '/badges',
      headers: { ...headers, 'content-type': 'application/json' },
      payload: JSON.stringify(body),
      remoteAddress,
    } as InjectOptions);
  const badgesOf = async (body: unknown) => expectOk(await post({ 'im-client-key': t.clientKey }, body));
  const myBadge = async (user: string) => expectOk(await t.asUser(tokens[user]!, 'GET', '/me/badge')).badge;

  beforeAll(async () => {
    t = await buildTestApp();
    for (const id of ['ann', 'ben', 'cat', 'dan']) tokens[id] = await t.createUser(id, { nickname: `Nick ${id}` });
    // Ben sends: ann has 3 unread (2 + 1 in two rooms), cat 2, dan none; ben never counts his own.
    await createRoom(t, { _id: 'bt-one', members: ['ann', 'ben', 'cat'] });
    await createRoom(t, { _id: 'bt-two', members: ['ann', 'ben'] });
    for (const room of ['bt-one', 'bt-one', 'bt-two'])
      expectOk(await t.admin('POST', '/messages', { room, sender: 'ben', message: 'hi', messageType: 'text' }));
    // A second application with its own ann (nothing unread there).
    other = await secondApp(t, 'ann');
  });
  afterAll(() => t.close());

  it('answers {data: [{client, badge}], totalBadge} in the order of the tokens, with the client key alone', async () => {
    const result = await badgesOf({ tokens: [tokens.cat, tokens.ann, tokens.dan, tokens.ben] });
    expect(result).toStrictEqual({
      data: [
        { client: 'cat', badge: 2 },
        { client: 'ann', badge: 3 },
        { client: 'dan', badge: 0 },
        { client: 'ben', badge: 0 },
      ],
      totalBadge: 5,
    });
    // Each badge is the user's own GET /me/badge.
    for (const entry of result.data) expect(entry.badge, entry.client).toBe(await myBadge(entry.client));
    const response = await post({ 'im-client-key': t.clientKey }, { tokens: [tokens.ann] });
    expect(response.json()).toStrictEqual({
      RC: 0,
      RM: 'OK',
      result: { data: [{ client: 'ann', badge: 3 }], totalBadge: 3 },
    });
    expect(await badgesOf({ tokens: [] })).toStrictEqual({ data: [], totalBadge: 0 });
  });

  it('accepts the legacy CLIENT_KEY header; a user token in the headers is not read', async () => {
    const legacy = expectOk(await post({ client_key: t.clientKey }, { tokens: [tokens.cat] }));
    expect(legacy).toStrictEqual({ data: [{ client: 'cat', badge: 2 }], totalBadge: 2 });
    // Dan's token in the headers names nobody: only the body's tokens count.
    const withHeader = expectOk(
      await post({ 'im-client-key': t.clientKey, 'im-authorization': tokens.dan! }, { tokens: [tokens.ann] }),
    );
    expect(withHeader).toStrictEqual({ data: [{ client: 'ann', badge: 3 }], totalBadge: 3 });
    // A broken token in the headers does not refuse the call either.
    const broken = await post({ 'im-client-key': t.clientKey, 'im-authorization': 'nonsense' }, { tokens: [] });
    expect(broken.statusCode).toBe(200);
  });

  it('leaves out unknown, expired, revoked and other applications’ tokens, and names each user once', async () => {
    // A second token of ann, an integrator-chosen one, and one about to expire.
    const annAgain = expectOk(await t.admin('POST', '/admin/clients', { _id: 'ann', issueAccessToken: true })).token;
    expectOk(
      await t.admin('PUT', '/admin/clients/cat/token', { token: 'cat-chosen-token', expirationDate: FAR_FUTURE }),
    );
    const soon = new Date(Date.now() + 300).toISOString();
    expectOk(await t.admin('PUT', '/admin/clients/dan/token', { token: 'dan-short-token', expirationDate: soon }));
    const revoked = expectOk(await t.admin('POST', '/admin/clients', { _id: 'dan', issueAccessToken: true })).token;
    expect((await t.admin('DELETE', '/admin/clients/dan/token', { token: revoked })).statusCode).toBe(200);
    await sleep(350);

    const result = await badgesOf({
      tokens: [
        'no-such-token',
        tokens.ann,
        'dan-short-token',
        revoked,
        other.token,
        annAgain,
        'cat-chosen-token',
        tokens.ann,
        `${tokens.cat}x`,
      ],
    });
    expect(result).toStrictEqual({
      data: [
        { client: 'ann', badge: 3 },
        { client: 'cat', badge: 2 },
      ],
      totalBadge: 5,
    });
    // With the second application's client key only its own token counts (its ann has nothing unread).
    const asOther = expectOk(await post({ 'im-client-key': other.clientKey }, { tokens: [tokens.ann, other.token] }));
    expect(asOther).toStrictEqual({ data: [{ client: 'ann', badge: 0 }], totalBadge: 0 });
  });

  it('lets the API key in, with tokens of its own application only (spec 12 item 10)', async () => {
    const result = expectOk(await t.admin('POST', '/badges', { tokens: [tokens.ann, tokens.cat] }));
    expect(result).toStrictEqual({
      data: [
        { client: 'ann', badge: 3 },
        { client: 'cat', badge: 2 },
      ],
      totalBadge: 5,
    });
    expect(expectOk(await other.admin('POST', '/badges', { tokens: [tokens.ann, other.token] }))).toStrictEqual({
      data: [{ client: 'ann', badge: 0 }],
      totalBadge: 0,
    });
    // A key without messages:read is refused.
    const scoped = await t.createKey({ name: 'webhooks only', scopes: ['webhooks:read'] });
    const refused = await post({ 'im-api-key': scoped }, { tokens: [tokens.ann] });
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toStrictEqual({
      error: 'INSUFFICIENT_PERMISSIONS',
      message: 'API key does not have permission for this operation',
    });
  });

  it('refuses a call without the client key, with a wrong one, or with a user token alone', async () => {
    for (const [headers, status, error] of [
      [{}, 401, 'MISSING_CLIENT_KEY'],
      [{ 'im-authorization': tokens.ann! }, 401, 'MISSING_CLIENT_KEY'],
      [{ authorization: tokens.ann! }, 401, 'MISSING_CLIENT_KEY'],
      [{ 'im-client-key': 'ck_wrong' }, 403, 'INVALID_CLIENT_KEY'],
      [{ 'im-api-key': 'not-a-key-at-all-0123456789' }, 401, 'INVALID_API_KEY'],
    ] as const) {
      const response = await post(headers, { tokens: [tokens.ann] });
      expect(response.statusCode, JSON.stringify(headers)).toBe(status);
      expect(response.json().error, JSON.stringify(headers)).toBe(error);
    }
  });

  it('answers 400 INVALID_REQUEST for a body without a list of token strings, or with more than 20', async () => {
    const many = Array.from({ length: 21 }, (_, i) => `token-${i}`);
    for (const body of [{}, { tokens: 'one' }, { tokens: [1] }, { tokens: [null] }, { tokens: many }]) {
      const response = await post({ 'im-client-key': t.clientKey }, body);
      expect(response.statusCode, JSON.stringify(body)).toBe(400);
      expect(response.json().error.code, JSON.stringify(body)).toBe('INVALID_REQUEST');
    }
    const twenty = await badgesOf({ tokens: [...many.slice(2), tokens.ann] });
    expect(twenty.data).toStrictEqual([{ client: 'ann', badge: 3 }]);
  });
});

describe('POST /badges: tokens that fail count against the address', () => {
  let t: TestApp;
  let issued: string;

  beforeAll(async () => {
    t = await buildTestApp({ authFailuresPerMinute: 5 });
    issued = await t.createUser('eve');
    expectOk(
      await t.admin('PUT', '/admin/clients/eve/token', { token: 'eve-chosen-token', expirationDate: FAR_FUTURE }),
    );
  });
  afterAll(() => t.close());

  const post = (remoteAddress: string, tokens: string[]) =>
    t.app.inject({
      method: 'POST',
      url: '/badges',
      headers: { 'im-client-key': t.clientKey, 'content-type': 'application/json' },
      payload: JSON.stringify({ tokens }),
      remoteAddress,
    });

  it('counts each failing token as a failed authentication; a blocked address confirms only issued tokens', async () => {
    const guesses = ['guess-1', 'guess-2', 'guess-3', 'guess-4', 'guess-5'];
    expect(expectOk(await post('192.0.2.20', guesses))).toStrictEqual({ data: [], totalBadge: 0 });
    // The address is over its budget: a wrong credential in the headers is turned away now…
    const header = await t.app.inject({
      method: 'GET',
      url: '/me',
      headers: { 'im-client-key': t.clientKey, 'im-authorization': 'guess-6' },
      remoteAddress: '192.0.2.20',
    });
    expect(header.statusCode).toBe(429);
    // …and a guessable token in the body is not confirmed, while an issued one still is.
    expect(expectOk(await post('192.0.2.20', ['eve-chosen-token', 'guess-7']))).toStrictEqual({
      data: [],
      totalBadge: 0,
    });
    expect(expectOk(await post('192.0.2.20', [issued]))).toStrictEqual({
      data: [{ client: 'eve', badge: 0 }],
      totalBadge: 0,
    });
    // Another address is unaffected.
    expect(expectOk(await post('192.0.2.21', ['eve-chosen-token']))).toStrictEqual({
      data: [{ client: 'eve', badge: 0 }],
      totalBadge: 0,
    });
  });
});
