import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from './client';

export interface App {
  id: string;
  name: string;
  createdAt?: string | number;
}

export interface CreatedApp {
  app: App;
  apiKey: string;
  clientKey: string;
}

const appsKey = ['apps'] as const;

export function useApps() {
  return useQuery({
    queryKey: appsKey,
    queryFn: async () => (await api<{ apps: App[] }>('/dashboard/api/apps')).apps,
  });
}

/** Creation answers the app's first API key once: it stays in the mutation, never in the cache. */
export function useCreateApp() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (name: string) => api<CreatedApp>('/dashboard/api/apps', { method: 'POST', body: { name } }),
    gcTime: 0,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: appsKey }),
  });
}

export function useRenameApp() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, name }: { id: string; name: string }) =>
      api<unknown>(`/dashboard/api/apps/${encodeURIComponent(id)}`, { method: 'PATCH', body: { name } }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: appsKey }),
  });
}
