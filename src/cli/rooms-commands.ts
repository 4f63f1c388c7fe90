import type { Command } from 'commander';
import type { CliContext } from './context.js';
import { wholeNumber } from './output.js';

const DEFAULT_LIMIT = 50;

/** `parley rooms …`: an application's rooms, or one user's as `GET /rooms` lists them. */
export function registerRoomsCommands(program: Command, context: CliContext): void {
  const roomsCommand = program.command('rooms').description("an application's rooms");

  roomsCommand
    .command('list')
    .description("the application's rooms, newest first; with --member, that user's active rooms")
    .option('--app <APP_ID>', 'the application (default: the default one)')
    .option('--member <USER_ID>', 'only the rooms of this user (as GET /rooms with IM-CLIENT-ID)')
    .option('--limit <N>', `at most this many (default ${DEFAULT_LIMIT})`, wholeNumber)
    .option('--skip <N>', 'skip this many first', wholeNumber)
    .action(async (options: { app?: string; member?: string; limit?: number; skip?: number }) => {
      const app = await context.app(options.app);
      const { chat } = (await context.services()).modules;
      const page = { skip: options.skip ?? 0, limit: options.limit || DEFAULT_LIMIT };
      const member = options.member;
      const url = `/rooms?${new URLSearchParams({ skip: String(page.skip), limit: String(page.limit) })}`;
      // Every room of the app has no admin route (and so no audit record); a member's rooms are GET /rooms.
      const { totalCount, data } =
        member === undefined
          ? await chat.rooms.listInApp(app.id, page)
          : await context.audited(app.id, { method: 'GET', route: '/rooms', url }, () =>
              chat.roomList.list(app.id, member, page),
            );
      context.emit({ totalCount, data }, () => [
        ['ID', 'TYPE', 'STATUS', 'NAME', 'CREATED'].join('\t'),
        ...data.map((room) => [room._id, room.roomType, room.status, room.name || '-', room.createdTime].join('\t')),
        `(${data.length} of ${totalCount})`,
      ]);
    });
}
