import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { AppError } from '../../core/errors.js';
import { appIdOf } from '../../http/actor.js';
import { ok } from '../../http/envelope.js';
import { Envelope } from '../../http/schemas.js';
import type { PushSettingsService } from './push-settings.service.js';
import {
  ApnsBody,
  FcmBody,
  ProviderParams,
  ProvidersReply,
  SettingsBody,
  SettingsReply,
  SummaryReply,
  VapidKeyReply,
  WebPushBody,
} from './push-settings.schemas.js';

const tags = ['Push'];
const read = { auth: 'admin', scope: 'push:read' } as const;
const write = { auth: 'admin', scope: 'push:write' } as const;

/** An application's push platforms and push settings (issue 15): credentials go in, never out. */
export const pushSettingsRoutes: FastifyPluginAsyncTypebox<{ settings: PushSettingsService }> = async (
  app,
  { settings },
) => {
  app.get(
    '/admin/push/providers',
    {
      config: read,
      schema: {
        tags,
        summary: 'The push platforms configured (their ids, never a key) and the push settings',
        response: { 200: ProvidersReply },
      },
    },
    async (request) => ok(await settings.view(appIdOf(request))),
  );

  app.put(
    '/admin/push/providers/fcm',
    {
      config: write,
      schema: {
        tags,
        summary: 'Set the FCM HTTP v1 credentials: a service-account key (Android and FCM devices)',
        body: FcmBody,
        response: { 200: SummaryReply },
      },
    },
    async (request) => ok(await settings.setCredential(appIdOf(request), 'fcm', request.body.serviceAccount)),
  );

  app.put(
    '/admin/push/providers/apns',
    {
      config: write,
      schema: {
        tags,
        summary: 'Set the APNs token-auth credentials (iOS and iOS VoIP devices)',
        body: ApnsBody,
        response: { 200: SummaryReply },
      },
    },
    async (request) => ok(await settings.setCredential(appIdOf(request), 'apns', request.body)),
  );

  app.put(
    '/admin/push/providers/webpush',
    {
      config: write,
      schema: {
        tags,
        summary: 'Set the Web Push VAPID keys, or make new ones with `generate` (browser devices)',
        description: 'The answer shows the public key browsers subscribe with; the private key is never shown.',
        body: WebPushBody,
        response: { 200: SummaryReply },
      },
    },
    async (request) => ok(await settings.setCredential(appIdOf(request), 'webpush', request.body)),
  );

  app.delete(
    '/admin/push/providers/:provider',
    {
      config: write,
      schema: {
        tags,
        summary: "Remove a platform's credentials: its devices then go to the server-wide provider",
        params: ProviderParams,
        response: { 200: Envelope(Type.Object({})) },
      },
    },
    async (request) => {
      await settings.removeCredential(appIdOf(request), request.params.provider);
      return ok({});
    },
  );

  app.put(
    '/admin/push/settings',
    {
      config: write,
      schema: {
        tags,
        summary: 'Shape pushes: constant badge, sounds, and IMKIT’s external push services (history 11.4-11.5)',
        body: SettingsBody,
        response: { 200: SettingsReply },
      },
    },
    async (request) => ok(await settings.updateSettings(appIdOf(request), request.body)),
  );

  app.get(
    '/push/webpush/key',
    {
      config: { auth: 'user', scope: 'push:read' },
      schema: {
        tags,
        summary: 'The VAPID public key a browser subscribes with (`applicationServerKey`)',
        response: { 200: VapidKeyReply },
      },
    },
    async (request) => {
      const view = await settings.view(appIdOf(request));
      const publicKey = view.webpush?.publicKey;
      if (typeof publicKey !== 'string')
        throw new AppError('NOT_FOUND', 'Web Push is not configured for this application');
      return ok({ publicKey });
    },
  );
};
