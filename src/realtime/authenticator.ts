import { AppError } from '../http/errors.js';
import type { ApiKey } from '../modules/keys/index.js';
import { keyAdmits } from '../modules/keys/index.js';
import { classifyApiKey } from '../modules/keys/index.js';
import { isLive } from '../modules/keys/index.js';
import { rateLimitExceeded } from '../ratelimit/rate-limiter.js';
import { userView } from '../modules/users/index.js';
import type { RealtimeDeps } from './realtime-deps.js';
import { clientAddress, compileTrust } from './client-address.js';
import { KeySessions, keySessionRefusal } from './key-sessions.js';
import { rooms, type ParleySocket } from './session.js';

export interface Identity {
  appId: string;
  userId?: string;
  tokenId?: string;
  keyId?: string;
  /** When the token expires: the session ends then. */
  expiresAt?: number | null;
  /** An API key's session: the key and the address it was admitted from. */
  key?: ApiKey;
  address?: string;
}

const MAX_CREDENTIAL_LENGTH = 4096;
/** setTimeout's largest delay; a later expiry is checked again when that timer fires. */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * The same checks as HTTP (plugins/auth.ts) for sockets: a user token with or without a client key,
 * or an API key with its allow-list; failures count against the source address.
 */
export class SocketAuthenticator {
  private readonly expiryTimers = new Map<string, NodeJS.Timeout>();
  private readonly trust: (address: string, hop: number) => boolean;
  readonly keySessions: KeySessions;

  constructor(private readonly deps: RealtimeDeps) {
    this.trust = compileTrust(deps.config.trustProxy);
    this.keySessions = new KeySessions(deps);
  }

  /** The client's address as HTTP would see it (TRUST_PROXY applied to X-Forwarded-For). */
  address(socket: { handshake: { address: string; headers: Record<string, string | string[] | undefined> } }): string {
    return clientAddress(socket.handshake.address, socket.handshake.headers, this.trust);
  }

  /** Before each client event: an API-key session is held to its key (liveness, rate limit, scope). */
  admit(socket: ParleySocket, event: string): Promise<void> {
    return this.keySessions.admit(socket, event);
  }

  async user(token: unknown, clientKey: unknown, ip: string): Promise<Identity> {
    const wait = await this.deps.authFailures.blockedFor(ip);
    const plain = typeof token === 'string' ? token.replace(/^bearer\s+/i, '').trim() : '';
    if (plain === '' || plain.length > MAX_CREDENTIAL_LENGTH) return this.fail(ip, wait, 'INVALID_TOKEN');
    const { apps, tokenVerifier } = this.deps;
    if (clientKey === undefined || clientKey === null || clientKey === '') {
      // IMKIT's oldest SDK sends no client key on the socket: the token names its application.
      const check = await tokenVerifier.verifyInAnyApp(plain, (await apps.defaultApp()).id);
      if (check.status !== 'valid') return this.fail(ip, wait, 'INVALID_TOKEN');
      if (wait !== undefined && check.token.kind !== 'issued') throw rateLimitExceeded(wait);
      return {
        appId: check.token.appId,
        userId: check.token.userId,
        tokenId: check.token.id,
        expiresAt: check.token.expiresAt,
      };
    }
    if (typeof clientKey !== 'string') return this.fail(ip, wait, 'INVALID_CLIENT_KEY');
    const app = await apps.resolveClientKey(clientKey);
    if (!app) return this.fail(ip, wait, 'INVALID_CLIENT_KEY');
    const check = await tokenVerifier.verify(app.id, plain);
    if (check.status === 'other-app') return this.fail(ip, wait, 'CLIENT_KEY_MISMATCH');
    if (check.status === 'invalid') return this.fail(ip, wait, 'INVALID_TOKEN');
    if (wait !== undefined && check.token.kind !== 'issued') throw rateLimitExceeded(wait);
    return { appId: app.id, userId: check.token.userId, tokenId: check.token.id, expiresAt: check.token.expiresAt };
  }

