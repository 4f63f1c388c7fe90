/** The public surface of the webhooks module: other folders import only from here. */
export { GuardedPoster } from './guarded-post.js';
export { checkDestination } from './ssrf-guard.js';
export { WebhookDispatcher } from './webhook-dispatcher.js';
export { WebhookOutbox } from './webhook-outbox.js';
export { signWebhook } from './webhook-signer.js';
export { WebhooksRepository } from './webhooks.repository.js';
export { webhooksRoutes } from './webhooks.routes.js';
