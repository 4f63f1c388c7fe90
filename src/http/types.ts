import type { ApiKey, App } from '../core/principal.js';
import type { Scope } from '../core/scopes.js';

/**
 * Every route declares who may call it:
 * - `admin`: the API key only (`IM-API-KEY`);
 * - `user`: a client key with a user token, or the API key acting as platform admin (spec 12 item 10);
 * - `clientKey`: the client key alone (a user token, if sent, is not read), or the API key: sandbox
 *   sign-in ([hist] 2.1), where the route itself decides what the client key may do;
 * - `public`: nobody needs to authenticate (health, docs).
 */
export type AuthMode = 'admin' | 'user' | 'clientKey' | 'public';

export type AuthContext =
  | { kind: 'apiKey'; app: App; key: ApiKey }
  | { kind: 'user'; app: App; userId: string; tokenId: string }
  /** Only the application is known: a `clientKey` route called without the API key. */
  | { kind: 'clientKey'; app: App };

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
    /** Every route with its declared auth mode and scope (for the auth matrix and docs checks). */
    routeTable: RouteEntry[];
  }
}
