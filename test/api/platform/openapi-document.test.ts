import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, onPostgres, testRedisUrl, type TestApp } from '../../helpers/test-app.js';
import { shapeB } from '../../helpers/errors.js';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../../..');
const CLIENT_DIR = join(ROOT, 'test/openapi-client');
const GENERATED = join(CLIENT_DIR, 'generated/parley-api.ts');
const bin = (path: string) => join(ROOT, path);

interface Media {
  schema?: { $ref?: string };
  example?: unknown;
  examples?: Record<string, { value: unknown }>;
}
interface Operation {
  operationId?: string;
  summary?: string;
  description?: string;
  requestBody?: { content: Record<string, Media> };
  responses: Record<string, { content?: Record<string, Media> }>;
}
interface Document {
  servers: { url: string }[];
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown> };
}

/** test/openapi-client/calls.ts, typed here by hand: the project's typecheck must not follow it into generated types. */
interface Calls {
  createUserThenReadIt(
    parley: Parley,
    userId: string,
  ): Promise<{ status: number[]; token: string | undefined; nickname: string | undefined }>;
  listRoomsAsUser(parley: Parley, token: string): Promise<unknown>;
  refusals(parley: Parley): Promise<Record<'missing' | 'refused', unknown>>;
}
interface Parley {
  baseUrl: string;
  apiKey: string;
  clientKey: string;
}

const ERROR_REFS = ['KeyLayerError', 'EndpointError', 'ErrorBody'].map((name) => `#/components/schemas/${name}`);

