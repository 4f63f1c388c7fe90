/** The public surface of the files module: other folders import only from here. */
export { FileAccess } from './file-access.js';
export { FilesRepository } from './files.repository.js';
export { filesRoutes } from './files.routes.js';
