import { randomBytes } from 'node:crypto';
import { AppError } from '../../core/errors.js';
import { budgetSubject } from '../../ratelimit/auth-failure-guard.js';
import { rateLimitExceeded, type WindowCounter } from '../../ratelimit/rate-limiter.js';
import { randomId } from '../../shared/ids.js';
import { sha256Hex } from '../../shared/secrets.js';
import type { Operator, OperatorsRepository } from './operators.repository.js';
import {
  checkPassword,
  hashPassword,
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  prepareDummyHash,
} from './passwords.js';
import type { ClientInfo, SessionsService, SignedIn } from './sessions.service.js';

const OPERATOR_NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;
export const SETUP_TOKEN_TTL_MS = 24 * 3_600_000;

export type OperatorView = Pick<Operator, 'id' | 'name' | 'createdAt'>;

/**
 * Operators of the dashboard: they span every application. Created from a one-time setup link (the
 * first start prints one) or the CLI; they sign in with a name and a password (argon2id).
 */
export class OperatorsService {
  constructor(
    private readonly deps: {
      repository: OperatorsRepository;
      sessions: SessionsService;
      /** Sign-in attempts per address and per name, across the nodes. */
      loginAttempts: WindowCounter;
      loginAttemptsPerMinute: number;
    },
  ) {}

  /** Readies what sign-in needs, so that the first one with an unknown name takes no longer than others. */
  prepare(): void {
    prepareDummyHash();
  }

  async list(): Promise<OperatorView[]> {
    return (await this.deps.repository.list()).map(({ id, name, createdAt }) => ({ id, name, createdAt }));
  }

  async create(name: string, password: string): Promise<OperatorView> {
    checkName(name);
    checkNewPassword(password);
    const now = Date.now();
    const operator: Operator = {
      id: randomId('op', 16),
      name,
      passwordHash: await hashPassword(password),
      createdAt: now,
      updatedAt: now,
    };
    if (!(await this.deps.repository.insert(operator))) throw new AppError('OPERATOR_EXISTS');
    return { id: operator.id, name, createdAt: now };
  }

  /** Sets a new password and ends every session of the operator. */
  async resetPassword(name: string, password: string): Promise<OperatorView> {
    checkNewPassword(password);
    const operator = await this.deps.repository.findByName(name);
    if (!operator) throw new AppError('NOT_FOUND', `No operator named "${name}"`);
    await this.deps.repository.setPassword(operator.id, await hashPassword(password), Date.now());
    await this.deps.sessions.revokeAll(operator.id);
    return { id: operator.id, name: operator.name, createdAt: operator.createdAt };
  }

  /** A new one-time setup token (only its hash is kept); valid for a day. */
  async createSetupToken(): Promise<{ token: string; expiresAt: number }> {
    const token = randomBytes(32).toString('base64url');
    const now = Date.now();
    const expiresAt = now + SETUP_TOKEN_TTL_MS;
    await this.deps.repository.insertSetupToken(sha256Hex(token), now, expiresAt);
    return { token, expiresAt };
  }

  /**
   * At start-up: with no operator yet and no unused setup token, a fresh token to print. With one
   * still valid (printed by an earlier start), `pending` says so and nothing new is made.
   */
  async firstStartSetup(): Promise<{ token: string; expiresAt: number } | 'pending' | undefined> {
    if ((await this.deps.repository.count()) > 0) return undefined;
    if (await this.deps.repository.hasLiveSetupToken(Date.now())) return 'pending';
    return this.createSetupToken();
  }

  /** Creates an operator from a setup link's token (used once) and signs it in. */
  async setup(
    input: { token: string; name: string; password: string },
    client: ClientInfo,
  ): Promise<SignedIn & { token: string }> {
    checkName(input.name);
    checkNewPassword(input.password);
    const tokenHash = sha256Hex(input.token);
    if (!(await this.deps.repository.spendSetupToken(tokenHash, Date.now())))
      throw new AppError('INVALID_TOKEN', 'The setup link is invalid, used or expired');
    let operator: OperatorView;
    try {
      operator = await this.create(input.name, input.password);
    } catch (error) {
      await this.deps.repository.releaseSetupToken(tokenHash);
      throw error;
    }
    return this.deps.sessions.open(operator, client);
  }

  /**
   * Signs in. A wrong name and a wrong password answer alike and take as long; each address and each
   * name has a budget of attempts per minute, across the nodes.
   */
  async login(name: string, password: string, client: ClientInfo): Promise<SignedIn & { token: string }> {
    const limit = this.deps.loginAttemptsPerMinute;
    // An address already over its budget does not use up the name's: it cannot lock others out faster.
    const byAddress = await this.deps.loginAttempts.hit(`ip:${budgetSubject(client.ip)}`, limit);
    if (!byAddress.allowed) throw rateLimitExceeded(byAddress.resetSeconds);
    const byName = await this.deps.loginAttempts.hit(`name:${name.toLowerCase()}`, limit);
    if (!byName.allowed) throw rateLimitExceeded(byName.resetSeconds);
    const operator = await this.deps.repository.findByName(name);
    if (!(await checkPassword(operator?.passwordHash, password)) || !operator)
      throw new AppError('INVALID_CREDENTIALS');
    return this.deps.sessions.open(operator, client);
  }

  /** Changes the signed-in operator's password and ends its other sessions. */
  async changePassword(
    signedIn: { operator: { id: string }; session: { id: string } },
    currentPassword: string,
    newPassword: string,
  ): Promise<void> {
    checkNewPassword(newPassword);
    const operator = await this.deps.repository.findById(signedIn.operator.id);
    if (!operator || !(await checkPassword(operator.passwordHash, currentPassword)))
      throw new AppError('INVALID_CREDENTIALS', 'The current password is wrong');
    await this.deps.repository.setPassword(operator.id, await hashPassword(newPassword), Date.now());
    await this.deps.sessions.revokeAll(operator.id, signedIn.session.id);
  }
}

function checkName(name: string): void {
  if (!OPERATOR_NAME.test(name))
    throw new AppError(
      'INVALID_REQUEST',
      'An operator name is 1 to 64 letters, digits, ".", "_", "@" or "-", starting with a letter or digit',
    );
}

function checkNewPassword(password: string): void {
  if (password.length < PASSWORD_MIN_LENGTH || password.length > PASSWORD_MAX_LENGTH)
    throw new AppError(
      'INVALID_REQUEST',
      `A password is ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters long`,
    );
}
