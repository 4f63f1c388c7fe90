import { isIP } from 'node:net';
import { normalizeCidrs } from '../shared/ip-address.js';
import { parsePush, type PushConfig } from './push-config.js';

export type { PushConfig } from './push-config.js';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
export type LogFormat = 'json' | 'pretty' | 'auto';

export interface Config {
  port: number;
  host: string;
  /** Where clients reach this server (PUBLIC_URL, no trailing slash): the OpenAPI document's server. */
  publicUrl: string | undefined;
  databaseUrl: string;
  redisUrl: string | undefined;
  /** Key prefix for everything Parley writes to Redis; lets several deployments share one Redis. */
  redisPrefix: string;
  importedApiKey: string | undefined;
  /** Id of the application created at first start (an IMKIT appID, e.g. "SampleApp"). */
  defaultAppId: string;
  tokenTtlDays: number;
  rateLimitPerMinute: number;
  /** Requests per minute of one user (all its tokens) on client routes; 0 turns the limit off. */
  userRateLimitPerMinute: number;
  authFailuresPerMinute: number;
  auditRetentionDays: number;
  /** `false`, the number of proxies in front (hops), or the proxies' addresses/CIDRs (comma-separated). */
  trustProxy: false | number | string;
  logLevel: LogLevel;
  /** `pretty` (pino-pretty) or `json`; `auto` is pretty when stdout is a terminal. */
  logFormat: LogFormat;
  /** One `info` line per completed HTTP request (LOG_REQUESTS=false turns it off). */
  logRequests: boolean;
  /** How long start-up waits for PostgreSQL, and for Redis, to answer before giving up. */
  connectTimeoutSeconds: { database: number; redis: number };
  limits: Limits;
  /** Sender of batch messages that name none (spec 12 item 51); created as a robot user when missing. */
  systemUserId: string;
  /** File buckets every user of the application may read (avatars, stickers); other files are private. */
  publicFileBuckets: string[];
  webhooks: WebhookConfig;
  push: PushConfig;
  /** When set, `/metrics` asks for `Authorization: Bearer <token>`. */
  metricsToken: string | undefined;
  /** When set, `/metrics` is served on this address only, by a server of its own, and not on PORT. */
  metricsListen: ListenAddress | undefined;
  /**
   * Origins browsers may call from (CORS). Unset: client routes answer any origin and admin and
   * dashboard routes none; set, every route answers these origins only (`*`: any).
   */
  corsOrigins: '*' | string[] | undefined;
  /** OpenTelemetry traces, on when OTEL_EXPORTER_OTLP_ENDPOINT is set (the SDK reads its other OTEL_* settings). */
  tracing: TracingConfig | undefined;
  /**
   * Sandbox sign-in ([hist] 2.1): `POST /auths/sign` mints a user token for anyone holding the client
   * key. For development only; off unless PARLEY_SANDBOX says otherwise.
   */
  sandbox: boolean;
  dashboard: DashboardConfig;
}

export interface ListenAddress {
  host: string;
  port: number;
}

export interface TracingConfig {
  endpoint: string;
  serviceName: string;
}

/** Operators of the dashboard (issue 12): their sessions and how often they may try to sign in. */
export interface DashboardConfig {
  /** A session ends after this long without a request. */
  sessionIdleSeconds: number;
  /** A session ends this long after sign-in, however much it is used. */
  sessionMaxSeconds: number;
  /** Sign-in attempts per minute of one address, and of one operator name. */
  loginAttemptsPerMinute: number;
  /** Requests per minute of one operator through the admin API and the dashboard's own. */
  operatorRateLimitPerMinute: number;
}

/** Outbound webhooks (spec 11): delivery, retries and which destinations are allowed. */
export interface WebhookConfig {
  /** Deliver to loopback and private addresses too (a local receiver; never on a public server). */
  allowPrivate: boolean;
  maxAttempts: number;
  /** The first retry's delay; each next one doubles (capped at an hour). */
  retryBaseMs: number;
  timeoutMs: number;
}

