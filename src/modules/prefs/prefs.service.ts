import type { Actor } from '../../core/actor.js';
import { AppError } from '../../core/errors.js';
import type { EventBus } from '../../events/event-bus.js';
import type { PrefsRepository, UserPref } from './prefs.repository.js';

const MAX_PREF_BYTES = 64 * 1024;
const MAX_PREFS = 200;

/** A room preference as answered: `{room, ...pref}`. */
export type RoomPref = Record<string, unknown> & { room: string };
export interface RoomPrefList {
  totalCount: number;
  data: RoomPref[];
}

/**
 * Room preferences ([hist] 4), kept by the chat in its rooms' read states: the chat module's
 * `roomPrefs`. A user's own (`userId`), and a user group's, which `actor` may use if a member of it.
 */
export interface RoomPrefsPort {
  set(appId: string, userId: string, roomId: string, changes: Record<string, unknown>): Promise<RoomPref>;
  unset(appId: string, userId: string, roomId: string, key: string): Promise<RoomPref>;
  list(appId: string, userId: string): Promise<RoomPrefList>;
  setForGroup(
    appId: string,
    actor: Actor,
    groupId: string,
    roomId: string,
    changes: Record<string, unknown>,
  ): Promise<RoomPref>;
  unsetForGroup(appId: string, actor: Actor, groupId: string, roomId: string, key: string): Promise<RoomPref>;
  listForGroup(appId: string, actor: Actor, groupId: string): Promise<RoomPrefList>;
}

/** Personal preferences (`/me/pref`, realtime protocol 6.5): one JSON value per key, at most 200 of them. */
export class PrefsService {
  constructor(private readonly deps: { repository: PrefsRepository; bus: EventBus }) {}

  list(appId: string, userId: string): Promise<UserPref[]> {
    return this.deps.repository.list(appId, userId);
  }

  /** One preference (`GET /me/pref?key=`, [hist] 3.4); an unknown key is a 404. */
  async get(appId: string, userId: string, key: string): Promise<UserPref> {
    const pref = await this.deps.repository.find(appId, userId, key);
    if (!pref) throw new AppError('NOT_FOUND', 'No such preference');
    return pref;
  }

  /** The map form ([hist] 3.4 `GET /me/prefs`): key → value. */
  async map(appId: string, userId: string): Promise<Record<string, unknown>> {
    const entries = await this.deps.repository.list(appId, userId);
    return Object.fromEntries(entries.map(({ key, data }) => [key, data]));
  }

  async set(appId: string, userId: string, key: string, data: unknown): Promise<UserPref> {
    if (Buffer.byteLength(JSON.stringify(data) ?? '') > MAX_PREF_BYTES)
      throw new AppError('INVALID_REQUEST', `A preference holds at most ${MAX_PREF_BYTES} bytes of JSON`);
    const existing = await this.deps.repository.list(appId, userId);
    if (existing.length >= MAX_PREFS && !existing.some((entry) => entry.key === key))
      throw new AppError('INVALID_REQUEST', `At most ${MAX_PREFS} preferences per user`);
    await this.deps.repository.set(appId, userId, key, data);
    this.deps.bus.publish('user.pref', { appId, userId, key, data });
    return { key, data };
  }

  /** Idempotent ([hist] 14 item 16): an absent key is no error, and only a removal is pushed. */
  async delete(appId: string, userId: string, key: string): Promise<{ key: string }> {
    if (await this.deps.repository.delete(appId, userId, key))
      this.deps.bus.publish('user.pref', { appId, userId, key });
    return { key };
  }
}
