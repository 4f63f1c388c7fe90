import type { EventBus } from '../../events/event-bus.js';
import { AppError } from '../../core/errors.js';
import { KeywordMask } from '../../shared/keyword-mask.js';
import type { ConfigRepository } from './config.repository.js';

const MAX_CONFIG_BYTES = 256 * 1024;
const MAX_KEYWORDS = 10_000;
const MAX_KEY_LENGTH = 128;

type Config = Record<string, unknown>;

/**
 * Runtime configuration (spec 8): a JSON object per application, shallow-merged by top-level key
 * (12 item 66). Cached per node; a change reaches every node's cache through the event bus. The
 * `censorship` keywords become one matcher, so masking a message costs the same for any list size.
 */
export class ConfigService {
  private readonly cache = new Map<string, { config: Config; mask: KeywordMask }>();

  private readonly config: ConfigRepository;
  private readonly bus: EventBus;

  constructor({ config, bus }: { config: ConfigRepository; bus: EventBus }) {
    this.config = config;
    this.bus = bus;
    bus.subscribe('config.changed', ({ appId }) => this.cache.delete(appId));
  }

  async get(appId: string): Promise<Config> {
    return (await this.load(appId)).config;
  }

  /** `POST /config`: each key given replaces that key's whole value; the others stay. */
  async update(appId: string, body: unknown): Promise<Config> {
    if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new AppError('INVALID_BODY');
    const entries = Object.entries(body as Config);
    for (const [key, value] of entries) {
      if (key.length === 0 || key.length > MAX_KEY_LENGTH)
        throw new AppError('INVALID_BODY', `Config keys must be 1 to ${MAX_KEY_LENGTH} characters`);
      if (key === 'censorship') checkCensorship(value);
    }
    const current = await this.get(appId);
    if (Buffer.byteLength(JSON.stringify({ ...current, ...(body as Config) })) > MAX_CONFIG_BYTES) {
      throw new AppError('INVALID_BODY', `The configuration may hold at most ${MAX_CONFIG_BYTES} bytes of JSON`);
    }
    await this.config.set(appId, entries, Date.now());
    this.changed(appId);
    return this.get(appId);
  }

  /** `DELETE /config/:key`. */
  async remove(appId: string, key: string): Promise<void> {
    if ((await this.config.remove(appId, key)) === 'missing') throw new AppError('CONFIG_NOT_FOUND');
    this.changed(appId);
  }

  /** The text with the application's sensitive words masked (spec 7.8, 12 item 65). */
  async censor(appId: string, text: string): Promise<string> {
    return (await this.load(appId)).mask.mask(text);
  }

  private changed(appId: string): void {
    this.cache.delete(appId);
    this.bus.publish('config.changed', { appId });
  }

  private async load(appId: string): Promise<{ config: Config; mask: KeywordMask }> {
    const cached = this.cache.get(appId);
    if (cached) return cached;
    const config: Config = await this.config.load(appId);
    const keywords = (config.censorship as { keywords?: unknown } | undefined)?.keywords;
    const entry = {
      config,
      mask: new KeywordMask(
        Array.isArray(keywords) ? keywords.filter((word): word is string => typeof word === 'string') : [],
      ),
    };
    this.cache.set(appId, entry);
    return entry;
  }
}

function checkCensorship(value: unknown): void {
  const keywords = (value as { keywords?: unknown } | null)?.keywords;
  if (
    value === null ||
    typeof value !== 'object' ||
    Array.isArray(value) ||
    !Array.isArray(keywords) ||
    !keywords.every((word) => typeof word === 'string')
  ) {
    throw new AppError('INVALID_CONFIG_FORMAT', 'censorship must be {"keywords": [strings]}');
  }
  if (keywords.length > MAX_KEYWORDS)
    throw new AppError('INVALID_CONFIG_FORMAT', `censorship holds at most ${MAX_KEYWORDS} keywords`);
}
