import type { ApiKey, App } from '../core/principal.js';
import type { Scope } from '../core/scopes.js';

/**
 * Every route declares who may call it:
 * - `admin`: the API key only (`IM-API-KEY`);
 * - `user`: a client key with a user token, or the API key acting as platform admin (spec 12 item 10);
 * - `clientKey`: the client key alone (a user token, if sent, is not read), or the API key: sandbox
 *   sign-in ([hist] 2.1), where the route itself decides what the client key may do;
 * - `bodyTokens`: the client key with users' tokens in the body (`tokens`), or the API key (spec 12
 *   item 10): badges of several users ([hist] 8.2). A user token in the headers is not read; each
 *   body token is verified as one of the application's, and those that are not are left out
 *   (`tokenUsersOf`);
 * - `operator`: a dashboard operator's session cookie (with `X-CSRF-Token` on state changes);
 * - `public`: nobody needs to authenticate (health, docs, the dashboard's sign-in).
 *
 * `admin` and `user` routes also accept an operator's session with `X-Parley-App` naming the
 * application: the operator then acts as the full-permission API key would.
 */
export type AuthMode = 'admin' | 'user' | 'clientKey' | 'bodyTokens' | 'operator' | 'public';

/** A dashboard operator (issue 12): spans every application. */
export interface OperatorPrincipal {
  id: string;
  name: string;
}

/** The live session a request's cookie names, as authentication hands it to routes. */
export interface OperatorSignedIn {
  operator: OperatorPrincipal;
  session: { id: string; csrfToken: string; expiresAt: number; idleExpiresAt: number };
}

export type AuthContext =
  | { kind: 'apiKey'; app: App; key: ApiKey }
  | { kind: 'user'; app: App; userId: string; tokenId: string }
  /** Only the application is known: a `clientKey` or `bodyTokens` route called without the API key. */
  | { kind: 'clientKey'; app: App }
  /** A dashboard operator acting in the application `X-Parley-App` names, with every scope. */
  | { kind: 'operator'; app: App; operator: OperatorPrincipal };

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
    auditSubject: { appId: string; keyId: string | null; keyName: string | null; operatorId?: string | null } | null;
    /** Set when the request came with a live operator session (dashboard and admin routes). */
    operatorSession: OperatorSignedIn | null;
    /** On `bodyTokens` routes: the users whose body tokens were verified, once each, in the tokens' order. */
    tokenUsers: string[] | null;
    rateLimited: boolean;
  }
  interface FastifyInstance {
    /** Every route with its declared auth mode and scope (for the auth matrix and docs checks). */
    routeTable: RouteEntry[];
  }
}
