import type { Command } from 'commander';
import { iso, isoOrNull, parseTime } from '../shared/time.js';
import type { CliContext } from './context.js';
import { UsageError } from './output.js';

const tokenPath = (userId: string) => `/admin/clients/${encodeURIComponent(userId)}/token`;

/** `parley tokens …`: users' tokens, as `issueAccessToken` and `DELETE /admin/clients/:id/token` handle them. */
export function registerTokensCommands(program: Command, context: CliContext): void {
  const tokensCommand = program.command('tokens').description("users' tokens");

  tokensCommand
    .command('issue')
    .description('a new server-issued token for an existing user (printed once, alone on stdout)')
    .argument('<USER_ID>')
    .option('--app <APP_ID>', 'the application (default: the default one)')
    .option('--expires <TIME>', 'an ISO-8601 time or a ms epoch (default: TOKEN_TTL_DAYS from now)')
    .action(async (userId: string, options: { app?: string; expires?: string }) => {
      const expiresAt = options.expires === undefined ? undefined : parseTime(options.expires);
      if (options.expires !== undefined && expiresAt === undefined)
        throw new UsageError('--expires must be an ISO-8601 time or a ms epoch');
      const app = await context.app(options.app);
      const { users } = (await context.services()).modules.users;
      // What `POST /admin/clients` with `issueAccessToken: true` does for this user.
      const request = { method: 'POST', route: '/admin/clients', url: '/admin/clients', targetIds: [userId] } as const;
      const { grant } = await context.audited(app.id, request, () => users.issueToken(app, userId, expiresAt));
      const expiry = grant.record.expiresAt as number;
      context.emit(
        { userId, token: grant.token, expirationDate: iso(expiry), expirationDateMS: expiry },
        () => grant.token,
      );
      if (!context.json) context.note(`(Token for ${userId}, valid until ${iso(expiry)}; shown once.)`);
    });

  tokensCommand
    .command('revoke')
    .description("revoke one token of a user, or all of the user's tokens")
    .argument('<USER_ID>')
    .option('--app <APP_ID>', 'the application (default: the default one)')
    .option('--token <TOKEN>', 'only this token')
    .action(async (userId: string, options: { app?: string; token?: string }) => {
      const app = await context.app(options.app);
      const { users } = (await context.services()).modules.users;
      const request = {
        method: 'DELETE',
        route: '/admin/clients/:client_id/token',
        url: tokenPath(userId),
        targetIds: [userId],
      } as const;
      const revoked = await context.audited(app.id, request, () => users.revokeTokens(app.id, userId, options.token));
      const data = revoked.map((record) => ({
        token: `…${record.last4}`,
        kind: record.kind,
        expirationDate: isoOrNull(record.expiresAt),
      }));
      context.emit(
        { userId, revokedTokens: revoked.length, data },
        () => `Revoked ${revoked.length} token(s) of ${userId}.`,
      );
    });
}