// The document does not depend on the storage: one run (the SQLite project) lints it and builds the client.
describe.skipIf(onPostgres || testRedisUrl !== undefined)('the OpenAPI document', () => {
  let t: TestApp;
  let doc: Document;
  let dir: string;
  let file: string;

  beforeAll(async () => {
    t = await buildTestApp({ publicUrl: 'https://chat.example.org' });
    doc = (await t.app.inject({ method: 'GET', url: '/openapi.json', remoteAddress: '127.0.0.1' })).json();
    dir = mkdtempSync(join(tmpdir(), 'parley-openapi-'));
    file = join(dir, 'openapi.json');
    writeFileSync(file, JSON.stringify(doc));
  });
  afterAll(async () => {
    await t?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const operations = () =>
    Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.entries(item).map(([method, operation]) => ({ name: `${method.toUpperCase()} ${path}`, operation })),
    );

  it('passes Redocly’s recommended rules with no error and no warning', async () => {
    const { stdout } = await run(
      bin('node_modules/.bin/redocly'),
      ['lint', file, '--config', join(ROOT, 'redocly.yaml'), '--format', 'json', '--max-problems', '1000'],
      { cwd: ROOT, env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' } },
    ).catch((failure: { stdout?: string }) => ({ stdout: failure.stdout ?? '' }));
    const report = JSON.parse(stdout) as { totals: { errors: number; warnings: number }; problems: unknown[] };
    expect(report.problems).toStrictEqual([]);
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
  }, 60_000); // the Redocly CLI starts slowly on a loaded machine

  it('names, describes and gives error responses to every operation', () => {
    const ids = new Set<string>();
    for (const { name, operation } of operations()) {
      expect(operation.operationId, name).toMatch(/^[a-z][A-Za-z0-9]*$/);
      expect(ids.has(operation.operationId as string), `${name}: ${operation.operationId} is unique`).toBe(false);
      ids.add(operation.operationId as string);
      expect(operation.summary, name).toEqual(expect.any(String));
      expect(operation.description, name).toMatch(/\*\*Who may call:\*\*/);
      const errors = Object.entries(operation.responses).filter(([status]) => /^[45]/.test(status));
      expect(errors.length, `${name} has error responses`).toBeGreaterThan(0);
      for (const [status, response] of errors) {
        const media = response.content?.['application/json'];
        if (name === 'GET /readyz' && status === '503') continue; // its own body: the failing check
        expect(ERROR_REFS, `${name} ${status}`).toContain(media?.schema?.$ref);
        expect(Object.keys(media?.examples ?? {}).length, `${name} ${status} examples`).toBeGreaterThan(0);
      }
      const success = Object.entries(operation.responses).find(([status]) => status.startsWith('2'))?.[1];
      const json = success?.content?.['application/json'];
      if (json?.schema) expect(json.example, `${name} success example`).toBeDefined();
      const body = operation.requestBody?.content['application/json'];
      if (body) expect(body.example, `${name} request example`).toBeDefined();
    }
    // The main calls keep the names clients are generated with.
    for (const id of ['upsertUser', 'getUser', 'listRooms', 'createRoom', 'sendMessage', 'createApiKey'])
      expect(ids, id).toContain(id);
  });

  it('names its component schemas and serves from PUBLIC_URL', () => {
    const names = Object.keys(doc.components.schemas);
    expect(names.filter((name) => name.startsWith('def-'))).toStrictEqual([]);
    expect(names).toEqual(expect.arrayContaining(['KeyLayerError', 'EndpointError', 'ErrorBody', 'User', 'Room']));
    expect(doc.servers).toStrictEqual([{ url: 'https://chat.example.org', description: 'This server' }]);
    const room = doc.paths['/rooms/{id}']?.get?.responses['200']?.content?.['application/json']?.schema;
    expect(JSON.stringify(room)).toContain('#/components/schemas/Room');
  });

  it('documents the error bodies the server sends', async () => {
    const examples = (path: string, method: string, status: string) =>
      doc.paths[path]?.[method]?.responses[status]?.content?.['application/json']?.examples ?? {};
    const noKey = await t.app.inject({ method: 'GET', url: '/admin/clients', remoteAddress: '127.0.0.1' });
    expect(noKey.statusCode).toBe(401);
    expect(noKey.json()).toStrictEqual(examples('/admin/clients', 'get', '401').MISSING_API_KEY?.value);
    const missing = await t.admin('GET', '/admin/clients/nobody-by-this-id');
    expect(missing.statusCode).toBe(404);
    const documented = examples('/admin/clients/{id}', 'get', '404').CLIENT_NOT_FOUND?.value;
    expect(missing.json()).toStrictEqual({ ...(documented as object), error: missing.json().error });
    expect(missing.json().error.code).toBe('CLIENT_NOT_FOUND');
  });

  it('generates a typed client that compiles and calls the server', async () => {
    mkdirSync(join(CLIENT_DIR, 'generated'), { recursive: true });
    await run(bin('test/openapi-client/generator/node_modules/.bin/openapi-typescript'), [file, '-o', GENERATED], {
      cwd: ROOT,
    });
    await run(bin('node_modules/.bin/tsc'), ['-p', join(CLIENT_DIR, 'tsconfig.json')], { cwd: ROOT }).catch(
      (failure: { stdout?: string }) => {
        throw new Error(`the generated client does not typecheck:\n${failure.stdout}`);
      },
    );

    const base = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const parley: Parley = { baseUrl: base, apiKey: t.apiKey, clientKey: t.clientKey };
    const calls = (await import(join(CLIENT_DIR, 'calls.ts'))) as Calls;

    const user = await calls.createUserThenReadIt(parley, 'typed-client');
    expect(user.status).toStrictEqual([200, 200]);
    expect(user.nickname).toBe('Typed Client');
    expect(user.token).toEqual(expect.any(String));

    expect((await t.admin('POST', '/rooms', { _id: 'typed-room', members: ['typed-client'] })).statusCode).toBe(200);
    const rooms = await calls.listRoomsAsUser(parley, user.token as string);
    expect(rooms).toStrictEqual({ status: 200, totalCount: 1, ids: ['typed-room'] });

    const refusals = await calls.refusals(parley);
    expect(refusals.missing).toStrictEqual({
      status: 404,
      code: 'CLIENT_NOT_FOUND',
      body: shapeB(404, 'Not Found', 'CLIENT_NOT_FOUND', expect.any(String)),
    });
    expect(refusals.refused).toStrictEqual({
      status: 401,
      code: 'INVALID_API_KEY',
      body: { error: 'INVALID_API_KEY', message: 'The provided API key is invalid or expired' },
    });
  }, 60_000); // generating and typechecking a client: two tool processes, slow on a loaded machine
});
