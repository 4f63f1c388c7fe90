/** The public surface of the keys module: other folders import only from here. */
export { compileAllowList, normalizeCidrs } from '../../shared/ip-address.js';
export type { AddressMatcher } from '../../shared/ip-address.js';
export { classifyApiKey } from './key-format.js';
export { ApiKeyVerifier, isLive } from './key-verifier.js';
export { KeysRepository } from './keys.repository.js';
export type { ApiKey } from './keys.repository.js';
export { keysRoutes } from './keys.routes.js';
export { keyView } from './keys.schemas.js';
export { DEFAULT_ROLL_GRACE_SECONDS, KeysService } from './keys.service.js';
export type { KeySettings } from './keys.service.js';
export { scopeAllows } from '../../core/scopes.js';
export type { Scope } from '../../core/scopes.js';
