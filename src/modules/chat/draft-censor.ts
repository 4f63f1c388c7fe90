import { searchableText } from './message-view.js';
import type { MessagePatch } from './message-input.js';
import type { MessageCensor } from './ports.js';

/** Masks the application's sensitive words in a message's string `message` (spec 7.8): stored and sent masked. */
export class DraftCensor {
  constructor(private readonly censor: MessageCensor) {}

  async censored<T extends { content: Record<string, unknown>; searchText: string }>(
    appId: string,
    draft: T,
  ): Promise<T> {
    const content = await this.masked(appId, draft.content);
    return content === draft.content ? draft : { ...draft, content, searchText: searchableText(content) };
  }

  async maskedPatch(appId: string, patch: MessagePatch): Promise<MessagePatch> {
    return { content: await this.masked(appId, patch.content) };
  }

  private async masked(appId: string, content: Record<string, unknown>): Promise<Record<string, unknown>> {
    const text = content.message;
    if (typeof text !== 'string') return content;
    const masked = await this.censor.censor(appId, text);
    return masked === text ? content : { ...content, message: masked };
  }
}
