// Baseline: a bare Fastify route returning a fixed JSON body (no auth, no rate limit, no database).
import Fastify from 'fastify';

const body = process.env.BARE_BODY ?? '{}';
const app = Fastify({ logger: false });
app.get('/admin/clients', async (_request, reply) => reply.type('application/json; charset=utf-8').send(body));
const address = await app.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(`listening ${address}\n`);
process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
