import { RateLimiterMemory } from 'rate-limiter-flexible';
import { AppError } from '../http/errors.js';
import type { ParleySocket } from './session.js';

/** Events per connection per window, then refusals (a connection that keeps flooding is closed). */
const EVENT_POINTS = 60;
const EVENT_WINDOW_S = 10;
/**
 * Events of one user over all its connections on this node: ten connections' worth, so that
 * opening more connections does not multiply a user's events.
 */
const USER_EVENT_POINTS = 10 * EVENT_POINTS;

/** Counts each inbound socket event against its connection, then against its user. */
export class EventLimiter {
  private readonly perSocket = new RateLimiterMemory({ points: EVENT_POINTS, duration: EVENT_WINDOW_S });
  private readonly perUser = new RateLimiterMemory({ points: USER_EVENT_POINTS, duration: EVENT_WINDOW_S });

  /** Resolves when the event may be handled; rejects with the refusal to answer. */
  async consume(socket: ParleySocket): Promise<void> {
    try {
      await this.perSocket.consume(socket.id);
    } catch {
      throw new AppError('RATE_LIMIT_EXCEEDED', 'Too many events on this connection; slow down');
    }
    const { appId, userId } = socket.data;
    if (appId === undefined || userId === undefined) return;
    try {
      await this.perUser.consume(`${appId}:${userId}`);
    } catch {
      throw new AppError('RATE_LIMIT_EXCEEDED', 'Too many events from this user on all its connections; slow down');
    }
  }

  /** Forgets a closed connection's count. */
  delete(socketId: string): Promise<boolean> {
    return this.perSocket.delete(socketId);
  }
}
