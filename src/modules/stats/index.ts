/** The public surface of the stats module: other folders import only from here. */
export { statsRoutes } from './stats.routes.js';
