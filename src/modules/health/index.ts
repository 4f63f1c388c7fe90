/** The public surface of the health module: other folders import only from here. */
export { healthRoutes } from './health.routes.js';
