import { describe, expect, it } from 'vitest';
import { UNLIMITED, excess, rangesWithin } from '../../src/modules/keys/key-limits.js';

describe("rangesWithin (a key's allow-list inside its creator's)", () => {
  it('treats null as every address', () => {
    expect(rangesWithin(null, null)).toBe(true);
    expect(rangesWithin(null, ['10.0.0.0/8'])).toBe(true);
    expect(rangesWithin(['10.0.0.0/8'], null)).toBe(false);
  });

  it('accepts ranges inside one outer range, and refuses wider, overlapping or other ranges', () => {
    const outer = ['10.0.0.0/8', '2001:db8::/32'];
    expect(rangesWithin(outer, ['10.1.2.3/32', '10.200.0.0/16', '2001:db8:1::/48'])).toBe(true);
    expect(rangesWithin(outer, ['10.0.0.0/8'])).toBe(true);
    expect(rangesWithin(outer, ['10.0.0.0/7'])).toBe(false);
    expect(rangesWithin(outer, ['11.0.0.1/32'])).toBe(false);
    expect(rangesWithin(outer, ['0.0.0.0/0'])).toBe(false);
    expect(rangesWithin(outer, ['2001:db8::/31'])).toBe(false);
    expect(rangesWithin(outer, ['::/0'])).toBe(false);
    // Host bits in the inner entry do not widen the check: 10.1.2.3/4 is 0.0.0.0-15.255.255.255.
    expect(rangesWithin(outer, ['10.1.2.3/4'])).toBe(false);
  });
});

describe('excess (what a key may grant)', () => {
  const grantor = {
    scopes: ['users:read', 'keys:manage'],
    expiresAt: 1_000,
    allowedIps: ['10.0.0.0/8'],
    rateLimit: 50,
  };
  it('names the first setting that is more than the grantor has', () => {
    expect(excess(grantor, { ...grantor, rateLimit: 10 })).toBeUndefined();
    expect(excess(grantor, { ...grantor, scopes: ['*'] })).toMatch(/scopes/);
    expect(excess(grantor, { ...grantor, expiresAt: null })).toMatch(/expiry/);
    expect(excess(grantor, { ...grantor, expiresAt: 1_001 })).toMatch(/expiry/);
    expect(excess(grantor, { ...grantor, allowedIps: null })).toMatch(/allow-list/);
    expect(excess(grantor, { ...grantor, rateLimit: 51 })).toMatch(/rate limit/);
  });
  it('lets the operator grant anything', () => {
    expect(
      excess(UNLIMITED, { scopes: ['*'], expiresAt: null, allowedIps: null, rateLimit: 10_000_000 }),
    ).toBeUndefined();
  });
});
