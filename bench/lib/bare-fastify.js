// Baseline: a bare Fastify route returning a fixed JSON body (no auth, no rate limit, no database).
// With BARE_HEADERS=1 it also sends the response headers Parley's contract adds (rate-limit
// headers and X-Request-Id), to tell their cost apart from the cost of authentication.
import Fastify from 'fastify';

const body = process.env.BARE_BODY ?? '{}';
const withHeaders = process.env.BARE_HEADERS === '1';
let count = 0;
const app = Fastify({ logger: false });
app.get('/admin/clients', async (_request, reply) => {
  if (withHeaders) {
    reply.header('RateLimit-Policy', '10000000;w=60');
    reply.header('RateLimit', 'limit=10000000, remaining=9999999, reset=60');
    reply.header('X-RateLimit-Limit', '10000000');
    reply.header('X-RateLimit-Remaining', '9999999');
    reply.header('X-RateLimit-Reset', String(Math.ceil(Date.now() / 1000) + 60));
    reply.header('X-Request-Id', `bench-${++count}`);
  }
  return reply.type('application/json; charset=utf-8').send(body);
});
const address = await app.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(`listening ${address}\n`);
process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
