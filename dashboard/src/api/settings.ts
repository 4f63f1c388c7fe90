import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from './client';

export interface AppSettings {
  appID: string;
  name: string;
  settings: { singleTokenPerUser: boolean; defaultGroupOpening: number; defaultHistoryVisibility: string };
  createdAt: string;
}

export interface AppSettingsChange {
  name?: string;
  singleTokenPerUser?: boolean;
  defaultGroupOpening?: 0 | 1;
  defaultHistoryVisibility?: 'shared' | 'joined';
}

export interface Stats {
  messageCount: number;
  peakConnectionCount: number;
  newUserCount: number;
  totalUserCount: number;
  roomCount: number;
  totalRoomCount: number;
}

export function useAppSettings(appId: string) {
  return useQuery({ queryKey: ['apps', appId, 'settings'], queryFn: () => api<AppSettings>('/admin/app', { appId }) });
}

export function useSaveAppSettings(appId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: AppSettingsChange) => api<AppSettings>('/admin/app', { method: 'PATCH', appId, body }),
    onSuccess: (settings) => {
      queryClient.setQueryData(['apps', appId, 'settings'], settings);
      void queryClient.invalidateQueries({ queryKey: ['apps'], exact: true });
    },
  });
}

/** The statistics report over the window ending now. */
export function useStats(appId: string, windowMs: number) {
  return useQuery({
    queryKey: ['apps', appId, 'stats', windowMs],
    queryFn: () =>
      api<Stats>('/admin/stats', { appId, query: { start: String(Date.now() - windowMs), end: String(Date.now()) } }),
    refetchInterval: 30_000,
  });
}
