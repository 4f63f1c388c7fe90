import type { Command } from 'commander';
import type { ApiKey } from '../core/principal.js';
import { AppError } from '../http/errors.js';
import { DEFAULT_ROLL_GRACE_SECONDS, type KeySettings, type KeysService, keyView } from '../modules/keys/index.js';
import { parseTime } from '../shared/time.js';
import { CLI_ACTOR, type CliContext } from './context.js';
import { UsageError, wholeNumber } from './output.js';

interface CreateOptions {
  app?: string;
  name?: string;
  scopes?: string;
  expires?: string;
  allowIp?: string;
  rateLimit?: number;
}

/** `parley keys …`: the application's API keys and its client key. */
export function registerKeysCommands(program: Command, context: CliContext): void {
  const keysCommand = program.command('keys').description("an application's API keys and client key");

  keysCommand
    .command('list')
    .description('the API keys of an application')
    .option('--app <APP_ID>', 'the application (default: the default one)')
    .option('--all', 'include revoked keys')
    .action(async (options: { app?: string; all?: boolean }) => {
      const app = await context.app(options.app);
      const { keys } = (await context.services()).modules.keys;
      const list = await context.audited(app.id, { method: 'GET', route: '/admin/keys', url: '/admin/keys' }, () =>
        keys.list(app.id, options.all ?? false),
      );
      const views = list.map(keyView);
      context.emit({ totalCount: views.length, data: views }, () => [
        ['ID', 'NAME', 'LAST4', 'STATUS', 'SCOPES', 'EXPIRES', 'LAST USED'].join('\t'),
        ...views.map((key) =>
          [
            key.id,
            key.name,
            key.last4,
            key.status,
            key.scopes.join(','),
            key.expiresAt ?? '-',
            key.lastUsedAt ?? '-',
          ].join('\t'),
        ),
      ]);
    });

  keysCommand
    .command('create')
    .description('a new API key (printed once)')
    .option('--app <APP_ID>', 'the application (default: the default one)')
    .option('--name <NAME>', 'a name to know it by', 'CLI key')
    .option('--scopes <a,b>', 'comma-separated scopes (default: every scope)')
    .option('--expires <TIME>', 'an ISO-8601 time or a ms epoch')
    .option('--allow-ip <CIDR,CIDR>', 'addresses the key may be used from')
    .option('--rate-limit <N>', 'requests per minute', wholeNumber)
    .action(async (options: CreateOptions) => {
      const settings = keySettings(options);
      const app = await context.app(options.app);
      const { keys } = (await context.services()).modules.keys;
      const { key, secret } = await context.audited(
        app.id,
        { method: 'POST', route: '/admin/keys', url: '/admin/keys' },
        () => keys.create(app.id, settings, CLI_ACTOR),
        (created) => [created.key.id],
      );
      context.emit({ appId: app.id, key: keyView(key), apiKey: secret }, () => [
        `Created ${key.id} ("${key.name}") in application ${app.id}.`,
        `API key: ${secret}`,
        '(Shown once; store it now.)',
      ]);
    });

  keysCommand
    .command('roll')
    .description('a new key; the old one expires after the grace period')
    .argument('<KEY_ID>')
    .option(
      '--grace <SECONDS>',
      `seconds the old key keeps working (default ${DEFAULT_ROLL_GRACE_SECONDS})`,
      wholeNumber,
    )
    .action(async (id: string, options: { grace?: number }) => {
      const { keys } = (await context.services()).modules.keys;
      const key = await findKey(keys, id);
      const grace = options.grace ?? DEFAULT_ROLL_GRACE_SECONDS;
      const url = `/admin/keys/${encodeURIComponent(key.id)}/roll`;
      const rolled = await context.audited(
        key.appId,
        { method: 'POST', route: '/admin/keys/:id/roll', url, targetIds: [key.id] },
        () => keys.roll(key.appId, key.id, grace, CLI_ACTOR),
        (result) => [result.key.id],
      );
      const previous = keyView(rolled.previous);
      context.emit({ previous, key: keyView(rolled.key), apiKey: rolled.secret }, () => [
        `Rolled ${key.id} -> ${rolled.key.id}; the old key stops working at ${previous.expiresAt}.`,
        `New API key: ${rolled.secret}`,
        '(Shown once; store it now.)',
      ]);
    });

  keysCommand
    .command('revoke')
    .description('revoke a key at once')
    .argument('<KEY_ID>')
    .action(async (id: string) => {
      const { keys } = (await context.services()).modules.keys;
      const key = await findKey(keys, id);
      const url = `/admin/keys/${encodeURIComponent(key.id)}`;
      const revoked = await context.audited(
        key.appId,
        { method: 'DELETE', route: '/admin/keys/:id', url, targetIds: [key.id] },
        () => keys.revoke(key.appId, key.id),
      );
      context.emit(keyView(revoked), () => `Revoked ${key.id} ("${key.name}", …${key.last4}).`);
    });

  keysCommand
    .command('client-key')
    .description("the application's client key")
    .option('--app <APP_ID>', 'the application (default: the default one)')
    .option('--regenerate', 'replace it with a new one (the old one stops working)')
    .action(async (options: { app?: string; regenerate?: boolean }) => {
      const app = await context.app(options.app);
      const { apps } = (await context.services()).modules.apps;
      const request = { method: options.regenerate ? 'POST' : 'GET', route: '/admin/keys/client-key' } as const;
      const current = await context.audited(app.id, { ...request, url: request.route }, () =>
        options.regenerate ? apps.regenerateClientKey(app.id) : apps.get(app.id),
      );
      context.emit({ appId: app.id, clientKey: current.clientKey }, () => current.clientKey);
    });
}

async function findKey(keys: KeysService, id: string): Promise<ApiKey> {
  const key = await keys.findInAnyApp(id);
  if (!key) throw new AppError('KEY_NOT_FOUND', `No API key with id ${id}`);
  return key;
}

function keySettings(options: CreateOptions): KeySettings {
  const list = (text: string | undefined) =>
    text
      ?.split(',')
      .map((item) => item.trim())
      .filter(Boolean);
  const settings: KeySettings = {
    name: options.name ?? 'CLI key',
    scopes: list(options.scopes),
    allowedIps: list(options.allowIp),
  };
  if (options.expires !== undefined) {
    settings.expiresAt = parseTime(options.expires);
    if (settings.expiresAt === undefined) throw new UsageError('--expires must be an ISO-8601 time or a ms epoch');
  }
  if (options.rateLimit !== undefined) settings.rateLimit = options.rateLimit;
  return settings;
}
