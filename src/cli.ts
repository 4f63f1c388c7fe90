import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from './config/config.js';
import { createLogger } from './logger.js';
import { LocalEventBus, type EventBus } from './events/event-bus.js';
import { RedisEventBus } from './events/redis-event-bus.js';
import { connectRedis } from './runtime.js';
import { composeModules, LiveConnections } from './composition.js';
import { Presence } from './realtime/presence.js';
import { createStorage, migrateToLatest } from './storage/database.js';
import type { ApiKey } from './core/principal.js';
import { DEFAULT_ROLL_GRACE_SECONDS, type KeySettings, type KeysService, keyView } from './modules/keys/index.js';
import { parseTime } from './shared/time.js';
import { AppError } from './http/errors.js';
import { setupLinkUrl } from './bootstrap.js';
import { newPassword } from './cli-password.js';
import { Command, CommanderError } from 'commander';
import { DataUsageError, registerDataCommands } from './cli/data-commands.js';

const USAGE = `Usage: parley <command> [options]

Works on the database directly (DATABASE_URL), also while the server is down. With REDIS_URL set,
running servers drop revoked or changed keys at once; otherwise within 10 seconds.

  parley apps list
  parley apps create <name> [--id APP_ID]          create an application (prints its first key once)
  parley keys list [--app APP_ID] [--all]           --all includes revoked keys
  parley keys create [--app APP_ID] [--name NAME] [--scopes a,b] [--expires TIME]
                     [--allow-ip CIDR,CIDR] [--rate-limit N]
  parley keys roll <KEY_ID> [--grace SECONDS]       new key, old one expires after the grace (default 86400)
  parley keys revoke <KEY_ID>                       revoke at once
  parley keys client-key [--app APP_ID] [--regenerate]
  parley operators list                             dashboard operators
  parley operators create <NAME> [--password-stdin] a new operator (the password is asked, or read from stdin)
  parley operators reset-password <NAME> [--password-stdin]
                                                    a new password; ends the operator's sessions
  parley operators setup-link                       a new one-time link to create an operator in the browser
  parley migrate                                    apply database migrations
  parley backup [--out FILE]                        online SQLite backup (pg_dump guidance on PostgreSQL)
  parley export [--app APP_ID] [--out FILE|-]       an application's rows, files included, as NDJSON
  parley import FILE|- [--app APP_ID]               upsert an export's rows (idempotent)
`;

const DATA_COMMANDS = new Set(['backup', 'export', 'import']);

