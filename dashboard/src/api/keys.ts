import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from './client';

export type KeyStatus = 'active' | 'expiring' | 'expired' | 'revoked';

export interface ApiKey {
  id: string;
  name: string;
  last4: string;
  status: KeyStatus;
  scopes: string[];
  allowedIps: string[] | null;
  rateLimitPerMinute: number;
  expiresAt: string | null;
  expiresAtMS: number | null;
  revokedAt: string | null;
  createdAt: string;
  createdAtMS: number;
  createdBy: string;
  lastUsedAt: string | null;
  lastUsedAtMS: number | null;
  lastUsedIp: string | null;
  rolledFrom: string | null;
  rolledTo: string | null;
}

/** The answer of a creation or a roll: the only time the plain key is ever sent. */
export type IssuedKey = ApiKey & { key: string };
export type RolledKey = IssuedKey & { previous: ApiKey };

export interface KeySettings {
  name?: string;
  scopes?: string[];
  allowedIps?: string[] | null;
  rateLimitPerMinute?: number;
  expiresAt?: string | null;
}

export interface ClientKey {
  appID: string;
  clientKey: string;
  createdAt: string;
}

export const keysKey = (appId: string) => ['apps', appId, 'keys'] as const;

export function useKeys(appId: string, includeRevoked = true) {
  return useQuery({
    queryKey: [...keysKey(appId), { includeRevoked }],
    queryFn: async () => (await api<{ data: ApiKey[] }>('/admin/keys', { appId, query: { includeRevoked } })).data,
  });
}

function useKeyMutation<Input, Output>(appId: string, call: (input: Input) => Promise<Output>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: call,
    // Answers may hold a plain key: forgotten as soon as the screen showing it is gone.
    gcTime: 0,
    onSettled: () => queryClient.invalidateQueries({ queryKey: keysKey(appId) }),
  });
}

export const useCreateKey = (appId: string) =>
  useKeyMutation(appId, (settings: KeySettings) =>
    api<IssuedKey>('/admin/keys', { method: 'POST', appId, body: settings }),
  );

export const useUpdateKey = (appId: string) =>
  useKeyMutation(appId, ({ id, settings }: { id: string; settings: KeySettings }) =>
    api<ApiKey>(`/admin/keys/${encodeURIComponent(id)}`, { method: 'PATCH', appId, body: settings }),
  );

export const useRollKey = (appId: string) =>
  useKeyMutation(appId, ({ id, gracePeriodSeconds }: { id: string; gracePeriodSeconds: number }) =>
    api<RolledKey>(`/admin/keys/${encodeURIComponent(id)}/roll`, {
      method: 'POST',
      appId,
      body: { gracePeriodSeconds },
    }),
  );

export const useRevokeKey = (appId: string) =>
  useKeyMutation(appId, (id: string) =>
    api<ApiKey>(`/admin/keys/${encodeURIComponent(id)}`, { method: 'DELETE', appId }),
  );

export function useClientKey(appId: string) {
  return useQuery({
    queryKey: ['apps', appId, 'client-key'],
    queryFn: () => api<ClientKey>('/admin/keys/client-key', { appId }),
  });
}

export function useRegenerateClientKey(appId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => api<ClientKey>('/admin/keys/client-key', { method: 'POST', appId }),
    onSuccess: (clientKey) => queryClient.setQueryData(['apps', appId, 'client-key'], clientKey),
  });
}