/** Bounds that protect the server (spec 12 item 76); each breach is a 400 in the API's error shape. */
export interface Limits {
  /** Bytes of one message's content (its JSON). */
  messageBytes: number;
  /** Recipients (`paras`) of one batch send. */
  batchSize: number;
  /** Items of one page of messages or search results. */
  pageSize: number;
  /** Members of one room. */
  roomMembers: number;
  /** Bytes of one uploaded file. */
  fileBytes: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

const LOG_LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

type Env = Record<string, string | undefined>;

/** The one reader of process.env: every setting, validated, with a message naming the bad value. */
export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];

  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw.trim() === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name} must be a whole number from ${min} to ${max} (got "${raw}")`);
      return fallback;
    }
    return value;
  };

  const databaseUrl = env.DATABASE_URL?.trim() || 'sqlite:./data/parley.db';
  if (!/^sqlite:.+/.test(databaseUrl) && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push(`DATABASE_URL must be "sqlite:PATH" or "postgres://user@host/db" (got "${redactUrl(databaseUrl)}")`);
  }

  const redisUrl = env.REDIS_URL?.trim() || undefined;
  if (redisUrl && !/^rediss?:\/\//.test(redisUrl)) {
    problems.push(`REDIS_URL must start with redis:// or rediss:// (got "${redactUrl(redisUrl)}")`);
  }

  const host = env.HOST?.trim() || '0.0.0.0';
  if (!isIP(host) && !/^[a-zA-Z0-9.-]+$/.test(host))
    problems.push(`HOST must be an IP address or host name (got "${host}")`);

  const publicUrl = env.PUBLIC_URL?.trim().replace(/\/+$/, '') || undefined;
  if (publicUrl !== undefined && !URL.canParse(publicUrl))
    problems.push(`PUBLIC_URL must be a URL (got "${publicUrl}")`);
  else if (publicUrl !== undefined && !/^https?:$/.test(new URL(publicUrl).protocol))
    problems.push(`PUBLIC_URL must be an http(s) URL (got "${publicUrl}")`);

  const importedApiKey = env.PARLEY_API_KEY?.trim() || undefined;
  if (importedApiKey !== undefined && importedApiKey.length < 16) {
    problems.push('PARLEY_API_KEY must be at least 16 characters long');
  }

  const defaultAppId = env.PARLEY_APP_ID?.trim() || 'default';
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/.test(defaultAppId)) {
    problems.push(`PARLEY_APP_ID must be 1 to 64 letters, digits, "-" or "_" (got "${defaultAppId}")`);
  }

  const logLevel = (env.LOG_LEVEL?.trim().toLowerCase() || 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got "${env.LOG_LEVEL}")`);
  }

  const logFormat = parseLogFormat(env, problems);

  const config: Config = {
    port: integer('PORT', 3000, 0, 65535),
    host,
    publicUrl,
    databaseUrl,
    redisUrl,
    redisPrefix: env.REDIS_PREFIX?.trim() || 'parley:',
    importedApiKey,
    defaultAppId,
    tokenTtlDays: integer('TOKEN_TTL_DAYS', 7, 1, 3650),
    rateLimitPerMinute: integer('RATE_LIMIT_PER_MINUTE', 1000, 1, 10_000_000),
    userRateLimitPerMinute: integer('USER_RATE_LIMIT_PER_MINUTE', 600, 0, 10_000_000),
    authFailuresPerMinute: integer('AUTH_FAILURES_PER_MINUTE', 60, 1, 10_000_000),
    auditRetentionDays: integer('AUDIT_RETENTION_DAYS', 90, 1, 36500),
    trustProxy: parseTrustProxy(env.TRUST_PROXY, problems),
    logLevel,
    logFormat,
    logRequests: flag(env, 'LOG_REQUESTS', problems, true),
    connectTimeoutSeconds: {
      database: integer('DATABASE_CONNECT_TIMEOUT_S', 30, 0, 3600),
      redis: integer('REDIS_CONNECT_TIMEOUT_S', 30, 0, 3600),
    },
    limits: {
      messageBytes: integer('LIMIT_MESSAGE_BYTES', 64 * 1024, 16, 1024 * 1024),
      batchSize: integer('LIMIT_BATCH_SIZE', 1000, 1, 100_000),
      pageSize: integer('LIMIT_PAGE_SIZE', 100, 1, 10_000),
      roomMembers: integer('LIMIT_ROOM_MEMBERS', 10_000, 2, 1_000_000),
      fileBytes: integer('LIMIT_FILE_BYTES', 10 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
    },
    systemUserId: env.PARLEY_SYSTEM_USER?.trim() || 'system',
    publicFileBuckets: parseBuckets(env.PUBLIC_FILE_BUCKETS, problems),
    push: parsePush(env, problems),
    metricsToken: env.METRICS_TOKEN?.trim() || undefined,
    metricsListen: parseListen('METRICS_LISTEN', env.METRICS_LISTEN, problems),
    corsOrigins: parseCorsOrigins(env.CORS_ORIGINS, problems),
    tracing: parseTracing(env, problems),
    sandbox: flag(env, 'PARLEY_SANDBOX', problems),
    dashboard: {
      sessionIdleSeconds: integer('DASHBOARD_SESSION_IDLE_SECONDS', 12 * 3600, 1, 365 * 86_400),
      sessionMaxSeconds: integer('DASHBOARD_SESSION_MAX_SECONDS', 7 * 86_400, 1, 365 * 86_400),
      loginAttemptsPerMinute: integer('DASHBOARD_LOGINS_PER_MINUTE', 10, 1, 10_000),
      operatorRateLimitPerMinute: integer('DASHBOARD_RATE_LIMIT_PER_MINUTE', 1000, 1, 10_000_000),
    },
    webhooks: {
      allowPrivate: ['1', 'true', 'yes'].includes(env.PARLEY_WEBHOOK_ALLOW_PRIVATE?.trim().toLowerCase() ?? ''),
      maxAttempts: integer('WEBHOOK_MAX_ATTEMPTS', 8, 1, 100),
      retryBaseMs: integer('WEBHOOK_RETRY_BASE_MS', 5000, 10, 3_600_000),
      timeoutMs: integer('WEBHOOK_TIMEOUT_MS', 10_000, 100, 120_000),
    },
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

const TRUE_WORDS = ['1', 'true', 'yes', 'on'];
const FALSE_WORDS = ['0', 'false', 'no', 'off'];

/** A switch (off unless set, or as `fallback` says): a misspelt value is refused rather than read as either. */
function flag(env: Env, name: string, problems: string[], fallback = false): boolean {
  const value = env[name]?.trim().toLowerCase() ?? '';
  if (value === '') return fallback;
  if (FALSE_WORDS.includes(value)) return false;
  if (TRUE_WORDS.includes(value)) return true;
  problems.push(`${name} must be true or false (got "${env[name]}")`);
  return fallback;
}

/** LOG_FORMAT when set; otherwise JSON in production (NODE_ENV=production), else pretty on a terminal. */
function parseLogFormat(env: Env, problems: string[]): LogFormat {
  const value = env.LOG_FORMAT?.trim().toLowerCase() || undefined;
  if (value === undefined || value === 'auto')
    return env.NODE_ENV?.trim().toLowerCase() === 'production' ? 'json' : 'auto';
  if (value === 'json' || value === 'pretty') return value;
  problems.push(`LOG_FORMAT must be json or pretty (got "${env.LOG_FORMAT}")`);
  return 'json';
}

function parseBuckets(raw: string | undefined, problems: string[]): string[] {
  const buckets = (raw ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
  const bad = buckets.filter((bucket) => !/^[A-Za-z0-9_.-]{1,64}$/.test(bucket));
  if (bad.length > 0)
    problems.push(
      'PUBLIC_FILE_BUCKETS must be comma-separated bucket names (letters, digits, "_", ".", "-"); ' +
        `got "${bad.join(', ')}"`,
    );
  return buckets;
}

/** `HOST:PORT`, `[IPv6]:PORT` or a bare port (then on 127.0.0.1: metrics are not for the world by default). */
function parseListen(name: string, raw: string | undefined, problems: string[]): ListenAddress | undefined {
  const value = raw?.trim();
  if (!value) return undefined;
  const match = /^(?:(\[[0-9a-fA-F:.]+\]|[a-zA-Z0-9.-]+):)?(\d{1,5})$/.exec(value);
  const port = Number(match?.[2]);
  const host = match?.[1]?.replace(/^\[(.*)\]$/, '$1') ?? '127.0.0.1';
  if (!match || port < 1 || port > 65535 || (match[1]?.startsWith('[') && isIP(host) !== 6)) {
    problems.push(`${name} must be HOST:PORT, [IPv6]:PORT or PORT, e.g. 127.0.0.1:9464 (got "${value}")`);
    return undefined;
  }
  return { host, port };
}

/** `*`, or comma-separated exact origins (`https://chat.example.com`), each compared as browsers send it. */
function parseCorsOrigins(raw: string | undefined, problems: string[]): '*' | string[] | undefined {
  const entries = (raw ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  if (entries.length === 0) return undefined;
  if (entries.includes('*')) return '*';
  const origins: string[] = [];
  for (const entry of entries) {
    const origin = originOf(entry);
    if (origin === undefined) {
      problems.push(
        `CORS_ORIGINS must be "*" or comma-separated origins such as https://chat.example.com (scheme, host and ` +
          `port only; got "${entry}")`,
      );
      return undefined;
    }
    origins.push(origin);
  }
  return origins;
}

/** The origin an entry names (lower-cased host, default port dropped), or undefined when it names more or less. */
function originOf(entry: string): string | undefined {
  try {
    const url = new URL(entry);
    const bare = !url.username && !url.password && !url.search && !url.hash && url.pathname === '/';
    if (!bare || !/^https?:$/.test(url.protocol) || !/^https?:\/\/[^/]+\/?$/.test(entry)) return undefined;
    return url.origin;
  } catch {
    return undefined;
  }
}

function parseTracing(env: Env, problems: string[]): TracingConfig | undefined {
  const endpoint = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  // The SDK's own off switch: then it is not even loaded.
  if (!endpoint || env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return undefined;
  if (!/^https?:\/\/[^/]/.test(endpoint)) {
    problems.push(`OTEL_EXPORTER_OTLP_ENDPOINT must be an http(s) URL (got "${redactUrl(endpoint)}")`);
    return undefined;
  }
  return { endpoint, serviceName: env.OTEL_SERVICE_NAME?.trim() || 'parley' };
}

const MAX_PROXY_HOPS = 10;
/** proxy-addr's names, understood by realtime/client-address.ts: `TRUST_PROXY=loopback`. */
const PROXY_RANGE_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

/**
 * Which peers may tell the client's address in X-Forwarded-For: none, the last N hops, or the
 * proxies' own addresses. "Every hop" is refused: the client's own entries would then be believed.
 */
function parseTrustProxy(raw: string | undefined, problems: string[]): false | number | string {
  const value = raw?.trim();
  if (!value || value.toLowerCase() === 'false') return false;
  if (value.toLowerCase() === 'true') {
    problems.push(
      'TRUST_PROXY=true trusts every hop, so a client could choose its own address in X-Forwarded-For. ' +
        'Set the number of proxies in front of Parley (e.g. TRUST_PROXY=1) or, better, ' +
        'their addresses/CIDRs (e.g. TRUST_PROXY=10.0.0.5,10.0.1.0/24)',
    );
    return false;
  }
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    if (hops <= MAX_PROXY_HOPS) return hops === 0 ? false : hops;
    problems.push(`TRUST_PROXY as a hop count must be from 0 to ${MAX_PROXY_HOPS} (got "${value}")`);
    return false;
  }
  const entries = value.split(',').map((entry) => entry.trim());
  try {
    normalizeCidrs(entries.filter((entry) => !PROXY_RANGE_NAMES.includes(entry)));
    return entries.join(',');
  } catch {
    problems.push(
      'TRUST_PROXY must be a number of proxies (e.g. 1) or a comma-separated list of ' +
        `the proxies' IPs/CIDRs or loopback, linklocal, uniquelocal (got "${value}")`,
    );
    return false;
  }
}

/** Hides a password in a connection URL so that it can appear in an error message. */
export function redactUrl(url: string): string {
  // Up to the last "@" of the authority: a password may itself contain "@".
  return url.replace(/(\/\/[^:/@]*:)[^/?#]*@/, '$1***@');
}
