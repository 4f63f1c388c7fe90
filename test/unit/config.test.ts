import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, redactUrl } from '../../src/config/config.js';

function problemFor(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`expected ${JSON.stringify(env)} to be refused`);
}

describe('loadConfig defaults', () => {
  it('runs with an empty environment', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 3000,
      host: '0.0.0.0',
      databaseUrl: 'sqlite:./data/parley.db',
      redisUrl: undefined,
      redisPrefix: 'parley:',
      importedApiKey: undefined,
      defaultAppId: 'default',
      tokenTtlDays: 7,
      rateLimitPerMinute: 1000,
      authFailuresPerMinute: 60,
      auditRetentionDays: 90,
      trustProxy: false,
      logLevel: 'info',
    });
  });

  it('treats empty and blank values as unset', () => {
    const config = loadConfig({
      PORT: '',
      HOST: '  ',
      DATABASE_URL: ' ',
      TOKEN_TTL_DAYS: '',
      RATE_LIMIT_PER_MINUTE: ' ',
      LOG_LEVEL: '',
    });
    expect(config.port).toBe(3000);
    expect(config.host).toBe('0.0.0.0');
    expect(config.databaseUrl).toBe('sqlite:./data/parley.db');
    expect(config.tokenTtlDays).toBe(7);
    expect(config.rateLimitPerMinute).toBe(1000);
    expect(config.logLevel).toBe('info');
  });

  it('reads valid values', () => {
    const config = loadConfig({
      PORT: '8080',
      HOST: '127.0.0.1',
      DATABASE_URL: 'postgres://parley:pw@db:5432/parley',
      REDIS_URL: 'rediss://cache:6380',
      REDIS_PREFIX: 'p2:',
      PARLEY_API_KEY: 'imported-key-0123456789',
      PARLEY_APP_ID: 'SampleApp',
      TOKEN_TTL_DAYS: '30',
      RATE_LIMIT_PER_MINUTE: '5000',
      AUTH_FAILURES_PER_MINUTE: '10',
      AUDIT_RETENTION_DAYS: '7',
      TRUST_PROXY: '10.0.0.0/8, 192.168.1.1',
      LOG_LEVEL: 'DEBUG',
    });
    expect(config).toMatchObject({
      port: 8080,
      host: '127.0.0.1',
      databaseUrl: 'postgres://parley:pw@db:5432/parley',
      redisUrl: 'rediss://cache:6380',
      redisPrefix: 'p2:',
      importedApiKey: 'imported-key-0123456789',
      defaultAppId: 'SampleApp',
      tokenTtlDays: 30,
      rateLimitPerMinute: 5000,
      authFailuresPerMinute: 10,
      auditRetentionDays: 7,
      trustProxy: '10.0.0.0/8,192.168.1.1',
      logLevel: 'debug',
    });
    expect(loadConfig({ TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(loadConfig({ TRUST_PROXY: '0' }).trustProxy).toBe(false);
    expect(loadConfig({ DATABASE_URL: 'postgresql://localhost/x' }).databaseUrl).toBe('postgresql://localhost/x');
    expect(loadConfig({ DATABASE_URL: 'sqlite::memory:' }).databaseUrl).toBe('sqlite::memory:');
    expect(loadConfig({ PORT: '0' }).port).toBe(0);
    expect(loadConfig({ HOST: 'parley.internal' }).host).toBe('parley.internal');
    expect(loadConfig({ HOST: '::' }).host).toBe('::');
    expect(loadConfig({}).publicUrl).toBeUndefined();
    expect(loadConfig({ PUBLIC_URL: 'https://chat.example.org/' }).publicUrl).toBe('https://chat.example.org');
    expect(loadConfig({ PUBLIC_URL: 'http://10.0.0.5:3000/parley' }).publicUrl).toBe('http://10.0.0.5:3000/parley');
  });
});

describe('loadConfig refuses bad values with a message naming the variable', () => {
  const cases: Array<[string, string[]]> = [
    ['PORT', ['abc', '-1', '65536', '1.5', '80 80']],
    ['HOST', ['bad host!', 'a/b']],
    ['DATABASE_URL', ['mysql://db/x', './parley.db', 'sqlite:', 'postgres:db']],
    ['REDIS_URL', ['http://cache:6379', 'cache:6379']],
    ['PARLEY_API_KEY', ['short']],
    ['PARLEY_APP_ID', ['-app', 'has space', 'x'.repeat(65), 'a.b']],
    ['TOKEN_TTL_DAYS', ['0', 'seven', '3651', '2.5', '-7']],
    ['RATE_LIMIT_PER_MINUTE', ['0', 'lots', '10000001', '0.5']],
    ['AUTH_FAILURES_PER_MINUTE', ['0', 'x']],
    ['AUDIT_RETENTION_DAYS', ['0', 'forever', '36501']],
    ['TRUST_PROXY', ['yes', 'proxy.local', 'true']],
    ['LOG_LEVEL', ['verbose', 'loud']],
    ['PUBLIC_URL', ['chat.example.org', 'ftp://chat.example.org', 'https://']],
    ['LOG_FORMAT', ['xml', 'text']],
    ['LOG_REQUESTS', ['maybe', '2']],
    ['DATABASE_CONNECT_TIMEOUT_S', ['-1', 'soon', '3601']],
    ['REDIS_CONNECT_TIMEOUT_S', ['1.5']],
  ];
  for (const [name, values] of cases) {
    it(name, () => {
      for (const value of values) {
        const error = problemFor({ [name]: value });
        expect(error.name).toBe('ConfigError');
        expect(error.problems, `${name}=${value}`).toHaveLength(1);
        expect(error.problems[0], `${name}=${value}`).toContain(name);
        expect(error.message).toContain(name);
        expect(error.message.startsWith('Invalid configuration:')).toBe(true);
      }
    });
  }

  it('reports every problem at once', () => {
    const error = problemFor({ PORT: 'x', TOKEN_TTL_DAYS: '0', LOG_LEVEL: 'loud' });
    expect(error.problems).toHaveLength(3);
    for (const name of ['PORT', 'TOKEN_TTL_DAYS', 'LOG_LEVEL']) expect(error.message).toContain(name);
  });

  it('quotes the bad value so that the operator sees what was read', () => {
    expect(problemFor({ PORT: 'abc' }).message).toContain('"abc"');
    expect(problemFor({ RATE_LIMIT_PER_MINUTE: '0' }).message).toContain('"0"');
  });

  it('never shows a password from a connection URL', () => {
    const database = problemFor({ DATABASE_URL: 'postgre://parley:s3cret-pw@db.example:5432/parley' });
    expect(database.message).toContain('DATABASE_URL');
    expect(database.message).toContain('postgre://parley:***@db.example:5432/parley');
    expect(database.message).not.toContain('s3cret');
    const redis = problemFor({ REDIS_URL: 'http://:s3cret-pw@cache:6379' });
    expect(redis.message).toContain('REDIS_URL');
    expect(redis.message).not.toContain('s3cret');
  });
});

describe('PARLEY_SANDBOX ([hist] 2.1 sandbox sign-in)', () => {
  it('is off unless set, in production as anywhere', () => {
    expect(loadConfig({}).sandbox).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production' }).sandbox).toBe(false);
    expect(loadConfig({ NODE_ENV: 'development' }).sandbox).toBe(false);
    expect(loadConfig({ PARLEY_SANDBOX: ' ' }).sandbox).toBe(false);
  });

  it('reads the usual words for on and off', () => {
    for (const on of ['true', 'TRUE', '1', 'yes', 'on'])
      expect(loadConfig({ PARLEY_SANDBOX: on }).sandbox, on).toBe(true);
    for (const off of ['false', '0', 'no', 'off']) expect(loadConfig({ PARLEY_SANDBOX: off }).sandbox, off).toBe(false);
  });

  it('refuses anything else rather than guess', () => {
    expect(problemFor({ PARLEY_SANDBOX: 'enabled' }).message).toContain(
      'PARLEY_SANDBOX must be true or false (got "enabled")',
    );
  });
});

describe('CORS_ORIGINS', () => {
  it('is unset by default, and reads * or exact origins (normalized as browsers send them)', () => {
    expect(loadConfig({}).corsOrigins).toBeUndefined();
    expect(loadConfig({ CORS_ORIGINS: ' ' }).corsOrigins).toBeUndefined();
    expect(loadConfig({ CORS_ORIGINS: '*' }).corsOrigins).toBe('*');
    expect(loadConfig({ CORS_ORIGINS: 'https://a.example, *' }).corsOrigins).toBe('*');
    expect(
      loadConfig({ CORS_ORIGINS: 'https://Chat.Example.com, http://localhost:8080,https://b.example:443/' })
        .corsOrigins,
    ).toEqual(['https://chat.example.com', 'http://localhost:8080', 'https://b.example']);
  });

  it('refuses what is not an origin', () => {
    for (const bad of ['chat.example.com', 'https://a.example/app', 'ftp://a.example', 'https://a.example?x=1', 'null'])
      expect(problemFor({ CORS_ORIGINS: bad }).message, bad).toContain(`CORS_ORIGINS must be "*" or comma-separated`);
  });
});

describe('METRICS_LISTEN', () => {
  it('is unset by default, and reads HOST:PORT, [IPv6]:PORT or a port on loopback', () => {
    expect(loadConfig({}).metricsListen).toBeUndefined();
    expect(loadConfig({ METRICS_LISTEN: '0.0.0.0:9464' }).metricsListen).toEqual({ host: '0.0.0.0', port: 9464 });
    expect(loadConfig({ METRICS_LISTEN: '[::1]:9464' }).metricsListen).toEqual({ host: '::1', port: 9464 });
    expect(loadConfig({ METRICS_LISTEN: 'metrics.internal:9100' }).metricsListen).toEqual({
      host: 'metrics.internal',
      port: 9100,
    });
    expect(loadConfig({ METRICS_LISTEN: '9464' }).metricsListen).toEqual({ host: '127.0.0.1', port: 9464 });
  });

  it('refuses anything else', () => {
    for (const bad of ['127.0.0.1', '127.0.0.1:0', ':9464', '127.0.0.1:70000', '[zz]:9464', 'http://x:9464'])
      expect(problemFor({ METRICS_LISTEN: bad }).message, bad).toContain('METRICS_LISTEN must be HOST:PORT');
  });
});

describe('OpenTelemetry', () => {
  it('is off unless OTEL_EXPORTER_OTLP_ENDPOINT is set, and names the service parley unless told', () => {
    expect(loadConfig({}).tracing).toBeUndefined();
    expect(loadConfig({ OTEL_SERVICE_NAME: 'x' }).tracing).toBeUndefined();
    expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }).tracing).toEqual({
      endpoint: 'http://collector:4318',
      serviceName: 'parley',
    });
    expect(
      loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'https://collector', OTEL_SERVICE_NAME: 'chat-eu' }).tracing,
    ).toMatchObject({ serviceName: 'chat-eu' });
    expect(
      loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'true' }).tracing,
    ).toBeUndefined();
  });

  it('refuses an endpoint that is not an http(s) URL, without echoing its password', () => {
    const problem = problemFor({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' }).message;
    expect(problem).toContain('OTEL_EXPORTER_OTLP_ENDPOINT must be an http(s) URL');
    expect(problemFor({ OTEL_EXPORTER_OTLP_ENDPOINT: 'grpc://u:pw@c:4317' }).message).not.toContain('pw');
  });
});

