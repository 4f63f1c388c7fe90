import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from './client';

export interface UserSummary {
  _id: string;
  nickname?: string;
  avatarUrl?: string;
  lastLoginTimeMS?: number;
  isRobot?: boolean;
}

/** One user as `GET /admin/clients/:id` answers (spec 1.9). */
export interface UserDetail extends UserSummary {
  email?: string;
  description?: string;
  clientType?: string;
  mute?: string[];
  notificationEnabled?: boolean;
  createdAt?: string;
}

export interface Room {
  _id: string;
  name?: string;
  description?: string;
  roomType?: string;
  status?: number;
  members?: UserSummary[];
  owner?: string;
  createdTimeMS?: number;
}

export interface RoomBan {
  blockee: UserSummary;
  blocker: UserSummary | string;
  createdAt: string;
}

export interface Message {
  _id: string;
  message: unknown;
  messageType: string;
  sender?: UserSummary;
  messageTimeMS?: number;
  pinned?: boolean;
}

export const USERS_PAGE_SIZE = 20;

const chatKey = (appId: string) => ['apps', appId, 'chat'] as const;

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function useUsers(appId: string, search: string, page: number) {
  return useQuery({
    queryKey: [...chatKey(appId), 'users', search, page],
    queryFn: () =>
      api<{ totalCount: number; data: UserSummary[] }>('/admin/clients', {
        appId,
        query: {
          q: search === '' ? undefined : JSON.stringify({ nickname: { $regex: escapeRegex(search), $options: 'i' } }),
          skip: page * USERS_PAGE_SIZE,
          limit: USERS_PAGE_SIZE,
        },
      }),
    placeholderData: keepPreviousData,
  });
}

function useChatMutation<Input>(appId: string, call: (input: Input) => Promise<unknown>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: call,
    onSettled: () => queryClient.invalidateQueries({ queryKey: chatKey(appId) }),
  });
}

export const useRevokeTokens = (appId: string) =>
  useChatMutation(appId, (userId: string) =>
    api(`/admin/clients/${encodeURIComponent(userId)}/token`, { method: 'DELETE', appId }),
  );

export function useUser(appId: string, userId: string) {
  return useQuery({
    queryKey: [...chatKey(appId), 'user', userId],
    queryFn: () => api<UserDetail>(`/admin/clients/${encodeURIComponent(userId)}`, { appId }),
  });
}

/** Mutes (or unmutes) one room's notifications for a user (spec 7.6-7.7). */
export const useMuteRoom = (appId: string, userId: string) =>
  useChatMutation(appId, ({ roomId, muted }: { roomId: string; muted: boolean }) =>
    api(`/admin/clients/${encodeURIComponent(userId)}/mute/${encodeURIComponent(roomId)}`, {
      method: muted ? 'POST' : 'DELETE',
      appId,
    }),
  );

export const useDeleteUser = (appId: string) =>
  useChatMutation(appId, (userId: string) =>
    api(`/admin/clients/${encodeURIComponent(userId)}`, { method: 'DELETE', appId }),
  );

/** A room as the operators' directory lists it (`GET /admin/rooms`). */
export interface DirectoryRoom {
  _id: string;
  name: string;
  roomType: string;
  status: number;
  memberCount: number;
  lastMessageTimeMS?: number;
  createdTimeMS: number;
  isMember?: boolean;
  isBanned?: boolean;
}

export const ROOMS_PAGE_SIZE = 20;

/** Every room of the app, newest first: by part of the name and/or by a user (member or banned). */
export function useRoomDirectory(appId: string, filter: { name?: string; user?: string }, page: number) {
  return useQuery({
    queryKey: [...chatKey(appId), 'directory', filter.name ?? '', filter.user ?? '', page],
    queryFn: () =>
      api<{ totalCount: number; data: DirectoryRoom[] }>('/admin/rooms', {
        appId,
        query: {
          name: filter.name || undefined,
          user: filter.user || undefined,
          skip: page * ROOMS_PAGE_SIZE,
          limit: ROOMS_PAGE_SIZE,
        },
      }),
    placeholderData: keepPreviousData,
  });
}

/** One room's messages containing a text (`GET /admin/rooms/:id/messages/search`); off while `keyword` is empty. */
export function useRoomMessageSearch(appId: string, roomId: string, keyword: string) {
  return useQuery({
    queryKey: [...chatKey(appId), 'room', roomId, 'search', keyword],
    queryFn: () =>
      api<{ totalCount: number; data: Message[] }>(`/admin/rooms/${encodeURIComponent(roomId)}/messages/search`, {
        appId,
        query: { keyword, limit: 50 },
      }),
    enabled: keyword !== '',
  });
}

export function useRoom(appId: string, roomId: string) {
  return useQuery({
    queryKey: [...chatKey(appId), 'room', roomId],
    queryFn: () => api<Room>(`/rooms/${encodeURIComponent(roomId)}`, { appId }),
    enabled: roomId !== '',
  });
}

export function useRoomBans(appId: string, roomId: string) {
  return useQuery({
    queryKey: [...chatKey(appId), 'room', roomId, 'bans'],
    queryFn: async () =>
      (await api<{ data: RoomBan[] }>(`/blockStatus/room/${encodeURIComponent(roomId)}`, { appId })).data,
  });
}

export function useRoomMessages(appId: string, roomId: string, before: string | undefined) {
  return useQuery({
    queryKey: [...chatKey(appId), 'room', roomId, 'messages', before],
    queryFn: () =>
      api<{ totalCount: number; data: Message[] }>(`/rooms/${encodeURIComponent(roomId)}/messages/v3`, {
        appId,
        query: { limit: 20, beforeMessage: before },
      }),
    placeholderData: keepPreviousData,
  });
}

const room = (roomId: string) => `/rooms/${encodeURIComponent(roomId)}`;

export const useFreezeRoom = (appId: string, roomId: string) =>
  useChatMutation(appId, (frozen: boolean) =>
    api(room(roomId), { method: 'PUT', appId, body: { status: frozen ? 0 : 1 } }),
  );

export const useDeleteRoom = (appId: string, roomId: string) =>
  useChatMutation(appId, () => api(room(roomId), { method: 'DELETE', appId }));

export const useBan = (appId: string, roomId: string) =>
  useChatMutation(appId, ({ userId, banned }: { userId: string; banned: boolean }) =>
    api(`/blockStatus/room/${encodeURIComponent(roomId)}/${encodeURIComponent(userId)}`, {
      method: banned ? 'POST' : 'DELETE',
      appId,
    }),
  );

export const useDeleteMessage = (appId: string, roomId: string) =>
  useChatMutation(appId, (messageId: string) =>
    api(`${room(roomId)}/messages/${encodeURIComponent(messageId)}`, { method: 'DELETE', appId }),
  );

export const usePinMessage = (appId: string) =>
  useChatMutation(appId, ({ messageId, pinned }: { messageId: string; pinned: boolean }) =>
    api(`/messages/${encodeURIComponent(messageId)}/pin`, { method: pinned ? 'POST' : 'DELETE', appId }),
  );
