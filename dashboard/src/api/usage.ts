import { useQueries, useQuery } from '@tanstack/react-query';
import { api } from './client';

export interface UsageMinute {
  minuteMS: number;
  requests: number;
  errors: number;
  rateLimited: number;
}

export interface UsageReport {
  keyId: string;
  from: string;
  to: string;
  totals: { requests: number; errors: number; rateLimited: number };
  data: UsageMinute[];
}

/** Per-minute usage of each key over the window ending now. */
export function useKeysUsage(appId: string, keyIds: string[], windowMs: number) {
  return useQueries({
    queries: keyIds.map((id) => ({
      queryKey: ['apps', appId, 'usage', id, windowMs],
      queryFn: () =>
        api<UsageReport>(`/admin/keys/${encodeURIComponent(id)}/usage`, {
          appId,
          query: { from: String(Date.now() - windowMs), to: String(Date.now()) },
        }),
      refetchInterval: 30_000,
    })),
  });
}

export function useConnectionCount(appId: string) {
  return useQuery({
    queryKey: ['apps', appId, 'connection-count'],
    queryFn: () => api<{ count: number }>('/admin/connection-count', { appId }),
    refetchInterval: 5_000,
  });
}

export interface MessageSeries {
  from: string;
  to: string;
  totalCount: number;
  data: Array<{ minuteMS: number; messages: number }>;
}

/** Messages sent per minute in the app over the window ending now (busy minutes only). */
export function useMessageSeries(appId: string, windowMs: number) {
  return useQuery({
    queryKey: ['apps', appId, 'message-series', windowMs],
    queryFn: () =>
      api<MessageSeries>('/admin/stats/messages', {
        appId,
        query: { from: String(Date.now() - windowMs), to: String(Date.now()) },
      }),
    refetchInterval: 30_000,
  });
}
