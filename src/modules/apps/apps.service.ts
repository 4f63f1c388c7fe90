import { randomBytes } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { EventBus } from '../../events/event-bus.js';
import { AppError } from '../../core/errors.js';
import { safeEqual } from '../../shared/secrets.js';
import { generateClientKey } from './client-key.js';
import type { App, AppSettings } from '../../core/principal.js';
import { DEFAULT_APP_SETTINGS, type AppsRepository } from './apps.repository.js';

export const APP_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
const CACHE_TTL_MS = 10_000;

export class AppsService {
  private readonly byId = new LRUCache<string, App>({ max: 1000, ttl: CACHE_TTL_MS });
  private readonly byClientKey = new LRUCache<string, { app: App | null }>({ max: 10_000, ttl: CACHE_TTL_MS });
  private defaultId: string | undefined;
  /** Moves on every change: a lookup that raced one must not cache what it read. */
  private generation = 0;

  private readonly apps: AppsRepository;
  private readonly bus: EventBus;

  constructor({ apps, bus }: { apps: AppsRepository; bus: EventBus }) {
    this.apps = apps;
    this.bus = bus;
    bus.subscribe('app.changed', ({ appId }) => this.forget(appId));
  }

  /** The default application, created at first start. */
  async ensureDefault(id: string): Promise<{ app: App; created: boolean }> {
    const existing = await this.apps.findDefault();
    if (existing) return { app: existing, created: false };
    return { app: await this.create(id, id, true), created: true };
  }

  async create(name: string, id: string = slugify(name), isDefault = false): Promise<App> {
    if (!APP_ID.test(id)) {
      throw new AppError(
        'INVALID_REQUEST',
        'An application id is 1 to 64 letters, digits, "-" or "_", starting with a letter or digit',
      );
    }
    if (await this.apps.findById(id)) throw new AppError('INVALID_REQUEST', `Application "${id}" already exists`);
    const now = Date.now();
    const app: App = {
      id,
      name: name.trim() || id,
      clientKey: generateClientKey(),
      clientKeyCreatedAt: now,
      tokenSecret: randomBytes(32).toString('base64url'),
      settings: { ...DEFAULT_APP_SETTINGS },
      isDefault,
      createdAt: now,
    };
    await this.apps.insert(app);
    return app;
  }

  /** The application that owns requests no key attributes (e.g. an unknown API key). */
  async defaultApp(): Promise<App> {
    if (this.defaultId === undefined) {
      const app = await this.apps.findDefault();
      if (!app) throw new AppError('SERVICE_UNAVAILABLE', 'No application exists yet');
      this.defaultId = app.id;
    }
    return this.get(this.defaultId);
  }

  list(): Promise<App[]> {
    return this.apps.list();
  }

  /** The app when it is cached, without waiting. */
  cached(appId: string): App | undefined {
    return this.byId.get(appId);
  }

  async get(appId: string): Promise<App> {
    let app = this.byId.get(appId);
    if (!app) {
      const generation = this.generation;
      app = await this.apps.findById(appId);
      if (!app) throw new AppError('NOT_FOUND', `Application "${appId}" does not exist`);
      if (generation === this.generation) this.byId.set(appId, app);
    }
    return app;
  }

  /** The application a client key belongs to, or undefined. */
  async resolveClientKey(clientKey: string): Promise<App | undefined> {
    if (clientKey.length === 0 || clientKey.length > 512) return undefined;
    let entry = this.byClientKey.get(clientKey);
    if (entry === undefined) {
      const generation = this.generation;
      entry = { app: (await this.apps.findByClientKey(clientKey)) ?? null };
      if (generation === this.generation) this.byClientKey.set(clientKey, entry);
    }
    const app = entry.app;
    return app && safeEqual(app.clientKey, clientKey) ? app : undefined;
  }

  async regenerateClientKey(appId: string): Promise<App> {
    await this.get(appId);
    await this.apps.update(appId, { clientKey: generateClientKey(), clientKeyCreatedAt: Date.now() });
    this.bus.publish('app.changed', { appId });
    return this.get(appId);
  }

  /** `PATCH /admin/app`: the settings given replace those of the same name; the others stay. */
  async update(appId: string, input: Partial<AppSettings> & { name?: string }): Promise<App> {
    const { name, ...given } = input;
    const patch = Object.fromEntries(Object.entries(given).filter(([, value]) => value !== undefined));
    const app = await this.get(appId);
    const settings = { ...app.settings, ...patch };
    await this.apps.update(appId, { settings, ...(name === undefined ? {} : { name }) });
    this.bus.publish('app.changed', { appId });
    return this.get(appId);
  }

  private forget(appId: string): void {
    this.generation++;
    this.byId.delete(appId);
    for (const [clientKey, entry] of this.byClientKey.entries()) {
      if (entry.app === null || entry.app.id === appId) this.byClientKey.delete(clientKey);
    }
  }
}

export function slugify(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9_-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64);
  return slug || 'app';
}
