import { randomBytes } from 'node:crypto';
import { AppError } from '../../core/errors.js';
import { randomId } from '../../shared/ids.js';
import { sha256Hex } from '../../shared/secrets.js';
import type { Operator, OperatorSession, OperatorsRepository } from './operators.repository.js';

/** Where a sign-in came from, kept with its session for the operator's list. */
export interface ClientInfo {
  ip: string;
  userAgent: string;
}

/** A live session and its operator, as authentication hands them to routes. */
export interface SignedIn {
  session: OperatorSession;
  operator: Pick<Operator, 'id' | 'name'>;
}

const MAX_USER_AGENT = 512;
/** At most this often (and never slower than a quarter of the idle time) a session's last use is written. */
const TOUCH_EVERY_MS = 60_000;
const DAY_MS = 86_400_000;

/**
 * Dashboard sessions. The cookie holds a random 256-bit token; only its SHA-256 is stored, so the
 * table cannot be replayed. Every check reads the database (dashboard traffic is light), so a
 * revocation holds on every node at once.
 */
export class SessionsService {
  private readonly idleMs: number;
  private readonly maxMs: number;
  private readonly touchMs: number;
  private purgedAt = 0;

  constructor(
    private readonly deps: {
      repository: OperatorsRepository;
      idleSeconds: number;
      maxSeconds: number;
    },
  ) {
    this.idleMs = deps.idleSeconds * 1000;
    this.maxMs = deps.maxSeconds * 1000;
    this.touchMs = Math.min(TOUCH_EVERY_MS, this.idleMs / 4);
  }

  /** Opens a session: the token goes into the cookie and is never stored or shown again. */
  async open(operator: Pick<Operator, 'id' | 'name'>, client: ClientInfo): Promise<SignedIn & { token: string }> {
    const now = Date.now();
    const token = randomBytes(32).toString('base64url');
    const session: OperatorSession = {
      id: randomId('ses', 16),
      operatorId: operator.id,
      csrfToken: randomBytes(32).toString('base64url'),
      createdAt: now,
      lastSeenAt: now,
      idleExpiresAt: Math.min(now + this.idleMs, now + this.maxMs),
      expiresAt: now + this.maxMs,
      ip: client.ip,
      userAgent: client.userAgent.slice(0, MAX_USER_AGENT),
      revokedAt: null,
    };
    await this.deps.repository.insertSession(session, sha256Hex(token));
    void this.purgeNow(now);
    return { session, operator: { id: operator.id, name: operator.name }, token };
  }

  /** The live session of a cookie's token, its last use moved forward; undefined when there is none. */
  async authenticate(token: string): Promise<SignedIn | undefined> {
    if (token.length === 0 || token.length > 128) return undefined;
    const now = Date.now();
    const found = await this.deps.repository.liveSession(sha256Hex(token), now);
    if (!found) return undefined;
    const { session, operator } = found;
    if (now - session.lastSeenAt >= this.touchMs) {
      session.lastSeenAt = now;
      session.idleExpiresAt = Math.min(now + this.idleMs, session.expiresAt);
      await this.deps.repository.touchSession(session.id, session.lastSeenAt, session.idleExpiresAt);
    }
    return { session, operator: { id: operator.id, name: operator.name } };
  }

  list(operatorId: string): Promise<OperatorSession[]> {
    return this.deps.repository.liveSessionsOf(operatorId, Date.now());
  }

  async revoke(operatorId: string, sessionId: string): Promise<void> {
    if (!(await this.deps.repository.revokeSession(operatorId, sessionId, Date.now())))
      throw new AppError('NOT_FOUND', 'No such session');
  }

  /** Ends every session of the operator, but `keep` when given. */
  revokeAll(operatorId: string, keep?: string): Promise<void> {
    return this.deps.repository.revokeSessionsOf(operatorId, Date.now(), keep);
  }

  /** Drops sessions that ended a day ago or more, at most once a day per process. */
  private async purgeNow(now: number): Promise<void> {
    if (now - this.purgedAt < DAY_MS) return;
    this.purgedAt = now;
    await this.deps.repository.purgeSessions(now - DAY_MS).catch(() => undefined);
  }
}
