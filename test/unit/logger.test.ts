import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';

describe('the logger', () => {
  it('censors credential headers, the dashboard cookie and the CSRF token wherever headers are logged', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = createLogger('info', sink);
    const headers = {
      cookie: 'parley_session=SESSION-SECRET',
      'set-cookie': 'parley_session=SESSION-SECRET; HttpOnly',
      'x-csrf-token': 'CSRF-SECRET',
      'im-api-key': 'KEY-SECRET',
      'user-agent': 'kept',
    };
    logger.info({ req: { headers } }, 'request');
    logger.info({ headers }, 'headers');
    const text = lines.join('');
    for (const secret of ['SESSION-SECRET', 'CSRF-SECRET', 'KEY-SECRET']) expect(text).not.toContain(secret);
    expect(text).toContain('kept');
  });
});
