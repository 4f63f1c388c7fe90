import type { EventBus } from '../../events/event-bus.js';
import { AppError } from '../../core/errors.js';
import { objectId } from '../../shared/ids.js';
import type { Db } from '../../storage/transaction.js';
import type { User, UsersRepository } from './users.repository.js';
import { checkUserId } from './users.service.js';

export const MAX_GROUP_MEMBERS = 10_000;

export interface GroupInput {
  _id?: string;
  nickname?: string;
  avatarUrl?: string;
  members?: string[];
}

/**
 * What groups need from the chat: users new to a group get unread counts in the group's rooms
 * (chat's `MembersRepository.seedGroupUsers`).
 */
export interface GroupRoomsPort {
  seedGroupUsers(appId: string, groupId: string, userIds: string[], at: number): Promise<void>;
}

/**
 * User groups ("teams", spec 3.6 and 12 item 26): virtual users that stand for their members and
 * share the user id space. Members must be existing users, not groups.
 */
export class GroupsService {
  constructor(private readonly deps: { users: UsersRepository; rooms: GroupRoomsPort; bus: EventBus }) {}

  async create(appId: string, input: GroupInput): Promise<User> {
    if (input.nickname === undefined || input.nickname.trim() === '')
      throw new AppError('MISSING_PARAMETER', 'nickname is required');
    const id = input._id ?? objectId();
    checkUserId(id);
    const members = uniqueMembers(input.members ?? []);
    const result = await this.deps.users.attempt(async (tx) => {
      if (await this.deps.users.find(appId, id, tx)) throw new AppError('GROUP_ALREADY_EXISTS');
      await this.checkMembers(appId, members, tx);
      const { user, created } = await this.deps.users.upsert(
        appId,
        id,
        { nickname: input.nickname, avatarUrl: input.avatarUrl, groupMembers: members },
        true,
        tx,
      );
      // Another request created this id since the check above: creating is not updating.
      if (!created) throw new AppError('GROUP_ALREADY_EXISTS');
      return user;
    });
    if (result.outcome === 'conflict') throw new AppError('GROUP_ALREADY_EXISTS');
    this.deps.bus.publish('user.upserted', { appId, userId: id });
    this.deps.bus.publish('group.created', { appId, groupId: id });
    if (members.length > 0) this.deps.bus.publish('group.members', { appId, groupId: id, added: members, removed: [] });
    return result.value;
  }

  async update(appId: string, id: string, input: Omit<GroupInput, '_id'>): Promise<User> {
    if (input.nickname !== undefined && input.nickname.trim() === '')
      throw new AppError('INVALID_REQUEST', 'nickname must not be empty');
    const members = input.members === undefined ? undefined : uniqueMembers(input.members);
    let before: string[] = [];
    const group = await this.deps.users.transaction(async (tx) => {
      const existing = await this.deps.users.find(appId, id, tx);
      if (!existing?.isGroup) throw new AppError('GROUP_NOT_FOUND');
      before = existing.groupMembers ?? [];
      if (members) await this.checkMembers(appId, members, tx);
      const { user } = await this.deps.users.upsert(
        appId,
        id,
        { nickname: input.nickname, avatarUrl: input.avatarUrl, groupMembers: members },
        true,
        tx,
      );
      return user;
    });
    // Users new to the group get unread counts in the group's rooms from now on.
    const joined = (members ?? []).filter((member) => !before.includes(member));
    if (joined.length > 0) await this.deps.rooms.seedGroupUsers(appId, id, joined, Date.now());
    this.deps.bus.publish('user.upserted', { appId, userId: id });
    const left = members === undefined ? [] : before.filter((member) => !members.includes(member));
    if (joined.length > 0 || left.length > 0)
      this.deps.bus.publish('group.members', { appId, groupId: id, added: joined, removed: left });
    return group;
  }

  async get(appId: string, id: string): Promise<User> {
    const group = await this.deps.users.find(appId, id);
    if (!group?.isGroup) throw new AppError('GROUP_NOT_FOUND');
    return group;
  }

  list(appId: string, skip: number, limit: number): Promise<{ totalCount: number; data: User[] }> {
    return this.deps.users.listGroups(appId, { skip, limit });
  }

  async delete(appId: string, id: string): Promise<User> {
    const group = await this.get(appId, id);
    await this.deps.users.transaction(async (tx) => {
      await this.deps.users.removeFromRooms(appId, id, tx);
      await this.deps.users.delete(appId, id, tx);
    });
    this.deps.bus.publish('user.deleted', { appId, userId: id });
    if ((group.groupMembers ?? []).length > 0)
      this.deps.bus.publish('group.members', { appId, groupId: id, added: [], removed: group.groupMembers ?? [] });
    return group;
  }

  private async checkMembers(appId: string, members: string[], tx: Db): Promise<void> {
    const found = new Map((await this.deps.users.findMany(appId, members, tx)).map((user) => [user.id, user]));
    const missing = members.filter((member) => !found.get(member));
    if (missing.length > 0)
      throw new AppError(
        'INVALID_REQUEST',
        `members must be existing users; unknown: ${missing.slice(0, 10).join(', ')}`,
      );
    const groups = members.filter((member) => found.get(member)?.isGroup);
    if (groups.length > 0)
      throw new AppError('INVALID_REQUEST', `a group cannot contain groups: ${groups.slice(0, 10).join(', ')}`);
  }
}

function uniqueMembers(members: string[]): string[] {
  const unique = [...new Set(members)];
  if (unique.length > MAX_GROUP_MEMBERS)
    throw new AppError('INVALID_REQUEST', `A group holds at most ${MAX_GROUP_MEMBERS} members`);
  for (const member of unique) checkUserId(member);
  return unique;
}
