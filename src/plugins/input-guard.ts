import fp from 'fastify-plugin';
import { assertSafeInput } from '../shared/input-guard.js';

/** Headers whose values handlers use as data (ids); the rest are never stored or queried. */
const DATA_HEADERS = ['im-client-id', 'im-device-id'];

/**
 * One check for every route, before validation: no NUL character in params, query, body or the
 * data headers, and no body nested deeper than the limit. Each is a 400; nothing reaches storage.
 */
export default fp(
  async (app) => {
    // A callback hook, not an async one: it runs on every request and need not cost a promise.
    app.addHook('preValidation', (request, _reply, done) => {
      try {
        assertSafeInput(request.params, 'params');
        assertSafeInput(request.query, 'querystring');
        assertSafeInput(request.body, 'body');
        for (const name of DATA_HEADERS) assertSafeInput(request.headers[name], `header ${name}`);
      } catch (error) {
        return done(error as Error);
      }
      done();
    });
  },
  { name: 'parley-input-guard' },
);
