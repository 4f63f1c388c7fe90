import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from './client';

export type PushPlatform = 'fcm' | 'apns' | 'webpush';

export interface PushSettings {
  constantBadge: number | null;
  soundAndroid: string | null;
  soundIos: string | null;
  externalPushUrl: string | null;
  genericPushUrl: string | null;
}

/** What the server shows of each platform's credentials: public ids, never a key. */
export interface PushProviders {
  fcm: { projectId: string; clientEmail: string; updatedAt: string } | null;
  apns: { keyId: string; teamId: string; bundleId: string; production: boolean; updatedAt: string } | null;
  webpush: { publicKey: string; subject: string; updatedAt: string } | null;
  settings: PushSettings;
  /** Whether credentials are sealed with SECRETS_KEY in the database. */
  sealed: boolean;
}

export interface ApnsCredentials {
  keyP8: string;
  keyId: string;
  teamId: string;
  bundleId: string;
  production: boolean;
}

export type WebPushCredentials =
  | { subject: string; generate: true }
  | { subject: string; publicKey: string; privateKey: string };

export type NotificationStatus = 'pending' | 'sent' | 'failed';

export interface PushDelivery {
  provider: string;
  client: string | null;
  deviceType: string | null;
  tokenTail: string | null;
  status: string;
  attempts: number;
  detail: string | null;
  updatedAt: string;
}

export interface PushNotification {
  id: string;
  kind: string;
  clients: string[];
  payload: unknown;
  status: string;
  attempts: number;
  devices: number;
  provider: string | null;
  lastError: string | null;
  createdAt: string;
  updatedAt: string;
  deliveries: PushDelivery[];
}

export const NOTIFICATIONS_PAGE_SIZE = 20;

const pushKey = (appId: string) => ['apps', appId, 'push'] as const;

export function usePushProviders(appId: string) {
  return useQuery({
    queryKey: [...pushKey(appId), 'providers'],
    queryFn: () => api<PushProviders>('/admin/push/providers', { appId }),
  });
}

/** Saves one platform's credentials; the answer (public ids only) replaces nothing: the view is fetched again. */
function useSaveCredential<Body>(appId: string, platform: PushPlatform) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: Body) =>
      api<Record<string, unknown>>(`/admin/push/providers/${platform}`, { method: 'PUT', appId, body }),
    gcTime: 0,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: [...pushKey(appId), 'providers'] }),
  });
}

export const useSaveFcm = (appId: string) => useSaveCredential<{ serviceAccount: string }>(appId, 'fcm');
export const useSaveApns = (appId: string) => useSaveCredential<ApnsCredentials>(appId, 'apns');
export const useSaveWebPush = (appId: string) => useSaveCredential<WebPushCredentials>(appId, 'webpush');

export function useRemoveCredential(appId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (platform: PushPlatform) =>
      api<Record<string, never>>(`/admin/push/providers/${platform}`, { method: 'DELETE', appId }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: [...pushKey(appId), 'providers'] }),
  });
}

export function useSavePushSettings(appId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: Partial<PushSettings>) =>
      api<PushSettings>('/admin/push/settings', { method: 'PUT', appId, body }),
    onSuccess: (settings) =>
      queryClient.setQueryData<PushProviders>([...pushKey(appId), 'providers'], (current) =>
        current ? { ...current, settings } : current,
      ),
  });
}

export function usePushNotifications(appId: string, status: NotificationStatus | undefined, page: number) {
  return useQuery({
    queryKey: [...pushKey(appId), 'notifications', status, page],
    queryFn: () =>
      api<{ totalCount: number; data: PushNotification[] }>('/admin/push/notifications', {
        appId,
        query: { status, skip: page * NOTIFICATIONS_PAGE_SIZE, limit: NOTIFICATIONS_PAGE_SIZE },
      }),
    placeholderData: keepPreviousData,
    refetchInterval: 10_000,
  });
}

export function useRefreshNotifications(appId: string) {
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: [...pushKey(appId), 'notifications'] });
}
