import { randomBytes } from 'node:crypto';
import type { Limits } from '../../config/config.js';
import type { EventBus } from '../../events/event-bus.js';
import { AppError } from '../../core/errors.js';
import type { MembersRepository } from './members.repository.js';
import { ensureDirectRoom } from './direct-room.js';
import type { Db } from '../../storage/transaction.js';
import type { RoomAccess } from './room-access.js';
import type { Room, RoomsRepository } from './rooms.repository.js';
import type { UserDirectory } from '../users/index.js';
import type { Batch, BatchFailure, BatchRepository, BatchRequest } from './batch.repository.js';
import { checkSize, readDraft } from './message-input.js';
import { searchableText } from './message-view.js';
import type { MessageWriter } from './message-writer.js';
import type { DraftCensor } from './draft-censor.js';
import type { MessageAnnouncer } from './message-announcer.js';
import { SerialTicker } from '../../shared/serial-ticker.js';

// Renewed with every entry; a node that dies mid-batch hands it over once this has passed.
const LEASE_MS = 10_000;
const SWEEP_MS = 2_000;
const MAX_RECORDED_FAILURES = 1000;

/**
 * `POST /messages/batch` (spec 5.3, 12 items 49-51): accepted into the database, then sent in the
 * background one recipient at a time. Each entry commits with the batch's progress, so a restart or
 * another node resumes exactly where it stopped: no entry is lost or sent twice.
 */
export class BatchService {
  private running = new Set<string>();
  private readonly ticker: SerialTicker;

  constructor(
    private readonly deps: {
      batches: BatchRepository;
      rooms: RoomsRepository;
      members: MembersRepository;
      access: Pick<RoomAccess, 'membersOf'>;
      users: UserDirectory;
      writer: MessageWriter;
      censor: DraftCensor;
      announcer: MessageAnnouncer;
      bus: EventBus;
      limits: Limits;
      systemUserId: string;
      onError: (error: unknown) => void;
    },
  ) {
    this.ticker = new SerialTicker(SWEEP_MS, () => this.sweep(), deps.onError);
  }

  async accept(appId: string, body: Record<string, unknown>): Promise<{ batchID: string; count: number }> {
    const request = await this.validate(appId, body);
    const now = Date.now();
    const day = new Date(now).toISOString().slice(0, 10).replaceAll('-', '');
    const id = `batch-${day}-${randomBytes(8).toString('hex')}`;
    await this.deps.batches.insert(id, appId, request, now);
    this.ticker.kick();
    return { batchID: id, count: request.paras.length };
  }

  async status(appId: string, id: string): Promise<Batch> {
    const batch = await this.deps.batches.find(appId, id);
    if (!batch) throw new AppError('BATCH_NOT_FOUND');
    return batch;
  }

  start(): void {
    this.ticker.start();
    this.ticker.kick();
  }

  /** Stops taking work and waits for the entry in progress; the rest resumes on the next start. */
  stop(): Promise<void> {
    return this.ticker.stop();
  }

  private async validate(appId: string, body: Record<string, unknown>): Promise<BatchRequest> {
    const { paras } = body;
    if (!Array.isArray(paras) || paras.length === 0)
      throw new AppError('INVALID_REQUEST', 'Missing required field: paras');
    if (paras.length > this.deps.limits.batchSize)
      throw new AppError('INVALID_REQUEST', `A batch has at most ${this.deps.limits.batchSize} recipients (paras)`);
    // The recipient list is the batch's, not part of any message: each entry sees only its own values.
    const draft = readDraft({ ...body, paras: undefined, sender: undefined }, this.deps.limits.messageBytes);
    const sender = typeof body.sender === 'string' && body.sender !== '' ? body.sender : undefined;
    paras.forEach((entry: unknown, index) => {
      if (entry === null || typeof entry !== 'object' || Array.isArray(entry))
        throw new AppError('INVALID_REQUEST', `paras[${index}] must be an object`);
      const { room, receiver } = entry as Record<string, unknown>;
      const hasRoom = typeof room === 'string' && room !== '';
      if (!hasRoom && !(typeof receiver === 'string' && receiver !== ''))
        throw new AppError('INVALID_REQUEST', `paras[${index}] needs a receiver or a room`);
      if (!hasRoom && sender === undefined)
        throw new AppError(
          'INVALID_REQUEST',
          `paras[${index}]: a receiver needs a sender (the direct room has two parties)`,
        );
    });
    if (sender !== undefined) {
      if (!(await this.deps.users.find(appId, sender)))
        throw new AppError('CLIENT_NOT_FOUND', `Client with id '${sender}' not found`);
    } else {
      await this.deps.users.ensureRobot(appId, this.deps.systemUserId);
      this.deps.bus.publish('user.upserted', { appId, userId: this.deps.systemUserId });
    }
    return {
      sender: sender ?? this.deps.systemUserId,
      messageType: draft.messageType,
      content: draft.content,
      push: body.push === true,
      skipTotalBadge: body.skipTotalBadge === true,
      paras: paras as Array<Record<string, unknown>>,
    };
  }

