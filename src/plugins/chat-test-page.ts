import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { CHAT_TEST_CSS, CHAT_TEST_HTML } from './chat-test/page-html.js';
import { CHAT_TEST_SCRIPT } from './chat-test/page-script.js';

/** Only this server's own files and connections: no inline code, no other origin, no framing. */
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

function send(reply: FastifyReply, type: string, body: string): FastifyReply {
  return reply
    .type(type)
    .header('content-security-policy', CONTENT_SECURITY_POLICY)
    .header('x-content-type-options', 'nosniff')
    .header('x-frame-options', 'DENY')
    .header('referrer-policy', 'no-referrer')
    .header('cache-control', 'no-cache')
    .send(body);
}

/**
 * `GET /chat-test` (history 11.6): a debugging page to paste a client key and a token, connect,
 * join a room and exchange messages. It is a page, not an API operation, and holds no secret.
 */
const chatTestPage: FastifyPluginAsync = async (app) => {
  const config = { auth: 'public' } as const;
  const schema = { hide: true };
  app.get('/chat-test', { config, schema }, (_request, reply) =>
    send(reply, 'text/html; charset=utf-8', CHAT_TEST_HTML),
  );
  app.get('/chat-test/app.js', { config, schema }, (_request, reply) =>
    send(reply, 'text/javascript; charset=utf-8', CHAT_TEST_SCRIPT),
  );
  app.get('/chat-test/style.css', { config, schema }, (_request, reply) =>
    send(reply, 'text/css; charset=utf-8', CHAT_TEST_CSS),
  );
};

export default chatTestPage;
