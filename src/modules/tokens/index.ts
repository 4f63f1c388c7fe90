/** The public surface of the tokens module: other folders import only from here. */
export { UserTokenVerifier } from './token-verifier.js';
export { TokensRepository } from './tokens.repository.js';
export type { UserToken } from './tokens.repository.js';
export { tokensRoutes } from './tokens.routes.js';
export { TokensService } from './tokens.service.js';
export type { GrantedToken } from './tokens.service.js';
