import type { App } from '../../core/principal.js';
import { AppError } from '../../core/errors.js';
import type { UsersRepository } from './users.repository.js';
import type { UsersService } from './users.service.js';
import type { User } from './users.repository.js';

export const SANDBOX_DISABLED =
  'Sandbox sign-in is disabled on this server (PARLEY_SANDBOX is off): the app must supply a user token, ' +
  "issued by the integrator's server with the API key (POST /admin/clients with issueAccessToken: true, " +
  'or PUT /admin/clients/:id/token)';

export interface SignInInput {
  id?: string;
  nickname?: string;
  avatarUrl?: string;
}

export interface SignedIn {
  user: User;
  token: string;
  expiresAt: number;
}

/**
 * `POST /auths/sign` ([hist] 2.1, 2.2): a user token for user `id`, created if missing. With the API
 * key it is an admin operation like `issueAccessToken`; with the client key alone (anyone holding
 * the app) only on a sandbox server, and never as a robot (the system user sends system messages).
 */
export class SandboxSignIn {
  constructor(private readonly deps: { users: UsersService; directory: UsersRepository; enabled: boolean }) {}

  async sign(app: App, input: SignInInput, by: 'apiKey' | 'clientKey'): Promise<SignedIn> {
    if (by === 'clientKey' && !this.deps.enabled) throw new AppError('NOT_PERMITTED', SANDBOX_DISABLED);
    const { id, nickname, avatarUrl } = input;
    if (id === undefined || id === '') throw new AppError('INVALID_REQUEST', 'Missing required field: id');
    if (by === 'clientKey' && (await this.deps.directory.find(app.id, id))?.isRobot)
      throw new AppError('NOT_PERMITTED', 'A robot user cannot sign in through the sandbox');
    const { user, grant } = await this.deps.users.upsert(app, {
      _id: id,
      ...(nickname === undefined ? {} : { nickname }),
      ...(avatarUrl === undefined ? {} : { avatarUrl }),
      issueAccessToken: true,
    });
    if (!grant) throw new Error('issueAccessToken granted no token');
    return { user, token: grant.token, expiresAt: grant.record.expiresAt as number };
  }
}
