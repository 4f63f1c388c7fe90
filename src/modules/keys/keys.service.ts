import { AppError } from '../../core/errors.js';
import type { ApiKey, App } from '../../core/principal.js';
import { scopeAllows } from '../../core/scopes.js';
import type { EventBus } from '../../events/event-bus.js';
import { parseTime } from '../../shared/time.js';
import { randomId } from '../../shared/ids.js';
import { lastFour, sha256Hex } from '../../shared/secrets.js';
import { generateApiKey } from './key-format.js';
import { normalizeCidrs } from '../../shared/ip-address.js';
import type { ApiKeyPatch, KeysRepository } from './keys.repository.js';
import { isValidScope, scopesWithin } from '../../core/scopes.js';
import { UNLIMITED, excess, type KeyLimits } from './key-limits.js';

export interface KeySettings {
  name?: string;
  scopes?: string[];
  /** ms epoch, or null for no expiry */
  expiresAt?: number | null;
  allowedIps?: string[] | null;
  rateLimit?: number;
}

export interface IssuedKey {
  key: ApiKey;
  /** The plain key: returned once, never stored. */
  secret: string;
}

export const DEFAULT_ROLL_GRACE_SECONDS = 24 * 3600;
const MAX_RATE_LIMIT = 10_000_000;
const HOUR_MS = 3_600_000;
const MAX_USAGE_RANGE_MS = 31 * 24 * HOUR_MS;

/** Requests of a key in one minute. */
export interface KeyUsageMinute {
  /** ms epoch of the minute's start */
  minute: number;
  requests: number;
  errors: number;
  rateLimited: number;
}

/** What keys need from the audit trail: its buffered writes (usage, last use) and per-minute usage. */
export interface KeyActivityPort {
  flush(): Promise<void>;
  usage(appId: string, keyId: string, from: number, to: number): Promise<KeyUsageMinute[]>;
}

/** What keys need from apps: the client key lives on the application (`/admin/keys/client-key`). */
export interface ClientKeyPort {
  get(appId: string): Promise<App>;
  regenerateClientKey(appId: string): Promise<App>;
}

/** Where the audit trail reports a key's last use. */
export interface KeyUseRecorder {
  recordUse(keyId: string, at: number, ip: string): Promise<void>;
}

export interface UsageReport {
  key: ApiKey;
  from: number;
  to: number;
  totals: { requests: number; errors: number; rateLimited: number };
  minutes: KeyUsageMinute[];
}

export interface KeysServiceDeps {
  keys: KeysRepository;
  bus: EventBus;
  /** RATE_LIMIT_PER_MINUTE: a new key's limit when it sets none. */
  defaultRateLimit: number;
  apps: ClientKeyPort;
  activity: KeyActivityPort;
}

export class KeysService implements KeyUseRecorder {
  constructor(private readonly deps: KeysServiceDeps) {}

  /** The app's keys, with their last use up to date. */
  async list(appId: string, includeRevoked = false): Promise<ApiKey[]> {
    await this.deps.activity.flush();
    return this.deps.keys.list(appId, { includeRevoked });
  }

  async get(appId: string, id: string): Promise<ApiKey> {
    const key = await this.deps.keys.findById(appId, id);
    if (!key) throw new AppError('KEY_NOT_FOUND');
    return key;
  }

  /** `GET /admin/keys/:id`: the key with its last use up to date. */
  async show(appId: string, id: string): Promise<ApiKey> {
    await this.deps.activity.flush();
    return this.get(appId, id);
  }

  /** A key by id in whichever application holds it (operator tools only). */
  findInAnyApp(id: string): Promise<ApiKey | undefined> {
    return this.deps.keys.findByIdInAnyApp(id);
  }

  recordUse(keyId: string, at: number, ip: string): Promise<void> {
    return this.deps.keys.recordUse(keyId, at, ip);
  }

  clientKey(appId: string): Promise<App> {
    return this.deps.apps.get(appId);
  }

  /** Every user connection depends on the client key: replacing it is an application setting too. */
  async regenerateClientKey(appId: string, grantor: KeyLimits = UNLIMITED): Promise<App> {
    if (!scopeAllows(grantor.scopes, 'config:write'))
      throw new AppError('FORBIDDEN', 'Regenerating the client key also needs the config:write scope');
    return this.deps.apps.regenerateClientKey(appId);
  }

