import { existsSync } from 'node:fs';
import { parseSecretsKey } from '../shared/secret-box.js';

/** The environment, as `loadConfig` reads it. */
type Env = Record<string, string | undefined>;

/** Where push notifications go: logged, or forwarded to an HTTP endpoint (signed like webhooks). */
export interface PushConfig {
  provider: 'log' | 'http';
  httpUrl: string | undefined;
  /** PUSH_FCM_URL: FCM's address (a test server, or a gateway); default https://fcm.googleapis.com */
  fcmUrl?: string;
  /** PUSH_APNS_URL: APNs' address for both hosts (a test server, or a gateway) */
  apnsUrl?: string;
  /** PUSH_CA_FILE: extra CA certificates (PEM) trusted for the push platforms */
  caFile?: string;
  /** SECRETS_KEY: seals push credentials in the database */
  secretsKey?: Buffer;
}

export function parsePush(env: Env, problems: string[]): PushConfig {
  const provider = (env.PUSH_PROVIDER?.trim().toLowerCase() || 'log') as PushConfig['provider'];
  const httpUrl = env.PUSH_HTTP_URL?.trim() || undefined;
  if (provider !== 'log' && provider !== 'http')
    problems.push(`PUSH_PROVIDER must be "log" or "http" (got "${env.PUSH_PROVIDER}")`);
  if (provider === 'http' && !(httpUrl && /^https?:\/\//.test(httpUrl)))
    problems.push('PUSH_HTTP_URL must be an http(s) URL when PUSH_PROVIDER=http');
  const platformUrl = (name: 'PUSH_FCM_URL' | 'PUSH_APNS_URL') => {
    const value = env[name]?.trim() || undefined;
    if (value !== undefined && !/^https:\/\/[^/]+\/?$/.test(value))
      problems.push(`${name} must be an https:// origin, e.g. https://fcm.example.com (got "${value}")`);
    return value?.replace(/\/$/, '');
  };
  const caFile = env.PUSH_CA_FILE?.trim() || undefined;
  if (caFile !== undefined && !existsSync(caFile)) problems.push(`PUSH_CA_FILE names no file (got "${caFile}")`);
  const secretsKey = parseSecretsKey(env.SECRETS_KEY);
  if (secretsKey === 'invalid') problems.push('SECRETS_KEY must be 32 bytes: 64 hex digits or base64');
  return {
    provider,
    httpUrl,
    fcmUrl: platformUrl('PUSH_FCM_URL'),
    apnsUrl: platformUrl('PUSH_APNS_URL'),
    caFile,
    secretsKey: secretsKey === 'invalid' ? undefined : secretsKey,
  };
}
