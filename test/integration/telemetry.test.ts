import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callServer, type ServerProcess, startServer } from '../helpers/server-process.js';
import { freshDatabase, onPostgres, testRedisUrl } from '../helpers/test-app.js';
import { WebhookReceiver } from '../helpers/webhook-receiver.js';

/** One span as OTLP/JSON carries it, with its attributes flattened and its resource's service name. */
interface Span {
  scope: string;
  name: string;
  kind: number;
  traceId: string;
  service: unknown;
  attributes: Record<string, unknown>;
}

const SERVER_KIND = 2;
const PROBE = fileURLToPath(new URL('../helpers/otel-modules-probe.mjs', import.meta.url));

type OtlpAttribute = { key: string; value: Record<string, unknown> };
const flatten = (attributes: OtlpAttribute[] = []) =>
  Object.fromEntries(attributes.map(({ key, value }) => [key, Object.values(value)[0]]));

/** What the receiver got on the OTLP path (it also takes the webhook deliveries of one test). */
const tracesOf = (receiver: WebhookReceiver) => receiver.received.filter((request) => request.path === '/v1/traces');

function spansOf(receiver: WebhookReceiver): Span[] {
  return tracesOf(receiver)
    .flatMap((request) => request.json.resourceSpans)
    .flatMap((resourceSpans: any) =>
      resourceSpans.scopeSpans.flatMap((scopeSpans: any) =>
        scopeSpans.spans.map((span: any) => ({
          scope: scopeSpans.scope.name,
          name: span.name,
          kind: span.kind,
          traceId: span.traceId,
          service: flatten(resourceSpans.resource.attributes)['service.name'],
          attributes: flatten(span.attributes),
        })),
      ),
    );
}

/** The probe's count, printed at exit; stderr may arrive just after the exit event. */
async function sdkModulesLoaded(server: ServerProcess): Promise<number> {
  for (let attempt = 0; attempt < 40; attempt++) {
    const line = server.stderr.find((entry) => entry.startsWith('otel-sdk-modules-loaded '));
    if (line) return Number(line.split(' ')[1]);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`the probe printed nothing: ${server.stderr.join('\n')}`);
}

describe('OpenTelemetry traces (issue 13)', () => {
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    receiver = await new WebhookReceiver().start();
  });
  afterAll(() => receiver.stop());

  it('exports request, PostgreSQL and Redis spans over OTLP, flushed at SIGTERM, with no secret in them', async () => {
    receiver.received.length = 0;
    const storage = await freshDatabase();
    const databasePassword = `db-secret-${randomBytes(6).toString('hex')}`;
    const databaseUrl = new URL(storage.databaseUrl);
    // PostgreSQL trusts local connections here: the password is sent, ignored, and must not be traced.
    if (onPostgres) databaseUrl.password = databasePassword;
    const server = await startServer({
      DATABASE_URL: onPostgres ? databaseUrl.toString() : storage.databaseUrl,
      ...(testRedisUrl
        ? { REDIS_URL: testRedisUrl, REDIS_PREFIX: `parley-otel:${randomBytes(4).toString('hex')}:` }
        : {}),
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      // Nothing leaves before the shutdown: the spans received prove the flush at SIGTERM.
      OTEL_BSP_SCHEDULE_DELAY: '600000',
      NODE_OPTIONS: `--import=${PROBE}`,
      PARLEY_WEBHOOK_ALLOW_PRIVATE: '1',
    });
    const { apiKey, clientKey } = server.banner!;
    const signature = `sig-${randomBytes(8).toString('hex')}`;
    const webhookSecret = `hook-${randomBytes(8).toString('hex')}`;
    let token = '';
    try {
      const created = await callServer(
        server,
        'POST',
        `/admin/clients?signature=${signature}`,
        { 'im-api-key': apiKey },
        {
          _id: 'alice',
          issueAccessToken: true,
        },
      );
      expect(created.status).toBe(200);
      token = created.body.result.token;
      const me = await callServer(server, 'GET', '/me', { 'im-client-key': clientKey, 'im-authorization': token });
      expect(me.status).toBe(200);
      await callServer(server, 'GET', '/healthz', {});
      // A webhook URL can hold a secret in its path; its deliveries (outgoing HTTP) are not traced.
      const admin = { 'im-api-key': apiKey };
      const room = { _id: 'hooked', members: ['alice'], webhook: `${receiver.url}/hook/${webhookSecret}` };
      expect((await callServer(server, 'POST', '/rooms', admin, room)).status).toBe(200);
      const message = { room: 'hooked', sender: 'alice', message: 'hi', messageType: 'text' };
      expect((await callServer(server, 'POST', '/messages', admin, message)).status).toBe(200);
      await receiver.waitFor(1);
      expect(receiver.received.map((request) => request.path)).toContain(`/hook/${webhookSecret}`);
      expect(tracesOf(receiver), 'nothing is sent before the batch is due').toEqual([]);
    } finally {
      expect(await server.stop('SIGTERM')).toBe(0);
    }

    const spans = spansOf(receiver);
    const serverSpan = spans.find(
      (span) => span.kind === SERVER_KIND && span.attributes['http.route'] === '/admin/clients',
    );
    expect(serverSpan, JSON.stringify(spans.map((span) => span.name))).toMatchObject({
      scope: '@opentelemetry/instrumentation-http',
      service: 'parley',
      attributes: {
        'http.request.method': 'POST',
        'http.response.status_code': 200,
        'url.query': 'signature=REDACTED',
      },
    });
    const meTrace = spans.find((span) => span.kind === SERVER_KIND && span.attributes['http.route'] === '/me')?.traceId;
    expect(meTrace).toBeDefined();
    // Fastify's own spans (its hooks and the handler) join the request's trace.
    expect(spans.some((span) => span.scope === '@fastify/otel' && span.traceId === meTrace)).toBe(true);
    expect(
      spans.some((span) => span.attributes['url.path'] === '/healthz'),
      'probes are not traced',
    ).toBe(false);
    const within = (system: string) =>
      spans.filter((span) => span.attributes['db.system.name'] === system && span.traceId === serverSpan!.traceId);
    if (onPostgres) expect(within('postgresql').map((span) => span.attributes['db.query.text'])).toContain('begin');
    // Every keyed request counts against the key's budget in Redis.
    if (testRedisUrl) expect(within('redis').length).toBeGreaterThan(0);

    const sent = tracesOf(receiver)
      .map((request) => request.body)
      .join('\n');
    for (const secret of [apiKey, clientKey, token, signature, databasePassword, webhookSecret])
      expect(sent).not.toContain(secret);
    expect(await sdkModulesLoaded(server)).toBeGreaterThan(0);
    await storage.dispose();
  });

  it('loads no part of the SDK and sends nothing when OTEL_EXPORTER_OTLP_ENDPOINT is unset', async () => {
    receiver.received.length = 0;
    const storage = await freshDatabase();
    const server = await startServer({
      DATABASE_URL: storage.databaseUrl,
      // Were the SDK started anyway, it would read these and send here.
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.url}/v1/traces`,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '10',
      NODE_OPTIONS: `--import=${PROBE}`,
    });
    try {
      const { apiKey } = server.banner!;
      expect((await callServer(server, 'GET', '/admin/clients', { 'im-api-key': apiKey })).status).toBe(200);
    } finally {
      expect(await server.stop('SIGTERM')).toBe(0);
    }
    expect(await sdkModulesLoaded(server)).toBe(0);
    expect(receiver.received).toEqual([]);
    expect(server.stdout.join('\n')).not.toContain('tracing on');
    await storage.dispose();
  });
});
