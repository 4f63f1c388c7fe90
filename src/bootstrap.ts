import type { Logger } from 'pino';
import type { Config } from './config/config.js';
import type { AppsService } from './modules/apps/index.js';
import type { KeysService } from './modules/keys/index.js';

export interface FirstStartCredentials {
  appId: string;
  apiKey: string;
  clientKey: string;
}

/**
 * Makes sure the default application exists and can be reached: installs PARLEY_API_KEY when set,
 * or on the very first start generates a key that the caller shows once.
 */
export async function bootstrap(
  {
    config,
    apps,
    keys,
  }: { config: Pick<Config, 'defaultAppId' | 'importedApiKey'>; apps: AppsService; keys: KeysService },
  logger: Logger,
): Promise<FirstStartCredentials | undefined> {
  const { app, created } = await apps.ensureDefault(config.defaultAppId);
  if (created) logger.info({ appId: app.id }, 'default application created');

  if (config.importedApiKey !== undefined) {
    const { key, status } = await keys.importKey(app.id, config.importedApiKey, 'PARLEY_API_KEY', 'env');
    if (status === 'created')
      logger.info({ keyId: key.id, last4: key.last4 }, 'PARLEY_API_KEY installed as a full-permission key');
    if (status === 'revoked')
      logger.warn(
        { keyId: key.id, last4: key.last4 },
        'PARLEY_API_KEY was revoked earlier and stays revoked; remove it from the environment',
      );
    return undefined;
  }

  const everHadKey = (await keys.list(app.id, true)).length > 0;
  if (everHadKey) return undefined;
  const { key, secret } = await keys.create(app.id, { name: 'Initial key' }, 'first-start');
  logger.info({ keyId: key.id, last4: key.last4 }, 'first start: generated an API key (shown once on the console)');
  return { appId: app.id, apiKey: secret, clientKey: app.clientKey };
}

export function firstStartBanner(credentials: FirstStartCredentials, port: number): string {
  const line = '='.repeat(78);
  return [
    '',
    line,
    '  Parley is ready. This API key is shown ONCE — store it now (it is kept only as a hash).',
    '',
    `  Application id : ${credentials.appId}`,
    `  API key        : ${credentials.apiKey}`,
    `  Client key     : ${credentials.clientKey}`,
    '',
    `  Admin calls:  curl -H "IM-API-KEY: <API key>" http://localhost:${port}/admin/clients`,
    '  Lost it? `npx parley keys create --name ops` makes a new one (server may be running).',
    line,
    '',
  ].join('\n');
}

/** The operator setup link a start prints when no operator exists yet (issue 12). */
export interface OperatorSetupLink {
  token: string;
  expiresAt: number;
}

/** `http://<host>:<port>/dashboard/setup#token=…`: the token after `#` never reaches a server's logs. */
export function setupLinkUrl(token: string, host: string, port: number): string {
  const shown = host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  return `http://${shown}:${port}/dashboard/setup#token=${token}`;
}

export function operatorSetupBanner(setup: OperatorSetupLink, host: string, port: number): string {
  const line = '='.repeat(78);
  return [
    '',
    line,
    '  No dashboard operator yet. Open this one-time link to create the first one',
    `  (valid until ${new Date(setup.expiresAt).toISOString()}):`,
    '',
    `  ${setupLinkUrl(setup.token, host, port)}`,
    '',
    '  Lost it? `npx parley operators setup-link` makes a new one.',
    line,
    '',
  ].join('\n');
}
