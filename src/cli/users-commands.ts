import type { Command } from 'commander';
import { userView } from '../modules/users/index.js';
import type { CliContext } from './context.js';
import { EXIT, UsageError, wholeNumber } from './output.js';
import { DEFAULT_BATCH, type ImportSummary, importUsers, MAX_BATCH } from './users-import.js';

const DEFAULT_LIMIT = 50;
const userPath = (id: string) => `/admin/clients/${encodeURIComponent(id)}`;

/** `parley users …`: list, read, delete and bulk-import users, as `/admin/clients…` does. */
export function registerUsersCommands(program: Command, context: CliContext): void {
  const usersCommand = program.command('users').description("an application's users");

  usersCommand
    .command('list')
    .description('users, newest first, as GET /admin/clients lists them')
    .option('--app <APP_ID>', 'the application (default: the default one)')
    .option('--limit <N>', `at most this many (default ${DEFAULT_LIMIT})`, wholeNumber)
    .option('--skip <N>', 'skip this many first', wholeNumber)
    .option('--query <TEXT>', 'a MongoDB-style JSON filter, as `q` of GET /admin/clients')
    .action(async (options: { app?: string; limit?: number; skip?: number; query?: string }) => {
      const app = await context.app(options.app);
      const { users } = (await context.services()).modules.users;
      const page = { q: options.query, skip: options.skip ?? 0, limit: options.limit || DEFAULT_LIMIT };
      const search = new URLSearchParams({ skip: String(page.skip), limit: String(page.limit) });
      if (page.q !== undefined) search.set('q', page.q);
      const request = { method: 'GET', route: '/admin/clients', url: `/admin/clients?${search}` } as const;
      const { totalCount, data } = await context.audited(app.id, request, () => users.list(app.id, page));
      const views = data.map(userView);
      context.emit({ totalCount, data: views }, () => [
        ['ID', 'NICKNAME', 'EMAIL', 'CREATED', 'LAST LOGIN'].join('\t'),
        ...views.map((user) =>
          [user._id, user.nickname || '-', user.email ?? '-', user.createdAt, user.lastLoginTime ?? '-'].join('\t'),
        ),
        `(${views.length} of ${totalCount})`,
      ]);
    });

  usersCommand
    .command('get')
    .description('one user, with their custom fields')
    .argument('<ID>')
    .option('--app <APP_ID>', 'the application (default: the default one)')
    .action(async (id: string, options: { app?: string }) => {
      const app = await context.app(options.app);
      const { users } = (await context.services()).modules.users;
      const request = { method: 'GET', route: '/admin/clients/:id', url: userPath(id), targetIds: [id] } as const;
      const view = userView(await context.audited(app.id, request, () => users.get(app.id, id)));
      context.emit(view, () =>
        Object.entries(view).map(
          ([field, value]) => `${field}: ${typeof value === 'string' ? value : JSON.stringify(value)}`,
        ),
      );
    });

  usersCommand
    .command('delete')
    .description('delete a user and all of their tokens (needs --yes)')
    .argument('<ID>')
    .option('--app <APP_ID>', 'the application (default: the default one)')
    .option('--yes', 'confirm: without it nothing is deleted, whether or not a terminal is attached')
    .action(async (id: string, options: { app?: string; yes?: boolean }) => {
      if (!options.yes) throw new UsageError(`deleting user ${id} cannot be undone; add --yes to confirm`);
      const app = await context.app(options.app);
      const { users } = (await context.services()).modules.users;
      const request = { method: 'DELETE', route: '/admin/clients/:id', url: userPath(id), targetIds: [id] } as const;
      const deleted = await context.audited(app.id, request, () => users.delete(app.id, id));
      context.emit({ deleted: userView(deleted) }, () => `Deleted user ${deleted.id} and their tokens.`);
    });

  usersCommand
    .command('import')
    .description('create or update users from a CSV (with a header row) or NDJSON file')
    .argument('<FILE>')
    .option('--app <APP_ID>', 'the application (default: the default one)')
    .option('--resume', 'skip the rows an interrupted import of this FILE already settled (FILE.parley-import.json)')
    .option('--batch-size <N>', `rows written per transaction (1 to ${MAX_BATCH})`, wholeNumber, DEFAULT_BATCH)
    .addHelpText(
      'after',
      '\nEach row is a user as POST /admin/clients/list takes it: _id, nickname, avatarUrl, email, description,\n' +
        'isRobot, notificationEnabled, and custom fields. Rows that fail are reported by number and the\n' +
        'others imported (exit 1 if any failed). Progress is kept in FILE.parley-import.json after each batch.',
    )
    .action(async (file: string, options: { app?: string; resume?: boolean; batchSize: number }) => {
      if (options.batchSize < 1 || options.batchSize > MAX_BATCH)
        throw new UsageError(`--batch-size must be 1 to ${MAX_BATCH}`);
      const summary = await importUsers(context, file, options);
      context.emit(summary, () => importText(summary));
      if (summary.failed > 0) context.exitCode = EXIT.failed;
    });
}

function importText(summary: ImportSummary): string {
  const skipped = summary.skipped > 0 ? `, ${summary.skipped} rows skipped (done before)` : '';
  return (
    `Imported ${summary.imported} users into ${summary.appId} from ${summary.file} (${summary.format})` +
    `${skipped}; ${summary.failed} rows failed.`
  );
}