  private async sweep(): Promise<void> {
    const now = Date.now();
    for (const candidate of await this.deps.batches.claimable(now, 10)) {
      if (this.ticker.stopped) return;
      if (this.running.has(candidate.id)) continue;
      if (!(await this.deps.batches.claim(candidate.id, candidate.lockedUntil, Date.now() + LEASE_MS))) continue;
      this.running.add(candidate.id);
      try {
        await this.process(candidate.appId, candidate.id);
      } finally {
        this.running.delete(candidate.id);
      }
    }
  }

  private async process(appId: string, id: string): Promise<void> {
    const batch = await this.deps.batches.find(appId, id);
    if (!batch || batch.status === 'done') return;
    let { sent } = batch;
    const failures = [...batch.failures];
    const { request } = batch;
    for (let index = batch.nextIndex; index < request.paras.length; index++) {
      if (this.ticker.stopped) return;
      const entry = request.paras[index];
      if (entry === undefined) break;
      const progress = (ok: boolean, failure?: BatchFailure) => {
        if (ok) sent++;
        else if (failure && failures.length < MAX_RECORDED_FAILURES) failures.push(failure);
        return {
          nextIndex: index + 1,
          sent,
          failures,
          lockedUntil: Date.now() + LEASE_MS,
          done: index + 1 === request.paras.length,
        };
      };
      try {
        const draft = await this.deps.censor.censored(appId, {
          content: substitute(request.content, entry),
          searchText: '',
        });
        const { content } = draft;
        checkSize(content, this.deps.limits.messageBytes);
        const outcome = await this.deps.rooms.transaction(async (tx) => {
          const target = await this.targetRoom(appId, request.sender, entry, tx);
          const message = await this.deps.writer.write(
            tx,
            target.room,
            request.sender,
            { messageType: request.messageType, content, searchText: searchableText(content) },
            { batchId: id },
          );
          await this.deps.batches.advance(id, progress(true), tx);
          return { message, createdRoom: target.created ? target.room : undefined, members: target.members };
        });
        if (outcome.createdRoom) {
          const members = [request.sender, String(entry.receiver)];
          this.deps.bus.publish('room.created', { appId, roomId: outcome.createdRoom.id, members, actor: null });
          this.deps.bus.publish('member.added', {
            appId,
            roomId: outcome.createdRoom.id,
            userIds: members,
            members,
            actor: null,
          });
        }
        await this.deps.announcer.created(
          appId,
          outcome.message,
          { push: request.push, skipTotalBadge: request.skipTotalBadge },
          [],
          outcome.members,
        );
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        // Skipped and recorded (spec 5.3): the request was already accepted.
        await this.deps.rooms.transaction((tx) =>
          this.deps.batches.advance(id, progress(false, { index, code: error.code, message: error.message }), tx),
        );
      }
    }
  }

  /** The entry's room, or the direct room of sender and receiver, created when missing (spec 1.6). */
  private async targetRoom(
    appId: string,
    sender: string,
    entry: Record<string, unknown>,
    tx: Db,
  ): Promise<{ room: Room; created: boolean; members: string[] }> {
    if (typeof entry.room === 'string' && entry.room !== '') {
      const room = await this.deps.rooms.findForUpdate(appId, entry.room, tx);
      if (!room) throw new AppError('ROOM_NOT_FOUND', `Room '${entry.room}' not found`);
      const members = (await this.deps.access.membersOf(room, tx)).map((member) => member.userId);
      return { room, created: false, members };
    }
    const receiver = String(entry.receiver);
    if (receiver === sender) throw new AppError('INVALID_REQUEST', 'The receiver is the sender');
    const user = await this.deps.users.find(appId, receiver, tx);
    if (!user) throw new AppError('CLIENT_NOT_FOUND', `Client with id '${receiver}' not found`);
    return ensureDirectRoom({ rooms: this.deps.rooms, members: this.deps.members }, appId, sender, receiver, tx);
  }
}

/** Replaces every `$key$` of the entry in `message` and in the strings anywhere inside `extra`. */
export function substitute(content: Record<string, unknown>, entry: Record<string, unknown>): Record<string, unknown> {
  const pairs = Object.entries(entry)
    .filter(([key]) => key.length > 2 && key.startsWith('$') && key.endsWith('$'))
    .map(([key, value]) => [key, typeof value === 'string' ? value : JSON.stringify(value)] as const);
  if (pairs.length === 0) return content;
  const replace = (text: string) => pairs.reduce((result, [key, value]) => result.split(key).join(value), text);
  const walk = (value: unknown, depth: number): unknown => {
    if (typeof value === 'string') return replace(value);
    if (depth > 16 || value === null || typeof value !== 'object') return value;
    if (Array.isArray(value)) return value.map((item) => walk(item, depth + 1));
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, walk(item, depth + 1)]));
  };
  const result = { ...content };
  if (typeof result.message === 'string') result.message = replace(result.message);
  if (result.extra !== undefined) result.extra = walk(result.extra, 0);
  return result;
}
