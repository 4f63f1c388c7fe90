import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { createLogger, isPrettyLogFormat, prettyDestination } from '../../src/logger.js';
import { OutageWatch } from '../../src/modules/health/outage-watch.js';

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

describe('the log format', () => {
  it('is pretty when asked, or on a terminal unless JSON is asked (LOG_FORMAT, NODE_ENV=production)', () => {
    expect(isPrettyLogFormat('pretty', false)).toBe(true);
    expect(isPrettyLogFormat('auto', true)).toBe(true);
    expect(isPrettyLogFormat('auto', false)).toBe(false);
    expect(isPrettyLogFormat('json', true)).toBe(false);
    expect(loadConfig({}).logFormat).toBe('auto');
    expect(loadConfig({ NODE_ENV: 'production' }).logFormat).toBe('json');
    expect(loadConfig({ NODE_ENV: 'production', LOG_FORMAT: 'Pretty' }).logFormat).toBe('pretty');
    expect(loadConfig({ LOG_FORMAT: 'json' }).logFormat).toBe('json');
  });

  it('writes pretty lines through pino-pretty: level, message, fields; a request line as its message alone', () => {
    let text = '';
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        text += chunk.toString();
        done();
      },
    });
    const logger = createLogger('info', prettyDestination(sink));
    logger.info({ request: { method: 'GET', route: '/me', status: 200 } }, 'GET /me 200 1.2 ms user alice');
    logger.error({ dependency: 'Redis', reason: 'connection closed' }, 'Redis lost: connection closed');
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] .*INFO.*: GET \/me 200 1\.2 ms user alice/);
    expect(text).not.toContain('route');
    expect(text).toMatch(/ERROR.*: Redis lost: connection closed/);
    expect(text).toContain('dependency: "Redis"');
    expect(text).not.toContain('{"level"');
  });
});

describe('outage lines', () => {
  it('logs one line when a dependency is lost and one when it is back, however often either is reported', () => {
    const lines: Array<{ level: number; msg: string; downSeconds?: number }> = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()));
        done();
      },
    });
    const watch = new OutageWatch(createLogger('info', sink));
    watch.back('Redis');
    expect(lines).toStrictEqual([]);
    for (let retry = 0; retry < 5; retry++) watch.lost('Redis', retry === 0 ? 'connection closed' : 'ECONNREFUSED');
    expect(watch.anyLost()).toBe(true);
    watch.lost('database', 'connect ECONNREFUSED 127.0.0.1:5433');
    watch.back('Redis');
    watch.back('Redis');
    expect(watch.anyLost()).toBe(true);
    watch.back('database');
    expect(watch.anyLost()).toBe(false);
    expect(lines.map(({ level, msg }) => [level, msg.replace(/[\d.]+ s$/, 'N s')])).toStrictEqual([
      [50, 'Redis lost: connection closed'],
      [50, 'database lost: connect ECONNREFUSED 127.0.0.1:5433'],
      [30, 'Redis back after N s'],
      [30, 'database back after N s'],
    ]);
    expect(lines[2]!.downSeconds).toBeGreaterThanOrEqual(0);
  });
});
