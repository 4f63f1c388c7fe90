/** The public surface of the keys module: other folders import only from here. */
import type { FastifyPluginAsync } from 'fastify';
import type { EventBus } from '../../events/event-bus.js';
import type { Storage } from '../../storage/database.js';
import { bindRoutes } from '../../http/bind-routes.js';
import { ApiKeyVerifier } from './key-verifier.js';
import { KeysRepository } from './keys.repository.js';
import { keysRoutes } from './keys.routes.js';
import { type ClientKeyPort, type KeyActivityPort, KeysService } from './keys.service.js';

export type { ApiKey } from '../../core/principal.js';
export { scopeAllows } from '../../core/scopes.js';
export type { Scope } from '../../core/scopes.js';
export { keyAdmits } from './key-allow-list.js';
export { classifyApiKey } from './key-format.js';
export { isLive } from './key-verifier.js';
export type { ApiKeyVerifier } from './key-verifier.js';
export { keyView } from './keys.schemas.js';
export { DEFAULT_ROLL_GRACE_SECONDS } from './keys.service.js';
export type {
  ClientKeyPort,
  KeyActivityPort,
  KeySettings,
  KeysService,
  KeyUsageMinute,
  KeyUseRecorder,
} from './keys.service.js';

export interface KeysModuleDeps {
  storage: Storage;
  bus: EventBus;
  /** RATE_LIMIT_PER_MINUTE: a new key's limit when it sets none. */
  defaultRateLimit: number;
  /** The apps service: `/admin/keys/client-key` shows and regenerates the app's client key. */
  apps: ClientKeyPort;
  /** The audit module's service: flushes buffered activity, reads per-minute usage. */
  activity: KeyActivityPort;
}

export interface KeysModule {
  keys: KeysService;
  /** Verifies API keys (cached; dropped on `apiKey.changed`). */
  keyVerifier: ApiKeyVerifier;
  /** `/admin/keys…`. */
  routes: FastifyPluginAsync;
}

export function createKeysModule(deps: KeysModuleDeps): KeysModule {
  const repository = new KeysRepository(deps.storage);
  const keys = new KeysService({
    keys: repository,
    bus: deps.bus,
    defaultRateLimit: deps.defaultRateLimit,
    apps: deps.apps,
    activity: deps.activity,
  });
  return {
    keys,
    keyVerifier: new ApiKeyVerifier({ keys: repository, bus: deps.bus }),
    routes: bindRoutes(keysRoutes, { keys }),
  };
}
