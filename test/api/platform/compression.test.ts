import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../helpers/test-app.js';

let t: TestApp;
const USERS = 60;

beforeAll(async () => {
  t = await buildTestApp();
  // Enough users for a user list of several kilobytes (history 1.2 measured a large GET /rooms).
  for (let i = 0; i < USERS; i++)
    await t.admin('POST', '/admin/clients', { _id: `compress-user-${i}`, nickname: `Compressible user number ${i}` });
});
afterAll(() => t.close());

const listUrl = `/admin/clients?limit=${USERS}`;

describe('response compression (history 1.2)', () => {
  it('answers a large JSON body plain when no encoding is asked for', async () => {
    const response = await t.admin('GET', listUrl);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-encoding']).toBeUndefined();
    expect(response.rawPayload.length).toBeGreaterThan(4096);
    expect(response.json()).toHaveProperty('result');
  });

  it.each([
    ['gzip', gunzipSync],
    ['br', brotliDecompressSync],
    ['deflate', inflateSync],
  ] as const)('encodes a large JSON body with %s when asked, same JSON inside', async (encoding, decode) => {
    const plain = await t.admin('GET', listUrl);
    const response = await t.admin('GET', listUrl, undefined, { 'accept-encoding': encoding });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-encoding']).toBe(encoding);
    expect(String(response.headers.vary)).toMatch(/accept-encoding/i);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.rawPayload.length).toBeLessThan(plain.rawPayload.length / 2);
    expect(JSON.parse(decode(response.rawPayload).toString('utf8'))).toStrictEqual(plain.json());
  });

  it('honours q weights and refuses nothing for an encoding it lacks', async () => {
    const preferGzip = await t.admin('GET', listUrl, undefined, { 'accept-encoding': 'br;q=0.1, gzip;q=0.9' });
    expect(preferGzip.headers['content-encoding']).toBe('gzip');
    const identity = await t.admin('GET', listUrl, undefined, { 'accept-encoding': 'identity' });
    expect(identity.headers['content-encoding']).toBeUndefined();
    expect(identity.json()).toHaveProperty('result');
    const unknown = await t.admin('GET', listUrl, undefined, { 'accept-encoding': 'zstd-unknown' });
    expect(unknown.statusCode).toBe(200);
    expect(unknown.headers['content-encoding']).toBeUndefined();
  });

  it('leaves tiny bodies alone', async () => {
    const response = await t.admin('GET', '/admin/clients/compress-user-1', undefined, { 'accept-encoding': 'gzip' });
    expect(response.statusCode).toBe(200);
    expect(response.rawPayload.length).toBeLessThan(1024);
    expect(response.headers['content-encoding']).toBeUndefined();
  });

  it('compresses error answers in the same error shape', async () => {
    const response = await t.admin('GET', '/no-such-route', undefined, { 'accept-encoding': 'gzip' });
    expect(response.statusCode).toBe(404);
    // Small: sent plain, still the error shape.
    expect(response.json().error.code).toBe('NOT_FOUND');
  });
});
