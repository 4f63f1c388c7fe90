/**
 * Outbound HTTP shared by webhooks and the push senders (the HTTP push provider, Web Push): POSTs
 * that only reach addresses passing the SSRF guard, signed the Standard Webhooks way where asked.
 * Imports no module.
 */
export { GuardedPoster, withDefaultCas } from './guarded-post.js';
export type { GuardedPostOptions, GuardedReply, SignedMessage } from './guarded-post.js';
export { newWebhookSecret, signWebhook } from './signature.js';
export { BlockedDestination, checkDestination, isInternalAddress } from './ssrf-guard.js';
export { destinationForRequest, guardedLookup } from './ssrf-guard.js';
