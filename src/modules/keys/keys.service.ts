import { AppError } from '../../core/errors.js';
import type { EventBus } from '../../events/event-bus.js';
import { randomId } from '../../shared/ids.js';
import { lastFour, sha256Hex } from '../../shared/secrets.js';
import { generateApiKey } from './key-format.js';
import { normalizeCidrs } from '../../shared/ip-address.js';
import type { ApiKey, ApiKeyPatch, KeysRepository } from './keys.repository.js';
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

export class KeysService {
  constructor(
    private readonly keys: KeysRepository,
    private readonly bus: EventBus,
    private readonly defaultRateLimit: number,
  ) {}

  list(appId: string, includeRevoked = false): Promise<ApiKey[]> {
    return this.keys.list(appId, { includeRevoked });
  }

  async get(appId: string, id: string): Promise<ApiKey> {
    const key = await this.keys.findById(appId, id);
    if (!key) throw new AppError('KEY_NOT_FOUND');
    return key;
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
      rateLimit: checked.rateLimit ?? Math.min(this.defaultRateLimit, grantor.rateLimit),
    };
    refuseExcess(grantor, limits, 'grant');
    const secret = generateApiKey();
    const key = await this.keys.insert({
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
    this.bus.publish('apiKey.changed', { appId, keyId: key.id });
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
    const existing = await this.keys.findByHash(keyHash);
    if (existing) {
      if (existing.appId !== appId)
        throw new AppError('INVALID_REQUEST', 'That key already belongs to another application');
      return { key: existing, status: existing.revokedAt === null ? 'exists' : 'revoked' };
    }
    const key = await this.keys.insert({
      id: randomId('key'),
      appId,
      name,
      keyHash,
      last4: lastFour(secret),
      scopes: ['*'],
      allowedIps: null,
      rateLimit: this.defaultRateLimit,
      expiresAt: null,
      createdAt: Date.now(),
      createdBy,
      rolledFrom: null,
      origin: 'imported',
    });
    this.bus.publish('apiKey.changed', { appId, keyId: key.id });
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
    await this.keys.update(appId, id, patch);
    this.bus.publish('apiKey.changed', { appId, keyId: id });
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
    const key = await this.keys.insert({
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
    await this.keys.update(appId, id, {
      rolledTo: key.id,
      expiresAt: old.expiresAt === null ? graceEnd : Math.min(old.expiresAt, graceEnd),
    });
    this.bus.publish('apiKey.changed', { appId, keyId: id });
    this.bus.publish('apiKey.changed', { appId, keyId: key.id });
    return { key, secret, previous: await this.get(appId, id) };
  }

  async revoke(appId: string, id: string, grantor: KeyLimits = UNLIMITED): Promise<ApiKey> {
    const key = await this.get(appId, id);
    refuseExcess(grantor, key, 'revoke');
    if (key.revokedAt === null) {
      await this.keys.update(appId, id, { revokedAt: Date.now() });
      this.bus.publish('apiKey.changed', { appId, keyId: id });
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
