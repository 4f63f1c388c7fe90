import type { ApiKey, App } from '../core/principal.js';
import type { Scope } from '../core/scopes.js';
import type { Services } from '../services.js';

/**
 * Every route declares who may call it:
 * - `admin`: the API key only (`IM-API-KEY`);
 * - `user`: a client key with a user token, or the API key acting as platform admin (spec 12 item 10);
 * - `public`: nobody needs to authenticate (health, docs).
 */
export type AuthMode = 'admin' | 'user' | 'public';

export type AuthContext =
  | { kind: 'apiKey'; app: App; key: ApiKey }
  | { kind: 'user'; app: App; userId: string; tokenId: string };

export interface RouteEntry {
  method: string;
  url: string;
  auth: AuthMode | undefined;
  scope: Scope | undefined;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    auth?: AuthMode;
    /** The scope an API key needs for this route. */
    scope?: Scope;
  }
  interface FastifyRequest {
    auth: AuthContext | null;
    /** Ids of the objects this request touched, for the audit trail. */
    auditTargets: string[];
    /** Set when the request is audited: the app and key it is recorded under. */
    auditSubject: { appId: string; keyId: string | null; keyName: string | null } | null;
    rateLimited: boolean;
  }
  interface FastifyInstance {
    services: Services;
    /** Every route with its declared auth mode and scope (for the auth matrix and docs checks). */
    routeTable: RouteEntry[];
  }
}
