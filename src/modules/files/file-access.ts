import type { Actor } from '../../core/actor.js';
import type { Db } from '../../storage/transaction.js';
import { fileReferences } from './file-references.js';
import type { FilesRepository, StoredFile } from './files.repository.js';

/**
 * Who reads a file: the API key, its uploader, and the members of every room it was shared in. A
 * file is shared in a room when its upload names the room (`extra.room`, `roomID` or `roomId`, by a
 * member), or when a message of the room carries its URL and the sender could read it then
 * (forwarding works; naming a file one cannot read grants nothing). A file the API key uploaded
 * for no user has no uploader to ask: any message carrying its URL shares it.
 */
export class FileAccess {
  private readonly files: FilesRepository;
  private readonly publicBuckets: ReadonlySet<string>;

  /** `publicBuckets`: buckets every user of the application reads (avatars, stickers), as an operator chose. */
  constructor(deps: { repository: FilesRepository; publicBuckets?: readonly string[] }) {
    this.files = deps.repository;
    this.publicBuckets = new Set(deps.publicBuckets ?? []);
  }

  async canRead(appId: string, file: StoredFile, actor: Actor): Promise<boolean> {
    if (actor.admin) return true;
    if (actor.userId === null) return false;
    if (this.publicBuckets.has(file.bucket)) return true;
    if (await this.isUploader(file, actor.userId)) return true;
    return this.files.sharedWithMember(appId, file.id, actor.userId);
  }

  private async isUploader(file: StoredFile, userId: string, db?: Db): Promise<boolean> {
    if (file.ownerId !== userId) return false;
    const since = await this.files.userCreatedAt(file.appId, userId, db);
    return since !== undefined && since <= file.createdAt;
  }

  /**
   * At upload: the room the upload names, when the uploader is one of its members (or the API key);
   * the room's tags are recorded on the file then.
   */
  async shareOnUpload(file: StoredFile, roomId: unknown, actor: Actor): Promise<void> {
    if (typeof roomId !== 'string' || roomId === '' || roomId.length > 256) return;
    if (!actor.admin && (actor.userId === null || !(await this.files.isMember(file.appId, roomId, actor.userId))))
      return;
    if (actor.admin && !(await this.files.roomExists(file.appId, roomId))) return;
    await this.files.shareUpload(file, roomId);
  }

  /** Whether a message's content carries the URL of a file of this server (which it may then share). */
  carriesFiles(content: Record<string, unknown>): boolean {
    return fileReferences(content).length > 0;
  }

  /** Inside the transaction that writes a message: shares the files it carries that its sender may read. */
  async shareFromMessage(
    tx: Db,
    appId: string,
    roomId: string,
    senderId: string | null,
    content: Record<string, unknown>,
    now: number,
  ): Promise<void> {
    for (const reference of fileReferences(content)) {
      const file = await this.files.find(appId, reference.bucket, reference.id, tx);
      if (!file || (await this.files.isSharedIn(appId, file.id, roomId, tx))) continue;
      const senderMayRead =
        file.ownerId === null ||
        (senderId !== null &&
          ((await this.isUploader(file, senderId, tx)) ||
            (await this.files.sharedWithMember(appId, file.id, senderId, tx))));
      if (senderMayRead) await this.files.share(appId, file.id, roomId, now, tx);
    }
  }
}
