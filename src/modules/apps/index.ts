/** The public surface of the apps module: other folders import only from here. */
export { AppsRepository } from './apps.repository.js';
export type { App } from './apps.repository.js';
export { appsRoutes } from './apps.routes.js';
export { AppsService } from './apps.service.js';
