/** The public surface of the prefs module: other folders import only from here. */
export { PrefsRepository } from './prefs.repository.js';
export { prefsRoutes } from './prefs.routes.js';
