import { GuardedPoster } from '../../../outbound/index.js';
import type { DeliveryOutcome, DeviceTarget, PushContent, PushSender, SenderTransport } from './contract.js';
import { FcmAccessTokens } from './fcm-access-token.js';
import { fcmMessageOf } from './fcm-message.js';
import { outcomeOfFcmReply, outcomeOfRequestError } from './fcm-outcomes.js';
import { DEFAULT_TOKEN_URI, type FcmServiceAccount, rsaPrivateKeyOf } from './fcm-service-account.js';

export { fcmMessageOf } from './fcm-message.js';
export type { FcmMessage } from './fcm-message.js';
export { parseFcmServiceAccount } from './fcm-service-account.js';
export type { FcmServiceAccount } from './fcm-service-account.js';

export const DEFAULT_FCM_URL = 'https://fcm.googleapis.com';
/** FCM answers are small JSON; anything longer is cut. */
const MAX_REPLY_BYTES = 16 * 1024;

/** Why a base URL cannot be used, or undefined: plain http only where private destinations are allowed (tests, gateways). */
function unusableUrl(name: string, url: string, allowPrivate: boolean): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `${name} is not a URL`;
  }
  if (parsed.protocol === 'https:') return undefined;
  if (parsed.protocol === 'http:' && allowPrivate) return undefined;
  return `${name} must be https`;
}

/**
 * Delivers to Android and FCM devices through the FCM HTTP v1 API with one application's service
 * account: an OAuth2 token minted from the account's key, then one `messages:send` per device.
 * Reaches FCM and the token endpoint through the SSRF-guarded poster of `src/outbound` (https,
 * the transport's CA trusted besides the defaults). Never throws: every failure is an outcome.
 */
export class FcmSender implements PushSender {
  readonly provider = 'fcm' as const;
  private readonly poster: GuardedPoster;
  private readonly sendUrl: string;
  private readonly tokens?: FcmAccessTokens;
  /** A configuration that cannot work: every send fails with it. */
  private readonly unusable?: string;

  constructor(credentials: { serviceAccount: FcmServiceAccount }, transport: SenderTransport & { baseUrl?: string }) {
    const account = credentials.serviceAccount;
    const baseUrl = (transport.baseUrl ?? DEFAULT_FCM_URL).replace(/\/+$/, '');
    const tokenUri = account.token_uri ?? DEFAULT_TOKEN_URI;
    this.sendUrl = `${baseUrl}/v1/projects/${encodeURIComponent(account.project_id)}/messages:send`;
    this.poster = new GuardedPoster({
      allowPrivate: transport.allowPrivate,
      timeoutMs: transport.timeoutMs,
      maxReplyBytes: MAX_REPLY_BYTES,
      ...(transport.ca ? { ca: transport.ca } : {}),
    });
    const privateKey = typeof account.private_key === 'string' ? rsaPrivateKeyOf(account.private_key) : undefined;
    this.unusable =
      unusableUrl('the FCM URL', baseUrl, transport.allowPrivate) ??
      unusableUrl('the service account token_uri', tokenUri, transport.allowPrivate) ??
      (privateKey ? undefined : 'the service account private_key is not a PEM RSA private key');
    if (privateKey)
      this.tokens = new FcmAccessTokens(
        {
          clientEmail: account.client_email,
          privateKey,
          tokenUri,
          ...(account.private_key_id ? { privateKeyId: account.private_key_id } : {}),
        },
        this.poster,
      );
  }

  async send(target: DeviceTarget, content: PushContent): Promise<DeliveryOutcome> {
    if (this.unusable || !this.tokens) return { status: 'failed', detail: `fcm: ${this.unusable}` };
    const access = await this.tokens.current();
    if ('outcome' in access) return access.outcome;
    const body = JSON.stringify({ message: fcmMessageOf(target.token, content) });
    try {
      const reply = await this.poster.post(
        this.sendUrl,
        { 'content-type': 'application/json', authorization: `Bearer ${access.token}` },
        body,
      );
      // FCM refused the token (revoked, or expired early): the next send mints another.
      if (reply.status === 401) this.tokens.drop(access.token);
      return outcomeOfFcmReply(reply, target.token);
    } catch (error) {
      return outcomeOfRequestError(error, 'fcm');
    }
  }

  async close(): Promise<void> {
    this.poster.close();
  }
}
