import type { Command } from 'commander';
import { CLI_ACTOR, type CliContext } from './context.js';

/** `parley apps …`: the applications of this server. */
export function registerAppsCommands(program: Command, context: CliContext): void {
  const appsCommand = program.command('apps').description('applications');

  appsCommand
    .command('list')
    .description('every application')
    .action(async () => {
      const list = await (await context.services()).modules.apps.apps.list();
      const data = list.map((app) => ({ id: app.id, name: app.name, isDefault: app.isDefault }));
      context.emit({ totalCount: data.length, data }, () =>
        data.map((app) => `${app.id}\t${app.name}${app.isDefault ? '\t(default)' : ''}`),
      );
    });

  appsCommand
    .command('create')
    .description('create an application (prints its first key once)')
    .argument('<name>')
    .option('--id <APP_ID>', 'its id (default: made from the name)')
    .action(async (name: string, options: { id?: string }) => {
      const { apps } = (await context.services()).modules.apps;
      const { keys } = (await context.services()).modules.keys;
      const started = performance.now();
      const app = await apps.create(name, options.id);
      const { key, secret } = await keys.create(app.id, { name: 'Initial key' }, CLI_ACTOR);
      // As the dashboard's `POST /dashboard/api/apps` is recorded: in the new application, naming it and its key.
      const request = { method: 'POST', route: '/dashboard/api/apps', url: '/dashboard/api/apps' } as const;
      await context.recordAudit(app.id, { ...request, targetIds: [app.id, key.id] }, 201, performance.now() - started);
      context.emit({ appId: app.id, name: app.name, clientKey: app.clientKey, apiKey: secret }, () => [
        `Application id : ${app.id}`,
        `Client key     : ${app.clientKey}`,
        `API key        : ${secret}`,
        '(The API key is shown once; store it now.)',
      ]);
    });
}