  async apiKey(secret: unknown, ip: string): Promise<Identity> {
    const wait = await this.deps.authFailures.blockedFor(ip);
    if (typeof secret !== 'string' || secret === '' || secret.length > MAX_CREDENTIAL_LENGTH)
      return this.fail(ip, wait, 'INVALID_API_KEY');
    if (wait !== undefined && classifyApiKey(secret) !== 'parley') return this.fail(ip, wait, 'INVALID_API_KEY');
    const { keyVerifier } = this.deps;
    const found = keyVerifier.cached(secret)?.key ?? (await keyVerifier.lookup(secret));
    if (!found || !isLive(found)) return this.fail(ip, wait, 'INVALID_API_KEY');
    // As over HTTP: outside the allow-list is a failed authentication; then the rate limit, then the scopes.
    if (!keyAdmits(found, ip)) return this.fail(ip, wait, 'INSUFFICIENT_PERMISSIONS');
    const decision = await this.deps.keyRequests.hit(found.id, found.rateLimit);
    if (!decision.allowed) throw rateLimitExceeded(decision.resetSeconds);
    const refusal = keySessionRefusal(found, ip);
    if (refusal !== undefined) throw new AppError(refusal);
    return { appId: found.appId, keyId: found.id, key: found, address: ip };
  }

  /** Binds the connection to an identity (again, if it re-authenticates) and answers the auth ack's `result`. */
  async establish(socket: ParleySocket, identity: Identity): Promise<Record<string, unknown>> {
    this.signOut(socket);
    Object.assign(socket.data, {
      appId: identity.appId,
      userId: identity.userId,
      tokenId: identity.tokenId,
      keyId: identity.keyId,
    });
    if (identity.key !== undefined) {
      this.keySessions.open(socket, identity.key, identity.address ?? this.address(socket));
      return { appID: identity.appId, admin: true };
    }
    this.endAtExpiry(socket, identity.expiresAt ?? null);
    if (identity.userId === undefined) throw new AppError('INVALID_TOKEN');
    const { users, bus } = this.deps;
    const principals = [identity.userId, ...(await users.groupsContaining(identity.appId, identity.userId))];
    socket.join(principals.map((id) => rooms.user(identity.appId, id)));
    this.deps.presence.connected(identity.appId, identity.userId);
    const address = this.address(socket);
    await users.recordLogin(identity.appId, identity.userId, {
      address: address ? { address, family: address.includes(':') ? 'IPv6' : 'IPv4', port: 0 } : null,
      userAgent:
        typeof socket.handshake.headers['user-agent'] === 'string'
          ? socket.handshake.headers['user-agent'].slice(0, 512)
          : null,
    });
    bus.publish('user.upserted', { appId: identity.appId, userId: identity.userId });
    const user = await users.find(identity.appId, identity.userId);
    if (!user) throw new AppError('INVALID_TOKEN');
    return { ...userView(user), client: user.id };
  }

  /** Forgets who the connection was: it receives nothing until it authenticates again. */
  signOut(socket: ParleySocket): void {
    for (const room of socket.rooms) if (room.startsWith('u:') || room.startsWith('a:')) socket.leave(room);
    if (socket.data.appId !== undefined && socket.data.userId !== undefined)
      this.deps.presence.disconnected(socket.data.appId, socket.data.userId);
    socket.data.appId = undefined;
    socket.data.userId = undefined;
    socket.data.tokenId = undefined;
    socket.data.keyId = undefined;
    this.clearExpiry(socket.id);
    this.keySessions.close(socket.id);
  }

  clearExpiry(socketId: string): void {
    const timer = this.expiryTimers.get(socketId);
    if (timer) clearTimeout(timer);
    this.expiryTimers.delete(socketId);
  }

  private endAtExpiry(socket: ParleySocket, expiresAt: number | null): void {
    if (expiresAt === null) return;
    const delay = expiresAt - Date.now();
    const timer = setTimeout(
      () => {
        this.expiryTimers.delete(socket.id);
        if (expiresAt <= Date.now()) socket.disconnect(true);
        else this.endAtExpiry(socket, expiresAt);
      },
      Math.max(0, Math.min(delay, MAX_TIMER_MS)),
    );
    timer.unref();
    this.expiryTimers.set(socket.id, timer);
  }

  /** Counts a failure; from a blocked address (`wait`) every refusal is the same 429 (see AuthFailureGuard). */
  private async fail(
    ip: string,
    wait: number | undefined,
    code:
      | 'INVALID_TOKEN'
      | 'INVALID_CLIENT_KEY'
      | 'CLIENT_KEY_MISMATCH'
      | 'INVALID_API_KEY'
      | 'INSUFFICIENT_PERMISSIONS',
  ): Promise<never> {
    await this.deps.authFailures.failed(ip);
    throw wait === undefined ? new AppError(code) : rateLimitExceeded(wait);
  }
}