  /** Requests per minute of a key, over at most 31 days (default: the last hour). Times: ISO-8601 or ms epoch. */
  async usage(appId: string, id: string, range: { from?: string; to?: string }): Promise<UsageReport> {
    const key = await this.get(appId, id);
    const now = Date.now();
    const to = range.to === undefined ? now : parseTime(range.to);
    const from = range.from === undefined ? (to ?? now) - HOUR_MS : parseTime(range.from);
    if (from === undefined || to === undefined || from >= to)
      throw new AppError('INVALID_REQUEST', 'from and to must be times with from before to');
    if (to - from > MAX_USAGE_RANGE_MS) throw new AppError('INVALID_REQUEST', 'The range may span at most 31 days');
    await this.deps.activity.flush();
    const minutes = await this.deps.activity.usage(appId, key.id, from, to);
    const totals = { requests: 0, errors: 0, rateLimited: 0 };
    for (const row of minutes) {
      totals.requests += row.requests;
      totals.errors += row.errors;
      totals.rateLimited += row.rateLimited;
    }
    return { key, from, to, totals, minutes };
  }

  /**
   * `grantor`: the calling key; a key only creates keys within itself. A setting left out is the
   * grantor's own (its expiry, its allow-list, at most its rate limit).
   */
  async create(
    appId: string,
    settings: KeySettings,
    createdBy: string,
    grantor: KeyLimits = UNLIMITED,
  ): Promise<IssuedKey> {
    // The default scopes ("*") are checked like requested ones: a limited key cannot get "*" by omitting them.
    const checked = this.check({ ...settings, scopes: settings.scopes ?? ['*'] }, grantor.scopes);
    const limits: KeyLimits = {
      scopes: checked.scopes ?? ['*'],
      expiresAt: checked.expiresAt !== undefined ? checked.expiresAt : grantor.expiresAt,
      allowedIps: checked.allowedIps !== undefined ? checked.allowedIps : grantor.allowedIps,
      rateLimit: checked.rateLimit ?? Math.min(this.deps.defaultRateLimit, grantor.rateLimit),
    };
    refuseExcess(grantor, limits, 'grant');
    const secret = generateApiKey();
    const key = await this.deps.keys.insert({
      id: randomId('key'),
      appId,
      name: checked.name ?? 'API key',
      keyHash: sha256Hex(secret),
      last4: lastFour(secret),
      scopes: [...limits.scopes],
      allowedIps: limits.allowedIps === null ? null : [...limits.allowedIps],
      rateLimit: limits.rateLimit,
      expiresAt: limits.expiresAt,
      createdAt: Date.now(),
      createdBy,
      rolledFrom: null,
      origin: 'generated',
    });
    this.deps.bus.publish('apiKey.changed', { appId, keyId: key.id });
    return { key, secret };
  }

  /**
   * Installs an existing key string (any format) with full permissions, e.g. PARLEY_API_KEY from
   * the hosted service. A key that was revoked stays revoked: restarting must not revive it.
   */
  async importKey(
    appId: string,
    secret: string,
    name: string,
    createdBy: string,
  ): Promise<{ key: ApiKey; status: 'created' | 'exists' | 'revoked' }> {
    const keyHash = sha256Hex(secret);
    const existing = await this.deps.keys.findByHash(keyHash);
    if (existing) {
      if (existing.appId !== appId)
        throw new AppError('INVALID_REQUEST', 'That key already belongs to another application');
      return { key: existing, status: existing.revokedAt === null ? 'exists' : 'revoked' };
    }
    const key = await this.deps.keys.insert({
      id: randomId('key'),
      appId,
      name,
      keyHash,
      last4: lastFour(secret),
      scopes: ['*'],
      allowedIps: null,
      rateLimit: this.deps.defaultRateLimit,
      expiresAt: null,
      createdAt: Date.now(),
      createdBy,
      rolledFrom: null,
      origin: 'imported',
    });
    this.deps.bus.publish('apiKey.changed', { appId, keyId: key.id });
    return { key, status: 'created' };
  }

  /** `grantor` may change only keys within itself, and only to settings within itself. */
  async update(appId: string, id: string, settings: KeySettings, grantor: KeyLimits = UNLIMITED): Promise<ApiKey> {
    const key = await this.get(appId, id);
    if (key.revokedAt !== null) throw new AppError('KEY_REVOKED');
    // An expired key stays expired, and a rolled one keeps the end its rotation gave it.
    if (key.expiresAt !== null && key.expiresAt <= Date.now()) throw new AppError('KEY_EXPIRED');
    if (key.rolledTo !== null && settings.expiresAt !== undefined) throw new AppError('KEY_ROLLED');
    refuseExcess(grantor, key, 'change');
    const patch: ApiKeyPatch = this.check(settings, grantor.scopes);
    refuseExcess(grantor, { ...key, ...patch }, 'grant');
    await this.deps.keys.update(appId, id, patch);
    this.deps.bus.publish('apiKey.changed', { appId, keyId: id });
    return this.get(appId, id);
  }

