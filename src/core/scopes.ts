/**
 * Scopes a key may hold. `*` is everything; `<area>:*` is every action of an area.
 * Every route declares the one scope it needs.
 */
export const SCOPES = [
  'users:read',
  'users:write',
  'tokens:write',
  'rooms:read',
  'rooms:write',
  'messages:read',
  'messages:write',
  'moderation:read',
  'moderation:write',
  'config:read',
  'config:write',
  'webhooks:read',
  'webhooks:write',
  'push:read',
  'push:write',
  'stats:read',
  'audit:read',
  'keys:manage',
] as const;

export type Scope = (typeof SCOPES)[number];

const AREAS = new Set(SCOPES.map((scope) => scope.split(':')[0]));

export function isValidScope(value: string): boolean {
  if (value === '*') return true;
  if ((SCOPES as readonly string[]).includes(value)) return true;
  const area = value.split(':')[0] ?? '';
  return value === `${area}:*` && AREAS.has(area);
}

export function scopeAllows(granted: readonly string[], needed: Scope): boolean {
  const area = needed.slice(0, needed.indexOf(':'));
  return granted.some((scope) => scope === '*' || scope === needed || scope === `${area}:*`);
}

/** True when every scope of `requested` is allowed by `granted`: a key cannot mint a stronger key. */
export function scopesWithin(granted: readonly string[], requested: readonly string[]): boolean {
  if (granted.includes('*')) return true;
  return requested.every((scope) => {
    if (scope === '*') return false;
    if (scope.endsWith(':*')) return granted.includes(scope);
    return scopeAllows(granted, scope as Scope);
  });
}
