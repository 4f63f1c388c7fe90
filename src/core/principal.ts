/**
 * Who a request or a connection acts as: the application and, for the admin API, the API key. The
 * HTTP layer and the realtime gateway carry these; the apps and keys modules store them.
 */
export interface AppSettings {
  /** When true, issuing, binding or updating a token revokes the user's other tokens (spec 12 item 16). */
  singleTokenPerUser: boolean;
  /** `opening` of new group rooms that do not set one: 1 (spec 4.1) joinable by whoever has the id, 0 closed. */
  defaultGroupOpening: 0 | 1;
  /** `historyVisibility` of new rooms that do not set one: 'shared' (spec behaviour) or 'joined'. */
  defaultHistoryVisibility: 'shared' | 'joined';
  /** Whether members added to a group room without `invitationRequired` are invited rather than added ([hist] 6.1, 13.6). */
  defaultInvitationRequired: boolean;
}

export interface App {
  id: string;
  name: string;
  clientKey: string;
  clientKeyCreatedAt: number;
  tokenSecret: string;
  settings: AppSettings;
  isDefault: boolean;
  createdAt: number;
}

export interface ApiKey {
  id: string;
  appId: string;
  name: string;
  last4: string;
  scopes: string[];
  allowedIps: string[] | null;
  rateLimit: number;
  expiresAt: number | null;
  revokedAt: number | null;
  createdAt: number;
  createdBy: string;
  lastUsedAt: number | null;
  lastUsedIp: string | null;
  rolledFrom: string | null;
  rolledTo: string | null;
  origin: 'generated' | 'imported';
}
