import { AppError } from '../http/errors.js';
import { keyAdmits } from '../modules/keys/index.js';
import { isLive } from '../modules/keys/index.js';
import type { ApiKey } from '../modules/keys/index.js';
import { scopeAllows, type Scope } from '../modules/keys/index.js';
import { rateLimitExceeded } from '../ratelimit/rate-limiter.js';
import type { RealtimeDeps } from './realtime-deps.js';
import { rooms, type ParleySocket } from './session.js';

/** The scope a push needs: the one the HTTP reads of the same data declare. */
export const PUSH_SCOPES: Readonly<Record<string, Scope>> = {
  'chat message': 'messages:read',
  messagesDeleted: 'messages:read',
  lastRead: 'messages:read',
  typing: 'messages:read',
  room: 'rooms:read',
  invitation: 'rooms:read',
  cancelInvitation: 'rooms:read',
  roomPref: 'users:read',
  myPrefChange: 'users:read',
  myPrefDelete: 'users:read',
};

/** The scope a client event of a key session needs: the one its HTTP equivalent declares. */
const EVENT_SCOPES: Readonly<Record<string, Scope>> = { 'chat message': 'messages:write' };

const PUSH_ROOM_SCOPES = [...new Set(Object.values(PUSH_SCOPES))];
/** A key needs at least one of these to hold a socket: with none, the socket could do nothing. */
const SESSION_SCOPES = [...new Set([...PUSH_ROOM_SCOPES, ...Object.values(EVENT_SCOPES)])];

/** Catches changes no event announced (the CLI without Redis). */
const RECHECK_INTERVAL_MS = 30_000;
/** setTimeout's largest delay; a later expiry is armed again when that timer fires. */
const MAX_TIMER_MS = 2_147_483_647;

interface Session {
  socket: ParleySocket;
  key: ApiKey;
  /** The client address the key was admitted from (TRUST_PROXY applied). */
  address: string;
  timer?: NodeJS.Timeout;
}

/** Why `key` may not hold a socket from `address` now; undefined when it may. */
export function keySessionRefusal(
  key: ApiKey,
  address: string,
  now = Date.now(),
): 'INVALID_API_KEY' | 'INSUFFICIENT_PERMISSIONS' | undefined {
  if (!isLive(key, now)) return 'INVALID_API_KEY';
  if (!keyAdmits(key, address)) return 'INSUFFICIENT_PERMISSIONS';
  if (!SESSION_SCOPES.some((scope) => scopeAllows(key.scopes, scope))) return 'INSUFFICIENT_PERMISSIONS';
  return undefined;
}

/**
 * The API-key sockets of this node, held to their key as HTTP requests are: scopes choose the
 * pushes (one socket.io room per read scope) and the events allowed; every change of a key (on
 * any node, through the event bus), its expiry or its roll's grace end checks the key again and
 * ends the sockets it no longer admits.
 */
export class KeySessions {
  private readonly sessions = new Map<string, Session>();
  private unsubscribe: (() => void) | undefined;
  private sweep: NodeJS.Timeout | undefined;

  constructor(private readonly deps: RealtimeDeps) {}

  start(): void {
    this.unsubscribe = this.deps.bus.subscribe('apiKey.changed', ({ keyId }) => void this.recheck(keyId));
    this.sweep = setInterval(() => {
      for (const keyId of new Set([...this.sessions.values()].map((session) => session.key.id)))
        void this.recheck(keyId);
    }, RECHECK_INTERVAL_MS);
    this.sweep.unref();
  }

  stop(): void {
    this.unsubscribe?.();
    clearInterval(this.sweep);
    for (const socketId of [...this.sessions.keys()]) this.close(socketId);
  }

  open(socket: ParleySocket, key: ApiKey, address: string): void {
    this.close(socket.id);
    if (socket.disconnected) return;
    const session: Session = { socket, key, address };
    this.sessions.set(socket.id, session);
    this.apply(session, key);
  }

  close(socketId: string): void {
    const session = this.sessions.get(socketId);
    if (!session) return;
    clearTimeout(session.timer);
    this.sessions.delete(socketId);
  }

  /**
   * Before each client event of a key session, as before each HTTP request: the key still admits
   * the socket, its rate limit one more request, and it holds the event's scope.
   */
  async admit(socket: ParleySocket, event: string): Promise<void> {
    const session = this.sessions.get(socket.id);
    if (!session) return;
    // The address cannot change, and a changed allow-list or scope set was applied when it changed.
    if (!isLive(session.key)) {
      this.end(session);
      throw new AppError('INVALID_API_KEY');
    }
    const decision = await this.deps.keyRequests.hit(session.key.id, session.key.rateLimit);
    if (!decision.allowed) throw rateLimitExceeded(decision.resetSeconds);
    const needed = EVENT_SCOPES[event];
    if (needed !== undefined && !scopeAllows(session.key.scopes, needed))
      throw new AppError('INSUFFICIENT_PERMISSIONS');
  }

  private async recheck(keyId: string): Promise<void> {
    const mine = [...this.sessions.values()].filter((session) => session.key.id === keyId);
    if (mine.length === 0) return;
    let key: ApiKey | undefined;
    try {
      key = await this.deps.keyVerifier.byId(keyId);
    } catch {
      return; // the database is away: the expiry timers and the next sweep still hold
    }
    for (const session of mine) if (this.sessions.get(session.socket.id) === session) this.apply(session, key);
  }

  private apply(session: Session, key: ApiKey | undefined): void {
    if (!key || keySessionRefusal(key, session.address) !== undefined) {
      this.end(session);
      return;
    }
    session.key = key;
    const { socket } = session;
    for (const scope of PUSH_ROOM_SCOPES) {
      const room = rooms.admins(key.appId, scope);
      if (scopeAllows(key.scopes, scope)) socket.join(room);
      else socket.leave(room);
    }
    this.arm(session);
  }

  /** Ends the session when its key expires (a roll's grace end is the old key's expiry). */
  private arm(session: Session): void {
    clearTimeout(session.timer);
    session.timer = undefined;
    const { expiresAt } = session.key;
    if (expiresAt === null) return;
    session.timer = setTimeout(
      () => {
        if (this.sessions.get(session.socket.id) !== session) return;
        if (expiresAt <= Date.now()) this.end(session);
        else this.arm(session);
      },
      Math.max(0, Math.min(expiresAt - Date.now(), MAX_TIMER_MS)),
    );
    session.timer.unref();
  }

  private end(session: Session): void {
    this.close(session.socket.id);
    session.socket.disconnect(true);
  }
}
