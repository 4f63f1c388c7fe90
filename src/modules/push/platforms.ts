import type { PushConfig } from '../../config/config.js';
import { ApnsSender, parseApnsCredentials, type ApnsCredentials } from './delivery/apns-sender.js';
import type { PushSender, SenderTransport } from './delivery/contract.js';
import { FcmSender, parseFcmServiceAccount, type FcmServiceAccount } from './delivery/fcm-sender.js';
import {
  generateVapidCredentials,
  parseVapidCredentials,
  type VapidCredentials,
  WebPushSender,
} from './delivery/web-push-sender.js';
import type { PlatformName } from './push-settings.repository.js';
import type { PlatformCredentialKind } from './push-settings.service.js';

/** Per request to a push platform. */
const PLATFORM_TIMEOUT_MS = 10_000;

/**
 * The three push platforms: how their credentials are checked and shown, and their senders, pointed
 * at the real endpoints unless PUSH_FCM_URL / PUSH_APNS_URL say otherwise (tests, private gateways).
 */
export function platformSenders(deps: {
  config: PushConfig;
  outbound: { allowPrivate: boolean; timeoutMs: number };
  ca?: string;
}): {
  kinds: Record<PlatformName, PlatformCredentialKind>;
  create: (platform: PlatformName, credentials: unknown) => PushSender;
} {
  const transport: SenderTransport = {
    allowPrivate: deps.outbound.allowPrivate,
    timeoutMs: Math.min(deps.outbound.timeoutMs, PLATFORM_TIMEOUT_MS),
    ...(deps.ca ? { ca: deps.ca } : {}),
  };
  const kinds: Record<PlatformName, PlatformCredentialKind> = {
    fcm: {
      parse: (input) => parseFcmServiceAccount(input),
      summary: (credentials) => {
        const account = credentials as FcmServiceAccount;
        return { projectId: account.project_id, clientEmail: account.client_email };
      },
    },
    apns: {
      parse: (input) => parseApnsCredentials(input),
      summary: (credentials) => {
        const { keyId, teamId, bundleId, production } = credentials as ApnsCredentials;
        return { keyId, teamId, bundleId, production };
      },
    },
    webpush: {
      parse: (input) => {
        const body = (input ?? {}) as { generate?: unknown; subject?: unknown };
        if (body.generate === true) return generateVapidCredentials(String(body.subject ?? ''));
        return parseVapidCredentials(input);
      },
      summary: (credentials) => {
        const { publicKey, subject } = credentials as VapidCredentials;
        return { publicKey, subject };
      },
    },
  };
  const create = (platform: PlatformName, credentials: unknown): PushSender => {
    switch (platform) {
      case 'fcm':
        return new FcmSender(
          { serviceAccount: credentials as FcmServiceAccount },
          { ...transport, ...(deps.config.fcmUrl ? { baseUrl: deps.config.fcmUrl } : {}) },
        );
      case 'apns':
        return new ApnsSender(credentials as ApnsCredentials, {
          ...transport,
          ...(deps.config.apnsUrl ? { url: deps.config.apnsUrl } : {}),
        });
      case 'webpush':
        return new WebPushSender(credentials as VapidCredentials, transport);
    }
  };
  return { kinds, create };
}
