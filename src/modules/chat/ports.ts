import type { FileAccess } from '../files/index.js';

/** Files a message carries by URL become readable by the room's members (the files module's FileAccess). */
export type MessageFileSharing = Pick<FileAccess, 'shareFromMessage' | 'carriesFiles'>;

/** The application's sensitive-word mask (spec 7.8; the config module's ConfigService). */
export interface MessageCensor {
  censor(appId: string, text: string): Promise<string>;
}