  /**
   * Zero-downtime rotation: a new key with the same settings; the old one keeps working for
   * `graceSeconds` (0 = it stops now), then expires. Only a live key that was not rolled yet rolls:
   * a rotation never revives an ended key nor forks into two successors.
   */
  async roll(
    appId: string,
    id: string,
    graceSeconds: number,
    createdBy: string,
    grantor: KeyLimits = UNLIMITED,
  ): Promise<IssuedKey & { previous: ApiKey }> {
    const old = await this.get(appId, id);
    const now = Date.now();
    if (old.revokedAt !== null) throw new AppError('KEY_REVOKED');
    if (old.expiresAt !== null && old.expiresAt <= now) throw new AppError('KEY_EXPIRED');
    if (old.rolledTo !== null)
      throw new AppError('KEY_ROLLED', 'This key was already rolled; roll its successor instead');
    refuseExcess(grantor, old, 'roll');
    const secret = generateApiKey();
    const lifetime = old.expiresAt === null ? null : Math.max(old.expiresAt - old.createdAt, 0);
    // The successor lives as long as the old key did, but never beyond its roller.
    const renewed = lifetime === null ? null : now + lifetime;
    const expiresAt = grantor.expiresAt === null ? renewed : Math.min(renewed ?? grantor.expiresAt, grantor.expiresAt);
    const key = await this.deps.keys.insert({
      id: randomId('key'),
      appId,
      name: old.name,
      keyHash: sha256Hex(secret),
      last4: lastFour(secret),
      scopes: old.scopes,
      allowedIps: old.allowedIps,
      rateLimit: old.rateLimit,
      expiresAt,
      createdAt: now,
      createdBy,
      rolledFrom: old.id,
      origin: 'generated',
    });
    const graceEnd = now + graceSeconds * 1000;
    await this.deps.keys.update(appId, id, {
      rolledTo: key.id,
      expiresAt: old.expiresAt === null ? graceEnd : Math.min(old.expiresAt, graceEnd),
    });
    this.deps.bus.publish('apiKey.changed', { appId, keyId: id });
    this.deps.bus.publish('apiKey.changed', { appId, keyId: key.id });
    return { key, secret, previous: await this.get(appId, id) };
  }

  async revoke(appId: string, id: string, grantor: KeyLimits = UNLIMITED): Promise<ApiKey> {
    const key = await this.get(appId, id);
    refuseExcess(grantor, key, 'revoke');
    if (key.revokedAt === null) {
      await this.deps.keys.update(appId, id, { revokedAt: Date.now() });
      this.deps.bus.publish('apiKey.changed', { appId, keyId: id });
    }
    return this.get(appId, id);
  }

  private check(settings: KeySettings, granted: readonly string[]): ApiKeyPatch {
    const patch: ApiKeyPatch = {};
    if (settings.name !== undefined) {
      const name = settings.name.trim();
      if (name.length === 0 || name.length > 100)
        throw new AppError('INVALID_REQUEST', 'name must be 1 to 100 characters');
      patch.name = name;
    }
    if (settings.scopes !== undefined) {
      const scopes = [...new Set(settings.scopes)];
      const bad = scopes.find((scope) => !isValidScope(scope));
      if (bad !== undefined) throw new AppError('INVALID_REQUEST', `Unknown scope "${bad}"`);
      if (scopes.length === 0) throw new AppError('INVALID_REQUEST', 'scopes must not be empty');
      if (!scopesWithin(granted, scopes)) {
        throw new AppError('FORBIDDEN', 'A key cannot grant scopes it does not hold itself');
      }
      patch.scopes = scopes;
    }
    if (settings.allowedIps !== undefined) {
      if (settings.allowedIps === null || settings.allowedIps.length === 0) {
        patch.allowedIps = null;
      } else {
        try {
          patch.allowedIps = normalizeCidrs(settings.allowedIps);
        } catch (error) {
          throw new AppError('INVALID_REQUEST', `allowedIps: ${(error as Error).message}`);
        }
      }
    }
    if (settings.rateLimit !== undefined) {
      if (!Number.isInteger(settings.rateLimit) || settings.rateLimit < 1 || settings.rateLimit > MAX_RATE_LIMIT) {
        throw new AppError('INVALID_REQUEST', `rateLimitPerMinute must be a whole number from 1 to ${MAX_RATE_LIMIT}`);
      }
      patch.rateLimit = settings.rateLimit;
    }
    if (settings.expiresAt !== undefined) {
      if (settings.expiresAt !== null && settings.expiresAt <= Date.now()) {
        throw new AppError('INVALID_REQUEST', 'expiresAt must be in the future');
      }
      patch.expiresAt = settings.expiresAt;
    }
    return patch;
  }
}

/** A key never grants more than itself, and never changes, rolls or revokes a key that has more. */
function refuseExcess(grantor: KeyLimits, key: KeyLimits, action: 'grant' | 'change' | 'roll' | 'revoke'): void {
  const reason = excess(grantor, key);
  if (reason === undefined) return;
  if (action === 'grant') throw new AppError('FORBIDDEN', `A key cannot grant ${reason}`);
  throw new AppError(
    'FORBIDDEN',
    `A key can only ${action} keys that have no more than itself (scopes, expiry, allow-list, rate limit)`,
  );
}