/** backup, export and import run on commander (src/cli/), where the other commands will move too. */
async function runDataCommand(argv: string[]): Promise<number> {
  const program = new Command('parley').exitOverride();
  registerDataCommands(program, async () => {
    const config = loadConfig();
    const storage = createStorage(config.databaseUrl);
    return { storage, config, close: () => storage.close() };
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    // Commander's own errors (unknown option, missing argument) are usage errors: exit 2, as for bad values.
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    if (error instanceof DataUsageError) {
      process.stderr.write(`parley: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

const print = (text: string) => process.stdout.write(`${text}\n`);

async function main(argv: string[]): Promise<number> {
  if (DATA_COMMANDS.has(argv[0] ?? '')) return runDataCommand(argv);
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      app: { type: 'string' },
      id: { type: 'string' },
      name: { type: 'string' },
      scopes: { type: 'string' },
      expires: { type: 'string' },
      'allow-ip': { type: 'string' },
      'rate-limit': { type: 'string' },
      grace: { type: 'string' },
      all: { type: 'boolean' },
      regenerate: { type: 'boolean' },
      'password-stdin': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [area, action, argument] = positionals;
  if (values.help || !area) {
    print(USAGE);
    return area ? 0 : 1;
  }

  const config = loadConfig();
  const storage = createStorage(config.databaseUrl);
  const logger = createLogger('warn');
  let bus: EventBus = new LocalEventBus();
  const redis = config.redisUrl ? await connectRedis(config.redisUrl).catch(() => undefined) : undefined;
  if (redis) bus = new RedisEventBus(redis, redis.duplicate(), config.redisPrefix, () => undefined);
  try {
    await migrateToLatest(storage);
    const onError = (error: unknown) => logger.error({ err: error });
    const modules = composeModules(
      { config, storage, bus, redis, logger, onError },
      { presence: new Presence(undefined, config.redisPrefix), connections: new LiveConnections() },
    );
    const { apps } = modules.apps;
    const { keys } = modules.keys;
    await apps.ensureDefault(config.defaultAppId);
    const appId = values.app ?? (await apps.defaultApp()).id;

    switch (`${area} ${action ?? ''}`.trim()) {
      case 'migrate':
        print('Database is up to date.');
        return 0;
      case 'apps list':
        for (const app of await apps.list()) print(`${app.id}\t${app.name}${app.isDefault ? '\t(default)' : ''}`);
        return 0;
      case 'apps create': {
        if (!argument) throw new AppError('INVALID_REQUEST', 'apps create needs a name');
        const app = await apps.create(argument, values.id);
        const { secret } = await keys.create(app.id, { name: 'Initial key' }, 'cli');
        print(
          `Application id : ${app.id}\nClient key     : ${app.clientKey}\nAPI key        : ${secret}\n` +
            '(The API key is shown once; store it now.)',
        );
        return 0;
      }
      case 'keys list': {
        const list = await keys.list(appId, values.all ?? false);
        print(['ID', 'NAME', 'LAST4', 'STATUS', 'SCOPES', 'EXPIRES', 'LAST USED'].join('\t'));
        for (const key of list.map(keyView)) {
          print(
            [
              key.id,
              key.name,
              key.last4,
              key.status,
              key.scopes.join(','),
              key.expiresAt ?? '-',
              key.lastUsedAt ?? '-',
            ].join('\t'),
          );
        }
        return 0;
      }
      case 'keys create': {
        const { key, secret } = await keys.create(appId, cliSettings(values), 'cli');
        print(
          `Created ${key.id} ("${key.name}") in application ${appId}.\nAPI key: ${secret}\n(Shown once; store it now.)`,
        );
        return 0;
      }
      case 'keys roll': {
        const key = await findKey(keys, argument);
        const grace = values.grace === undefined ? DEFAULT_ROLL_GRACE_SECONDS : wholeNumber(values.grace, '--grace');
        const rolled = await keys.roll(key.appId, key.id, grace, 'cli');
        print(
          `Rolled ${key.id} -> ${rolled.key.id}; ` +
            `the old key stops working at ${keyView(rolled.previous).expiresAt}.\n` +
            `New API key: ${rolled.secret}\n(Shown once; store it now.)`,
        );
        return 0;
      }
      case 'keys revoke': {
        const key = await findKey(keys, argument);
        await keys.revoke(key.appId, key.id);
        print(`Revoked ${key.id} ("${key.name}", …${key.last4}).`);
        return 0;
      }
      case 'keys client-key': {
        const app = values.regenerate ? await apps.regenerateClientKey(appId) : await apps.get(appId);
        print(app.clientKey);
        return 0;
      }
      case 'operators list':
        print(['ID', 'NAME', 'CREATED'].join('\t'));
        for (const operator of await modules.operators.operators.list())
          print([operator.id, operator.name, new Date(operator.createdAt).toISOString()].join('\t'));
        return 0;
      case 'operators create': {
        if (!argument) throw new AppError('INVALID_REQUEST', 'operators create needs a name');
        const password = await newPassword(values['password-stdin'] ?? false);
        const operator = await modules.operators.operators.create(argument, password);
        print(`Created operator ${operator.name} (${operator.id}).`);
        return 0;
      }
      case 'operators reset-password': {
        if (!argument) throw new AppError('INVALID_REQUEST', 'operators reset-password needs a name');
        const password = await newPassword(values['password-stdin'] ?? false);
        const operator = await modules.operators.operators.resetPassword(argument, password);
        print(`New password set for ${operator.name}; its sessions have ended.`);
        return 0;
      }
      case 'operators setup-link': {
        const { token, expiresAt } = await modules.operators.operators.createSetupToken();
        print(
          `${setupLinkUrl(token, config.host, config.port)}\n` +
            `(One use, valid until ${new Date(expiresAt).toISOString()}.)`,
        );
        return 0;
      }
      default:
        process.stderr.write(`parley: unknown command "${positionals.join(' ')}"\n\n${USAGE}`);
        return 1;
    }
  } finally {
    await bus.close();
    redis?.disconnect();
    await storage.close();
  }
}

async function findKey(keys: KeysService, id: string | undefined): Promise<ApiKey> {
  if (!id) throw new AppError('INVALID_REQUEST', 'name the key id (see `parley keys list`)');
  const key = await keys.findInAnyApp(id);
  if (!key) throw new AppError('KEY_NOT_FOUND', `No API key with id ${id}`);
  return key;
}

function wholeNumber(value: string, name: string): number {
  if (!/^\d+$/.test(value)) throw new AppError('INVALID_REQUEST', `${name} must be a whole number`);
  return Number(value);
}

function cliSettings(values: Record<string, string | boolean | undefined>): KeySettings {
  const text = (name: string) => (typeof values[name] === 'string' ? (values[name] as string) : undefined);
  const list = (name: string) =>
    text(name)
      ?.split(',')
      .map((item) => item.trim())
      .filter(Boolean);
  const settings: KeySettings = {
    name: text('name') ?? 'CLI key',
    scopes: list('scopes'),
    allowedIps: list('allow-ip'),
  };
  const expires = text('expires');
  if (expires !== undefined) {
    settings.expiresAt = parseTime(expires);
    if (settings.expiresAt === undefined)
      throw new AppError('INVALID_REQUEST', '--expires must be an ISO-8601 time or a ms epoch');
  }
  const rateLimit = text('rate-limit');
  if (rateLimit !== undefined) settings.rateLimit = wholeNumber(rateLimit, '--rate-limit');
  return settings;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof ConfigError || error instanceof AppError) process.stderr.write(`parley: ${error.message}\n`);
    else process.stderr.write(`parley: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(error instanceof ConfigError ? 2 : 1);
  },
);
