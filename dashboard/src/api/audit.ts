import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api } from './client';

export interface AuditRecord {
  time: string;
  timeMS: number;
  keyId: string | null;
  keyName: string | null;
  ip: string;
  method: string;
  route: string;
  url: string;
  status: number;
  targetIds: string[];
  requestId: string;
  durationMs: number;
  count: number;
}

export interface AuditFilters {
  keyId?: string;
  method?: string;
  route?: string;
  status?: number;
  targetId?: string;
  ip?: string;
  /** ms epoch */
  from?: number;
  to?: number;
}

export const AUDIT_PAGE_SIZE = 25;

export function useAudit(appId: string, filters: AuditFilters, page: number) {
  return useQuery({
    queryKey: ['apps', appId, 'audit', filters, page],
    queryFn: () =>
      api<{ totalCount: number; data: AuditRecord[] }>('/admin/audit', {
        appId,
        query: { ...filters, skip: page * AUDIT_PAGE_SIZE, limit: AUDIT_PAGE_SIZE },
      }),
    placeholderData: keepPreviousData,
  });
}
