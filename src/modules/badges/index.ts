/** The public surface of the badges module: other folders import only from here. */
export { badgesRoutes } from './badges.routes.js';
export { BadgesService } from './badges.service.js';
