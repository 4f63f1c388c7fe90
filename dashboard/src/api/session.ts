import { type QueryClient, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError, api, setCsrfToken } from './client';

export interface Operator {
  id: string;
  name: string;
}

export interface Session {
  operator: Operator;
  csrfToken: string;
  expiresAt?: string | number;
}

export const sessionKey = ['session'] as const;

/** The signed-in operator, or null when there is no session (the login screen shows). */
export function useSession() {
  return useQuery({
    queryKey: sessionKey,
    queryFn: async (): Promise<Session | null> => {
      try {
        const session = await api<Session>('/dashboard/api/session');
        setCsrfToken(session.csrfToken);
        return session;
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) {
          setCsrfToken(undefined);
          return null;
        }
        throw error;
      }
    },
    staleTime: 60_000,
    retry: false,
  });
}

/** Another operator's data must not survive a change of session; the session query itself stays observed. */
function forgetAllButSession(queryClient: QueryClient): void {
  queryClient.removeQueries({ predicate: (query) => query.queryKey[0] !== sessionKey[0] });
}

function useSignIn(path: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: Record<string, string>) => api<Session>(path, { method: 'POST', body }),
    onSuccess: (session) => {
      setCsrfToken(session.csrfToken);
      forgetAllButSession(queryClient);
      queryClient.setQueryData(sessionKey, session);
    },
  });
}

export const useLogin = () => useSignIn('/dashboard/api/login');
export const useSetup = () => useSignIn('/dashboard/api/setup');

export function useLogout() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => api<unknown>('/dashboard/api/logout', { method: 'POST' }),
    onSettled: () => {
      setCsrfToken(undefined);
      queryClient.setQueryData(sessionKey, null);
      forgetAllButSession(queryClient);
    },
  });
}

export interface SessionRecord {
  id: string;
  current: boolean;
  createdAt: string;
  lastSeen: string;
  ip: string;
  userAgent: string;
}

export function useSessions() {
  return useQuery({
    queryKey: ['sessions'],
    queryFn: async () => (await api<{ sessions: SessionRecord[] }>('/dashboard/api/sessions')).sessions,
  });
}

export function useRevokeSession() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api<unknown>(`/dashboard/api/sessions/${encodeURIComponent(id)}`, { method: 'DELETE' }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['sessions'] }),
  });
}

export function useChangePassword() {
  return useMutation({
    mutationFn: (body: { currentPassword: string; newPassword: string }) =>
      api<unknown>('/dashboard/api/password', { method: 'POST', body }),
  });
}