describe('redactUrl', () => {
  it('hides the password and keeps the rest', () => {
    expect(redactUrl('postgres://parley:s3cret@db:5432/parley')).toBe('postgres://parley:***@db:5432/parley');
    expect(redactUrl('redis://:s3cret@cache:6379/0')).toBe('redis://:***@cache:6379/0');
    expect(redactUrl('postgres://parley@db/parley')).toBe('postgres://parley@db/parley');
    expect(redactUrl('sqlite:./data/parley.db')).toBe('sqlite:./data/parley.db');
  });

  it('hides all of a password that contains "@" or ":"', () => {
    const redacted = redactUrl('postgres://parley:p@ss:w@rd@db:5432/parley?application_name=a@b');
    expect(redacted).toBe('postgres://parley:***@db:5432/parley?application_name=a@b');
  });
});

describe('logging and start-up settings', () => {
  it('logs requests unless LOG_REQUESTS is off; waits 30 s for the database and Redis unless told otherwise', () => {
    expect(loadConfig({}).logRequests).toBe(true);
    expect(loadConfig({ LOG_REQUESTS: 'false' }).logRequests).toBe(false);
    expect(loadConfig({ LOG_REQUESTS: 'on' }).logRequests).toBe(true);
    expect(loadConfig({}).connectTimeoutSeconds).toStrictEqual({ database: 30, redis: 30 });
    expect(
      loadConfig({ DATABASE_CONNECT_TIMEOUT_S: '0', REDIS_CONNECT_TIMEOUT_S: '120' }).connectTimeoutSeconds,
    ).toStrictEqual({ database: 0, redis: 120 });
  });
});
