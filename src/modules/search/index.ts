/** The public surface of the search module: other folders import only from here. */
export { searchRoutes } from './search.routes.js';
export { SearchService } from './search.service.js';
