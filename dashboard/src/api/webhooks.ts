import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from './client';

export interface WebhookSettings {
  url: string | null;
  baseUrl: string | null;
  /** Masked: `…abcd`. */
  secret: string;
  previousSecretValidUntil: string | null;
  deliveries: Record<string, number>;
}

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

export interface Delivery {
  id: string;
  event: string;
  roomID: string | null;
  url: string;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: string | null;
  lastStatus: number | null;
  lastError: string | null;
  payload: unknown;
  createdAt: string;
  updatedAt: string;
}

export const DELIVERIES_PAGE_SIZE = 20;

const webhooksKey = (appId: string) => ['apps', appId, 'webhooks'] as const;

export function useWebhookSettings(appId: string) {
  return useQuery({
    queryKey: [...webhooksKey(appId), 'settings'],
    queryFn: () => api<WebhookSettings>('/admin/webhooks', { appId }),
    refetchInterval: 10_000,
  });
}

export function useSaveWebhookSettings(appId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: { url: string | null; baseUrl: string | null }) =>
      api<WebhookSettings>('/admin/webhooks', { method: 'PUT', appId, body }),
    onSuccess: (settings) => queryClient.setQueryData([...webhooksKey(appId), 'settings'], settings),
  });
}

/** The signing secret in full: fetched on demand, kept only by the component that shows it. */
export function useRevealSecret(appId: string) {
  return useMutation({ mutationFn: () => api<{ secret: string }>('/admin/webhooks/secret', { appId }), gcTime: 0 });
}

export function useRotateSecret(appId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (graceSeconds: number) =>
      api<{ secret: string; previousSecretValidUntil: string | null }>('/admin/webhooks/secret', {
        method: 'POST',
        appId,
        body: { graceSeconds },
      }),
    gcTime: 0,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: [...webhooksKey(appId), 'settings'] }),
  });
}

export function useDeliveries(appId: string, status: DeliveryStatus | undefined, page: number) {
  return useQuery({
    queryKey: [...webhooksKey(appId), 'deliveries', status, page],
    queryFn: () =>
      api<{ totalCount: number; data: Delivery[] }>('/admin/webhooks/deliveries', {
        appId,
        query: { status, skip: page * DELIVERIES_PAGE_SIZE, limit: DELIVERIES_PAGE_SIZE },
      }),
    placeholderData: keepPreviousData,
    refetchInterval: 10_000,
  });
}

/** Settings, counts and the delivery log again (the counts move with the log). */
export function useRefreshWebhooks(appId: string) {
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: webhooksKey(appId) });
}

export function useRedeliver(appId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      api<Delivery>(`/admin/webhooks/deliveries/${encodeURIComponent(id)}/redeliver`, { method: 'POST', appId }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: webhooksKey(appId) }),
  });
}
