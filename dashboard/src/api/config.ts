import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from './client';

export type RuntimeConfig = Record<string, unknown>;

const configKey = (appId: string) => ['apps', appId, 'config'] as const;

export function useRuntimeConfig(appId: string) {
  return useQuery({ queryKey: configKey(appId), queryFn: () => api<RuntimeConfig>('/config', { appId }) });
}

/** Sets the keys given, each replaced whole. */
export function useSetConfig(appId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (values: RuntimeConfig) => api<unknown>('/config', { method: 'POST', appId, body: values }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: configKey(appId) }),
  });
}

export function useDeleteConfig(appId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (key: string) => api<unknown>(`/config/${encodeURIComponent(key)}`, { method: 'DELETE', appId }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: configKey(appId) }),
  });
}
