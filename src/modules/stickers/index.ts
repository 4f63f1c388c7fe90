/** The public surface of the stickers module: other folders import only from here. */
import type { FastifyPluginAsync } from 'fastify';
import type { Storage } from '../../storage/database.js';
import { bindRoutes } from '../../http/bind-routes.js';
import { StickersRepository } from './stickers.repository.js';
import { type PublicAppOf, stickersRoutes } from './stickers.routes.js';
import { type StickerFiles, StickersService } from './stickers.service.js';

export type { StickerFiles, StickersService };

export interface StickersModuleDeps {
  storage: Storage;
  /** The files module's `FilesService`: sticker files are stored as files are. */
  files: StickerFiles;
  /** Which application a public request (no user, no key) is for. */
  publicAppOf: PublicAppOf;
}

export interface StickersModule {
  stickers: StickersService;
  routes: FastifyPluginAsync;
}

export function createStickersModule(deps: StickersModuleDeps): StickersModule {
  const stickers = new StickersService(new StickersRepository(deps.storage), deps.files);
  return { stickers, routes: bindRoutes(stickersRoutes, { stickers, publicAppOf: deps.publicAppOf }) };
}
