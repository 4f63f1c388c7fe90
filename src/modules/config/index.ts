/** The public surface of the config module: other folders import only from here. */
export { configRoutes } from './config.routes.js';
export { ConfigService } from './config.service.js';
