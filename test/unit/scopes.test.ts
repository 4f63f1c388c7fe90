import { describe, expect, it } from 'vitest';
import { SCOPES, isValidScope, scopeAllows, scopesWithin, type Scope } from '../../src/core/scopes.js';

describe('isValidScope', () => {
  it('accepts every named scope, "*" and "<area>:*" for each area', () => {
    for (const scope of SCOPES) expect(isValidScope(scope), scope).toBe(true);
    expect(isValidScope('*')).toBe(true);
    const areas = new Set(SCOPES.map((scope) => scope.split(':')[0]));
    expect(areas.size).toBeGreaterThanOrEqual(10);
    for (const area of areas) expect(isValidScope(`${area}:*`), area).toBe(true);
  });

  it('refuses anything else', () => {
    for (const value of [
      '',
      ' ',
      'users',
      'users:',
      ':read',
      'users:delete',
      'Users:read',
      'users:read ',
      ' users:read',
      'nope:*',
      '*:*',
      '**',
      'users:*:x',
      'users:read:x',
      'users:**',
      'keys:read',
      'audit:write',
      '*:read',
    ]) {
      expect(isValidScope(value), JSON.stringify(value)).toBe(false);
    }
  });
});

describe('scopeAllows', () => {
  it('grants with "*", the exact scope or the area wildcard only', () => {
    expect(scopeAllows(['*'], 'users:write')).toBe(true);
    expect(scopeAllows(['users:write'], 'users:write')).toBe(true);
    expect(scopeAllows(['users:*'], 'users:write')).toBe(true);
    expect(scopeAllows(['users:*'], 'users:read')).toBe(true);
    expect(scopeAllows(['users:read'], 'users:write')).toBe(false);
    expect(scopeAllows(['users:*'], 'tokens:write')).toBe(false);
    expect(scopeAllows(['rooms:*', 'messages:read'], 'moderation:read')).toBe(false);
    expect(scopeAllows([], 'users:read')).toBe(false);
  });

  it('does not let an area wildcard leak into an area with a similar name', () => {
    expect(scopeAllows(['user:*'], 'users:read')).toBe(false);
    expect(scopeAllows(['users:*'], 'keys:manage')).toBe(false);
  });

  it('needs every scope it is asked for to be a known one', () => {
    // Every route scope is in SCOPES; a granted list holding all of them allows each.
    for (const scope of SCOPES) expect(scopeAllows([...SCOPES], scope as Scope)).toBe(true);
  });
});

describe('scopesWithin (no key can mint a stronger key)', () => {
  it('lets "*" grant anything', () => {
    expect(scopesWithin(['*'], ['*'])).toBe(true);
    expect(scopesWithin(['*'], ['users:*', 'keys:manage'])).toBe(true);
  });

  it('never lets a limited key grant "*"', () => {
    expect(scopesWithin([...SCOPES], ['*'])).toBe(false);
    expect(scopesWithin(['keys:manage', 'users:read'], ['*'])).toBe(false);
  });

  it('grants only scopes the caller holds', () => {
    const granted = ['keys:manage', 'users:read'];
    expect(scopesWithin(granted, ['users:read'])).toBe(true);
    expect(scopesWithin(granted, ['keys:manage', 'users:read'])).toBe(true);
    expect(scopesWithin(granted, ['users:write'])).toBe(false);
    expect(scopesWithin(granted, ['users:read', 'users:write'])).toBe(false);
    expect(scopesWithin(granted, ['users:*'])).toBe(false);
    expect(scopesWithin(granted, [])).toBe(true);
  });

  it('treats an area wildcard as wider than all of its named scopes', () => {
    expect(scopesWithin(['users:read', 'users:write'], ['users:*'])).toBe(false);
    expect(scopesWithin(['users:*'], ['users:*'])).toBe(true);
    expect(scopesWithin(['users:*'], ['users:read', 'users:write'])).toBe(true);
    expect(scopesWithin(['users:*'], ['tokens:write'])).toBe(false);
    expect(scopesWithin(['users:*'], ['tokens:*'])).toBe(false);
  });
});
