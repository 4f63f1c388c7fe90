import type { Command } from 'commander';
import type { CliContext } from './context.js';
import { wholeNumber } from './output.js';

const DEFAULT_LIMIT = 50;

/** `parley rooms …`: an application's rooms as `GET /admin/rooms` finds them. */
export function registerRoomsCommands(program: Command, context: CliContext): void {
  const roomsCommand = program.command('rooms').description("an application's rooms");

  roomsCommand
    .command('list')
    .description(
      "the application's rooms, newest first; with --member, those the user is in or banned from; with --name, those named like it",
    )
    .option('--app <APP_ID>', 'the application (default: the default one)')
    .option('--member <USER_ID>', 'only the rooms this user is a member of or banned from')
    .option('--name <TEXT>', 'only the rooms whose name contains TEXT, any case')
    .option('--limit <N>', `at most this many, up to 100 (default ${DEFAULT_LIMIT})`, wholeNumber)
    .option('--skip <N>', 'skip this many first', wholeNumber)
    .action(async (options: { app?: string; member?: string; name?: string; limit?: number; skip?: number }) => {
      const app = await context.app(options.app);
      const { chat } = (await context.services()).modules;
      const query = {
        ...(options.name === undefined ? {} : { name: options.name }),
        ...(options.member === undefined ? {} : { user: options.member }),
        skip: options.skip ?? 0,
        limit: Math.min(options.limit || DEFAULT_LIMIT, 100),
      };
      const search = new URLSearchParams(
        Object.entries(query).map(([key, value]): [string, string] => [key, String(value)]),
      );
      const { totalCount, data } = await context.audited(
        app.id,
        { method: 'GET', route: '/admin/rooms', url: `/admin/rooms?${search}` },
        () => chat.directory.find(app.id, query),
      );
      context.emit({ totalCount, data }, () => [
        ['ID', 'TYPE', 'STATUS', 'NAME', 'MEMBERS', 'CREATED', ...(options.member ? ['STANDING'] : [])].join('\t'),
        ...data.map((room) =>
          [
            room._id,
            room.roomType,
            room.status,
            room.name || '-',
            room.memberCount,
            new Date(room.createdTimeMS).toISOString(),
            ...(options.member ? [room.isBanned ? 'banned' : 'member'] : []),
          ].join('\t'),
        ),
        `(${data.length} of ${totalCount})`,
      ]);
    });
}
