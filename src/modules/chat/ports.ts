import type { Db } from '../../storage/transaction.js';

/** Files a message carries by URL become readable by the room's members (the files module's FileAccess). */
export interface MessageFileSharing {
  shareFromMessage(
    tx: Db,
    appId: string,
    roomId: string,
    senderId: string | null,
    content: Record<string, unknown>,
    now: number,
  ): Promise<void>;
}

/** The application's sensitive-word mask (spec 7.8; the config module's ConfigService). */
export interface MessageCensor {
  censor(appId: string, text: string): Promise<string>;
}
