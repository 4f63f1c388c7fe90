import type { KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';
import type { GuardedPoster } from '../../../outbound/index.js';
import type { DeliveryOutcome } from './contract.js';
import { outcomeOfRequestError, outcomeOfTokenReply } from './fcm-outcomes.js';

export const FCM_SCOPE = 'https://www.googleapis.com/auth/firebase.messaging';
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
/** Google's longest assertion lifetime. */
const ASSERTION_LIFETIME_S = 3600;
/** A token is renewed this long before it expires (at most half its lifetime), so no send carries one about to lapse. */
const RENEW_MARGIN_S = 300;

export interface FcmTokenAccount {
  clientEmail: string;
  privateKey: KeyObject;
  privateKeyId?: string;
  tokenUri: string;
}

export type AccessToken = { token: string } | { outcome: DeliveryOutcome };

/**
 * OAuth2 access tokens for FCM from a service account (the JWT-bearer grant): one token is kept
 * until shortly before it expires, and sends that need one at the same time share one request.
 */
/** How long a refused service-account key is not tried again (new credentials make a new sender). */
const REFUSAL_PAUSE_MS = 60_000;

export class FcmAccessTokens {
  private cached?: { token: string; renewAtMs: number };
  private pending?: Promise<AccessToken>;
  /** Google refused the key: every send fails alike for a while, without asking again per device. */
  private refused?: { outcome: DeliveryOutcome; untilMs: number };

  constructor(
    private readonly account: FcmTokenAccount,
    private readonly poster: GuardedPoster,
  ) {}

  current(): Promise<AccessToken> {
    if (this.cached && Date.now() < this.cached.renewAtMs) return Promise.resolve({ token: this.cached.token });
    if (this.refused && Date.now() < this.refused.untilMs) return Promise.resolve({ outcome: this.refused.outcome });
    this.pending ??= this.mint()
      .then((result) => {
        if ('outcome' in result && result.outcome.status === 'failed')
          this.refused = { outcome: result.outcome, untilMs: Date.now() + REFUSAL_PAUSE_MS };
        return result;
      })
      .finally(() => {
        this.pending = undefined;
      });
    return this.pending;
  }

  /** Forgets a token FCM refused (a newer one already minted is kept). */
  drop(token: string): void {
    if (this.cached?.token === token) this.cached = undefined;
  }

  private async mint(): Promise<AccessToken> {
    let assertion: string;
    try {
      assertion = await this.assertion();
    } catch {
      return { outcome: { status: 'failed', detail: 'oauth2: the service account key cannot sign' } };
    }
    const form = new URLSearchParams({ grant_type: JWT_BEARER, assertion }).toString();
    let reply: Awaited<ReturnType<GuardedPoster['post']>>;
    try {
      reply = await this.poster.post(
        this.account.tokenUri,
        { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        form,
      );
    } catch (error) {
      return { outcome: outcomeOfRequestError(error, 'oauth2') };
    }
    if (reply.status !== 200) return { outcome: outcomeOfTokenReply(reply) };
    const answer = parseTokenAnswer(reply.body);
    if (!answer) return { outcome: { status: 'retry', detail: 'oauth2 200: no access_token in the answer' } };
    const lifetimeS = answer.expiresInS;
    const renewInS = Math.max(lifetimeS / 2, lifetimeS - RENEW_MARGIN_S);
    this.cached = { token: answer.token, renewAtMs: Date.now() + renewInS * 1000 };
    return { token: answer.token };
  }

  private assertion(): Promise<string> {
    const nowS = Math.floor(Date.now() / 1000);
    return new SignJWT({ scope: FCM_SCOPE })
      .setProtectedHeader({
        alg: 'RS256',
        typ: 'JWT',
        ...(this.account.privateKeyId ? { kid: this.account.privateKeyId } : {}),
      })
      .setIssuer(this.account.clientEmail)
      .setAudience(this.account.tokenUri)
      .setIssuedAt(nowS)
      .setExpirationTime(nowS + ASSERTION_LIFETIME_S)
      .sign(this.account.privateKey);
  }
}

function parseTokenAnswer(body: string): { token: string; expiresInS: number } | undefined {
  try {
    const answer = JSON.parse(body) as { access_token?: unknown; expires_in?: unknown };
    if (typeof answer.access_token !== 'string' || answer.access_token === '') return undefined;
    const expiresIn = Number(answer.expires_in);
    return {
      token: answer.access_token,
      expiresInS: Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn : ASSERTION_LIFETIME_S,
    };
  } catch {
    return undefined;
  }
}
