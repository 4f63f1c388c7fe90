/** The public surface of the groups module: other folders import only from here. */
export { groupsRoutes } from './groups.routes.js';
export { GroupsService } from './groups.service.js';
