/** The public surface of the push module: other folders import only from here. */
export { HttpPushProvider, LogPushProvider } from './push-provider.js';
export type { PushProvider } from './push-provider.js';
export { PushRepository } from './push.repository.js';
export { pushRoutes } from './push.routes.js';
export { PushService } from './push.service.js';
