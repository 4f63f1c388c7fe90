/** The public surface of the files module: other folders import only from here. */
import type { FastifyPluginAsync } from 'fastify';
import type { Storage } from '../../storage/database.js';
import { bindRoutes } from '../../http/bind-routes.js';
import { FileAccess } from './file-access.js';
import { FilesRepository } from './files.repository.js';
import { filesRoutes } from './files.routes.js';
import { type AppSecrets, FilesService } from './files.service.js';

export type { FileAccess } from './file-access.js';
export type { AppSecrets, FilesService } from './files.service.js';

export interface FilesModuleDeps {
  storage: Storage;
  /** The apps module's `AppsService` (its `get` gives the token secret that signs file URLs). */
  apps: AppSecrets;
  /** Buckets every user of the application reads (avatars, stickers), as an operator chose. */
  publicBuckets: readonly string[];
  maxFileBytes: number;
}

export interface FilesModule {
  files: FilesService;
  /** Who reads a file; the chat module shares the files a message carries through `shareFromMessage`. */
  fileAccess: FileAccess;
  routes: FastifyPluginAsync;
}

export function createFilesModule(deps: FilesModuleDeps): FilesModule {
  const repository = new FilesRepository(deps.storage);
  const fileAccess = new FileAccess({ repository, publicBuckets: deps.publicBuckets });
  const files = new FilesService({ repository, access: fileAccess, apps: deps.apps, maxFileBytes: deps.maxFileBytes });
  return {
    files,
    fileAccess,
    routes: bindRoutes(filesRoutes, { files }),
  };
}
