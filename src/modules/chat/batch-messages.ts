import type { BatchRepository } from './batch.repository.js';
import type { MessageView } from './message-view.js';
import type { MessagesRepository } from './messages.repository.js';
import type { RoomPresenter } from './room-presenter.js';

const DEFAULT_LIMIT = 1000;
export const MAX_BATCH_PAGE = 1000;
/** Room for clocks that differ between the nodes that accepted and sent a batch. */
const CLOCK_SKEW_MS = 60_000;

/**
 * `GET /messages/batch?batchID=` (history 7.5, 14 item 17): the messages a batch sent, in send order
 * (none for an unknown batch).
 * They are looked up by the (app, created_at) index over the time the batch was being sent, since
 * its messages can only have been written while it was.
 */
export class BatchMessages {
  constructor(
    private readonly deps: { batches: BatchRepository; messages: MessagesRepository; presenter: RoomPresenter },
  ) {}

  async list(
    appId: string,
    batchId: string,
    page: { limit?: number; skip?: number },
  ): Promise<{ count: number; data: MessageView[] }> {
    const batch = await this.deps.batches.find(appId, batchId);
    // A filter on the messages' batchID in IMKIT: no such batch matches nothing.
    if (!batch) return { count: 0, data: [] };
    const window = {
      since: batch.createdAt - CLOCK_SKEW_MS,
      until: batch.status === 'done' ? batch.updatedAt + CLOCK_SKEW_MS : undefined,
    };
    const [count, messages] = await Promise.all([
      this.deps.messages.countOfBatch(appId, batchId, window),
      this.deps.messages.ofBatch(appId, batchId, window, {
        skip: page.skip ?? 0,
        limit: Math.min(page.limit || DEFAULT_LIMIT, MAX_BATCH_PAGE),
      }),
    ]);
    return { count, data: await this.deps.presenter.messageViews(appId, messages) };
  }
}
